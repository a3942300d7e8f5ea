//===- RaiseMatcher.h - the per-element view norm-raise matches -*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
// What every `norm-raise` rule shares: the matcher works on the scalar
// computation of one element, whatever spelling carries it: a
// `linalg.generic` body, a named linalg op (its body is the same kind of
// region), `arith`/`math` ops on tensors, several elementwise ops in a row or
// one fused body. A `Term` is a value of that computation together with where
// it lives relative to the [rows..., H] space of the result (every element,
// one per row, one per column, one in all); `resolve` steps through
// everything that only moves values (block arguments to the operands they
// read, results to the values their bodies yield, broadcasts, the unit dim of
// a row statistic) until it reaches an arithmetic op, which each rule's
// `match*` functions then take apart along its formula.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_LIB_DIALECT_NORM_TRANSFORMS_RAISEMATCHER_H
#define NORM_LIB_DIALECT_NORM_TRANSFORMS_RAISEMATCHER_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

#include <optional>

namespace mlir {
namespace norm {
namespace raise {

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

/// A reduction over the innermost dim, read back per row:
/// `combiner(acc, element)` (either operand order) from `init`.
struct RowReduction {
  linalg::LinalgOp op;
  /// The accumulator's initial tensor.
  Value init;
  Operation *combiner = nullptr;
  /// The value combined, per element.
  Term element;
};

bool isF32(Value value);
/// f32, f16 or bf16: the element types of the norm ops' float operands.
bool isNormFloat(Type type);

/// The machinery of the per-element view; each rule derives from it.
class TermMatcher {
public:
  /// The rank and the innermost dim (H) come from the root, the tensor the
  /// raised op would produce.
  explicit TermMatcher(ShapedType rootType)
      : rank(rootType.getRank()), cols(rootType.getShape().back()) {}

protected:
  /// One step through something that only moves values, if `term` is such.
  std::optional<Term> step(Term term);
  /// All steps: the arithmetic op (or leaf) computing `term`.
  Term resolve(Term term);
  std::optional<SmallVector<DimRole>> getDimRoles(linalg::LinalgOp op,
                                                  Space space);
  std::optional<Space> getOperandSpace(ArrayRef<DimRole> roles, AffineMap map);
  /// Whether a tensor of `type` can hold a value of `space`.
  bool isConsistent(Type type, Space space);
  /// The arith/math op computing `term` and its operands as terms.
  Operation *getDef(Term term, SmallVectorImpl<Term> &operands);
  template <typename OpTy>
  OpTy getDefAs(Term term, SmallVectorImpl<Term> &operands) {
    return dyn_cast_or_null<OpTy>(getDef(term, operands));
  }
  /// The value of a constant term (scalar, splat, or folded from constants).
  std::optional<double> getConstant(Term term);
  /// The tensor `term` reads, without f16/bf16 -> f32 extensions.
  Term stripExtF(Term term);
  /// A reduction over the innermost dim computing the row statistic `term`.
  std::optional<RowReduction> matchRowReduction(Term term);
  /// The constant an accumulator starts from: linalg.fill of a constant or a
  /// splat constant.
  std::optional<double> getInitConstant(Value init);

  int64_t rank;
  int64_t cols;
};

/// The tensor `op` produces if it can end a raised computation: the one
/// result of an elementwise linalg op on tensors, or of a `RootOps` op.
template <typename... RootOps> RankedTensorType getRootType(Operation *op) {
  if (op->getNumResults() != 1)
    return {};
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  bool isElementwise =
      linalgOp ? linalgOp.hasPureTensorSemantics() &&
                     linalgOp.getNumLoops() == linalgOp.getNumParallelLoops()
               : isa<RootOps...>(op);
  if (!isElementwise)
    return {};
  return dyn_cast<RankedTensorType>(op->getResult(0).getType());
}

/// The destination for the op replacing `root`: root's own if it has `type`,
/// else a new tensor shaped like `source`.
Value getOrCreateInit(OpBuilder &builder, Operation *root,
                      RankedTensorType type, Value source);

/// A new tensor of `type` whose dynamic dims are those of `source` (same
/// rank, or one more with `type`'s last dim static).
Value createEmptyLike(OpBuilder &builder, Location loc, RankedTensorType type,
                      Value source);

/// Adds the rule raising per-token quantization to `norm.quantize`
/// (RaiseQuantize.cpp).
void populateRaiseQuantizePatterns(RewritePatternSet &patterns);

} // namespace raise
} // namespace norm
} // namespace mlir

#endif // NORM_LIB_DIALECT_NORM_TRANSFORMS_RAISEMATCHER_H
