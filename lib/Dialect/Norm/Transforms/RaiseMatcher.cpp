//===- RaiseMatcher.cpp - the per-element view norm-raise matches ---------===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#include "RaiseMatcher.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"

using namespace mlir;
using namespace mlir::norm;
using namespace mlir::norm::raise;

bool raise::isF32(Value value) {
  return getElementTypeOrSelf(value.getType()).isF32();
}

bool raise::isNormFloat(Type type) {
  return type.isF32() || type.isF16() || type.isBF16();
}

/// Roles of the iteration dims of `op`, whose result lives in `space`.
std::optional<SmallVector<DimRole>>
TermMatcher::getDimRoles(linalg::LinalgOp op, Space space) {
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
std::optional<Space> TermMatcher::getOperandSpace(ArrayRef<DimRole> roles,
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
bool TermMatcher::isConsistent(Type type, Space space) {
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

std::optional<Term> TermMatcher::step(Term term) {
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

Term TermMatcher::resolve(Term term) {
  while (std::optional<Term> next = step(term))
    term = *next;
  return term;
}

Operation *TermMatcher::getDef(Term term, SmallVectorImpl<Term> &operands) {
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

std::optional<double> TermMatcher::getConstant(Term term) {
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

Term TermMatcher::stripExtF(Term term) {
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

std::optional<RowReduction> TermMatcher::matchRowReduction(Term term) {
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
  if (getOperandSpace(roles, op.getMatchingIndexingMap(init)) != Space::Row)
    return std::nullopt;

  // Body: combiner(acc, element) in f32, in the body itself.
  BlockArgument acc = op.getMatchingBlockArgument(init);
  Value yielded = op.getBlock()->getTerminator()->getOperand(0);
  Operation *combiner = yielded.getDefiningOp();
  if (!combiner || combiner->getBlock() != op.getBlock() ||
      combiner->getNumOperands() != 2 || !isF32(yielded))
    return std::nullopt;
  Value element;
  if (combiner->getOperand(0) == acc)
    element = combiner->getOperand(1);
  else if (combiner->getOperand(1) == acc)
    element = combiner->getOperand(0);
  else
    return std::nullopt;
  if (element == acc)
    return std::nullopt;
  return RowReduction{op, init->get(), combiner, {element, Space::Full}};
}

std::optional<double> TermMatcher::getInitConstant(Value init) {
  FloatAttr attr;
  if (auto fill = init.getDefiningOp<linalg::FillOp>()) {
    if (matchPattern(fill.value(), m_Constant(&attr)))
      return attr.getValueAsDouble();
    return std::nullopt;
  }
  DenseFPElementsAttr splat;
  if (matchPattern(init, m_Constant(&splat)) && splat.isSplat())
    return splat.getSplatValue<APFloat>().convertToDouble();
  return std::nullopt;
}

Value raise::createEmptyLike(OpBuilder &builder, Location loc,
                             RankedTensorType type, Value source) {
  // The sizes of a destination-style result are its destination's: reading
  // them there keeps `source` free of users that only ask for its shape
  // (norm-fuse keeps a normalized tensor with other users as an output).
  while (auto result = dyn_cast<OpResult>(source)) {
    auto dps = dyn_cast<DestinationStyleOpInterface>(result.getOwner());
    if (!dps || !dps.hasPureTensorSemantics())
      break;
    source = dps.getTiedOpOperand(result)->get();
  }
  SmallVector<Value> dynamicSizes;
  for (int64_t dim = 0; dim < type.getRank(); ++dim)
    if (type.isDynamicDim(dim))
      dynamicSizes.push_back(tensor::DimOp::create(builder, loc, source, dim));
  return tensor::EmptyOp::create(builder, loc, type, dynamicSizes);
}

Value raise::getOrCreateInit(OpBuilder &builder, Operation *root,
                             RankedTensorType type, Value source) {
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(root))
    if (linalgOp.getDpsInits()[0].getType() == type)
      return linalgOp.getDpsInits()[0];
  return createEmptyLike(builder, root->getLoc(), type, source);
}
