//===- RaiseQuantize.cpp - raise per-token quantization to norm.quantize --===//
//
// Part of norm-mlir. See README.md for license information.
//
// Dynamic per-token quantization as front ends write it becomes
// `norm.quantize per_token`, taken apart (on the per-element view of
// RaiseMatcher.h) along:
//
//   root     = truncf(clamp(quotient, -qmax, qmax))              (fp8)
//            | fptosi(clamp(roundeven(quotient), -128, 127))     (i8)
//            | fptosi(roundeven(clamp(quotient, -128, 127)))     (i8)
//   clamp    = minimumf(maximumf(v, lo), hi) | maximumf(minimumf(v, hi), lo)
//   quotient = x / scale
//   scale    = maximumf(perQMax, s) | perQMax                  (s: constant)
//   perQMax  = bounded / qmax
//   bounded  = amax, under minimumf(., ub) and maximumf(., m)  (constants)
//   amax     = maximumf reduction over the last dim of absf(x), from c <= 0
//
// with x one tensor (or its f32 extension), all arithmetic in f32, and a
// minimum scale (s or m) present. Each step computes what norm.quantize
// computes, bit for bit:
//
// - `absf` and `maximumf` are exact and propagate NaN, as the kernel's amax
//   reduction does (a NaN in the row makes the scale and every code NaN;
//   `maxnumf`, which drops NaN, is not raised). Any start value <= 0 is the
//   identity of a max of absolute values.
// - `minimumf(amax, ub)` is `scale_ub`. A floor m on amax folds into the
//   minimum scale: division by qmax > 0 is monotonic, so
//   fl(max(a, m) / qmax) == max(fl(a / qmax), fl(m / qmax)); it is applied
//   after the upper bound, as the op does, unless m <= ub (then the order
//   does not matter).
// - `amax / qmax` and `x / scale` are correctly rounded f32 divisions, as
//   the kernel's are; `amax * (1 / qmax)` or `x * (1 / scale)` round
//   differently (half of all f32 amax values for qmax = 448) and are left
//   alone.
// - The clamp to [-qmax, qmax] before `truncf` is the op's saturation (fp8
//   truncf itself overflows to NaN or inf); for i8, round-to-nearest-even,
//   [-128, 127] and `fptosi` are the op's, except that `fptosi` of NaN is
//   poison where the op gives 0.
// - Without a minimum scale an all-zero row gives 0 / 0 = NaN codes and a
//   zero scale; norm.quantize always has one (1 / (qmax * 512) by default),
//   so such code is left alone.
//
//===----------------------------------------------------------------------===//

#include "RaiseMatcher.h"

#include "norm/Dialect/Norm/IR/NormOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/TypeUtilities.h"

#include <cmath>

using namespace mlir;
using namespace mlir::norm;
using namespace mlir::norm::raise;

/// Whether `value` is a positive finite f32.
static bool isPositiveFinite(std::optional<double> value) {
  return value && *value > 0.0 && std::isfinite(*value) &&
         static_cast<double>(static_cast<float>(*value)) == *value;
}

namespace {
/// The quantization found, in terms of norm.quantize's operands.
struct QuantizeMatch {
  Value input;
  std::optional<float> scaleUb;
  float minScale = 0.0f;
  /// The scale as the quotient reads it.
  Term scale;
};

class QuantizeMatcher : public TermMatcher {
public:
  explicit QuantizeMatcher(ShapedType rootType)
      : TermMatcher(rootType), qType(rootType.getElementType()),
        qmax(getQuantizedTypeMax(qType).value_or(0.0)) {}

  std::optional<QuantizeMatch> matchRoot(Value root);
  /// The tensors of one f32 per row that carry `scale` to the quotient.
  SmallVector<Value> getScaleTensors(Term scale);

private:
  bool matchClamp(Term term, double lo, double hi, Term &inner);
  std::optional<QuantizeMatch> matchQuotient(Term term);
  /// Fills the bounds of `match`; returns the term whose |.| was reduced.
  std::optional<Term> matchScale(Term term, QuantizeMatch &match);
  std::optional<Term> matchAmax(Term term);
  /// `op` is min/max(value, constant) or (constant, value).
  std::optional<std::pair<Term, double>> splitConstant(ArrayRef<Term> operands);

  Type qType;
  double qmax;
};
} // namespace

std::optional<std::pair<Term, double>>
QuantizeMatcher::splitConstant(ArrayRef<Term> operands) {
  for (auto [value, bound] : {std::pair(operands[0], operands[1]),
                              std::pair(operands[1], operands[0])})
    if (std::optional<double> constant = getConstant(bound))
      return std::pair(value, *constant);
  return std::nullopt;
}

std::optional<QuantizeMatch> QuantizeMatcher::matchRoot(Value root) {
  if (rank < 2 || qmax == 0.0)
    return std::nullopt;
  Term term{root, Space::Full};
  SmallVector<Term> operands;
  Term quotient;
  if (qType.isSignlessInteger(8)) {
    auto cast = getDefAs<arith::FPToSIOp>(term, operands);
    if (!cast || !isF32(cast.getIn()) ||
        !getElementTypeOrSelf(cast.getType()).isSignlessInteger(8))
      return std::nullopt;
    // Round, then clamp, or the other way round: the bounds are integers.
    Term clamped;
    SmallVector<Term> rounded;
    if (auto round = getDefAs<math::RoundEvenOp>(operands[0], rounded)) {
      if (!isF32(round) || !matchClamp(rounded[0], -128.0, 127.0, quotient))
        return std::nullopt;
    } else if (matchClamp(operands[0], -128.0, 127.0, clamped)) {
      auto round = getDefAs<math::RoundEvenOp>(clamped, rounded);
      if (!round || !isF32(round))
        return std::nullopt;
      quotient = rounded[0];
    } else {
      return std::nullopt;
    }
  } else {
    auto trunc = getDefAs<arith::TruncFOp>(term, operands);
    if (!trunc || !isF32(trunc.getIn()) ||
        getElementTypeOrSelf(trunc.getType()) != qType ||
        (trunc.getRoundingmode() &&
         *trunc.getRoundingmode() != arith::RoundingMode::to_nearest_even) ||
        !matchClamp(operands[0], -qmax, qmax, quotient))
      return std::nullopt;
  }
  return matchQuotient(quotient);
}

/// minimumf(maximumf(v, lo), hi) or maximumf(minimumf(v, hi), lo), constants
/// on either side: NaN propagates, as in the op's saturation.
bool QuantizeMatcher::matchClamp(Term term, double lo, double hi, Term &inner) {
  SmallVector<Term> operands;
  Operation *outer = getDef(term, operands);
  if (!isa_and_nonnull<arith::MinimumFOp, arith::MaximumFOp>(outer) ||
      !isF32(outer->getResult(0)))
    return false;
  bool outerIsMin = isa<arith::MinimumFOp>(outer);
  std::optional<std::pair<Term, double>> first = splitConstant(operands);
  if (!first || first->second != (outerIsMin ? hi : lo))
    return false;
  Operation *nested = getDef(first->first, operands);
  if (!nested || !isF32(nested->getResult(0)) ||
      !(outerIsMin ? isa<arith::MaximumFOp>(nested)
                   : isa<arith::MinimumFOp>(nested)))
    return false;
  std::optional<std::pair<Term, double>> second = splitConstant(operands);
  if (!second || second->second != (outerIsMin ? lo : hi))
    return false;
  inner = second->first;
  return true;
}

/// x / scale, where x is the tensor whose amax gave the scale.
std::optional<QuantizeMatch> QuantizeMatcher::matchQuotient(Term term) {
  SmallVector<Term> operands;
  auto div = getDefAs<arith::DivFOp>(term, operands);
  if (!div || !isF32(div))
    return std::nullopt;
  QuantizeMatch match;
  match.scale = operands[1];
  std::optional<Term> reduced = matchScale(operands[1], match);
  if (!reduced)
    return std::nullopt;
  Term x = stripExtF(operands[0]);
  if (!x.value || x.space != Space::Full ||
      !isa<RankedTensorType>(x.value.getType()) || !(x == stripExtF(*reduced)))
    return std::nullopt;
  auto type = cast<RankedTensorType>(x.value.getType());
  if (!isNormFloat(type.getElementType()) || type.getRank() != rank)
    return std::nullopt;
  match.input = x.value;
  return match;
}

/// max(bounded / qmax, s) or bounded / qmax, with amax under its bounds.
std::optional<Term> QuantizeMatcher::matchScale(Term term,
                                                QuantizeMatch &match) {
  SmallVector<Term> operands;
  Operation *def = getDef(term, operands);
  if (!def || !isF32(def->getResult(0)))
    return std::nullopt;
  std::optional<double> scaleFloor;
  Term perQMax = term;
  if (isa<arith::MaximumFOp>(def)) {
    std::optional<std::pair<Term, double>> split = splitConstant(operands);
    if (!split || !isPositiveFinite(split->second))
      return std::nullopt;
    perQMax = split->first;
    scaleFloor = split->second;
  }
  auto div = getDefAs<arith::DivFOp>(perQMax, operands);
  if (!div || !isF32(div) || getConstant(operands[1]) != qmax)
    return std::nullopt;

  // Bounds on amax, outside in.
  Term bounded = operands[0];
  std::optional<double> ub, amaxFloor;
  bool ubOutsideFloor = false;
  while (true) {
    Operation *bound = getDef(bounded, operands);
    if (!isa_and_nonnull<arith::MinimumFOp, arith::MaximumFOp>(bound) ||
        !isF32(bound->getResult(0)))
      break;
    std::optional<std::pair<Term, double>> split = splitConstant(operands);
    if (!split || !isPositiveFinite(split->second))
      return std::nullopt;
    std::optional<double> &slot =
        isa<arith::MinimumFOp>(bound) ? ub : amaxFloor;
    if (slot)
      return std::nullopt;
    slot = split->second;
    if (isa<arith::MinimumFOp>(bound) && !amaxFloor)
      ubOutsideFloor = true;
    bounded = split->first;
  }
  // min(max(a, m), ub) is the op's max(min(a, ub), m) only when m <= ub.
  if (ub && amaxFloor && ubOutsideFloor && *amaxFloor > *ub)
    return std::nullopt;
  std::optional<Term> reduced = matchAmax(bounded);
  if (!reduced)
    return std::nullopt;

  // The minimum scale: fl(m / qmax) for a floor on amax (see the file
  // comment), s on the scale, the larger if both.
  std::optional<float> minScale;
  if (amaxFloor) {
    APFloat quotient(static_cast<float>(*amaxFloor));
    quotient.divide(APFloat(static_cast<float>(qmax)),
                    APFloat::rmNearestTiesToEven);
    if (!(quotient.convertToFloat() > 0.0f))
      return std::nullopt;
    minScale = quotient.convertToFloat();
  }
  if (scaleFloor)
    minScale =
        std::max(minScale.value_or(0.0f), static_cast<float>(*scaleFloor));
  if (!minScale)
    return std::nullopt;
  match.minScale = *minScale;
  if (ub)
    match.scaleUb = static_cast<float>(*ub);
  return reduced;
}

/// The maximum over the last dim of absf(x), NaN-propagating: returns x.
std::optional<Term> QuantizeMatcher::matchAmax(Term term) {
  std::optional<RowReduction> max = matchRowReduction(term);
  if (!max || !isa<arith::MaximumFOp>(max->combiner))
    return std::nullopt;
  std::optional<double> init = getInitConstant(max->init);
  if (!init || !(*init <= 0.0))
    return std::nullopt;
  SmallVector<Term> operands;
  auto abs = getDefAs<math::AbsFOp>(max->element, operands);
  if (!abs || !isF32(abs))
    return std::nullopt;
  return operands[0];
}

SmallVector<Value> QuantizeMatcher::getScaleTensors(Term scale) {
  SmallVector<Value> tensors;
  for (std::optional<Term> term = scale; term && term->value;
       term = step(*term))
    if (term->space == Space::Row &&
        isa<RankedTensorType>(term->value.getType()) && isF32(term->value) &&
        isConsistent(term->value.getType(), Space::Row))
      tensors.push_back(term->value);
  return tensors;
}

namespace {
/// Replaces a tensor computed as per-token quantization by norm.quantize;
/// the tensors holding the scales it computed read the op's scales.
/// Anchored on the op producing the quantized tensor.
struct RaiseQuantize : public RewritePattern {
  RaiseQuantize(MLIRContext *ctx)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, ctx) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    auto type = getRootType<arith::TruncFOp, arith::FPToSIOp>(op);
    if (!type || !getQuantizedTypeMax(type.getElementType()))
      return failure();

    QuantizeMatcher matcher(type);
    std::optional<QuantizeMatch> match = matcher.matchRoot(op->getResult(0));
    if (!match)
      return rewriter.notifyMatchFailure(op, "not a per-token quantization");
    auto inputType = cast<RankedTensorType>(match->input.getType());
    if (failed(verifyCompatibleShape(inputType, type)))
      return rewriter.notifyMatchFailure(op, "input and result shapes differ");

    Location loc = op->getLoc();
    Value init = getOrCreateInit(rewriter, op, type, match->input);
    SmallVector<int64_t> scaleShape(type.getShape());
    scaleShape.back() = 1;
    auto scaleType = RankedTensorType::get(scaleShape, rewriter.getF32Type());
    Value scaleInit = createEmptyLike(rewriter, loc, scaleType, match->input);
    auto quant = QuantizeOp::create(
        rewriter, loc, TypeRange{type, scaleType}, match->input,
        /*scale=*/Value(), /*smooth=*/Value(), init, scaleInit,
        QuantSchemeAttr::get(rewriter.getContext(), QuantScheme::PerToken),
        /*group_size=*/nullptr, /*scale_layout=*/nullptr,
        match->scaleUb ? rewriter.getF32FloatAttr(*match->scaleUb) : nullptr,
        /*clip=*/nullptr, rewriter.getF32FloatAttr(match->minScale),
        /*schedule=*/nullptr);

    // Users of the scales after the quantized tensor read the op's; the
    // ones before keep the computation they read (it gives the same
    // values).
    Block *block = op->getBlock();
    auto isAfterRoot = [&](OpOperand &use) {
      Operation *ancestor = block->findAncestorOpInBlock(*use.getOwner());
      return ancestor && op->isBeforeInBlock(ancestor);
    };
    for (Value tensor : matcher.getScaleTensors(match->scale)) {
      if (!llvm::any_of(tensor.getUses(), isAfterRoot))
        continue;
      auto tensorType = cast<RankedTensorType>(tensor.getType());
      Value scales = quant.getResult(1);
      if (tensorType.getRank() == scaleType.getRank() - 1) {
        SmallVector<ReassociationIndices> groups;
        for (int64_t dim = 0; dim + 2 < scaleType.getRank(); ++dim)
          groups.push_back({dim});
        groups.push_back({scaleType.getRank() - 2, scaleType.getRank() - 1});
        scales = tensor::CollapseShapeOp::create(rewriter, loc, scales, groups);
      }
      if (scales.getType() != tensorType) {
        if (!tensor::CastOp::areCastCompatible(scales.getType(), tensorType))
          continue;
        scales = tensor::CastOp::create(rewriter, loc, tensorType, scales);
      }
      rewriter.replaceUsesWithIf(tensor, scales, isAfterRoot);
    }
    rewriter.replaceOp(op, quant.getResult(0));
    return success();
  }
};
} // namespace

void raise::populateRaiseQuantizePatterns(RewritePatternSet &patterns) {
  patterns.add<RaiseQuantize>(patterns.getContext());
}
