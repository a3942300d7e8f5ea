//===- RowKernelSpec.cpp - a norm op as a row program ----------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#include "norm/Conversion/NormToGPU/RowKernelSpec.h"

#include "norm-runtime/norm_bundle_schema.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::norm;

static Type elementTypeOf(Value value) {
  return cast<ShapedType>(value.getType()).getElementType();
}

SmallVector<int> RowKernelSpec::stridedOperands() const {
  SmallVector<int> result;
  for (auto [index, operand] : llvm::enumerate(operands))
    if (operand.role == OperandRole::Row || operand.role == OperandRole::Scales)
      result.push_back(index);
  return result;
}

StringRef mlir::norm::stringifyOperandRole(OperandRole role) {
  switch (role) {
  case OperandRole::Row:
    return NORM_ROLE_NAME_ROW;
  case OperandRole::Vector:
    return NORM_ROLE_NAME_VECTOR;
  case OperandRole::Scalar:
    return NORM_ROLE_NAME_SCALAR;
  case OperandRole::Scales:
    return NORM_ROLE_NAME_SCALES;
  }
  llvm_unreachable("unknown operand role");
}

/// The index in `spec.operands` each named operand is kept under.
static int *getOperandSlot(RowKernelSpec &spec, StringRef name) {
  return llvm::StringSwitch<int *>(name)
      .Case("input", &spec.input)
      .Case("residual", &spec.residual)
      .Case("gamma", &spec.gamma)
      .Case("output", &spec.output)
      .Case("residual_out", &spec.residualOut)
      .Case("scale", &spec.scale)
      .Case("smooth", &spec.smooth)
      .Case("scales", &spec.scales)
      .Case("normalized", &spec.normalizedOut)
      .Default(nullptr);
}

/// The normalization stage of ops that have `epsilon` and `weight_offset`.
template <typename OpTy>
static void setNormalization(RowKernelSpec &spec, OpTy op) {
  spec.normalize = true;
  spec.epsilon = op.getEpsilon().convertToDouble();
  spec.weightOffset = op.getWeightOffset().convertToDouble();
  if (std::optional<Type> normalizedType = op.getNormalizedType())
    spec.normalizedType = *normalizedType;
}

/// The quantization stage of ops with a scheme and its attributes.
template <typename OpTy>
static void setQuantization(RowKernelSpec &spec, OpTy op) {
  spec.quantize = true;
  spec.scheme = op.getScheme();
  spec.groupSize = op.getGroupSize().value_or(0);
  spec.scaleLayout = op.getScaleLayout().value_or(ScaleLayout::RowMajor);
  if (auto clip = op.getClip())
    spec.clip = clip->convertToDouble();
  if (auto scaleUb = op.getScaleUb())
    spec.scaleUb = scaleUb->convertToDouble();
  spec.minScale = op.getEffectiveMinScale();
  spec.qmax = op.getQMax();
}

/// The stages of the row program `op` runs, with their parameters.
static void setStages(RowKernelSpec &spec, Operation *op) {
  llvm::TypeSwitch<Operation *>(op)
      .Case([&](RMSNormOp rmsnorm) {
        spec.opName = "rmsnorm";
        setNormalization(spec, rmsnorm);
      })
      .Case([&](AddRMSNormOp add) {
        spec.opName = "add_rmsnorm";
        setNormalization(spec, add);
      })
      .Case([&](QuantizeOp quantize) {
        spec.opName = "quantize";
        setQuantization(spec, quantize);
      })
      .Case([&](RMSNormQuantizeOp fused) {
        spec.opName = "rmsnorm_quantize";
        setNormalization(spec, fused);
        setQuantization(spec, fused);
        if (std::optional<Type> intermediate = fused.getIntermediateType())
          spec.intermediateType = *intermediate;
      });
}

std::optional<RowKernelSpec>
mlir::norm::getRowKernelSpec(Operation *op, SmallVectorImpl<Value> *memrefs) {
  auto kernelOp = dyn_cast<RowKernelOpInterface>(op);
  if (!kernelOp)
    return std::nullopt;
  RowKernelSpec spec;
  Value input;
  // The operands, their roles and order: the op's RowKernelOpInterface.
  for (const KernelOperandInfo &info : kernelOp.getKernelOperands()) {
    Value value = info.operand->get();
    if (info.name == "input")
      input = value;
    int *slot = getOperandSlot(spec, info.name);
    assert(slot && "a kernel operand name the row program knows");
    *slot = spec.operands.size();
    spec.operands.push_back(
        {info.name.str(), info.role, elementTypeOf(value), /*alignment=*/1});
    if (memrefs)
      memrefs->push_back(value);
  }
  setStages(spec, op);
  spec.cols = cast<ShapedType>(input.getType()).getShape().back();
  spec.cachedElementType =
      spec.operands[spec.residual >= 0 ? spec.residual : spec.input]
          .elementType;
  return spec;
}
