//===- RowKernelSpec.cpp - a norm op as a row program ----------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#include "norm/Conversion/NormToGPU/RowKernelSpec.h"

#include "norm-runtime/norm_bundle_schema.h"

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

namespace {
/// A norm op described as a row kernel, with the memrefs that feed it.
struct DescribedOp {
  RowKernelSpec spec;
  SmallVector<Value> memrefs;
};
} // namespace

static void addOperand(DescribedOp &plan, int &slot, StringRef name,
                       OperandRole role, Value memref) {
  slot = plan.spec.operands.size();
  plan.spec.operands.push_back(
      {name.str(), role, elementTypeOf(memref), /*alignment=*/1});
  plan.memrefs.push_back(memref);
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

static DescribedOp describe(RMSNormOp op) {
  DescribedOp plan;
  RowKernelSpec &spec = plan.spec;
  spec.opName = "rmsnorm";
  addOperand(plan, spec.input, "input", OperandRole::Row, op.getInput());
  if (op.getGamma())
    addOperand(plan, spec.gamma, "gamma", OperandRole::Vector, op.getGamma());
  addOperand(plan, spec.output, "output", OperandRole::Row, op.getInit());
  setNormalization(spec, op);
  return plan;
}

static DescribedOp describe(AddRMSNormOp op) {
  DescribedOp plan;
  RowKernelSpec &spec = plan.spec;
  spec.opName = "add_rmsnorm";
  addOperand(plan, spec.input, "input", OperandRole::Row, op.getInput());
  addOperand(plan, spec.residual, "residual", OperandRole::Row,
             op.getResidual());
  if (op.getGamma())
    addOperand(plan, spec.gamma, "gamma", OperandRole::Vector, op.getGamma());
  addOperand(plan, spec.output, "output", OperandRole::Row, op.getInit());
  addOperand(plan, spec.residualOut, "residual_out", OperandRole::Row,
             op.getResidualInit());
  setNormalization(spec, op);
  return plan;
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

/// The quantizer's operands, in op operand order: the static scale and smooth
/// inputs, then the codes and the dynamic scales.
template <typename OpTy>
static void addQuantizeOperands(DescribedOp &plan, OpTy op) {
  RowKernelSpec &spec = plan.spec;
  if (op.getScale())
    addOperand(plan, spec.scale, "scale", OperandRole::Scalar, op.getScale());
  if (op.getSmooth())
    addOperand(plan, spec.smooth, "smooth", OperandRole::Vector,
               op.getSmooth());
  addOperand(plan, spec.output, "output", OperandRole::Row, op.getInit());
  if (op.getScaleInit())
    addOperand(plan, spec.scales, "scales", OperandRole::Scales,
               op.getScaleInit());
}

static DescribedOp describe(QuantizeOp op) {
  DescribedOp plan;
  RowKernelSpec &spec = plan.spec;
  spec.opName = "quantize";
  addOperand(plan, spec.input, "input", OperandRole::Row, op.getInput());
  addQuantizeOperands(plan, op);
  setQuantization(spec, op);
  return plan;
}

static DescribedOp describe(RMSNormQuantizeOp op) {
  DescribedOp plan;
  RowKernelSpec &spec = plan.spec;
  spec.opName = "rmsnorm_quantize";
  // Pointers in op operand order, as for every other kernel.
  addOperand(plan, spec.input, "input", OperandRole::Row, op.getInput());
  if (op.getResidual())
    addOperand(plan, spec.residual, "residual", OperandRole::Row,
               op.getResidual());
  if (op.getGamma())
    addOperand(plan, spec.gamma, "gamma", OperandRole::Vector, op.getGamma());
  addQuantizeOperands(plan, op);
  if (op.getResidualInit())
    addOperand(plan, spec.residualOut, "residual_out", OperandRole::Row,
               op.getResidualInit());
  if (op.getNormalizedInit())
    addOperand(plan, spec.normalizedOut, "normalized", OperandRole::Row,
               op.getNormalizedInit());
  setNormalization(spec, op);
  setQuantization(spec, op);
  if (std::optional<Type> intermediate = op.getIntermediateType())
    spec.intermediateType = *intermediate;
  return plan;
}

std::optional<RowKernelSpec>
mlir::norm::getRowKernelSpec(Operation *op, SmallVectorImpl<Value> *memrefs) {
  DescribedOp described;
  if (auto rmsnorm = dyn_cast<RMSNormOp>(op))
    described = describe(rmsnorm);
  else if (auto add = dyn_cast<AddRMSNormOp>(op))
    described = describe(add);
  else if (auto quantize = dyn_cast<QuantizeOp>(op))
    described = describe(quantize);
  else if (auto fused = dyn_cast<RMSNormQuantizeOp>(op))
    described = describe(fused);
  else
    return std::nullopt;
  RowKernelSpec &spec = described.spec;
  auto inputType = cast<ShapedType>(described.memrefs[spec.input].getType());
  spec.cols = inputType.getShape().back();
  spec.cachedElementType =
      spec.operands[spec.residual >= 0 ? spec.residual : spec.input]
          .elementType;
  if (memrefs)
    llvm::append_range(*memrefs, described.memrefs);
  return std::move(spec);
}
