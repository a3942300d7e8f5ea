//===- NormOps.cpp - norm dialect ops ---------------------------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#include "norm/Dialect/Norm/IR/NormOps.h"
#include "norm/Dialect/Norm/IR/RowSchedule.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace mlir;
using namespace mlir::norm;

//===----------------------------------------------------------------------===//
// Shared verification helpers
//===----------------------------------------------------------------------===//

namespace {
/// An operand as the verifier names it in diagnostics.
struct NamedOperand {
  StringRef name;
  Value value;
};
} // namespace

static bool isNormFloat(Type type) {
  return type.isF32() || type.isF16() || type.isBF16();
}

std::optional<double> mlir::norm::getQuantizedTypeMax(Type type) {
  if (isa<Float8E4M3FNType>(type))
    return 448.0;
  if (isa<Float8E4M3FNUZType>(type))
    return 240.0;
  if (isa<Float8E5M2Type>(type))
    return 57344.0;
  if (type.isSignlessInteger(8))
    return 127.0;
  return std::nullopt;
}

static bool isQuantizedType(Type type) {
  return getQuantizedTypeMax(type).has_value();
}

static std::string formatShape(ArrayRef<int64_t> shape) {
  std::string str;
  llvm::raw_string_ostream os(str);
  os << "[";
  llvm::interleaveComma(shape, os, [&](int64_t dim) {
    if (ShapedType::isDynamic(dim))
      os << "?";
    else
      os << dim;
  });
  os << "]";
  return str;
}

static ShapedType shapedTypeOf(Value value) {
  return cast<ShapedType>(value.getType());
}

/// True if two shapes have the same rank and agree on every dim that is
/// static in both.
static bool areShapesCompatible(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs) {
  if (lhs.size() != rhs.size())
    return false;
  return llvm::all_of(llvm::zip_equal(lhs, rhs), [](auto dims) {
    auto [l, r] = dims;
    return ShapedType::isDynamic(l) || ShapedType::isDynamic(r) || l == r;
  });
}

/// All operands must be tensors, or all memrefs: the op either has value
/// semantics or writes into buffers, never a mix. Memrefs must be contiguous
/// in the innermost dimension, which every kernel vectorizes along; a dynamic
/// innermost stride is left to the lowering's run-time check.
static LogicalResult verifyOperandKinds(Operation *op,
                                        ArrayRef<NamedOperand> operands) {
  const NamedOperand &first = operands.front();
  bool firstIsTensor = isa<RankedTensorType>(first.value.getType());
  for (const NamedOperand &operand : operands.drop_front()) {
    if (isa<RankedTensorType>(operand.value.getType()) != firstIsTensor)
      return op->emitOpError("operands must be all tensors or all memrefs, "
                             "but '")
             << first.name << "' is a " << (firstIsTensor ? "tensor" : "memref")
             << " and '" << operand.name << "' is a "
             << (firstIsTensor ? "memref" : "tensor");
  }
  for (const NamedOperand &operand : operands) {
    auto memref = dyn_cast<MemRefType>(operand.value.getType());
    if (!memref || memref.getRank() == 0)
      continue;
    SmallVector<int64_t> strides;
    int64_t offset;
    if (failed(memref.getStridesAndOffset(strides, offset)) ||
        (!ShapedType::isDynamic(strides.back()) && strides.back() != 1))
      return op->emitOpError("'")
             << operand.name
             << "' must have unit stride in its innermost dimension, but has "
                "type "
             << memref;
  }
  return success();
}

/// `input`-like operands: rank >= 1 with an f32/f16/bf16 element type.
static LogicalResult verifyRowsOperand(Operation *op, NamedOperand operand) {
  ShapedType type = shapedTypeOf(operand.value);
  if (type.getRank() < 1)
    return op->emitOpError("'")
           << operand.name
           << "' must have rank >= 1 (rows of the innermost dimension), but "
              "has type "
           << type;
  if (!isNormFloat(type.getElementType()))
    return op->emitOpError("'")
           << operand.name
           << "' must have element type f32, f16 or bf16, but has "
           << type.getElementType();
  return success();
}

/// A destination or second input that must match `input` in shape.
static LogicalResult verifySameShape(Operation *op, NamedOperand operand,
                                     NamedOperand input) {
  ArrayRef<int64_t> shape = shapedTypeOf(operand.value).getShape();
  ArrayRef<int64_t> inputShape = shapedTypeOf(input.value).getShape();
  if (!areShapesCompatible(shape, inputShape))
    return op->emitOpError("'") << operand.name << "' must have the shape of '"
                                << input.name << "' " << formatShape(inputShape)
                                << ", but has shape " << formatShape(shape);
  return success();
}

/// The updated residual is stored in the residual's own element type.
static LogicalResult verifyResidualType(Operation *op, NamedOperand residual,
                                        NamedOperand residualInit) {
  Type residualType = shapedTypeOf(residual.value).getElementType();
  Type initType = shapedTypeOf(residualInit.value).getElementType();
  if (initType != residualType)
    return op->emitOpError("'")
           << residualInit.name << "' must have the element type of '"
           << residual.name << "' (" << residualType << "), but has "
           << initType;
  return success();
}

/// A per-column vector (gamma, smooth): shape [H] where H is the innermost
/// dim of `input`.
static LogicalResult verifyColumnVector(Operation *op, NamedOperand operand,
                                        NamedOperand input,
                                        StringRef elementTypes,
                                        function_ref<bool(Type)> isAllowed) {
  ShapedType type = shapedTypeOf(operand.value);
  int64_t h = shapedTypeOf(input.value).getShape().back();
  if (type.getRank() != 1 ||
      !areShapesCompatible(type.getShape(), ArrayRef<int64_t>(h)))
    return op->emitOpError("'")
           << operand.name << "' must have shape [H] = " << formatShape(h)
           << " (the innermost dimension of '" << input.name
           << "'), but has shape " << formatShape(type.getShape());
  if (!isAllowed(type.getElementType()))
    return op->emitOpError("'")
           << operand.name << "' must have element type " << elementTypes
           << ", but has " << type.getElementType();
  return success();
}

static LogicalResult verifyNormAttributes(Operation *op, FloatAttr epsilon,
                                          FloatAttr weightOffset) {
  double eps = epsilon.getValueAsDouble();
  if (!(eps > 0.0) || !std::isfinite(eps))
    return op->emitOpError("'epsilon' must be a finite f32 > 0, but is ")
           << eps;
  if (!std::isfinite(weightOffset.getValueAsDouble()))
    return op->emitOpError("'weight_offset' must be finite, but is ")
           << weightOffset.getValueAsDouble();
  return success();
}

/// `normalized_type`: the type x / rms is rounded to before the multiply by
/// gamma (Hugging Face Llama's `weight * normed.to(bf16)`). Without gamma
/// there is no multiply to round for; with a weight offset the unfused form
/// would round (gamma + offset) in that type as well, which the op does not
/// express.
static LogicalResult verifyNormalizedType(Operation *op,
                                          std::optional<Type> normalizedType,
                                          Value gamma, FloatAttr weightOffset) {
  if (!normalizedType)
    return success();
  if (!isNormFloat(*normalizedType))
    return op->emitOpError("'normalized_type' must be f32, f16 or bf16, but "
                           "is ")
           << *normalizedType;
  if (!gamma)
    return op->emitOpError("'normalized_type' requires 'gamma': it rounds the "
                           "normalized value before the multiply by gamma");
  if (weightOffset.getValueAsDouble() != 0.0)
    return op->emitOpError("'normalized_type' requires 'weight_offset' = 0, "
                           "but it is ")
           << weightOffset.getValueAsDouble();
  return success();
}

/// What the ops that normalize (rmsnorm, add_rmsnorm, rmsnorm_quantize)
/// share: gamma, epsilon, weight_offset and normalized_type.
template <typename NormOpT>
static LogicalResult verifyNormalization(NormOpT op, NamedOperand input) {
  if (op.getGamma() &&
      failed(verifyColumnVector(op, {"gamma", op.getGamma()}, input,
                                "f32, f16 or bf16", isNormFloat)))
    return failure();
  if (failed(verifyNormAttributes(op, op.getEpsilonAttr(),
                                  op.getWeightOffsetAttr())))
    return failure();
  return verifyNormalizedType(op, op.getNormalizedType(), op.getGamma(),
                              op.getWeightOffsetAttr());
}

/// Reads the memref inputs and writes the memref destinations; the tensor
/// form has value semantics and no effects.
static void getNormOpEffects(
    DestinationStyleOpInterface op,
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  for (OpOperand &operand : op->getOpOperands()) {
    if (!isa<MemRefType>(operand.get().getType()))
      continue;
    if (op.isDpsInit(&operand))
      effects.emplace_back(MemoryEffects::Write::get(), &operand,
                           /*stage=*/0, /*effectOnFullRegion=*/true,
                           SideEffects::DefaultResource::get());
    else
      effects.emplace_back(MemoryEffects::Read::get(), &operand,
                           /*stage=*/0, /*effectOnFullRegion=*/true,
                           SideEffects::DefaultResource::get());
  }
}

//===----------------------------------------------------------------------===//
// RMSNormOp
//===----------------------------------------------------------------------===//

LogicalResult RMSNormOp::verify() {
  NamedOperand input{"input", getInput()};
  NamedOperand init{"into", getInit()};
  SmallVector<NamedOperand> all{input, init};
  if (getGamma())
    all.push_back({"gamma", getGamma()});

  if (failed(verifyOperandKinds(*this, all)) ||
      failed(verifyRowsOperand(*this, input)) ||
      failed(verifySameShape(*this, init, input)))
    return failure();
  if (!isNormFloat(shapedTypeOf(getInit()).getElementType()))
    return emitOpError("'into' must have element type f32, f16 or bf16, but "
                       "has ")
           << shapedTypeOf(getInit()).getElementType();
  if (failed(verifyNormalization(*this, input)))
    return failure();
  return verifyOpSchedule(*this, getScheduleAttr());
}

void RMSNormOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  getNormOpEffects(*this, effects);
}

//===----------------------------------------------------------------------===//
// AddRMSNormOp
//===----------------------------------------------------------------------===//

LogicalResult AddRMSNormOp::verify() {
  NamedOperand input{"input", getInput()};
  NamedOperand residual{"residual", getResidual()};
  NamedOperand init{"into", getInit()};
  NamedOperand residualInit{"residual destination", getResidualInit()};
  SmallVector<NamedOperand> all{input, residual, init, residualInit};
  if (getGamma())
    all.push_back({"gamma", getGamma()});

  if (failed(verifyOperandKinds(*this, all)) ||
      failed(verifyRowsOperand(*this, input)) ||
      failed(verifyRowsOperand(*this, residual)) ||
      failed(verifySameShape(*this, residual, input)) ||
      failed(verifySameShape(*this, init, input)) ||
      failed(verifySameShape(*this, residualInit, input)))
    return failure();
  if (!isNormFloat(shapedTypeOf(getInit()).getElementType()))
    return emitOpError("'into' must have element type f32, f16 or bf16, but "
                       "has ")
           << shapedTypeOf(getInit()).getElementType();
  if (failed(verifyResidualType(*this, residual, residualInit)))
    return failure();
  if (failed(verifyNormalization(*this, input)))
    return failure();
  return verifyOpSchedule(*this, getScheduleAttr());
}

void AddRMSNormOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  getNormOpEffects(*this, effects);
}

//===----------------------------------------------------------------------===//
// QuantizeOp
//===----------------------------------------------------------------------===//

static ParseResult parseQuantScheme(OpAsmParser &parser,
                                    QuantSchemeAttr &scheme,
                                    IntegerAttr &groupSize,
                                    ScaleLayoutAttr &layout) {
  MLIRContext *ctx = parser.getContext();
  SMLoc loc = parser.getCurrentLocation();
  StringRef keyword;
  if (parser.parseKeyword(&keyword))
    return failure();
  std::optional<QuantScheme> parsed = symbolizeQuantScheme(keyword);
  if (!parsed)
    return parser.emitError(loc, "expected quantization scheme 'per_token', "
                                 "'per_group(G)' or 'static', but got '")
           << keyword << "'";
  scheme = QuantSchemeAttr::get(ctx, *parsed);
  if (*parsed != QuantScheme::PerGroup)
    return success();

  int64_t size;
  if (parser.parseLParen() || parser.parseInteger(size))
    return failure();
  groupSize = IntegerAttr::get(IntegerType::get(ctx, 64), size);
  if (succeeded(parser.parseOptionalComma())) {
    SMLoc layoutLoc = parser.getCurrentLocation();
    StringRef layoutKeyword;
    if (parser.parseKeyword(&layoutKeyword))
      return failure();
    std::optional<ScaleLayout> parsedLayout =
        symbolizeScaleLayout(layoutKeyword);
    if (!parsedLayout)
      return parser.emitError(layoutLoc, "expected scale layout 'row_major' "
                                         "or 'col_major', but got '")
             << layoutKeyword << "'";
    layout = ScaleLayoutAttr::get(ctx, *parsedLayout);
  }
  return parser.parseRParen();
}

static void printQuantScheme(OpAsmPrinter &printer, Operation *,
                             QuantSchemeAttr scheme, IntegerAttr groupSize,
                             ScaleLayoutAttr layout) {
  printer << stringifyQuantScheme(scheme.getValue());
  if (scheme.getValue() != QuantScheme::PerGroup || !groupSize)
    return;
  printer << "(" << groupSize.getInt();
  if (layout)
    printer << ", " << stringifyScaleLayout(layout.getValue());
  printer << ")";
}

/// Largest finite value of a quantized element type (verified).
static double getQMaxOf(Type type) {
  return getQuantizedTypeMax(type).value_or(127.0);
}

static double getEffectiveMinScaleOf(std::optional<APFloat> minScale,
                                     double qmax) {
  if (minScale)
    return minScale->convertToDouble();
  return 1.0 / (qmax * 512.0);
}

double QuantizeOp::getQMax() {
  return getQMaxOf(shapedTypeOf(getInit()).getElementType());
}

double QuantizeOp::getEffectiveMinScale() {
  return getEffectiveMinScaleOf(getMinScale(), getQMax());
}

/// Expected shape of the scales destination for a dynamic scheme.
static SmallVector<int64_t> getExpectedScaleShape(ArrayRef<int64_t> inputShape,
                                                  QuantScheme scheme,
                                                  int64_t groupSize,
                                                  ScaleLayout layout) {
  ArrayRef<int64_t> leading = inputShape.drop_back();
  int64_t h = inputShape.back();
  int64_t columns = 1;
  if (scheme == QuantScheme::PerGroup)
    columns = ShapedType::isDynamic(h) ? ShapedType::kDynamic : h / groupSize;
  SmallVector<int64_t> shape;
  if (scheme == QuantScheme::PerGroup && layout == ScaleLayout::ColMajor) {
    shape.push_back(columns);
    llvm::append_range(shape, leading);
  } else {
    llvm::append_range(shape, leading);
    shape.push_back(columns);
  }
  return shape;
}

namespace {
/// The quantization stage of `norm.quantize` and `norm.rmsnorm_quantize`.
struct QuantizationStage {
  NamedOperand input;
  Value init, scale, smooth, scaleInit;
  QuantScheme scheme;
  std::optional<uint64_t> groupSize;
  std::optional<ScaleLayout> scaleLayout;
  FloatAttr scaleUb, clip, minScale;
};
} // namespace

/// Checks the quantized output, the scheme and its operands and attributes;
/// the operand kinds and `input` itself are checked by the caller.
static LogicalResult verifyQuantization(Operation *op,
                                        const QuantizationStage &stage) {
  if (failed(verifySameShape(op, {"into", stage.init}, stage.input)))
    return failure();
  Type qType = shapedTypeOf(stage.init).getElementType();
  if (!isQuantizedType(qType))
    return op->emitOpError("'into' must have element type f8E4M3FN, "
                           "f8E4M3FNUZ, f8E5M2 or i8, but has ")
           << qType;

  QuantScheme scheme = stage.scheme;
  StringRef schemeName = stringifyQuantScheme(scheme);
  bool isDynamic = scheme != QuantScheme::Static;
  ArrayRef<int64_t> inputShape = shapedTypeOf(stage.input.value).getShape();
  int64_t h = inputShape.back();

  // Group size and layout belong to per_group alone.
  int64_t groupSize = 1;
  if (scheme == QuantScheme::PerGroup) {
    if (!stage.groupSize)
      return op->emitOpError("the per_group scheme requires a 'group_size'");
    groupSize = *stage.groupSize;
    if (groupSize <= 0)
      return op->emitOpError("'group_size' must be > 0, but is ") << groupSize;
    if (!ShapedType::isDynamic(h) && h % groupSize != 0)
      return op->emitOpError("'group_size' ")
             << groupSize
             << " must divide the innermost dimension of 'input' (H = " << h
             << ")";
  } else {
    if (stage.groupSize)
      return op->emitOpError("'group_size' is only valid with the per_group "
                             "scheme, but the scheme is ")
             << schemeName;
    if (stage.scaleLayout)
      return op->emitOpError("'scale_layout' is only valid with the "
                             "per_group scheme, but the scheme is ")
             << schemeName;
  }

  // Static scales come in as an operand; dynamic ones go out as a result.
  if (isDynamic) {
    if (stage.scale)
      return op->emitOpError("the ")
             << schemeName
             << " scheme computes its scales and takes no 'scale' operand";
    if (!stage.scaleInit)
      return op->emitOpError("the ")
             << schemeName << " scheme requires a scales destination after "
             << "the quantized output";
    ShapedType scaleType = shapedTypeOf(stage.scaleInit);
    SmallVector<int64_t> expected = getExpectedScaleShape(
        inputShape, scheme, groupSize,
        stage.scaleLayout.value_or(ScaleLayout::RowMajor));
    if (!areShapesCompatible(scaleType.getShape(), expected))
      return op->emitOpError("'scales destination' must have shape ")
             << formatShape(expected) << " for the " << schemeName
             << " scheme, but has shape " << formatShape(scaleType.getShape());
    if (!scaleType.getElementType().isF32())
      return op->emitOpError("'scales destination' must have element type "
                             "f32, but has ")
             << scaleType.getElementType();
  } else {
    if (!stage.scale)
      return op->emitOpError("the static scheme requires a 'scale' operand");
    if (stage.scaleInit)
      return op->emitOpError("the static scheme produces no scales, but a "
                             "scales destination was given");
    ShapedType scaleType = shapedTypeOf(stage.scale);
    bool isScalar = scaleType.getRank() == 0 ||
                    (scaleType.getRank() == 1 && scaleType.getDimSize(0) == 1);
    if (!isScalar || !scaleType.getElementType().isF32())
      return op->emitOpError("'scale' must have type tensor<1xf32> or "
                             "tensor<f32> (or the memref equivalent), but has ")
             << scaleType;
    if (stage.scaleUb)
      return op->emitOpError("'scale_ub' only applies to dynamic schemes");
    if (stage.minScale)
      return op->emitOpError("'min_scale' only applies to dynamic schemes");
  }

  if (stage.smooth &&
      failed(verifyColumnVector(op, {"smooth", stage.smooth}, stage.input,
                                "f32", [](Type t) { return t.isF32(); })))
    return failure();

  for (auto [name, attr] :
       {std::pair<StringRef, FloatAttr>{"scale_ub", stage.scaleUb},
        {"clip", stage.clip},
        {"min_scale", stage.minScale}}) {
    if (!attr)
      continue;
    double value = attr.getValueAsDouble();
    if (!(value > 0.0) || !std::isfinite(value))
      return op->emitOpError("'")
             << name << "' must be a finite f32 > 0, but is " << value;
  }
  return success();
}

LogicalResult QuantizeOp::verify() {
  NamedOperand input{"input", getInput()};
  NamedOperand init{"into", getInit()};
  SmallVector<NamedOperand> all{input, init};
  if (getScale())
    all.push_back({"scale", getScale()});
  if (getSmooth())
    all.push_back({"smooth", getSmooth()});
  if (getScaleInit())
    all.push_back({"scales destination", getScaleInit()});

  if (failed(verifyOperandKinds(*this, all)) ||
      failed(verifyRowsOperand(*this, input)))
    return failure();
  if (failed(verifyQuantization(
          *this, {input, getInit(), getScale(), getSmooth(), getScaleInit(),
                  getScheme(), getGroupSize(), getScaleLayout(),
                  getScaleUbAttr(), getClipAttr(), getMinScaleAttr()})))
    return failure();
  return verifyOpSchedule(*this, getScheduleAttr());
}

void QuantizeOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  getNormOpEffects(*this, effects);
}

//===----------------------------------------------------------------------===//
// RMSNormQuantizeOp
//===----------------------------------------------------------------------===//

double RMSNormQuantizeOp::getQMax() {
  return getQMaxOf(shapedTypeOf(getInit()).getElementType());
}

double RMSNormQuantizeOp::getEffectiveMinScale() {
  return getEffectiveMinScaleOf(getMinScale(), getQMax());
}

LogicalResult RMSNormQuantizeOp::verify() {
  NamedOperand input{"input", getInput()};
  SmallVector<NamedOperand> all{input, {"into", getInit()}};
  for (NamedOperand operand : {NamedOperand{"residual", getResidual()},
                               {"gamma", getGamma()},
                               {"scale", getScale()},
                               {"smooth", getSmooth()},
                               {"scales destination", getScaleInit()},
                               {"residual_out", getResidualInit()},
                               {"normalized_out", getNormalizedInit()}})
    if (operand.value)
      all.push_back(operand);

  if (failed(verifyOperandKinds(*this, all)) ||
      failed(verifyRowsOperand(*this, input)))
    return failure();

  // The residual add: both the residual and its destination, or neither.
  if (getResidual() && !getResidualInit())
    return emitOpError("'residual' requires a 'residual_out' destination for "
                       "the updated residual");
  if (!getResidual() && getResidualInit())
    return emitOpError("'residual_out' is only valid with a 'residual'");
  if (getResidual()) {
    NamedOperand residual{"residual", getResidual()};
    if (failed(verifyRowsOperand(*this, residual)) ||
        failed(verifySameShape(*this, residual, input)) ||
        failed(
            verifySameShape(*this, {"residual_out", getResidualInit()}, input)))
      return failure();
    if (failed(verifyResidualType(*this, residual,
                                  {"residual_out", getResidualInit()})))
      return failure();
  }

  if (failed(verifyNormalization(*this, input)))
    return failure();

  // The rounding the unfused chain applied to the normalized value.
  std::optional<Type> intermediate = getIntermediateType();
  if (intermediate && !isNormFloat(*intermediate))
    return emitOpError("'intermediate_type' must be f32, f16 or bf16, but is ")
           << *intermediate;
  if (Value normalized = getNormalizedInit()) {
    if (failed(verifySameShape(*this, {"normalized_out", normalized}, input)))
      return failure();
    Type normalizedType = shapedTypeOf(normalized).getElementType();
    if (!isNormFloat(normalizedType))
      return emitOpError("'normalized_out' must have element type f32, f16 or "
                         "bf16, but has ")
             << normalizedType;
    // The quantizer must see the normalized value as stored, or the two
    // outputs would disagree about what was quantized.
    if (intermediate && *intermediate != normalizedType)
      return emitOpError("'intermediate_type' (")
             << *intermediate
             << ") must be the element type of 'normalized_out' ("
             << normalizedType << ")";
  }

  if (failed(verifyQuantization(
          *this, {input, getInit(), getScale(), getSmooth(), getScaleInit(),
                  getScheme(), getGroupSize(), getScaleLayout(),
                  getScaleUbAttr(), getClipAttr(), getMinScaleAttr()})))
    return failure();
  return verifyOpSchedule(*this, getScheduleAttr());
}

void RMSNormQuantizeOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  getNormOpEffects(*this, effects);
}

#define GET_OP_CLASSES
#include "norm/Dialect/Norm/IR/NormOps.cpp.inc"

//===----------------------------------------------------------------------===//
// RowKernelOpInterface
//===----------------------------------------------------------------------===//

namespace {
/// Builds the kernel operand list of an op, in kernel argument order.
struct KernelOperandList {
  SmallVector<KernelOperandInfo> operands;

  void add(StringRef name, OperandRole role, OpOperand &operand) {
    operands.push_back({name, role, &operand});
  }
  /// An optional operand, when present.
  void add(StringRef name, OperandRole role, MutableOperandRange range) {
    if (!range.empty())
      add(name, role, range[0]);
  }
  /// The quantizer's operands, in op operand order: the static scale and
  /// smooth inputs, then the codes and the dynamic scales.
  template <typename OpTy> void addQuantizer(OpTy op) {
    add("scale", OperandRole::Scalar, op.getScaleMutable());
    add("smooth", OperandRole::Vector, op.getSmoothMutable());
    add("output", OperandRole::Row, op.getInitMutable());
    add("scales", OperandRole::Scales, op.getScaleInitMutable());
  }
};
} // namespace

SmallVector<KernelOperandInfo> RMSNormOp::getKernelOperands() {
  KernelOperandList list;
  list.add("input", OperandRole::Row, getInputMutable());
  list.add("gamma", OperandRole::Vector, getGammaMutable());
  list.add("output", OperandRole::Row, getInitMutable());
  return list.operands;
}

bool RMSNormOp::hasColumnMajorScales() { return false; }

SmallVector<KernelOperandInfo> AddRMSNormOp::getKernelOperands() {
  KernelOperandList list;
  list.add("input", OperandRole::Row, getInputMutable());
  list.add("residual", OperandRole::Row, getResidualMutable());
  list.add("gamma", OperandRole::Vector, getGammaMutable());
  list.add("output", OperandRole::Row, getInitMutable());
  list.add("residual_out", OperandRole::Row, getResidualInitMutable());
  return list.operands;
}

bool AddRMSNormOp::hasColumnMajorScales() { return false; }

SmallVector<KernelOperandInfo> QuantizeOp::getKernelOperands() {
  KernelOperandList list;
  list.add("input", OperandRole::Row, getInputMutable());
  list.addQuantizer(*this);
  return list.operands;
}

bool QuantizeOp::hasColumnMajorScales() {
  return getScaleLayout() == ScaleLayout::ColMajor;
}

SmallVector<KernelOperandInfo> RMSNormQuantizeOp::getKernelOperands() {
  KernelOperandList list;
  list.add("input", OperandRole::Row, getInputMutable());
  list.add("residual", OperandRole::Row, getResidualMutable());
  list.add("gamma", OperandRole::Vector, getGammaMutable());
  list.addQuantizer(*this);
  list.add("residual_out", OperandRole::Row, getResidualInitMutable());
  list.add("normalized", OperandRole::Row, getNormalizedInitMutable());
  return list.operands;
}

bool RMSNormQuantizeOp::hasColumnMajorScales() {
  return getScaleLayout() == ScaleLayout::ColMajor;
}

#include "norm/Dialect/Norm/IR/NormInterfaces.cpp.inc"
