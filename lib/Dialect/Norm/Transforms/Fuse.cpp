//===- Fuse.cpp - fuse residual adds and quantizations into norm ops ------===//
//
// Part of norm-mlir. See README.md for license information.
//
// Every rewrite keeps what is computed: it only merges ops whose fused form
// is specified to round where the unfused chain rounded. Results are bit for
// bit where the fused and unfused kernels also reduce in the same order
// (docs/DESIGN.md).
//
//===----------------------------------------------------------------------===//

#include "norm/Dialect/Norm/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace norm {
#define GEN_PASS_DEF_NORMFUSE
#include "norm/Dialect/Norm/Transforms/Passes.h.inc"
} // namespace norm
} // namespace mlir

using namespace mlir;
using namespace mlir::norm;

//===----------------------------------------------------------------------===//
// Placement helpers
//===----------------------------------------------------------------------===//

/// True if `value` can be used right before `op`. Values from other blocks
/// that reach a use in op's block dominate all of it.
static bool isAvailableBefore(Value value, Operation *op) {
  if (!value || value.getParentBlock() != op->getBlock() ||
      isa<BlockArgument>(value))
    return true;
  return value.getDefiningOp()->isBeforeInBlock(op);
}

/// True if every use of `value` outside `ignored` is (nested in) an op after
/// `op` in op's block.
static bool areUsesAfter(Value value, Operation *op,
                         ArrayRef<Operation *> ignored) {
  Block *block = op->getBlock();
  return llvm::all_of(value.getUses(), [&](OpOperand &use) {
    if (llvm::is_contained(ignored, use.getOwner()))
      return true;
    Operation *ancestor = block->findAncestorOpInBlock(*use.getOwner());
    return ancestor && op->isBeforeInBlock(ancestor);
  });
}

/// Where to create an op that replaces `first` and `second` (same block,
/// `first` before `second`): right before `second` when the results of
/// `first` it replaces are only used after `second`, else right before
/// `first` when everything the new op reads is available there.
static Operation *findInsertionPoint(Operation *first, Operation *second,
                                     ValueRange replacedOfFirst,
                                     ValueRange operands) {
  if (llvm::all_of(replacedOfFirst, [&](Value value) {
        return areUsesAfter(value, second, {first, second});
      }))
    return second;
  if (llvm::all_of(operands, [&](Value value) {
        return isAvailableBefore(value, first);
      }))
    return first;
  return nullptr;
}

//===----------------------------------------------------------------------===//
// residual-add: elementwise add + norm.rmsnorm -> norm.add_rmsnorm
//===----------------------------------------------------------------------===//

namespace {
/// A tensor add `lhs + rhs` whose operands and result all have one type;
/// `init` is its destination, if it has one.
struct ElementwiseAdd {
  Operation *op;
  Value lhs, rhs, init;
};
} // namespace

/// Whether `linalgOp` computes `ins[0] + ins[1]` elementwise: identity maps,
/// parallel loops, a body of one `arith.addf` of the two inputs.
static bool isElementwiseLinalgAdd(linalg::LinalgOp linalgOp) {
  if (!linalgOp.hasPureTensorSemantics() || linalgOp.getNumDpsInputs() != 2 ||
      linalgOp.getNumDpsInits() != 1 || linalgOp->getNumResults() != 1 ||
      linalgOp.getNumLoops() != linalgOp.getNumParallelLoops())
    return false;
  if (!llvm::all_of(linalgOp.getIndexingMapsArray(),
                    [](AffineMap map) { return map.isIdentity(); }))
    return false;
  Block *body = linalgOp.getBlock();
  if (!body || !llvm::hasSingleElement(body->without_terminator()))
    return false;
  auto addf = dyn_cast<arith::AddFOp>(body->front());
  auto yield = dyn_cast<linalg::YieldOp>(body->getTerminator());
  if (!addf || !yield || yield.getNumOperands() != 1 ||
      yield.getOperand(0) != addf.getResult())
    return false;
  ArrayRef<BlockArgument> inputs = linalgOp.getRegionInputArgs();
  return (addf.getLhs() == inputs[0] && addf.getRhs() == inputs[1]) ||
         (addf.getLhs() == inputs[1] && addf.getRhs() == inputs[0]);
}

static std::optional<ElementwiseAdd> matchElementwiseAdd(Value sum) {
  Operation *op = sum.getDefiningOp();
  if (!op)
    return std::nullopt;
  ElementwiseAdd add{op, Value(), Value(), Value()};
  if (auto addf = dyn_cast<arith::AddFOp>(op)) {
    add.lhs = addf.getLhs();
    add.rhs = addf.getRhs();
  } else if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
             linalgOp && isElementwiseLinalgAdd(linalgOp)) {
    add.lhs = linalgOp.getDpsInputs()[0];
    add.rhs = linalgOp.getDpsInputs()[1];
    add.init = linalgOp.getDpsInits()[0];
    // The destination's type must match too: with identity maps every
    // operand then has the same run-time shape.
    if (linalgOp.getDpsInits()[0].getType() != sum.getType())
      return std::nullopt;
  } else {
    return std::nullopt;
  }
  // Same shape and element type everywhere: no broadcast, no casts, and
  // dynamic dims that the add itself requires to be equal.
  if (add.lhs.getType() != sum.getType() || add.rhs.getType() != sum.getType())
    return std::nullopt;
  return add;
}

/// Rebuilds `norm` with the residual add `input + residual` in front, the
/// updated residual going to `residualInit`. Returns the new op's
/// replacements for `norm`'s results, then the updated residual.
static SmallVector<Value> addResidual(RewriterBase &rewriter, Location loc,
                                      RMSNormOp norm, Value input,
                                      Value residual, Value residualInit) {
  auto fused = AddRMSNormOp::create(
      rewriter, loc, TypeRange{norm.getInit().getType(), residual.getType()},
      input, residual, norm.getGamma(), norm.getInit(), residualInit,
      norm.getEpsilonAttr(), norm.getWeightOffsetAttr(),
      norm.getNormalizedTypeAttr(), /*schedule=*/nullptr);
  return fused->getResults();
}

static SmallVector<Value> addResidual(RewriterBase &rewriter, Location loc,
                                      RMSNormQuantizeOp norm, Value input,
                                      Value residual, Value residualInit) {
  // Results: quantized, [scales], residual, [normalized].
  unsigned residualIndex = norm.getScaleInit() ? 2 : 1;
  SmallVector<Type> types(norm->getResultTypes());
  types.insert(types.begin() + residualIndex, residual.getType());
  auto fused = RMSNormQuantizeOp::create(
      rewriter, loc, types, input, residual, norm.getGamma(), norm.getScale(),
      norm.getSmooth(), norm.getInit(), norm.getScaleInit(), residualInit,
      norm.getNormalizedInit(), norm.getSchemeAttr(), norm.getGroupSizeAttr(),
      norm.getScaleLayoutAttr(), norm.getEpsilonAttr(),
      norm.getWeightOffsetAttr(), norm.getScaleUbAttr(), norm.getClipAttr(),
      norm.getMinScaleAttr(), norm.getIntermediateTypeAttr(),
      norm.getNormalizedTypeAttr(), /*schedule=*/nullptr);
  SmallVector<Value> results(fused->getResults());
  Value updated = results[residualIndex];
  results.erase(results.begin() + residualIndex);
  results.push_back(updated);
  return results;
}

static bool hasResidual(RMSNormOp) { return false; }
static bool hasResidual(RMSNormQuantizeOp op) { return !!op.getResidual(); }

namespace {
/// An elementwise add feeding a norm without residual becomes the norm's
/// residual add. Applies to norm.rmsnorm and, since the quantize rule may
/// fire first, to norm.rmsnorm_quantize.
template <typename OpTy>
struct FuseResidualAdd : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy norm,
                                PatternRewriter &rewriter) const override {
    if (!norm.hasPureTensorSemantics() || hasResidual(norm))
      return rewriter.notifyMatchFailure(norm, "not on tensors or has one");
    Value sum = norm.getInput();
    std::optional<ElementwiseAdd> add = matchElementwiseAdd(sum);
    if (!add)
      return rewriter.notifyMatchFailure(norm, "input is not a same-type add");
    if (add->op->getBlock() != norm->getBlock())
      return rewriter.notifyMatchFailure(norm, "add in another block");
    Type elementType = cast<ShapedType>(sum.getType()).getElementType();
    if (!elementType.isF32() && !elementType.isF16() && !elementType.isBF16())
      return rewriter.notifyMatchFailure(norm, "unsupported element type");

    // The updated residual goes where the add wrote the sum: its own
    // destination, or a new tensor. Never over an operand, which could be a
    // buffer of the caller.
    Value input = add->lhs, residual = add->rhs;
    SmallVector<Value> operands{input, residual, add->init};
    for (Value operand : norm->getOperands())
      if (operand != sum)
        operands.push_back(operand);
    Operation *point = findInsertionPoint(add->op, norm, sum, operands);
    if (!point)
      return rewriter.notifyMatchFailure(
          norm, "no place dominates both the sum's users and the operands");
    rewriter.setInsertionPoint(point);
    Location loc = rewriter.getFusedLoc({add->op->getLoc(), norm.getLoc()});
    Value residualInit = add->init;
    if (!residualInit) {
      auto type = cast<RankedTensorType>(sum.getType());
      SmallVector<Value> dynamicSizes;
      for (int64_t dim = 0; dim < type.getRank(); ++dim)
        if (type.isDynamicDim(dim))
          dynamicSizes.push_back(
              tensor::DimOp::create(rewriter, loc, input, dim));
      residualInit = tensor::EmptyOp::create(rewriter, loc, type, dynamicSizes);
    }
    SmallVector<Value> results =
        addResidual(rewriter, loc, norm, input, residual, residualInit);
    Value updated = results.pop_back_val();
    rewriter.replaceOp(norm, results);
    rewriter.replaceAllUsesWith(sum, updated);
    rewriter.eraseOp(add->op);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// quantize: norm.rmsnorm / norm.add_rmsnorm + norm.quantize
//           -> norm.rmsnorm_quantize
//===----------------------------------------------------------------------===//

struct FuseQuantize : public OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(QuantizeOp quant,
                                PatternRewriter &rewriter) const override {
    if (!quant.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(quant, "not on tensors");
    // The quantizer must read exactly the normalized result.
    auto normalized = dyn_cast<OpResult>(quant.getInput());
    if (!normalized || normalized.getResultNumber() != 0)
      return rewriter.notifyMatchFailure(quant, "input is not a norm result");
    Operation *normOp = normalized.getOwner();
    auto rmsnorm = dyn_cast<RMSNormOp>(normOp);
    auto addRmsnorm = dyn_cast<AddRMSNormOp>(normOp);
    if (!rmsnorm && !addRmsnorm)
      return rewriter.notifyMatchFailure(quant, "input is not a norm result");
    if (normOp->getBlock() != quant->getBlock())
      return rewriter.notifyMatchFailure(quant, "norm in another block");

    Value input, residual, gamma, init, residualInit;
    FloatAttr epsilon, weightOffset;
    // The rounding before the multiply by gamma happens in the fused op's
    // normalization as it did in the norm's: it carries over unchanged.
    TypeAttr normalizedType;
    if (rmsnorm) {
      input = rmsnorm.getInput();
      gamma = rmsnorm.getGamma();
      init = rmsnorm.getInit();
      epsilon = rmsnorm.getEpsilonAttr();
      weightOffset = rmsnorm.getWeightOffsetAttr();
      normalizedType = rmsnorm.getNormalizedTypeAttr();
    } else {
      input = addRmsnorm.getInput();
      residual = addRmsnorm.getResidual();
      gamma = addRmsnorm.getGamma();
      init = addRmsnorm.getInit();
      residualInit = addRmsnorm.getResidualInit();
      epsilon = addRmsnorm.getEpsilonAttr();
      weightOffset = addRmsnorm.getWeightOffsetAttr();
      normalizedType = addRmsnorm.getNormalizedTypeAttr();
    }
    // A normalized value with other users stays an output of the fused op.
    bool keepNormalized = !normalized.hasOneUse();
    Value normalizedInit = keepNormalized ? init : Value();

    Operation *point = findInsertionPoint(
        normOp, quant, normOp->getResults(),
        {input, residual, gamma, init, residualInit, quant.getScale(),
         quant.getSmooth(), quant.getInit(), quant.getScaleInit()});
    if (!point)
      return rewriter.notifyMatchFailure(
          quant, "no place dominates both the norm's users and the operands");

    SmallVector<Type> resultTypes(quant->getResultTypes());
    if (residual)
      resultTypes.push_back(residualInit.getType());
    if (keepNormalized)
      resultTypes.push_back(init.getType());
    rewriter.setInsertionPoint(point);
    auto fused = RMSNormQuantizeOp::create(
        rewriter, rewriter.getFusedLoc({normOp->getLoc(), quant.getLoc()}),
        resultTypes, input, residual, gamma, quant.getScale(),
        quant.getSmooth(), quant.getInit(), quant.getScaleInit(), residualInit,
        normalizedInit, quant.getSchemeAttr(), quant.getGroupSizeAttr(),
        quant.getScaleLayoutAttr(), epsilon, weightOffset,
        quant.getScaleUbAttr(), quant.getClipAttr(), quant.getMinScaleAttr(),
        TypeAttr::get(cast<ShapedType>(normalized.getType()).getElementType()),
        normalizedType, /*schedule=*/nullptr);

    ResultRange results = fused->getResults();
    unsigned numQuantResults = quant->getNumResults();
    rewriter.replaceOp(quant, results.take_front(numQuantResults));
    SmallVector<Value> normReplacements(normOp->getNumResults());
    unsigned next = numQuantResults;
    if (residual)
      normReplacements[1] = results[next++];
    if (keepNormalized)
      normReplacements[0] = results[next++];
    for (auto [from, to] : llvm::zip(normOp->getResults(), normReplacements))
      if (to)
        rewriter.replaceAllUsesWith(from, to);
    rewriter.eraseOp(normOp);
    return success();
  }
};

} // namespace

//===----------------------------------------------------------------------===//
// input-extf: an f16/bf16 -> f32 extension feeding a norm op
//===----------------------------------------------------------------------===//

/// The f16/bf16 tensor that `value` is the exact f32 extension of:
/// `arith.extf` on tensors, or an elementwise linalg op (identity maps,
/// parallel loops) whose body is one `arith.extf` of its one input.
static Value getExtendedSource(Value value) {
  Operation *op = value.getDefiningOp();
  Value source;
  if (auto extf = dyn_cast_or_null<arith::ExtFOp>(op)) {
    source = extf.getIn();
  } else if (auto linalgOp = dyn_cast_or_null<linalg::LinalgOp>(op)) {
    if (!linalgOp.hasPureTensorSemantics() || linalgOp.getNumDpsInputs() != 1 ||
        linalgOp->getNumResults() != 1 ||
        linalgOp.getNumLoops() != linalgOp.getNumParallelLoops() ||
        !llvm::all_of(linalgOp.getIndexingMapsArray(),
                      [](AffineMap map) { return map.isIdentity(); }))
      return Value();
    Block *body = linalgOp.getBlock();
    if (!body || !llvm::hasSingleElement(body->without_terminator()))
      return Value();
    auto extf = dyn_cast<arith::ExtFOp>(body->front());
    if (!extf || extf.getIn() != linalgOp.getRegionInputArgs()[0] ||
        body->getTerminator()->getOperand(0) != extf.getResult())
      return Value();
    source = linalgOp.getDpsInputs()[0];
  } else {
    return Value();
  }
  auto sourceType = dyn_cast<RankedTensorType>(source.getType());
  auto type = cast<RankedTensorType>(value.getType());
  if (!sourceType || sourceType.getShape() != type.getShape() ||
      !type.getElementType().isF32() ||
      !(sourceType.getElementType().isF16() ||
        sourceType.getElementType().isBF16()))
    return Value();
  return source;
}

namespace {
/// A norm op reading the f32 extension of an f16/bf16 tensor (its input or
/// gamma) reads that tensor instead: its kernel extends every element to f32
/// first, so the values are the same and the f32 copy is neither written
/// nor read. An extension with other users stays for them.
template <typename OpTy> struct FoldInputExtF : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(op, "not on tensors");
    SmallVector<OpOperand *> operands{&op.getInputMutable()};
    if constexpr (!std::is_same_v<OpTy, QuantizeOp>)
      if (op.getGamma())
        operands.push_back(&op.getGammaMutable()[0]);
    bool changed = false;
    for (OpOperand *operand : operands)
      if (Value source = getExtendedSource(operand->get())) {
        rewriter.modifyOpInPlace(op, [&] { operand->set(source); });
        changed = true;
      }
    return success(changed);
  }
};

struct NormFusePass : public mlir::norm::impl::NormFuseBase<NormFusePass> {
  using NormFuseBase::NormFuseBase;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateNormFusePatterns(patterns,
                             {fuseResidualAdd, fuseQuantize, foldInputExtF});
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace

void mlir::norm::populateNormFusePatterns(RewritePatternSet &patterns,
                                          const FuseOptions &options) {
  if (options.residualAdd)
    patterns
        .add<FuseResidualAdd<RMSNormOp>, FuseResidualAdd<RMSNormQuantizeOp>>(
            patterns.getContext());
  if (options.quantize)
    patterns.add<FuseQuantize>(patterns.getContext());
  if (options.inputExtF)
    patterns.add<FoldInputExtF<RMSNormOp>, FoldInputExtF<AddRMSNormOp>,
                 FoldInputExtF<QuantizeOp>, FoldInputExtF<RMSNormQuantizeOp>>(
        patterns.getContext());
}
