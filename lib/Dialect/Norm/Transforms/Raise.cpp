//===- Raise.cpp - raise RMSNorm in linalg/arith/math to norm.rmsnorm -----===//
//
// Part of norm-mlir. See README.md for license information.
//
// The norm-raise pass, and its RMSNorm rule. The per-element view the rules
// match on (Term, Space, resolve) is in RaiseMatcher.h; the quantization
// rule is in RaiseQuantize.cpp. RMSNorm is taken apart along:
//
//   root      = truncf(weighted) | weighted | narrowed
//   weighted  = normed * weight | weight * normed | normed
//             | extf(rounded) * weight | weight * extf(rounded)
//   narrowed  = rounded * w | w * rounded             (in f16/bf16, see below)
//   rounded   = truncf(normed)                        (f32 to f16/bf16)
//   weight    = w | extf(w) | c + w | w + c          (w: a column vector)
//   normed    = x * invRms | invRms * x | x / rms
//   invRms    = rsqrt(meanEps) | 1 / rms
//   rms       = sqrt(meanEps)
//   meanEps   = mean + eps | eps + mean               (eps: constant > 0)
//   mean      = sumSq / H | sumSq * (1 / H) | (1 / H) * sumSq
//   sumSq     = sum over the last dim of square, from 0
//   square    = y * y | powf(y, 2) | fpowi(y, 2)      (y and x: one tensor)
//
// `narrowed` is Hugging Face Llama's `weight * normed.to(bf16)`: the weight
// multiplies the rounded value in the narrow type T. It becomes norm.rmsnorm
// with gamma = w and normalized_type = T, whose kernel computes
// truncf(extf(truncf(normed)) * extf(w)) in f32. That equals the narrow
// multiply: both factors have at most 11 significant bits (8 for bf16), so
// their product (at most 22 bits) is exact in f32's 24, and the one rounding
// to T is the one the narrow multiply does. (For bf16, whose exponent range
// is f32's, a product below f32's normal range is the exception; GPUs
// without native bf16 multiplies compute it this same way.) The weight must
// be the plain column vector: Gemma's 1 + w in T is not a weight_offset.
//
//===----------------------------------------------------------------------===//

#include "norm/Dialect/Norm/Transforms/Passes.h"

#include "RaiseMatcher.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace mlir {
namespace norm {
#define GEN_PASS_DEF_NORMRAISE
#include "norm/Dialect/Norm/Transforms/Passes.h.inc"
} // namespace norm
} // namespace mlir

using namespace mlir;
using namespace mlir::norm;
using namespace mlir::norm::raise;

namespace {
/// The RMSNorm found, in terms of norm.rmsnorm's operands.
struct RMSNormMatch {
  Value input;
  Value gamma;
  float epsilon = 0.0f;
  float weightOffset = 0.0f;
  /// The type x / rms is rounded to before the multiply by gamma, if any.
  Type normalizedType;
};

/// The normalization core x / rms: the tensor read as x, the tensor that
/// was squared, and epsilon.
struct NormalizedMatch {
  Term x;
  Term squared;
  float epsilon = 0.0f;
  /// A tensor whose innermost dim is the run-time divisor H, if any.
  Value divisorSource;
};

class RMSNormMatcher : public TermMatcher {
public:
  using TermMatcher::TermMatcher;

  std::optional<RMSNormMatch> matchRoot(Value root);

private:
  // The formula, outside in.
  std::optional<RMSNormMatch> matchWeighted(Term term);
  std::optional<RMSNormMatch> matchNarrowed(Operation *mul,
                                            ArrayRef<Term> operands);
  std::optional<RMSNormMatch> matchRounded(Term term, Type narrow);
  std::optional<RMSNormMatch> matchExistingNorm(Term term, bool allowGamma,
                                                Type resultType = Type());
  bool matchWeight(Term term, RMSNormMatch &match);
  Value matchColumnVector(Term term);
  std::optional<RMSNormMatch> matchNormalized(Term term);
  std::optional<NormalizedMatch> matchInvRms(Term term);
  std::optional<NormalizedMatch> matchRms(Term term);
  std::optional<NormalizedMatch> matchMeanPlusEps(Term term);
  std::optional<NormalizedMatch> matchMean(Term term);
  bool isColumnCount(Term term, Value &divisorSource);
  std::optional<Term> matchSumOfSquares(Term term);
  std::optional<Term> matchSquare(Term term);
};
} // namespace

//===----------------------------------------------------------------------===//
// The formula
//===----------------------------------------------------------------------===//

std::optional<RMSNormMatch> RMSNormMatcher::matchRoot(Value root) {
  if (rank < 2)
    return std::nullopt;
  Term term{root, Space::Full};
  SmallVector<Term> operands;
  if (auto mul = getDefAs<arith::MulFOp>(term, operands); mul && !isF32(mul))
    return matchNarrowed(mul, operands);
  if (auto trunc = getDefAs<arith::TruncFOp>(term, operands)) {
    if (!isF32(trunc.getIn()))
      return std::nullopt;
    term = operands[0];
  }
  return matchWeighted(term);
}

std::optional<RMSNormMatch> RMSNormMatcher::matchWeighted(Term term) {
  if (std::optional<RMSNormMatch> match =
          matchExistingNorm(term, /*allowGamma=*/true))
    return match;
  SmallVector<Term> operands;
  if (auto mul = getDefAs<arith::MulFOp>(term, operands); mul && isF32(mul)) {
    for (auto [normed, weight] : {std::pair(operands[0], operands[1]),
                                  std::pair(operands[1], operands[0])}) {
      std::optional<RMSNormMatch> match = matchNormalized(normed);
      if (match && !match->gamma && matchWeight(weight, *match))
        return match;
      // The rounded value extended back to f32: the multiply by the weight
      // is in f32, as normalized_type specifies it.
      SmallVector<Term> extOperands;
      auto ext = getDefAs<arith::ExtFOp>(normed, extOperands);
      if (!ext)
        continue;
      Type narrow = getElementTypeOrSelf(ext.getIn().getType());
      match = matchRounded(extOperands[0], narrow);
      if (match && matchWeight(weight, *match) && match->weightOffset == 0.0f)
        return match;
    }
  }
  return matchNormalized(term);
}

/// rounded * w or w * rounded in f16/bf16, w a column vector of that type.
std::optional<RMSNormMatch>
RMSNormMatcher::matchNarrowed(Operation *mul, ArrayRef<Term> operands) {
  Type narrow = getElementTypeOrSelf(mul->getResult(0).getType());
  for (auto [rounded, weight] : {std::pair(operands[0], operands[1]),
                                 std::pair(operands[1], operands[0])}) {
    std::optional<RMSNormMatch> match = matchRounded(rounded, narrow);
    if (!match)
      continue;
    Value gamma = matchColumnVector(weight);
    if (!gamma || getElementTypeOrSelf(gamma.getType()) != narrow)
      continue;
    match->gamma = gamma;
    match->weightOffset = 0.0f;
    return match;
  }
  return std::nullopt;
}

/// truncf(normed) from f32 to `narrow` (f16 or bf16), or a norm.rmsnorm
/// without gamma whose result has that type: a match without gamma, with
/// normalized_type = `narrow`.
std::optional<RMSNormMatch> RMSNormMatcher::matchRounded(Term term,
                                                         Type narrow) {
  if (!narrow.isF16() && !narrow.isBF16())
    return std::nullopt;
  std::optional<RMSNormMatch> match =
      matchExistingNorm(term, /*allowGamma=*/false, narrow);
  SmallVector<Term> operands;
  if (!match)
    if (auto trunc = getDefAs<arith::TruncFOp>(term, operands);
        trunc && isF32(trunc.getIn()) &&
        getElementTypeOrSelf(trunc.getType()) == narrow)
      match = matchNormalized(operands[0]);
  if (!match || match->gamma)
    return std::nullopt;
  match->normalizedType = narrow;
  return match;
}

/// A norm.rmsnorm (f32 result, or `resultType` if given; used once) raised
/// or written before: casts and weights next to it fold into it.
std::optional<RMSNormMatch>
RMSNormMatcher::matchExistingNorm(Term term, bool allowGamma, Type resultType) {
  term = resolve(term);
  auto norm = dyn_cast_or_null<RMSNormOp>(
      term.value ? term.value.getDefiningOp() : nullptr);
  if (!norm)
    return std::nullopt;
  if (!resultType)
    resultType = Float32Type::get(norm.getContext());
  if (term.space != Space::Full || !norm.hasPureTensorSemantics() ||
      getElementTypeOrSelf(norm.getResult(0).getType()) != resultType ||
      !norm.getResult(0).hasOneUse() || (norm.getGamma() && !allowGamma))
    return std::nullopt;
  RMSNormMatch match;
  Term input = stripExtF({norm.getInput(), Space::Full});
  match.input = input.space == Space::Full ? input.value : norm.getInput();
  match.gamma = norm.getGamma();
  match.epsilon = norm.getEpsilon().convertToFloat();
  match.weightOffset = norm.getWeightOffset().convertToFloat();
  if (std::optional<Type> normalizedType = norm.getNormalizedType())
    match.normalizedType = *normalizedType;
  return match;
}

/// The f32/f16/bf16 column vector (tensor of shape [H]) `term` reads,
/// through f16/bf16 -> f32 extensions.
Value RMSNormMatcher::matchColumnVector(Term term) {
  Term leaf = stripExtF(term);
  if (!leaf.value || leaf.space != Space::Column ||
      !isa<RankedTensorType>(leaf.value.getType()) ||
      !isNormFloat(getElementTypeOrSelf(leaf.value.getType())))
    return Value();
  return leaf.value;
}

/// w, extf(w), or c + w (Gemma's 1 + w, as weight_offset).
bool RMSNormMatcher::matchWeight(Term term, RMSNormMatch &match) {
  auto asGamma = [&](Term candidate) { return matchColumnVector(candidate); };
  Term resolved = resolve(term);
  if (!resolved.value || !isF32(resolved.value))
    return false;
  SmallVector<Term> operands;
  if (getDefAs<arith::AddFOp>(term, operands)) {
    for (auto [constant, weight] : {std::pair(operands[0], operands[1]),
                                    std::pair(operands[1], operands[0])}) {
      std::optional<double> offset = getConstant(constant);
      if (!offset || !std::isfinite(*offset))
        continue;
      if (Value gamma = asGamma(weight)) {
        match.gamma = gamma;
        match.weightOffset = static_cast<float>(*offset);
        return true;
      }
    }
    return false;
  }
  if (Value gamma = asGamma(term)) {
    match.gamma = gamma;
    match.weightOffset = 0.0f;
    return true;
  }
  return false;
}

/// x * invRms, invRms * x or x / rms, where x is the tensor squared.
std::optional<RMSNormMatch> RMSNormMatcher::matchNormalized(Term term) {
  if (std::optional<RMSNormMatch> match =
          matchExistingNorm(term, /*allowGamma=*/false))
    return match;
  SmallVector<Term> operands;
  Operation *def = getDef(term, operands);
  if (!def || !isF32(def->getResult(0)))
    return std::nullopt;
  SmallVector<NormalizedMatch> candidates;
  if (isa<arith::MulFOp>(def)) {
    for (auto [x, invRms] : {std::pair(operands[0], operands[1]),
                             std::pair(operands[1], operands[0])})
      if (std::optional<NormalizedMatch> core = matchInvRms(invRms)) {
        core->x = x;
        candidates.push_back(*core);
      }
  } else if (isa<arith::DivFOp>(def)) {
    if (std::optional<NormalizedMatch> core = matchRms(operands[1])) {
      core->x = operands[0];
      candidates.push_back(*core);
    }
  }
  for (NormalizedMatch &core : candidates) {
    // The tensor normalized must be the tensor whose squares were summed.
    Term x = stripExtF(core.x);
    if (!x.value || x.space != Space::Full ||
        !isa<RankedTensorType>(x.value.getType()) ||
        !(x == stripExtF(core.squared)))
      continue;
    auto type = cast<RankedTensorType>(x.value.getType());
    if (!isNormFloat(type.getElementType()) || type.getRank() != rank)
      continue;
    // A run-time divisor must be H of this very tensor.
    if (core.divisorSource &&
        !(stripExtF({core.divisorSource, Space::Full}) == x))
      continue;
    RMSNormMatch match;
    match.input = x.value;
    match.epsilon = core.epsilon;
    return match;
  }
  return std::nullopt;
}

/// rsqrt(meanEps) or 1 / rms.
std::optional<NormalizedMatch> RMSNormMatcher::matchInvRms(Term term) {
  SmallVector<Term> operands;
  Operation *def = getDef(term, operands);
  if (!def || !isF32(def->getResult(0)))
    return std::nullopt;
  if (isa<math::RsqrtOp>(def))
    return matchMeanPlusEps(operands[0]);
  if (isa<arith::DivFOp>(def) && getConstant(operands[0]) == 1.0)
    return matchRms(operands[1]);
  return std::nullopt;
}

std::optional<NormalizedMatch> RMSNormMatcher::matchRms(Term term) {
  SmallVector<Term> operands;
  auto sqrt = getDefAs<math::SqrtOp>(term, operands);
  if (!sqrt || !isF32(sqrt))
    return std::nullopt;
  return matchMeanPlusEps(operands[0]);
}

/// mean + eps with a constant eps > 0 inside the square root.
std::optional<NormalizedMatch> RMSNormMatcher::matchMeanPlusEps(Term term) {
  SmallVector<Term> operands;
  auto add = getDefAs<arith::AddFOp>(term, operands);
  if (!add || !isF32(add))
    return std::nullopt;
  for (auto [mean, eps] : {std::pair(operands[0], operands[1]),
                           std::pair(operands[1], operands[0])}) {
    std::optional<double> epsilon = getConstant(eps);
    if (!epsilon || !(*epsilon > 0.0) || !std::isfinite(*epsilon))
      continue;
    if (std::optional<NormalizedMatch> core = matchMean(mean)) {
      core->epsilon = static_cast<float>(*epsilon);
      return core;
    }
  }
  return std::nullopt;
}

/// sum / H, sum * (1 / H) or (1 / H) * sum.
std::optional<NormalizedMatch> RMSNormMatcher::matchMean(Term term) {
  SmallVector<Term> operands;
  Operation *def = getDef(term, operands);
  if (!def || !isF32(def->getResult(0)))
    return std::nullopt;
  NormalizedMatch core;
  auto withSum = [&](Term sum) -> std::optional<NormalizedMatch> {
    std::optional<Term> squared = matchSumOfSquares(sum);
    if (!squared)
      return std::nullopt;
    core.squared = *squared;
    return core;
  };
  if (isa<arith::DivFOp>(def)) {
    if (!isColumnCount(operands[1], core.divisorSource))
      return std::nullopt;
    return withSum(operands[0]);
  }
  if (isa<arith::MulFOp>(def) && !ShapedType::isDynamic(cols)) {
    // The reciprocal as f32 rounds it, the same way from f32 or f64.
    double reciprocal = static_cast<float>(1.0 / static_cast<double>(cols));
    for (auto [sum, factor] : {std::pair(operands[0], operands[1]),
                               std::pair(operands[1], operands[0])})
      if (getConstant(factor) == reciprocal)
        if (std::optional<NormalizedMatch> match = withSum(sum))
          return match;
  }
  return std::nullopt;
}

/// The constant H, or (with a dynamic H) the size of the innermost dim of a
/// tensor converted to float, which the caller checks is x's.
bool RMSNormMatcher::isColumnCount(Term term, Value &divisorSource) {
  if (!ShapedType::isDynamic(cols))
    return getConstant(term) == static_cast<double>(cols);
  Value value = resolve(term).value;
  while (value &&
         isa_and_nonnull<arith::SIToFPOp, arith::UIToFPOp, arith::IndexCastOp,
                         arith::IndexCastUIOp, arith::ExtFOp, arith::TruncFOp>(
             value.getDefiningOp()))
    value = value.getDefiningOp()->getOperand(0);
  auto dim =
      dyn_cast_or_null<tensor::DimOp>(value ? value.getDefiningOp() : nullptr);
  std::optional<int64_t> index = dim ? dim.getConstantIndex() : std::nullopt;
  if (!index || *index != rank - 1 ||
      cast<ShapedType>(dim.getSource().getType()).getRank() != rank)
    return false;
  divisorSource = dim.getSource();
  return true;
}

/// A sum over the innermost dim, starting from 0, of a square: returns the
/// squared term.
std::optional<Term> RMSNormMatcher::matchSumOfSquares(Term term) {
  std::optional<RowReduction> sum = matchRowReduction(term);
  if (!sum || !isa<arith::AddFOp>(sum->combiner) ||
      getInitConstant(sum->init) != 0.0)
    return std::nullopt;
  return matchSquare(sum->element);
}

std::optional<Term> RMSNormMatcher::matchSquare(Term term) {
  SmallVector<Term> operands;
  Operation *def = getDef(term, operands);
  if (!def || !isF32(def->getResult(0)))
    return std::nullopt;
  if (isa<arith::MulFOp>(def)) {
    Term lhs = resolve(operands[0]);
    if (lhs.value && lhs == resolve(operands[1]))
      return operands[0];
    return std::nullopt;
  }
  if (isa<math::PowFOp>(def) && getConstant(operands[1]) == 2.0)
    return operands[0];
  APInt exponent;
  if (isa<math::FPowIOp>(def) &&
      matchPattern(resolve(operands[1]).value, m_ConstantInt(&exponent)) &&
      exponent == 2)
    return operands[0];
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// The rewrite
//===----------------------------------------------------------------------===//

namespace {
/// Replaces a value computed as RMSNorm by norm.rmsnorm. Anchored on every
/// op that can end the computation; the largest match wins wherever the
/// greedy driver starts, because a raised norm.rmsnorm is itself matched as
/// `normed` (or `weighted`) by the ops after it.
struct RaiseRMSNorm : public RewritePattern {
  RaiseRMSNorm(MLIRContext *ctx)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, ctx) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    auto type = getRootType<arith::MulFOp, arith::DivFOp, arith::TruncFOp>(op);
    if (!type || !isNormFloat(type.getElementType()))
      return failure();

    RMSNormMatcher matcher(type);
    std::optional<RMSNormMatch> match = matcher.matchRoot(op->getResult(0));
    if (!match)
      return rewriter.notifyMatchFailure(op, "not an RMSNorm");
    auto inputType = cast<RankedTensorType>(match->input.getType());
    if (failed(verifyCompatibleShape(inputType, type)))
      return rewriter.notifyMatchFailure(op, "input and result shapes differ");
    if (match->gamma && failed(verifyCompatibleShape(
                            cast<ShapedType>(match->gamma.getType()).getShape(),
                            type.getShape().back())))
      return rewriter.notifyMatchFailure(op, "weight is not [H]");

    Value init = getOrCreateInit(rewriter, op, type, match->input);
    rewriter.replaceOpWithNewOp<RMSNormOp>(
        op, TypeRange{type}, match->input, match->gamma, init,
        rewriter.getF32FloatAttr(match->epsilon),
        rewriter.getF32FloatAttr(match->weightOffset),
        match->normalizedType ? TypeAttr::get(match->normalizedType)
                              : TypeAttr(),
        /*schedule=*/nullptr);
    return success();
  }
};

struct NormRaisePass : public mlir::norm::impl::NormRaiseBase<NormRaisePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateNormRaisePatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace

void mlir::norm::populateNormRaisePatterns(RewritePatternSet &patterns) {
  patterns.add<RaiseRMSNorm>(patterns.getContext());
  raise::populateRaiseQuantizePatterns(patterns);
}
