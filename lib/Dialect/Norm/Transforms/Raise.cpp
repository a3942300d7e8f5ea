//===- Raise.cpp - raise RMSNorm in linalg/arith/math to norm.rmsnorm -----===//
//
// Part of norm-mlir. See README.md for license information.
//
// The matcher works on the scalar computation of one element, whatever
// spelling carries it: a `linalg.generic` body, a named linalg op (its body
// is the same kind of region), `arith`/`math` ops on tensors, several
// elementwise ops in a row or one fused body. A `Term` is a value of that
// computation together with where it lives relative to the [rows..., H]
// space of the normalized tensor (every element, one per row, one per
// column, one in all); `resolve` steps through everything that only moves
// values (block arguments to the operands they read, results to the values
// their bodies yield, broadcasts, the unit dim of a row statistic) until it
// reaches an arithmetic op, which the `match*` functions then take apart
// along the formula:
//
//   root      = truncf(weighted) | weighted
//   weighted  = normed * weight | weight * normed | normed
//   weight    = w | extf(w) | c + w | w + c          (w: a column vector)
//   normed    = x * invRms | invRms * x | x / rms
//   invRms    = rsqrt(meanEps) | 1 / rms
//   rms       = sqrt(meanEps)
//   meanEps   = mean + eps | eps + mean               (eps: constant > 0)
//   mean      = sumSq / H | sumSq * (1 / H) | (1 / H) * sumSq
//   sumSq     = sum over the last dim of square, from 0
//   square    = y * y | powf(y, 2) | fpowi(y, 2)      (y and x: one tensor)
//
//===----------------------------------------------------------------------===//

#include "norm/Dialect/Norm/Transforms/Passes.h"

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

namespace {
/// Where a value lives relative to the [rows..., H] space of the result.
enum class Space {
  Full,   // one value per element: [rows..., H]
  Row,    // one per row: [rows...] or [rows..., 1]
  Column, // one per column: [H]
  Scalar, // one for all
};

/// A value of the computation of one element: a scalar SSA value (in a
/// linalg body or above it) or a tensor, in a space.
struct Term {
  Value value;
  Space space = Space::Full;

  bool operator==(const Term &other) const {
    return value == other.value && space == other.space;
  }
};

/// What an iteration dimension of a linalg op runs over.
enum class DimRole { Row, Column, Unit };

/// The RMSNorm found, in terms of norm.rmsnorm's operands.
struct RMSNormMatch {
  Value input;
  Value gamma;
  float epsilon = 0.0f;
  float weightOffset = 0.0f;
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

class RMSNormMatcher {
public:
  /// The rank and the innermost dim (H) come from the root, the tensor that
  /// would become norm.rmsnorm's result.
  explicit RMSNormMatcher(ShapedType rootType)
      : rank(rootType.getRank()), cols(rootType.getShape().back()) {}

  std::optional<RMSNormMatch> matchRoot(Value root);

private:
  // Stepping through the computation.
  /// One step through something that only moves values, if `term` is such.
  std::optional<Term> step(Term term);
  /// All steps: the arithmetic op (or leaf) computing `term`.
  Term resolve(Term term);
  std::optional<SmallVector<DimRole>> getDimRoles(linalg::LinalgOp op,
                                                  Space space);
  std::optional<Space> getOperandSpace(ArrayRef<DimRole> roles, AffineMap map);
  bool isConsistent(Type type, Space space);
  /// The arithmetic op computing `term` and its operands as terms.
  Operation *getDef(Term term, SmallVectorImpl<Term> &operands);
  template <typename OpTy>
  OpTy getDefAs(Term term, SmallVectorImpl<Term> &operands) {
    return dyn_cast_or_null<OpTy>(getDef(term, operands));
  }
  std::optional<double> getConstant(Term term);
  /// The tensor `term` reads, without f16/bf16 -> f32 extensions.
  Term stripExtF(Term term);

  // The formula, outside in.
  std::optional<RMSNormMatch> matchWeighted(Term term);
  std::optional<RMSNormMatch> matchExistingNorm(Term term, bool allowGamma);
  bool matchWeight(Term term, RMSNormMatch &match);
  std::optional<RMSNormMatch> matchNormalized(Term term);
  std::optional<NormalizedMatch> matchInvRms(Term term);
  std::optional<NormalizedMatch> matchRms(Term term);
  std::optional<NormalizedMatch> matchMeanPlusEps(Term term);
  std::optional<NormalizedMatch> matchMean(Term term);
  bool isColumnCount(Term term, Value &divisorSource);
  std::optional<Term> matchSumOfSquares(Term term);
  std::optional<Term> matchSquare(Term term);
  bool isZero(Value init);

  int64_t rank;
  int64_t cols;
};
} // namespace

//===----------------------------------------------------------------------===//
// Stepping through the computation
//===----------------------------------------------------------------------===//

static bool isF32(Value value) {
  return getElementTypeOrSelf(value.getType()).isF32();
}

static bool isNormFloat(Type type) {
  return type.isF32() || type.isF16() || type.isBF16();
}

/// Roles of the iteration dims of `op`, whose result lives in `space`.
std::optional<SmallVector<DimRole>>
RMSNormMatcher::getDimRoles(linalg::LinalgOp op, Space space) {
  int64_t loops = op.getNumLoops();
  SmallVector<DimRole> roles;
  switch (space) {
  case Space::Full:
    if (loops != rank)
      return std::nullopt;
    roles.assign(rank - 1, DimRole::Row);
    roles.push_back(DimRole::Column);
    return roles;
  case Space::Row:
    if (loops != rank && loops != rank - 1)
      return std::nullopt;
    roles.assign(rank - 1, DimRole::Row);
    if (loops == rank)
      roles.push_back(DimRole::Unit);
    return roles;
  case Space::Column:
    if (loops != 1)
      return std::nullopt;
    return SmallVector<DimRole>{DimRole::Column};
  case Space::Scalar:
    if (loops != 0)
      return std::nullopt;
    return roles;
  }
  return std::nullopt;
}

/// The space of an operand read through `map` by an op whose dims have
/// `roles`: all rows in order then the column (Full), all rows then at most a
/// unit dim (Row), the column alone (Column), or unit dims alone (Scalar).
std::optional<Space> RMSNormMatcher::getOperandSpace(ArrayRef<DimRole> roles,
                                                     AffineMap map) {
  unsigned numRows = 0;
  SmallVector<DimRole> rest;
  for (AffineExpr expr : map.getResults()) {
    DimRole role = DimRole::Unit;
    if (auto dim = dyn_cast<AffineDimExpr>(expr)) {
      role = roles[dim.getPosition()];
      // Rows are read in order and before anything else.
      if (role == DimRole::Row) {
        if (!rest.empty() || dim.getPosition() != numRows)
          return std::nullopt;
        ++numRows;
        continue;
      }
    } else if (auto constant = dyn_cast<AffineConstantExpr>(expr);
               !constant || constant.getValue() != 0) {
      return std::nullopt;
    }
    rest.push_back(role);
  }
  bool allUnit =
      llvm::all_of(rest, [](DimRole role) { return role == DimRole::Unit; });
  bool justColumn = rest.size() == 1 && rest[0] == DimRole::Column;
  if (numRows == static_cast<unsigned>(rank - 1)) {
    if (justColumn)
      return Space::Full;
    if (allUnit && rest.size() <= 1)
      return Space::Row;
  } else if (numRows == 0) {
    if (justColumn)
      return Space::Column;
    if (allUnit)
      return Space::Scalar;
  }
  return std::nullopt;
}

/// Whether a tensor of `type` can hold a value of `space`.
bool RMSNormMatcher::isConsistent(Type type, Space space) {
  auto shaped = dyn_cast<RankedTensorType>(type);
  if (!shaped)
    return space == Space::Scalar || !isa<ShapedType>(type);
  int64_t r = shaped.getRank();
  switch (space) {
  case Space::Full:
    return r == rank && !(shaped.getShape().back() == 1 && cols != 1);
  case Space::Row:
    return r == rank - 1 || (r == rank && shaped.getShape().back() == 1);
  case Space::Column:
    return r == 1;
  case Space::Scalar:
    return shaped.hasStaticShape() && shaped.getNumElements() == 1;
  }
  return false;
}

std::optional<Term> RMSNormMatcher::step(Term term) {
  if (!term.value)
    return std::nullopt;
  // A block argument of a linalg body: the operand it reads.
  if (auto arg = dyn_cast<BlockArgument>(term.value)) {
    auto op = dyn_cast<linalg::LinalgOp>(arg.getOwner()->getParentOp());
    if (!op || arg.getOwner() != op.getBlock())
      return std::nullopt;
    OpOperand *operand = op.getMatchingOpOperand(arg);
    if (op.isDpsInit(operand))
      return std::nullopt;
    if (!isa<ShapedType>(operand->get().getType()))
      return Term{operand->get(), Space::Scalar};
    std::optional<SmallVector<DimRole>> roles = getDimRoles(op, term.space);
    std::optional<Space> space =
        roles ? getOperandSpace(*roles, op.getMatchingIndexingMap(operand))
              : std::nullopt;
    if (!space || !isConsistent(operand->get().getType(), *space))
      return Term{Value(), term.space};
    return Term{operand->get(), *space};
  }
  Operation *def = term.value.getDefiningOp();
  // The result of an elementwise linalg op: the value its body yields.
  if (auto op = dyn_cast_or_null<linalg::LinalgOp>(def)) {
    auto result = cast<OpResult>(term.value);
    if (!op.hasPureTensorSemantics() ||
        op.getNumLoops() != op.getNumParallelLoops() ||
        !op.getIndexingMapMatchingResult(result).isIdentity() ||
        !isConsistent(result.getType(), term.space))
      return std::nullopt;
    return Term{
        op.getBlock()->getTerminator()->getOperand(result.getResultNumber()),
        term.space};
  }
  // A row statistic gaining or losing its trailing unit dim.
  if (term.space == Space::Row &&
      isa_and_nonnull<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(def)) {
    Value source = def->getOperand(0);
    if (!isConsistent(source.getType(), Space::Row))
      return Term{Value(), term.space};
    return Term{source, Space::Row};
  }
  return std::nullopt;
}

Term RMSNormMatcher::resolve(Term term) {
  while (std::optional<Term> next = step(term))
    term = *next;
  return term;
}

Operation *RMSNormMatcher::getDef(Term term, SmallVectorImpl<Term> &operands) {
  term = resolve(term);
  operands.clear();
  if (!term.value)
    return nullptr;
  Operation *def = term.value.getDefiningOp();
  if (!def || !isa<arith::ArithDialect, math::MathDialect>(def->getDialect()))
    return nullptr;
  // Elementwise: the operands live where the result does.
  for (Value operand : def->getOperands())
    operands.push_back({operand, term.space});
  return def;
}

std::optional<double> RMSNormMatcher::getConstant(Term term) {
  term = resolve(term);
  if (!term.value)
    return std::nullopt;
  Type type = getElementTypeOrSelf(term.value.getType());
  auto floatType = dyn_cast<FloatType>(type);
  FloatAttr attr;
  if (matchPattern(term.value, m_Constant(&attr)))
    return attr.getValueAsDouble();
  DenseFPElementsAttr splat;
  if (matchPattern(term.value, m_Constant(&splat)) && splat.isSplat())
    return splat.getSplatValue<APFloat>().convertToDouble();
  SmallVector<Term> operands;
  Operation *def = getDef(term, operands);
  if (!def || !floatType)
    return std::nullopt;
  // The rounding of a value converted to this op's type.
  auto round = [&](double value) {
    APFloat result(value);
    bool losesInfo;
    result.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                   &losesInfo);
    return result.convertToDouble();
  };
  if (isa<arith::SIToFPOp, arith::UIToFPOp>(def)) {
    APInt value;
    if (!matchPattern(def->getOperand(0), m_ConstantInt(&value)))
      return std::nullopt;
    return round(isa<arith::SIToFPOp>(def)
                     ? static_cast<double>(value.getSExtValue())
                     : static_cast<double>(value.getZExtValue()));
  }
  if (isa<arith::TruncFOp, arith::ExtFOp>(def)) {
    if (std::optional<double> value = getConstant(operands[0]))
      return round(*value);
    return std::nullopt;
  }
  // Constant folding of what front ends leave behind (eps * alpha).
  if (isa<arith::AddFOp, arith::SubFOp, arith::MulFOp, arith::DivFOp>(def)) {
    std::optional<double> lhs = getConstant(operands[0]);
    std::optional<double> rhs = getConstant(operands[1]);
    if (!lhs || !rhs)
      return std::nullopt;
    APFloat a(*lhs), b(*rhs);
    bool losesInfo;
    a.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
              &losesInfo);
    b.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
              &losesInfo);
    if (isa<arith::AddFOp>(def))
      a.add(b, APFloat::rmNearestTiesToEven);
    else if (isa<arith::SubFOp>(def))
      a.subtract(b, APFloat::rmNearestTiesToEven);
    else if (isa<arith::MulFOp>(def))
      a.multiply(b, APFloat::rmNearestTiesToEven);
    else
      a.divide(b, APFloat::rmNearestTiesToEven);
    return a.convertToDouble();
  }
  return std::nullopt;
}

Term RMSNormMatcher::stripExtF(Term term) {
  // The deepest tensor that carries the value: where two chains read the
  // same data they meet there, even if one steps into its producer's body.
  Term tensor;
  while (term.value) {
    if (isa<RankedTensorType>(term.value.getType()))
      tensor = term;
    if (std::optional<Term> next = step(term)) {
      term = *next;
      continue;
    }
    auto ext = dyn_cast_or_null<arith::ExtFOp>(term.value.getDefiningOp());
    if (!ext || !isF32(ext.getResult()) ||
        !isNormFloat(getElementTypeOrSelf(ext.getIn().getType())))
      break;
    term = {ext.getIn(), term.space};
  }
  return tensor.value ? tensor : term;
}

//===----------------------------------------------------------------------===//
// The formula
//===----------------------------------------------------------------------===//

std::optional<RMSNormMatch> RMSNormMatcher::matchRoot(Value root) {
  if (rank < 2)
    return std::nullopt;
  Term term{root, Space::Full};
  SmallVector<Term> operands;
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
    }
  }
  return matchNormalized(term);
}

/// A norm.rmsnorm (f32 result, used once) raised or written before: casts
/// and weights next to it fold into it.
std::optional<RMSNormMatch> RMSNormMatcher::matchExistingNorm(Term term,
                                                              bool allowGamma) {
  term = resolve(term);
  auto norm = dyn_cast_or_null<RMSNormOp>(
      term.value ? term.value.getDefiningOp() : nullptr);
  if (!norm || term.space != Space::Full || !norm.hasPureTensorSemantics() ||
      !isF32(norm.getResult(0)) || !norm.getResult(0).hasOneUse() ||
      (norm.getGamma() && !allowGamma))
    return std::nullopt;
  RMSNormMatch match;
  Term input = stripExtF({norm.getInput(), Space::Full});
  match.input = input.space == Space::Full ? input.value : norm.getInput();
  match.gamma = norm.getGamma();
  match.epsilon = norm.getEpsilon().convertToFloat();
  match.weightOffset = norm.getWeightOffset().convertToFloat();
  return match;
}

/// w, extf(w), or c + w (Gemma's 1 + w, as weight_offset).
bool RMSNormMatcher::matchWeight(Term term, RMSNormMatch &match) {
  auto asGamma = [&](Term candidate) -> Value {
    Term leaf = stripExtF(candidate);
    if (!leaf.value || leaf.space != Space::Column ||
        !isa<RankedTensorType>(leaf.value.getType()) ||
        !isNormFloat(getElementTypeOrSelf(leaf.value.getType())))
      return Value();
    return leaf.value;
  };
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
  term = resolve(term);
  if (!term.value || term.space != Space::Row)
    return std::nullopt;
  auto op = dyn_cast_or_null<linalg::LinalgOp>(term.value.getDefiningOp());
  if (!op || !op.hasPureTensorSemantics() || op->getNumResults() != 1 ||
      op.getNumDpsInits() != 1 || op.getNumLoops() != rank ||
      !isConsistent(term.value.getType(), Space::Row))
    return std::nullopt;
  // Parallel over the rows, a reduction over the last dim, whose result is
  // read back per row.
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  for (int64_t dim = 0; dim < rank; ++dim)
    if ((iterators[dim] == utils::IteratorType::reduction) != (dim == rank - 1))
      return std::nullopt;
  SmallVector<DimRole> roles(rank - 1, DimRole::Row);
  roles.push_back(DimRole::Column);
  OpOperand *init = op.getDpsInitOperand(0);
  if (getOperandSpace(roles, op.getMatchingIndexingMap(init)) != Space::Row ||
      !isZero(init->get()))
    return std::nullopt;

  // Body: acc + f(...) with f(...) the square, in f32.
  BlockArgument acc = op.getMatchingBlockArgument(init);
  Value yielded = op.getBlock()->getTerminator()->getOperand(0);
  auto add = yielded.getDefiningOp<arith::AddFOp>();
  if (!add || !isF32(add) || add->getBlock() != op.getBlock())
    return std::nullopt;
  Value element;
  if (add.getLhs() == acc)
    element = add.getRhs();
  else if (add.getRhs() == acc)
    element = add.getLhs();
  else
    return std::nullopt;
  if (element == acc)
    return std::nullopt;
  return matchSquare({element, Space::Full});
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

/// A zero-filled accumulator: linalg.fill of 0 or a zero constant.
bool RMSNormMatcher::isZero(Value init) {
  if (matchPattern(init, m_AnyZeroFloat()))
    return true;
  auto fill = init.getDefiningOp<linalg::FillOp>();
  return fill && matchPattern(fill.value(), m_AnyZeroFloat());
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
    if (op->getNumResults() != 1)
      return failure();
    auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
    bool isElementwise =
        linalgOp ? linalgOp.hasPureTensorSemantics() &&
                       linalgOp.getNumLoops() == linalgOp.getNumParallelLoops()
                 : isa<arith::MulFOp, arith::DivFOp, arith::TruncFOp>(op);
    auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
    if (!isElementwise || !type || !isNormFloat(type.getElementType()))
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

    // The op's own destination if it has the type, else a new one.
    Location loc = op->getLoc();
    Value init;
    if (linalgOp && linalgOp.getDpsInits()[0].getType() == type)
      init = linalgOp.getDpsInits()[0];
    if (!init) {
      SmallVector<Value> dynamicSizes;
      for (int64_t dim = 0; dim < type.getRank(); ++dim)
        if (type.isDynamicDim(dim))
          dynamicSizes.push_back(
              tensor::DimOp::create(rewriter, loc, match->input, dim));
      init = tensor::EmptyOp::create(rewriter, loc, type, dynamicSizes);
    }
    rewriter.replaceOpWithNewOp<RMSNormOp>(
        op, TypeRange{type}, match->input, match->gamma, init,
        rewriter.getF32FloatAttr(match->epsilon),
        rewriter.getF32FloatAttr(match->weightOffset), /*schedule=*/nullptr);
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
}
