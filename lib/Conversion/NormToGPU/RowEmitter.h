//===- RowEmitter.h - the emitter of a row kernel's body -------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
// The class that writes one body of a row kernel from its plan. Its parts
// live by concern: RowKernelEmitter.cpp (the row program: the passes over a
// row each op needs), RowAccess.cpp (pieces of a row and their loads and
// stores, where the row is kept), RowRing.cpp (the persistent kernel's ring).
//
//===----------------------------------------------------------------------===//

#ifndef NORM_LIB_CONVERSION_NORMTOGPU_ROWEMITTER_H
#define NORM_LIB_CONVERSION_NORMTOGPU_ROWEMITTER_H

#include "KernelBuilder.h"
#include "QuantizerArith.h"
#include "RowReduction.h"
#include "RowStatistics.h"
#include "TargetHooks.h"

#include "norm/Conversion/NormToGPU/KernelPlan.h"

#include <optional>
#include <utility>

namespace mlir {
namespace norm {
namespace detail {

/// The row stride argument of each strided operand (the kernel ABI:
/// pointers, rows, cols, then the strides in stridedOperands() order).
DenseMap<int, Value> getStrideArguments(gpu::GPUFuncOp func,
                                        const RowKernelSpec &spec);

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
  /// Emits the program of the row `row`: the passes over the row its op
  /// needs, in order.
  void emitRow();
  /// A peeled row's head, whole vectors and edge for the row `row`.
  void emitPeeledRowBounds();
  /// Whether `piece` stays in registers between passes: every chunk of a
  /// row cached there, and the edge.
  bool keptInRegisters(const Piece &piece) const;
  /// The row operand the passes read (see loadSource), from where the plan
  /// keeps the row; the first pass loads it and puts it there.
  Value rowSource(const Piece &piece, bool firstPass);
  /// The first pass: the sum of squares (with the estimate's maxima), its
  /// reduction and invRms.
  void emitNormalization();
  /// max |x * gamma| and max |gamma| over the row's pieces.
  std::pair<Value, Value> emitEstimateMaxima();
  /// The value stored or handed to the quantizer: normalized when asked.
  Value rowValue(const Piece &piece, bool firstPass);
  /// The quantizer's view of a piece, computed once per piece kept in
  /// registers; the first quantizer pass (`storeNormalized`) also writes the
  /// normalized output.
  Value quantizerView(const Piece &piece, bool storeNormalized);
  /// The codes passes of each scheme.
  void emitStaticCodes();
  void emitPerTokenCodes(Value isLeader);
  void emitPerGroupCodes();
  /// The per-token amax: the amax pass, or the estimate where it is exact.
  Value emitRowAmax();
  Value emitEstimatedRowAmax();
  void emitPerTokenCodesPass(Value scale, bool byAddition);
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
  /// 1 / rms of the row, once the normalization has run.
  Value invRms;
  /// Whether the row has been copied to shared memory asynchronously.
  bool rowCopied = false;
};

} // namespace detail
} // namespace norm
} // namespace mlir

#endif // NORM_LIB_CONVERSION_NORMTOGPU_ROWEMITTER_H
