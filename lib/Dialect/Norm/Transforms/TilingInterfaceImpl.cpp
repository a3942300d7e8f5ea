//===- TilingInterfaceImpl.cpp - norm ops as tileable ops -------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
// A norm op is independent per row and reduces over the innermost dim, so
// its iteration domain is the leading dims (all parallel) and a tile is the
// same op on whole rows: row operands and destinations are sliced along the
// leading dims, per-column operands (gamma, smooth) and the static scale are
// read whole, the scales follow their layout. Attributes, `schedule`
// included, carry over: H does not change.
//
//===----------------------------------------------------------------------===//

#include "norm/Dialect/Norm/Transforms/TilingInterfaceImpl.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "norm/Dialect/Norm/IR/NormOps.h"

using namespace mlir;
using namespace mlir::norm;

namespace {
/// How a tile of rows reads the operands of an op.
struct OperandLayout {
  /// Operands read whole by every tile (per-column vectors, static scale).
  SmallVector<unsigned> whole;
  /// The scales destination, if any, and whether it is [H/G, rows...].
  std::optional<unsigned> scales;
  bool colMajorScales = false;
};
} // namespace

/// The layout of `op`'s operands, from their roles (RowKernelOpInterface).
static OperandLayout getLayout(RowKernelOpInterface op) {
  OperandLayout layout;
  for (const KernelOperandInfo &info : op.getKernelOperands()) {
    unsigned number = info.operand->getOperandNumber();
    if (info.role == OperandRole::Vector || info.role == OperandRole::Scalar)
      layout.whole.push_back(number);
    else if (info.role == OperandRole::Scales)
      layout.scales = number;
  }
  layout.colMajorScales = op.hasColumnMajorScales();
  return layout;
}

static OpFoldResult getDimSize(OpBuilder &b, Location loc, Value value,
                               int64_t dim) {
  if (isa<MemRefType>(value.getType()))
    return memref::getMixedSize(b, loc, value, dim);
  return tensor::getMixedSize(b, loc, value, dim);
}

/// The dim of operand `operandNumber` (`value`) that is not a row dim: the
/// innermost one, or the first for column-major scales.
static int64_t getNonRowDim(const OperandLayout &layout, unsigned operandNumber,
                            Value value) {
  if (layout.scales == operandNumber && layout.colMajorScales)
    return 0;
  return cast<ShapedType>(value.getType()).getRank() - 1;
}

/// The part of operand `operandNumber` (`value`) that rows [offsets, offsets
/// + sizes) read or write: those rows, whole in the other dim.
static void getSliceOf(OpBuilder &b, Location loc, const OperandLayout &layout,
                       unsigned operandNumber, Value value,
                       ArrayRef<OpFoldResult> offsets,
                       ArrayRef<OpFoldResult> sizes,
                       SmallVectorImpl<OpFoldResult> &sliceOffsets,
                       SmallVectorImpl<OpFoldResult> &sliceSizes) {
  int64_t other = getNonRowDim(layout, operandNumber, value);
  sliceOffsets.assign(offsets.begin(), offsets.end());
  sliceSizes.assign(sizes.begin(), sizes.end());
  sliceOffsets.insert(sliceOffsets.begin() + other, b.getIndexAttr(0));
  sliceSizes.insert(sliceSizes.begin() + other,
                    getDimSize(b, loc, value, other));
}

/// True if `size` is provably the whole of dim `dim` of `value`.
static bool isWholeDim(OpFoldResult size, Value value, int64_t dim) {
  int64_t static_ = cast<ShapedType>(value.getType()).getDimSize(dim);
  if (!ShapedType::isDynamic(static_))
    return isConstantIntValue(size, static_);
  auto dimOp = dyn_cast_if_present<Value>(size)
                   ? dyn_cast<Value>(size).getDefiningOp<tensor::DimOp>()
                   : tensor::DimOp();
  return dimOp && dimOp.getSource() == value &&
         getConstantIntValue(dimOp.getDimension()) == dim;
}

namespace {
template <typename OpTy>
struct NormOpTilingModel
    : public TilingInterface::ExternalModel<NormOpTilingModel<OpTy>, OpTy> {
  static int64_t getNumRowDims(Operation *op) {
    return cast<ShapedType>(cast<OpTy>(op).getInput().getType()).getRank() - 1;
  }

  SmallVector<utils::IteratorType> getLoopIteratorTypes(Operation *op) const {
    return SmallVector<utils::IteratorType>(getNumRowDims(op),
                                            utils::IteratorType::parallel);
  }

  SmallVector<Range> getIterationDomain(Operation *op, OpBuilder &b) const {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(op);
    Value input = cast<OpTy>(op).getInput();
    SmallVector<Range> domain;
    for (int64_t dim = 0; dim < getNumRowDims(op); ++dim)
      domain.push_back(Range{b.getIndexAttr(0),
                             getDimSize(b, op->getLoc(), input, dim),
                             b.getIndexAttr(1)});
    return domain;
  }

  FailureOr<TilingResult>
  getTiledImplementation(Operation *op, OpBuilder &b,
                         ArrayRef<OpFoldResult> offsets,
                         ArrayRef<OpFoldResult> sizes) const {
    // Buffers would need subviews and carry no results to tile.
    if (!cast<DestinationStyleOpInterface>(op).hasPureTensorSemantics())
      return failure();
    OperandLayout layout = getLayout(cast<RowKernelOpInterface>(op));
    Location loc = op->getLoc();
    SmallVector<Value> operands;
    SmallVector<Operation *> slices;
    for (OpOperand &operand : op->getOpOperands()) {
      if (llvm::is_contained(layout.whole, operand.getOperandNumber())) {
        operands.push_back(operand.get());
        continue;
      }
      SmallVector<OpFoldResult> sliceOffsets, sliceSizes;
      getSliceOf(b, loc, layout, operand.getOperandNumber(), operand.get(),
                 offsets, sizes, sliceOffsets, sliceSizes);
      SmallVector<OpFoldResult> strides(sliceOffsets.size(), b.getIndexAttr(1));
      auto slice = tensor::ExtractSliceOp::create(
          b, loc, operand.get(), sliceOffsets, sliceSizes, strides);
      operands.push_back(slice);
      slices.push_back(slice);
    }
    Operation *tiled = b.clone(*op);
    tiled->setOperands(operands);
    for (auto [result, init] : llvm::zip_equal(
             tiled->getResults(),
             cast<DestinationStyleOpInterface>(tiled).getDpsInits()))
      result.setType(init.getType());
    return TilingResult{
        {tiled}, SmallVector<Value>(tiled->getResults()), slices};
  }

  LogicalResult
  getResultTilePosition(Operation *op, OpBuilder &b, unsigned resultNumber,
                        ArrayRef<OpFoldResult> offsets,
                        ArrayRef<OpFoldResult> sizes,
                        SmallVector<OpFoldResult> &resultOffsets,
                        SmallVector<OpFoldResult> &resultSizes) const {
    OpOperand *init =
        cast<DestinationStyleOpInterface>(op).getDpsInitOperand(resultNumber);
    getSliceOf(b, op->getLoc(), getLayout(cast<RowKernelOpInterface>(op)),
               init->getOperandNumber(), init->get(), offsets, sizes,
               resultOffsets, resultSizes);
    return success();
  }

  LogicalResult getIterationDomainTileFromResultTile(
      Operation *op, OpBuilder &b, unsigned resultNumber,
      ArrayRef<OpFoldResult> offsets, ArrayRef<OpFoldResult> sizes,
      SmallVectorImpl<OpFoldResult> &iterDomainOffsets,
      SmallVectorImpl<OpFoldResult> &iterDomainSizes) const {
    OpOperand *init =
        cast<DestinationStyleOpInterface>(op).getDpsInitOperand(resultNumber);
    int64_t other = getNonRowDim(getLayout(cast<RowKernelOpInterface>(op)),
                                 init->getOperandNumber(), init->get());
    // Only whole rows can be computed: a part of H needs all of it.
    if (!isConstantIntValue(offsets[other], 0) ||
        !isWholeDim(sizes[other], init->get(), other))
      return failure();
    iterDomainOffsets.assign(offsets.begin(), offsets.end());
    iterDomainSizes.assign(sizes.begin(), sizes.end());
    iterDomainOffsets.erase(iterDomainOffsets.begin() + other);
    iterDomainSizes.erase(iterDomainSizes.begin() + other);
    return success();
  }

  FailureOr<TilingResult>
  generateResultTileValue(Operation *op, OpBuilder &b, unsigned resultNumber,
                          ArrayRef<OpFoldResult> offsets,
                          ArrayRef<OpFoldResult> sizes) const {
    SmallVector<OpFoldResult> rowOffsets, rowSizes;
    if (failed(getIterationDomainTileFromResultTile(
            op, b, resultNumber, offsets, sizes, rowOffsets, rowSizes)))
      return failure();
    return getTiledImplementation(op, b, rowOffsets, rowSizes);
  }
};
} // namespace

void mlir::norm::registerTilingInterfaceExternalModels(
    DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, NormDialect *) {
    RMSNormOp::attachInterface<NormOpTilingModel<RMSNormOp>>(*ctx);
    AddRMSNormOp::attachInterface<NormOpTilingModel<AddRMSNormOp>>(*ctx);
    QuantizeOp::attachInterface<NormOpTilingModel<QuantizeOp>>(*ctx);
    RMSNormQuantizeOp::attachInterface<NormOpTilingModel<RMSNormQuantizeOp>>(
        *ctx);
  });
}
