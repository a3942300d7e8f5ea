//===- RowKernelEmitter.cpp - body of a row-wise norm kernel ---*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
// A thread group of `threadsPerRow` lanes handles one row. Lane `l` owns the
// vectors at columns head + (k * threadsPerRow + l) * vectorWidth, so
// consecutive lanes touch consecutive 16-byte vectors (coalesced). Rows past
// the end are computed on a clamped row index and never stored, which keeps
// every lane in the shuffles and barriers.
//
// A peeled row (the vector width does not divide H, or H is dynamic) starts
// wherever the row stride puts it: its head runs to the first vector-aligned
// column, whole aligned vectors follow, and the head and tail elements form
// one more piece of a single element per lane (the edge). The kernel checks
// that every row operand shares the input's alignment and stride, and runs
// the row one element per lane otherwise.
//
// Between the reduction and the scaling the row stays in registers, in
// dynamic shared memory (each thread reads back only the vectors it wrote, so
// no barrier is needed) or is streamed from memory again, as the schedule
// says.
//
// A row split over a cluster (blocks_per_row > 1) gives block r of the
// cluster the columns [r * S, (r + 1) * S) of S = H / blocks_per_row. Each
// block reduces its slice, puts the result in its shared memory, and after a
// cluster barrier every thread combines all blocks' results in rank order
// (so every block gets bit-identical sums and scales) through distributed
// shared memory. A last cluster barrier keeps every block's shared memory
// alive until the others have read it.
//
//===----------------------------------------------------------------------===//

#include "RowKernelEmitter.h"
#include "KernelBuilder.h"
#include "QuantizerArith.h"
#include "RowReduction.h"
#include "RowStatistics.h"
#include "TargetHooks.h"

#include "norm/Dialect/Norm/IR/NormOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::norm;

/// The row stride argument of each strided operand (the kernel ABI:
/// pointers, rows, cols, then the strides in stridedOperands() order).
static DenseMap<int, Value> getStrideArguments(gpu::GPUFuncOp func,
                                               const RowKernelSpec &spec) {
  DenseMap<int, Value> strides;
  int64_t first = spec.operands.size() + 2;
  for (auto [position, operand] : llvm::enumerate(spec.stridedOperands()))
    strides[operand] = func.getArgument(first + position);
  return strides;
}

namespace {
/// Consecutive elements of the row that one thread handles at once.
struct Piece {
  /// Chunk index (i64), or null for the edge of a peeled row.
  Value k;
  /// First column (i64).
  Value column;
  /// Whether the piece lies in the row; null when it always does.
  Value valid;
  int64_t width = 1;
  /// Whether row operands (the first) and per-column operands (the second)
  /// may be accessed with the vector's alignment, else the element's.
  bool alignedRows = true, alignedColumns = true;
  /// Key in the register caches: the constant chunk index, or kEdgeKey.
  std::optional<int64_t> key;
};
constexpr int64_t kEdgeKey = -1;

class RowKernelEmitter {
public:
  /// Emits `rowPlan`, one body of `plan`, with `hooks` for the vendor-only
  /// IR; a peeled one only runs where the caller has checked that the row
  /// operands share the input's alignment and stride.
  RowKernelEmitter(gpu::GPUFuncOp func, const KernelPlan &plan,
                   const RowPlan &rowPlan, const KernelTargetHooks &hooks)
      : func(func), spec(plan.spec), rowPlan(rowPlan),
        schedule(rowPlan.schedule), warpSize(plan.warpSize),
        peeled(rowPlan.peeled), hooks(hooks),
        b(func.getLoc(), func.getContext()),
        unrolledChunks(rowPlan.unrolledChunks), ringSlots(rowPlan.ringSlots) {}

  /// Emits the kernel body before the terminator of `block` (or at its end).
  void emit(Block *block);

private:
  Value pointer(int operand) { return func.getArgument(operand); }
  Value stride(int operand) { return strides.lookup(operand); }
  /// Alignment of `piece`'s accesses to `operand`.
  int64_t alignmentOf(int operand, const Piece &piece);

  Value address(int operand, Value elementOffset);
  /// Element offset of `piece` in row operand `operand`.
  Value rowOffset(int operand, const Piece &piece);
  /// Loads `piece` of `operand` at `elementOffset` as f32.
  Value loadPiece(int operand, Value elementOffset, const Piece &piece);
  void storePiece(int operand, Value elementOffset, Value value,
                  const Piece &piece, Value valid);

  /// Chunk k of this thread's row, and the edge of a peeled row.
  Piece chunk(Value k);
  Piece edge();
  /// The row operand the passes read, as f32: the input, or the input plus
  /// the residual (stored to residual_out on the first pass, and read back
  /// from there by later ones). With `deferResidualStore`, the residual_out
  /// store waits in `deferredResidualStores` for storeDeferredResiduals.
  Value loadSource(const Piece &piece, bool firstPass,
                   bool deferResidualStore = false);
  /// Issues the stores loadSource deferred, in the order they were made.
  void storeDeferredResiduals();
  /// The row cached in shared memory: chunk k of this thread's row, in
  /// vectors (i64), and its address.
  Value sharedOffset(Value k);
  Value sharedAddress(const Piece &piece);
  /// `isVolatile`: a load LLVM cannot replace by the value stored (that
  /// would keep the row in registers).
  Value loadShared(const Piece &piece, bool isVolatile = false);
  void storeShared(const Piece &piece, Value value);
  /// Copies this thread's chunks of the input's row to their places in
  /// shared memory asynchronously (16-byte vectors, unrolled chunks) and
  /// waits for them.
  void copyRowToShared();
  Value normalizePiece(const Piece &piece, Value x, Value invRms);
  /// Stores `value` (f32) to row operand `operand`, rounded to its type.
  void storeRow(int operand, const Piece &piece, Value value);
  /// Stores `value`, already of the operand's element type.
  void storeRowAsIs(int operand, const Piece &piece, Value value);
  /// The row value as the quantizer sees it: rounded to the intermediate
  /// type (roundedQuantizerInput; stores the normalized output on the way
  /// when `storeNormalized`), then smoothed and clipped (finishQuantizerInput).
  Value quantizerInput(const Piece &piece, Value y, bool storeNormalized) {
    return finishQuantizerInput(
        piece, roundedQuantizerInput(piece, y, storeNormalized));
  }
  Value roundedQuantizerInput(const Piece &piece, Value y,
                              bool storeNormalized);
  Value finishQuantizerInput(const Piece &piece, Value y);
  /// The codes of the output and how they are made.
  CodeFormat codeFormat() const {
    return {spec.operands[spec.output].elementType, spec.qmax,
            rowPlan.quotientsBounded};
  }
  /// Stores the codes of `x`; `byAddition`: int8 codes by addition.
  void storeQuantized(const Piece &piece, Value x, Value scale,
                      bool byAddition = false);
  Value scaleFromAmax(Value amax) {
    return norm::scaleFromAmax(b, amax, spec.qmax, spec.scaleUb, spec.minScale);
  }
  void storeScale(Value scale, Value groupIndex, Value valid);

  /// Columns of the part of the row this block handles, as a value.
  Value sliceColsValue() {
    return schedule.splitsRows() ? b.i64(schedule.getSliceCols(spec.cols))
                                 : cols;
  }
  /// Emits the row program (before the cluster's final barrier).
  void emitRowProgram();
  /// Emits the program of the row `row`.
  void emitRow();
  /// The block's rows in a loop with a grid stride, each copied into the
  /// ring ahead of its turn.
  void emitRingLoop();
  /// The wait before the first pass reads chunk `c` of a ring row.
  void emitRingWait(int64_t c);
  /// Issues (and commits, as one group) the copy of chunk `c` of the
  /// block's row `rowsAhead` rows after `row` into ring slot `slot`.
  void issueRingChunk(int64_t rowsAhead, int64_t c, Value slot);
  /// Ring slot of chunk `k` of the current row, and the offset (in
  /// vectors) of this thread's vector in slot `slot`.
  Value ringSlot(Value k);
  Value ringOffset(Value slot);

  /// Calls `body` for every chunk of the row (unrolled with constant k when
  /// `unrolledChunks` is set, else in an scf.for), then for the edge of a
  /// peeled row. `body` returns the piece's partial statistic (or null);
  /// they are combined (f32, or packedAmaxType() for HighAndLow).
  Value forEachPiece(Combine kind, function_ref<Value(const Piece &)> body);
  /// The type the quantizer's amax is accumulated in: null for f32, or 4
  /// f16/bf16 (see absMaxOfPiece).
  VectorType packedAmaxType() {
    return getPackedAmaxType(rowPlan.packedAmaxElementType);
  }
  /// Gamma of `piece` as the normalization multiplies by it (f32, with the
  /// weight offset): cached with the row or across a persistent kernel's
  /// rows, else loaded.
  Value gammaOf(const Piece &piece);

  gpu::GPUFuncOp func;
  const RowKernelSpec &spec;
  const RowPlan &rowPlan;
  const RowSchedule &schedule;
  int64_t warpSize;
  bool peeled;
  const KernelTargetHooks &hooks;
  KernelBuilder b;
  /// 1 / scale for each scale value.
  ScaleReciprocals reciprocals;
  /// The row's reductions (set up with the thread's indices).
  std::optional<RowReducer> reducer;

  /// Chunks per thread when the chunk loops are unrolled.
  std::optional<int64_t> unrolledChunks;
  /// Slots of a persistent kernel's row ring (0: none).
  int64_t ringSlots;
  Value threadIndex, lane, rowInBlock, row, rowValid, rows, cols;
  /// A split row: the block's rank in the cluster and its first column.
  Value clusterRank, sliceStart;
  /// A peeled row: the elements before the first aligned column, the whole
  /// vectors that follow, the column after them and the elements of the
  /// edge (head and tail).
  Value head, bodyVectors, tailStart, edgeElements;
  /// The block's rows in dynamic shared memory (row_storage = shared), an
  /// !llvm.ptr<3>.
  Value sharedRows;
  DenseMap<int, Value> strides;
  /// Pieces kept in registers, by key: as loaded (after the residual add)
  /// and as handed to the quantizer. The edge always is.
  DenseMap<int64_t, Value> cachedRow, cachedQuantizerInput;
  /// residual_out stores of pieces kept in registers, issued after the first
  /// pass (see emitRow).
  struct DeferredStore {
    Piece piece;
    Value value;
  };
  SmallVector<DeferredStore> deferredResidualStores;
  /// Gamma loaded with the row (prefetchGammaWith*Row in emitRowProgram),
  /// or once per block, packed, in a persistent kernel (emitRingLoop), by
  /// key.
  DenseMap<int64_t, Value> cachedGamma;
  /// max |x * gamma| over the row, when the plan estimates the amax (NaN where
  /// a finite gamma exceeds kMaxEstimatedGamma; NaN or infinite where the row
  /// or gamma holds a NaN or an infinity).
  Value rowMaxProduct;
  /// Rows streamed through a ring of chunk slots (see emitRingLoop): the
  /// grid's block count and the current row's first slot.
  Value gridBlocks, ringBase;
  /// Whether this is the block's first row (i1), in a persistent kernel.
  Value firstRingRow;
};
} // namespace

int64_t RowKernelEmitter::alignmentOf(int operand, const Piece &piece) {
  Type element = spec.operands[operand].elementType;
  bool aligned = spec.operands[operand].role == OperandRole::Row
                     ? piece.alignedRows
                     : piece.alignedColumns;
  return vectorAlignment(aligned ? piece.width : 1, element);
}

Value RowKernelEmitter::address(int operand, Value elementOffset) {
  auto ptrType = LLVM::LLVMPointerType::get(b.getContext(), 1);
  Type element = b.storageType(spec.operands[operand].elementType);
  return LLVM::GEPOp::create(b, ptrType, element, pointer(operand),
                             ValueRange{elementOffset});
}

Value RowKernelEmitter::rowOffset(int operand, const Piece &piece) {
  return arith::AddIOp::create(
      b, arith::MulIOp::create(b, row, stride(operand)), piece.column);
}

Value RowKernelEmitter::loadPiece(int operand, Value elementOffset,
                                  const Piece &piece) {
  Type element = spec.operands[operand].elementType;
  auto memoryType = VectorType::get({piece.width}, b.storageType(element));
  int64_t alignment = alignmentOf(operand, piece);
  return b.loadIf(piece.valid, piece.width, [&]() -> Value {
    Value loaded = LLVM::LoadOp::create(
        b, memoryType, address(operand, elementOffset), alignment,
        /*isVolatile=*/false,
        /*isNonTemporal=*/rowPlan.nontemporalRows && operand == spec.input);
    if (element.isF32())
      return loaded;
    return arith::ExtFOp::create(b, b.f32Vector(piece.width), loaded);
  });
}

void RowKernelEmitter::storePiece(int operand, Value elementOffset, Value value,
                                  const Piece &piece, Value valid) {
  int64_t alignment = alignmentOf(operand, piece);
  bool nontemporal = rowPlan.nontemporalRows && !rowPlan.evictLastRowLoads &&
                     spec.operands[operand].role == OperandRole::Row;
  b.ifThen(valid, [&] {
    LLVM::StoreOp::create(b, value, address(operand, elementOffset), alignment,
                          /*isVolatile=*/false, nontemporal);
  });
}

Piece RowKernelEmitter::chunk(Value k) {
  Piece piece;
  piece.k = k;
  piece.width = schedule.vectorWidth;
  // Rows are aligned to the vector (the runtime or the peeling check saw to
  // it); per-column operands only when columns start at 0.
  piece.alignedColumns = !peeled;
  Value slot = arith::AddIOp::create(
      b, arith::MulIOp::create(b, k, b.i64(schedule.threadsPerRow)), lane);
  Value local = arith::MulIOp::create(b, slot, b.i64(schedule.vectorWidth));
  piece.column = local;
  if (peeled)
    piece.column = arith::AddIOp::create(b, head, piece.column);
  if (sliceStart)
    piece.column = arith::AddIOp::create(b, sliceStart, piece.column);

  // Chunks statically in the row (slice) need no check: with a static H,
  // every row has at least `minVectors` whole vectors.
  std::optional<int64_t> constantK = getConstantIntValue(k);
  int64_t vec = schedule.vectorWidth;
  int64_t sliceCols = schedule.getSliceCols(spec.cols);
  std::optional<int64_t> minVectors;
  if (spec.cols != ShapedType::kDynamic)
    minVectors = peeled ? std::max<int64_t>(0, sliceCols - (vec - 1)) / vec
                        : sliceCols / vec;
  if (constantK && minVectors &&
      (*constantK + 1) * schedule.threadsPerRow <= *minVectors)
    piece.valid = nullptr;
  else if (peeled)
    piece.valid =
        arith::CmpIOp::create(b, arith::CmpIPredicate::slt, slot, bodyVectors);
  else
    piece.valid = arith::CmpIOp::create(b, arith::CmpIPredicate::slt, local,
                                        sliceColsValue());
  if (constantK)
    piece.key = *constantK;
  return piece;
}

Piece RowKernelEmitter::edge() {
  // Lanes [0, head) take the head's columns, lanes [head, edgeElements) the
  // tail's from tailStart.
  Piece piece;
  piece.width = 1;
  piece.alignedRows = piece.alignedColumns = false;
  Value inHead =
      arith::CmpIOp::create(b, arith::CmpIPredicate::slt, lane, head);
  Value inTail =
      arith::AddIOp::create(b, arith::SubIOp::create(b, lane, head), tailStart);
  piece.column = arith::SelectOp::create(b, inHead, lane, inTail);
  piece.valid =
      arith::CmpIOp::create(b, arith::CmpIPredicate::slt, lane, edgeElements);
  piece.key = kEdgeKey;
  return piece;
}

Value RowKernelEmitter::loadSource(const Piece &piece, bool firstPass,
                                   bool deferResidualStore) {
  if (spec.residual >= 0) {
    Type residualType = spec.operands[spec.residualOut].elementType;
    if (!firstPass) {
      // Later passes read back the rounded sum this thread stored.
      return loadPiece(spec.residualOut, rowOffset(spec.residualOut, piece),
                       piece);
    }
    Value sum = arith::AddFOp::create(
        b, loadPiece(spec.input, rowOffset(spec.input, piece), piece),
        loadPiece(spec.residual, rowOffset(spec.residual, piece), piece));
    Value stored = sum;
    if (!residualType.isF32())
      stored = arith::TruncFOp::create(
          b, VectorType::get({piece.width}, residualType), sum);
    if (deferResidualStore)
      deferredResidualStores.push_back({piece, stored});
    else
      storeRowAsIs(spec.residualOut, piece, stored);
    // Normalize the value as rounded to the residual's type.
    if (residualType.isF32())
      return sum;
    return arith::ExtFOp::create(b, b.f32Vector(piece.width), stored);
  }

  return loadPiece(spec.input, rowOffset(spec.input, piece), piece);
}

void RowKernelEmitter::storeDeferredResiduals() {
  for (const DeferredStore &store : deferredResidualStores)
    storeRowAsIs(spec.residualOut, store.piece, store.value);
  deferredResidualStores.clear();
}

Value RowKernelEmitter::ringOffset(Value slot) {
  return arith::AddIOp::create(
      b, arith::MulIOp::create(b, slot, b.i64(schedule.threadsPerRow)), lane);
}

Value RowKernelEmitter::sharedOffset(Value k) {
  if (ringBase)
    return ringOffset(ringSlot(k));
  // In vectors: the row's, then this thread's chunk k (laid out as slots).
  return arith::AddIOp::create(
      b,
      arith::MulIOp::create(
          b, rowInBlock,
          b.i64(schedule.getSliceCols(spec.cols) / schedule.vectorWidth)),
      ringOffset(k));
}

Value RowKernelEmitter::sharedAddress(const Piece &piece) {
  auto vectorType = VectorType::get({piece.width}, spec.cachedElementType);
  return LLVM::GEPOp::create(b, sharedRows.getType(), vectorType, sharedRows,
                             ValueRange{sharedOffset(piece.k)});
}

Value RowKernelEmitter::loadShared(const Piece &piece, bool isVolatile) {
  Type element = spec.cachedElementType;
  int64_t alignment = vectorAlignment(piece.width, element);
  return b.loadIf(piece.valid, piece.width, [&]() -> Value {
    Value loaded =
        LLVM::LoadOp::create(b, VectorType::get({piece.width}, element),
                             sharedAddress(piece), alignment, isVolatile);
    if (element.isF32())
      return loaded;
    return arith::ExtFOp::create(b, b.f32Vector(piece.width), loaded);
  });
}

void RowKernelEmitter::storeShared(const Piece &piece, Value value) {
  Type element = spec.cachedElementType;
  int64_t alignment = vectorAlignment(piece.width, element);
  // Exact: the value came from (or was rounded to) this type.
  if (!element.isF32())
    value = arith::TruncFOp::create(b, VectorType::get({piece.width}, element),
                                    value);
  // Columns past H would spill into the next row's (or past the) buffer.
  b.ifThen(piece.valid, [&] {
    LLVM::StoreOp::create(b, value, sharedAddress(piece), alignment);
  });
}

void RowKernelEmitter::copyRowToShared() {
  for (int64_t k = 0; k < *unrolledChunks; ++k) {
    Piece piece = chunk(b.i64(k));
    // Columns past H would spill into the next row's (or past the) buffer;
    // loadShared reads zeros there.
    b.ifThen(piece.valid, [&] {
      hooks.copyAsync16(b, sharedAddress(piece),
                        address(spec.input, rowOffset(spec.input, piece)));
    });
  }
  hooks.commitAsyncCopies(b);
  // Each thread reads back only the vectors it copied: no barrier.
  hooks.waitAsyncCopies(b, 0);
}

Value RowKernelEmitter::forEachPiece(Combine kind,
                                     function_ref<Value(const Piece &)> body) {
  Value acc = identity(b, kind, packedAmaxType());
  if (unrolledChunks) {
    for (int64_t k = 0; k < *unrolledChunks; ++k)
      if (Value partial = body(chunk(b.i64(k))))
        acc = combine(b, kind, acc, partial);
  } else {
    // Chunk count from the run-time H.
    Value vectors = peeled
                        ? bodyVectors
                        : arith::DivUIOp::create(b, sliceColsValue(),
                                                 b.i64(schedule.vectorWidth));
    Value chunks = arith::DivUIOp::create(
        b, arith::AddIOp::create(b, vectors, b.i64(schedule.threadsPerRow - 1)),
        b.i64(schedule.threadsPerRow));
    Value upper = arith::IndexCastOp::create(b, b.getIndexType(), chunks);
    Value zero = arith::ConstantIndexOp::create(b, 0);
    Value one = arith::ConstantIndexOp::create(b, 1);
    auto loop = scf::ForOp::create(b, zero, upper, one, ValueRange{acc});
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      Value k =
          arith::IndexCastOp::create(b, b.getI64Type(), loop.getInductionVar());
      Value next = loop.getRegionIterArg(0);
      if (Value partial = body(chunk(k)))
        next = combine(b, kind, next, partial);
      scf::YieldOp::create(b, next);
    }
    acc = loop.getResult(0);
  }
  if (peeled)
    if (Value partial = body(edge()))
      acc = combine(b, kind, acc, partial);
  return acc;
}

Value RowKernelEmitter::normalizePiece(const Piece &piece, Value x,
                                       Value invRms) {
  Value y = arith::MulFOp::create(b, x, b.splat(invRms, piece.width));
  if (spec.gamma >= 0) {
    // normalized_type: round y as the unfused chain stored it before its
    // narrow multiply by gamma. The f32 product below of two f16/bf16
    // values is exact, so rounding it once to the output type gives what
    // that narrow multiply gives.
    if (spec.normalizedType && !spec.normalizedType.isF32()) {
      Value rounded = arith::TruncFOp::create(
          b, VectorType::get({piece.width}, spec.normalizedType), y);
      y = arith::ExtFOp::create(b, b.f32Vector(piece.width), rounded);
    }
    y = arith::MulFOp::create(b, y, gammaOf(piece));
  }
  return y;
}

void RowKernelEmitter::storeRowAsIs(int operand, const Piece &piece,
                                    Value value) {
  storePiece(operand, rowOffset(operand, piece), value, piece,
             b.both(piece.valid, rowValid));
}

void RowKernelEmitter::storeRow(int operand, const Piece &piece, Value value) {
  Type type = spec.operands[operand].elementType;
  if (!type.isF32())
    value =
        arith::TruncFOp::create(b, VectorType::get({piece.width}, type), value);
  storeRowAsIs(operand, piece, value);
}

Value RowKernelEmitter::roundedQuantizerInput(const Piece &piece, Value y,
                                              bool storeNormalized) {
  bool storeY = storeNormalized && spec.normalizedOut >= 0;
  if (spec.intermediateType && !spec.intermediateType.isF32()) {
    // Round as the unfused chain stored the value, so that fusing does not
    // change the codes or the scales.
    Value rounded = arith::TruncFOp::create(
        b, VectorType::get({piece.width}, spec.intermediateType), y);
    if (storeY && spec.operands[spec.normalizedOut].elementType ==
                      spec.intermediateType) {
      storeRowAsIs(spec.normalizedOut, piece, rounded);
      storeY = false;
    }
    y = arith::ExtFOp::create(b, b.f32Vector(piece.width), rounded);
  }
  if (storeY)
    storeRow(spec.normalizedOut, piece, y);
  return y;
}

Value RowKernelEmitter::finishQuantizerInput(const Piece &piece, Value y) {
  if (spec.smooth >= 0)
    y = arith::MulFOp::create(b, y,
                              loadPiece(spec.smooth, piece.column, piece));
  if (spec.clip) {
    y = arith::MaximumFOp::create(b, y,
                                  b.splat(b.f32(-*spec.clip), piece.width));
    y = arith::MinimumFOp::create(b, y,
                                  b.splat(b.f32(*spec.clip), piece.width));
  }
  return y;
}

void RowKernelEmitter::storeScale(Value scale, Value groupIndex, Value valid) {
  Value scaleStride = stride(spec.scales);
  Value offset;
  if (spec.scheme == QuantScheme::PerGroup &&
      spec.scaleLayout == ScaleLayout::ColMajor)
    offset = arith::AddIOp::create(
        b, arith::MulIOp::create(b, groupIndex, scaleStride), row);
  else
    offset = arith::AddIOp::create(
        b, arith::MulIOp::create(b, row, scaleStride), groupIndex);
  b.ifThen(valid, [&] {
    LLVM::StoreOp::create(b, scale, address(spec.scales, offset), 4);
  });
}

Value RowKernelEmitter::gammaOf(const Piece &piece) {
  Value gamma = piece.key ? cachedGamma.lookup(*piece.key) : Value();
  if (gamma && ringBase) {
    // Gamma stays packed across the row loop: LLVM would hoist its
    // widening out of the loop (twice the registers, spilled). An opaque
    // move that depends on the row keeps the widening in the loop.
    int64_t words = piece.width / 2;
    auto wordsType = VectorType::get({words}, b.getI32Type());
    Value packed = vector::BitCastOp::create(b, wordsType, gamma);
    Value laundered = arith::ConstantOp::create(b, b.getZeroAttr(wordsType));
    for (int64_t w = 0; w < words; ++w) {
      Value word = vector::ExtractOp::create(b, packed, ArrayRef<int64_t>{w});
      laundered = vector::InsertOp::create(b, hooks.opaqueMove(b, word, row),
                                           laundered, ArrayRef<int64_t>{w});
    }
    gamma = arith::ExtFOp::create(
        b, b.f32Vector(piece.width),
        vector::BitCastOp::create(b, cast<VectorType>(gamma.getType()),
                                  laundered)
            .getResult());
  }
  if (!gamma)
    gamma = loadPiece(spec.gamma, piece.column, piece);
  if (spec.weightOffset != 0.0)
    gamma = arith::AddFOp::create(
        b, gamma, b.splat(b.f32(spec.weightOffset), piece.width));
  return gamma;
}

void RowKernelEmitter::storeQuantized(const Piece &piece, Value x, Value scale,
                                      bool byAddition) {
  storePiece(spec.output, rowOffset(spec.output, piece),
             quantizedBits(b, x, scale, reciprocals.of(b, scale), codeFormat(),
                           byAddition),
             piece, b.both(piece.valid, rowValid));
}

void RowKernelEmitter::emit(Block *block) {
  if (!block->empty() && block->back().hasTrait<OpTrait::IsTerminator>())
    b.setInsertionPoint(&block->back());
  else
    b.setInsertionPointToEnd(block);
  emitRowProgram();
  if (reducer && reducer->arrivedAtFinalClusterBarrier())
    hooks.clusterWait(b);
}

void RowKernelEmitter::emitRowProgram() {
  int64_t numPointers = spec.operands.size();
  rows = func.getArgument(numPointers);
  cols = spec.cols == ShapedType::kDynamic ? func.getArgument(numPointers + 1)
                                           : b.i64(spec.cols);
  strides = getStrideArguments(func, spec);

  Value tid = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
  Value bid = gpu::BlockIdOp::create(b, gpu::Dimension::x);
  threadIndex = arith::IndexCastOp::create(b, b.getI64Type(), tid);
  Value block64 = arith::IndexCastOp::create(b, b.getI64Type(), bid);
  lane = arith::RemUIOp::create(b, threadIndex, b.i64(schedule.threadsPerRow));
  rowInBlock =
      arith::DivUIOp::create(b, threadIndex, b.i64(schedule.threadsPerRow));
  reducer.emplace(func, hooks, schedule, warpSize, threadIndex, rowInBlock);
  if (schedule.splitsRows()) {
    // Clusters are consecutive blocks along x: the block's rank in its
    // cluster is its index modulo the cluster size.
    clusterRank =
        arith::RemUIOp::create(b, block64, b.i64(schedule.blocksPerRow));
    sliceStart = arith::MulIOp::create(b, clusterRank,
                                       b.i64(schedule.getSliceCols(spec.cols)));
    block64 = arith::DivUIOp::create(b, block64, b.i64(schedule.blocksPerRow));
  }
  if (rowPlan.sharedRows) {
    // Dynamic shared memory as an external zero-sized array (CUDA's and
    // HIP's `extern __shared__`), which the assemblers place after every
    // static shared variable. gpu.dynamic_shared_memory lowers to an
    // internal one that LLVM may demote into the kernel, where ptxas may lay
    // static buffers (the reductions', the cluster's) over the row.
    sharedRows = b.sharedArray(func->getParentOfType<gpu::GPUModuleOp>(),
                               "norm_dynamic_shared_memory",
                               LLVM::LLVMArrayType::get(b.getI8Type(), 0),
                               LLVM::Linkage::External, /*alignment=*/16);
  }
  if (rowPlan.evictLastRowLoads)
    func->setAttr(NormDialect::getRowCachePolicyAttrName(),
                  b.getStringAttr(
                      stringifyRowCachePolicy(RowCachePolicy::EvictLastLoads)));
  if (ringSlots) {
    emitRingLoop();
    return;
  }

  Value logicalRow = arith::AddIOp::create(
      b, arith::MulIOp::create(b, block64, b.i64(schedule.rowsPerBlock)),
      rowInBlock);
  rowValid =
      arith::CmpIOp::create(b, arith::CmpIPredicate::slt, logicalRow, rows);
  // Threads past the last row work on the last row and store nothing.
  row = arith::SelectOp::create(b, rowValid, logicalRow,
                                arith::SubIOp::create(b, rows, b.i64(1)));
  emitRow();
}

Value RowKernelEmitter::ringSlot(Value k) {
  Value slot = arith::AddIOp::create(b, ringBase, k);
  Value wraps = arith::CmpIOp::create(b, arith::CmpIPredicate::sge, slot,
                                      b.i64(ringSlots));
  return arith::SelectOp::create(
      b, wraps, arith::SubIOp::create(b, slot, b.i64(ringSlots)), slot);
}

void RowKernelEmitter::issueRingChunk(int64_t rowsAhead, int64_t c,
                                      Value slot) {
  Value targetRow = arith::AddIOp::create(
      b, row, arith::MulIOp::create(b, gridBlocks, b.i64(rowsAhead)));
  Value exists =
      arith::CmpIOp::create(b, arith::CmpIPredicate::slt, targetRow, rows);
  b.ifThen(exists, [&] {
    Value offset = arith::AddIOp::create(
        b, arith::MulIOp::create(b, targetRow, stride(spec.input)),
        chunk(b.i64(c)).column);
    auto vectorType =
        VectorType::get({schedule.vectorWidth}, spec.cachedElementType);
    Value shared =
        LLVM::GEPOp::create(b, sharedRows.getType(), vectorType, sharedRows,
                            ValueRange{ringOffset(slot)});
    hooks.copyAsync16(b, shared, address(spec.input, offset));
  });
  // Committed even when empty, so that the groups stay one per chunk of
  // the stream (see emitRingLoop).
  hooks.commitAsyncCopies(b);
}

void RowKernelEmitter::emitRingLoop() {
  // The block's rows are bid, bid + grid, ...; their chunks form one stream,
  // chunk g (row g / C, chunk g % C) living in slot g % S of S slots. Chunk
  // g + S is copied as soon as the last pass has read chunk g (each thread
  // copies and reads only its own vectors, so no barrier guards a slot), so
  // that S - C chunks of the next row arrive while this one is reduced and
  // quantized. Every copy is its own cp.async group, committed in stream
  // order, so a row is complete once at most S - C groups are pending: one
  // wait per row (waiting per chunk, at most S - 1 - c groups pending
  // before chunk c, was no faster [persistent-ring]). The block's first row is
  // different: nothing overlaps its load, so the prologue copies it alone, and
  // its first pass waits chunk by chunk; the chunks C .. S - 1 of the stream
  // are copied once it has arrived (see emitRingWait).
  int64_t chunks = *unrolledChunks;
  Value bid = arith::IndexCastOp::create(
      b, b.getI64Type(), gpu::BlockIdOp::create(b, gpu::Dimension::x));
  gridBlocks = arith::IndexCastOp::create(
      b, b.getI64Type(), gpu::GridDimOp::create(b, gpu::Dimension::x));
  row = bid;
  // Gamma once per block, kept packed (see normalizePiece): every row
  // read it from L2 before, as many bytes as the row itself.
  Type gammaType = spec.operands[spec.gamma].elementType;
  for (int64_t k = 0; k < chunks; ++k) {
    Piece piece = chunk(b.i64(k));
    cachedGamma[k] = LLVM::LoadOp::create(
        b, VectorType::get({piece.width}, gammaType),
        address(spec.gamma, piece.column), alignmentOf(spec.gamma, piece));
  }
  for (int64_t c = 0; c < chunks; ++c)
    issueRingChunk(/*rowsAhead=*/0, c, b.i64(c));

  // ceil((rows - bid) / grid) rows, none for blocks past the last row.
  Value remaining = arith::SubIOp::create(b, rows, bid);
  Value count = arith::DivSIOp::create(
      b,
      arith::AddIOp::create(b, remaining,
                            arith::SubIOp::create(b, gridBlocks, b.i64(1))),
      gridBlocks);
  count = arith::MaxSIOp::create(b, count, b.i64(0));
  Value zero = arith::ConstantIndexOp::create(b, 0);
  Value one = arith::ConstantIndexOp::create(b, 1);
  auto loop = scf::ForOp::create(
      b, zero, arith::IndexCastOp::create(b, b.getIndexType(), count), one);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(loop.getBody()->getTerminator());
  Value i =
      arith::IndexCastOp::create(b, b.getI64Type(), loop.getInductionVar());
  row = arith::AddIOp::create(b, bid, arith::MulIOp::create(b, i, gridBlocks));
  // Every row of the loop exists: rowValid stays null. Each row makes two
  // block reductions (the sum of squares, the amax) with their own buffers,
  // so the barrier of one keeps the next row's writes to the other's
  // buffer after this row's reads.
  assert(spec.normalize && spec.scheme == QuantScheme::PerToken &&
         "a ring row makes two block reductions");
  ringBase = arith::RemUIOp::create(
      b, arith::MulIOp::create(b, i, b.i64(chunks)), b.i64(ringSlots));
  firstRingRow =
      arith::CmpIOp::create(b, arith::CmpIPredicate::eq, i, b.i64(0));
  emitRow();
}

void RowKernelEmitter::emitRingWait(int64_t c) {
  int64_t chunks = *unrolledChunks;
  // The block's first row: the prologue committed its C chunks alone, so
  // chunk c is in once at most C - 1 - c groups are pending. Once the whole
  // row is, the stream's chunks C .. S - 1 (the next row's first S - C) are
  // copied, after it rather than with it: the first row arrives sooner, and
  // they arrive while it is reduced [persistent-ring].
  auto first = scf::IfOp::create(b, firstRingRow, /*withElseRegion=*/c == 0);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(first.thenBlock()->getTerminator());
  hooks.waitAsyncCopies(b, chunks - 1 - c);
  if (c == chunks - 1)
    for (int64_t g = chunks; g < ringSlots; ++g)
      issueRingChunk(g / chunks, g % chunks, b.i64(g));
  // Any later row: its chunks are complete once at most the S - C groups
  // committed after its last chunk are pending (the stream's chunks up to
  // S further on were all committed by then).
  if (c == 0) {
    b.setInsertionPoint(first.elseBlock()->getTerminator());
    hooks.waitAsyncCopies(b, ringSlots - chunks);
  }
}

void RowKernelEmitter::emitRow() {
  if (peeled) {
    // The input's row starts `misalignment` elements past an aligned column
    // (its base is aligned), and so does every row operand's.
    int64_t vec = schedule.vectorWidth;
    Value misalignment = arith::AndIOp::create(
        b, arith::MulIOp::create(b, row, stride(spec.input)), b.i64(vec - 1));
    head = arith::AndIOp::create(
        b, arith::SubIOp::create(b, b.i64(vec), misalignment), b.i64(vec - 1));
    head = arith::MinSIOp::create(b, head, cols);
    bodyVectors = arith::DivUIOp::create(
        b, arith::SubIOp::create(b, cols, head), b.i64(vec));
    Value bodyElements = arith::MulIOp::create(b, bodyVectors, b.i64(vec));
    tailStart = arith::AddIOp::create(b, head, bodyElements);
    edgeElements = arith::SubIOp::create(b, cols, bodyElements);
  }

  // The first pass over the row; cached pieces are reused by later passes.
  // Pieces kept in registers: every chunk of a cached row, and the edge.
  auto keptInRegisters = [&](const Piece &piece) {
    return piece.key && (rowPlan.cacheRowInRegisters || *piece.key == kEdgeKey);
  };
  bool rowCopied = false;
  auto source = [&](const Piece &piece, bool firstPass) -> Value {
    bool inRegisters = keptInRegisters(piece);
    if (sharedRows && !inRegisters) {
      if (!firstPass)
        return loadShared(piece);
      Value x;
      if (ringBase) {
        emitRingWait(*piece.key);
        x = loadShared(piece);
      } else if (rowPlan.copyRowAsync) {
        if (!rowCopied) {
          copyRowToShared();
          rowCopied = true;
        }
        x = loadShared(piece);
      } else {
        // residual_out stored after the pass's last load (see below)
        // [deferred-residual-stores].
        x = loadSource(piece, /*firstPass=*/true,
                       /*deferResidualStore=*/spec.normalize &&
                           unrolledChunks.has_value());
        storeShared(piece, x);
      }
      // A block alone on its SM has all its warps in the same phase:
      // gamma read after the reduction would stall every one of them on L2
      // at once; loaded with the row, it arrives during the reduction
      // [gamma-with-shared-row].
      if (rowPlan.prefetchGammaWithSharedRow)
        cachedGamma[*piece.key] = loadPiece(spec.gamma, piece.column, piece);
      return x;
    }
    if (inRegisters) {
      auto it = cachedRow.find(*piece.key);
      if (it != cachedRow.end())
        return it->second;
      Value x = loadSource(piece, /*firstPass=*/true,
                           /*deferResidualStore=*/spec.normalize);
      cachedRow[*piece.key] = x;
      // Gamma with a short row, where the plan says so
      // [gamma-with-register-row].
      if (rowPlan.prefetchGammaWithRegisterRow)
        cachedGamma[*piece.key] = loadPiece(spec.gamma, piece.column, piece);
      return x;
    }
    return loadSource(piece, firstPass);
  };

  // Normalization: sum of squares, then scale every element.
  Value invRms;
  if (spec.normalize) {
    Value sum = forEachPiece(Combine::Add, [&](const Piece &piece) -> Value {
      return sumOfSquares(b, source(piece, /*firstPass=*/true));
    });
    // The residual_out stores of a row kept in registers (or cached in
    // shared memory in unrolled chunks) come after all its loads: PTX carries
    // no aliasing information, so ptxas keeps every load behind every earlier
    // store and each chunk would wait a memory round trip for the previous one
    // [deferred-residual-stores].
    storeDeferredResiduals();
    // The first pass's statistics for the amax estimate (estimatedAmax), read
    // back from where the row is kept once all its loads are issued: gamma
    // with the row would cost registers, hence blocks per SM.
    Value maxProduct, maxGamma;
    if (rowPlan.estimatesRowAmax) {
      bool boundsGamma = rowPlan.estimateBoundsGamma;
      auto accumulate = [&](Value acc, Value v) -> Value {
        return acc ? combine(b, Combine::Max, acc, v) : v;
      };
      // Unrolled chunks: the maxima accumulate in straight-line code.
      assert(unrolledChunks && "the estimate's maxima need unrolled chunks");
      forEachPiece(Combine::Add, [&](const Piece &piece) -> Value {
        Value gamma = gammaOf(piece);
        Value x = keptInRegisters(piece)
                      ? source(piece, /*firstPass=*/false)
                      : loadShared(piece, /*isVolatile=*/true);
        maxProduct = accumulate(
            maxProduct, absMaxF32(b, arith::MulFOp::create(b, x, gamma)));
        if (boundsGamma)
          maxGamma = accumulate(
              maxGamma,
              absMaxOfGamma(b, gamma, spec.operands[spec.gamma].elementType,
                            rowPlan.packedGammaMax));
        return nullptr;
      });
    }
    // The amax of a split row, if any, makes the last exchange.
    bool lastExchange = !llvm::any_of(
        ArrayRef(rowPlan.reductions).drop_front(),
        [](const RowReduction &reduction) { return reduction.overCluster; });
    if (maxProduct) {
      // A gamma beyond the estimate's bound makes it NaN (not exact).
      if (maxGamma) {
        Value gammaBounded = arith::CmpFOp::create(
            b, arith::CmpFPredicate::OLE, maxGamma, b.f32(kMaxEstimatedGamma));
        maxProduct = arith::SelectOp::create(
            b, gammaBounded, maxProduct,
            b.f32(std::numeric_limits<double>::quiet_NaN()));
      }
      SmallVector<Value> reduced = reducer->reduceRow(
          b, {sum, maxProduct}, {Combine::Add, Combine::Max}, lastExchange);
      sum = reduced[0];
      rowMaxProduct = reduced[1];
    } else {
      sum = reducer->reduceRow(b, sum, Combine::Add, lastExchange);
    }
    Value colsF32 = arith::SIToFPOp::create(b, b.getF32Type(), cols);
    Value meanSquare = arith::DivFOp::create(b, sum, colsF32);
    invRms = math::RsqrtOp::create(
        b, arith::AddFOp::create(b, meanSquare, b.f32(spec.epsilon)));
  }
  // The value handed to the quantizer or stored: normalized when asked.
  auto value = [&](const Piece &piece, bool firstPass) -> Value {
    Value x = source(piece, firstPass);
    return spec.normalize ? normalizePiece(piece, x, invRms) : x;
  };
  // Whether `value` of the first pass over the row has run already.
  bool readRowOnce = spec.normalize;
  assert(deferredResidualStores.empty() &&
         "residual_out stores are deferred only to the end of the first pass");

  if (!spec.quantize) {
    forEachPiece(Combine::Add, [&](const Piece &piece) -> Value {
      storeRow(spec.output, piece, value(piece, /*firstPass=*/!readRowOnce));
      return nullptr;
    });
    return;
  }

  // A row cached in shared memory may hold the rounded quantizer input in
  // place of the row after the first quantizer pass (see the plan).
  bool cacheRoundedInShared = rowPlan.cacheRoundedInShared;
  // The quantizer's view of a piece, computed once per piece when the piece
  // is kept in registers. The first quantizer pass over the row
  // (`storeNormalized`) also writes the normalized output.
  auto quantized = [&](const Piece &piece, bool storeNormalized) -> Value {
    bool inRegisters = keptInRegisters(piece);
    if (inRegisters) {
      auto it = cachedQuantizerInput.find(*piece.key);
      if (it != cachedQuantizerInput.end())
        return it->second;
    }
    if (cacheRoundedInShared && !inRegisters) {
      // Each thread reads back only what it wrote: no barrier.
      if (!storeNormalized)
        return finishQuantizerInput(piece, loadShared(piece));
      Value rounded = roundedQuantizerInput(
          piece, value(piece, /*firstPass=*/!readRowOnce), storeNormalized);
      storeShared(piece, rounded);
      return finishQuantizerInput(piece, rounded);
    }
    Value x = quantizerInput(
        piece, value(piece, /*firstPass=*/storeNormalized && !readRowOnce),
        storeNormalized);
    if (inRegisters)
      cachedQuantizerInput[*piece.key] = x;
    return x;
  };

  // The thread that stores the row's scale (in the cluster's first block).
  Value isLeader =
      arith::CmpIOp::create(b, arith::CmpIPredicate::eq, lane, b.i64(0));
  if (clusterRank)
    isLeader =
        b.both(isLeader, arith::CmpIOp::create(b, arith::CmpIPredicate::eq,
                                               clusterRank, b.i64(0)));
  switch (spec.scheme) {
  case QuantScheme::Static: {
    Value scale = LLVM::LoadOp::create(b, b.getF32Type(),
                                       address(spec.scale, b.i64(0)), 4);
    forEachPiece(Combine::Add, [&](const Piece &piece) -> Value {
      storeQuantized(piece, quantized(piece, /*storeNormalized=*/true), scale);
      return nullptr;
    });
    return;
  }
  case QuantScheme::PerToken: {
    auto amaxPass = [&]() -> Value {
      Value amax = forEachPiece(
          packedAmaxType() ? Combine::HighAndLow : Combine::Max,
          [&](const Piece &piece) -> Value {
            return absMaxOfPiece(b, quantized(piece, /*storeNormalized=*/true),
                                 packedAmaxType());
          });
      return reducer->reduceRow(b, amaxAsF32(b, amax), Combine::Max);
    };
    Value rowAmax;
    if (rowMaxProduct) {
      // The amax pass and its cluster exchange only where the estimate
      // cannot tell the amax (uniform over the cluster: every block has the
      // same sums).
      auto [estimate, exact] =
          estimatedAmax(b, rowMaxProduct, invRms, spec.intermediateType);
      auto ifOp = scf::IfOp::create(b, TypeRange{b.getF32Type()}, exact,
                                    /*withElseRegion=*/true);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(ifOp.thenBlock());
      reducer->arriveAtFinalClusterBarrier(b);
      scf::YieldOp::create(b, estimate);
      b.setInsertionPointToStart(ifOp.elseBlock());
      // Quantizer inputs computed in the branch do not dominate the codes
      // pass.
      DenseMap<int64_t, Value> quantizerInputs = cachedQuantizerInput;
      scf::YieldOp::create(b, amaxPass());
      cachedQuantizerInput = std::move(quantizerInputs);
      b.setInsertionPointAfter(ifOp);
      rowAmax = ifOp.getResult(0);
    } else {
      rowAmax = amaxPass();
    }
    Value scale = scaleFromAmax(rowAmax);
    storeScale(scale, b.i64(0), b.both(isLeader, rowValid));
    auto codesPass = [&](bool byAddition) {
      forEachPiece(Combine::Add, [&](const Piece &piece) -> Value {
        storeQuantized(piece, quantized(piece, /*storeNormalized=*/false),
                       scale, byAddition);
        // The slot is free: the stream's chunk S further on goes there.
        // This thread read it above (program order: the copy cannot land
        // before the read).
        if (ringBase) {
          int64_t next = *piece.key + ringSlots;
          issueRingChunk(next / *unrolledChunks, next % *unrolledChunks,
                         ringSlot(piece.k));
        }
        return nullptr;
      });
    };
    // int8 codes by addition: where no quotient can be NaN or infinite (a
    // finite amax bounds them), the low bytes of q + 1.5 * 2^23, whose f32
    // addition rounds q to the nearest integer, ties to even, into the low
    // mantissa bits; the codes are stored packed (8-byte vectors), never as
    // single bytes. A row with a NaN or infinite value takes cvt.rni (NaN
    // to 0).
    if (rowPlan.int8CodesByAddition) {
      Value finite =
          arith::CmpFOp::create(b, arith::CmpFPredicate::OLT, rowAmax,
                                b.f32(std::numeric_limits<double>::infinity()));
      auto ifOp = scf::IfOp::create(b, finite, /*withElseRegion=*/true);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPoint(ifOp.thenBlock()->getTerminator());
      codesPass(true);
      b.setInsertionPoint(ifOp.elseBlock()->getTerminator());
      codesPass(false);
      return;
    }
    codesPass(false);
    return;
  }
  case QuantScheme::PerGroup: {
    // A group is `groupSize / vectorWidth` consecutive lanes of one chunk:
    // its amax is a shuffle reduction over those lanes alone. Rows are never
    // peeled (H is a multiple of the group).
    int64_t lanesPerGroup = rowPlan.reductions.back().lanesPerGroup;
    forEachPiece(Combine::Add, [&](const Piece &piece) -> Value {
      Value x = quantized(piece, /*storeNormalized=*/true);
      Value amax = amaxAsF32(b, absMaxOfPiece(b, x, packedAmaxType()));
      Value scale = scaleFromAmax(
          reduceLanes(b, amax, lanesPerGroup, warpSize, Combine::Max));
      Value groupLeader = arith::CmpIOp::create(
          b, arith::CmpIPredicate::eq,
          arith::RemUIOp::create(b, lane, b.i64(lanesPerGroup)), b.i64(0));
      Value group =
          arith::DivUIOp::create(b, piece.column, b.i64(spec.groupSize));
      storeScale(scale, group,
                 b.both(b.both(groupLeader, piece.valid), rowValid));
      storeQuantized(piece, x, scale);
      return nullptr;
    });
    return;
  }
  }
}

/// Whether every row operand of a peeled kernel shares the input's
/// alignment to the vector and its row stride, so that one head serves them
/// all. Uniform over the grid, so both sides of the branch may use
/// barriers.
static Value rowsShareAlignment(KernelBuilder &b, gpu::GPUFuncOp func,
                                const RowKernelSpec &spec,
                                const RowSchedule &schedule) {
  DenseMap<int, Value> strides = getStrideArguments(func, spec);
  Value inputStride = strides.lookup(spec.input);
  Value shared = arith::ConstantOp::create(b, b.getBoolAttr(true));
  for (int operand : spec.stridedOperands()) {
    const KernelOperand &kernelOperand = spec.operands[operand];
    if (kernelOperand.role != OperandRole::Row)
      continue;
    int64_t alignment =
        vectorAlignment(schedule.vectorWidth, kernelOperand.elementType);
    Value address =
        LLVM::PtrToIntOp::create(b, b.getI64Type(), func.getArgument(operand));
    Value offset = arith::AndIOp::create(b, address, b.i64(alignment - 1));
    shared = arith::AndIOp::create(
        b, shared,
        arith::CmpIOp::create(b, arith::CmpIPredicate::eq, offset, b.i64(0)));
    if (operand != spec.input)
      shared = arith::AndIOp::create(
          b, shared,
          arith::CmpIOp::create(b, arith::CmpIPredicate::eq,
                                strides.lookup(operand), inputStride));
  }
  return shared;
}

void mlir::norm::emitRowKernelBody(gpu::GPUFuncOp func, const KernelPlan &plan,
                                   const KernelTargetHooks &hooks) {
  Block &entry = func.getBody().front();
  if (!plan.unalignedRows) {
    RowKernelEmitter(func, plan, plan.rows, hooks).emit(&entry);
    return;
  }
  // Rows whose operands disagree on the alignment (strided views, offset
  // pointers) go one element per lane.
  KernelBuilder b(func.getLoc(), func.getContext());
  b.setInsertionPointToEnd(&entry);
  auto ifOp = scf::IfOp::create(
      b, rowsShareAlignment(b, func, plan.spec, plan.rows.schedule),
      /*withElseRegion=*/true);
  RowKernelEmitter(func, plan, plan.rows, hooks).emit(ifOp.thenBlock());
  RowKernelEmitter(func, plan, *plan.unalignedRows, hooks)
      .emit(ifOp.elseBlock());
}
