//===- RowReduction.h - combining a row's partial statistics ---*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
// Partial statistics of the threads of a row combine over lanes (warp
// shuffles), over the warps of a row (shared memory, one barrier) and over
// the blocks of a cluster for a split row (distributed shared memory between
// cluster barriers, through the target hooks). Every block of a cluster
// combines all blocks' results in rank order, so they get bit-identical
// sums and scales.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_LIB_CONVERSION_NORMTOGPU_ROWREDUCTION_H
#define NORM_LIB_CONVERSION_NORMTOGPU_ROWREDUCTION_H

#include "KernelBuilder.h"
#include "TargetHooks.h"

#include "norm/Dialect/Norm/IR/RowSchedule.h"

namespace mlir {
namespace norm {

/// How partial results combine: sums, maxima, or packed amaxes
/// (combineHighAndLow).
enum class Combine { Add, Max, HighAndLow };

/// `lhs` and `rhs` combined by `kind`.
Value combine(KernelBuilder &b, Combine kind, Value lhs, Value rhs);

/// The identity of `kind`: f32 zero, or for HighAndLow zero pairs of
/// `packedType`. |x| >= 0, so 0 is the identity of the amax; a packed amax is
/// max(max x, -min x) >= 0 over its running max and min as well.
Value identity(KernelBuilder &b, Combine kind, VectorType packedType);

/// `value` combined by `kind` over groups of `lanes` consecutive lanes
/// (XOR shuffles within a warp of `warpSize`).
Value reduceLanes(KernelBuilder &b, Value value, int64_t lanes,
                  int64_t warpSize, Combine kind);

/// Reduces the statistics of a row of a kernel's body.
class RowReducer {
public:
  /// `threadIndex` and `rowInBlock` are the thread's index in the block and
  /// its row's (i64).
  RowReducer(gpu::GPUFuncOp func, const KernelTargetHooks &hooks,
             const RowSchedule &schedule, int64_t warpSize, Value threadIndex,
             Value rowInBlock)
      : func(func), hooks(hooks), schedule(schedule), warpSize(warpSize),
        threadIndex(threadIndex), rowInBlock(rowInBlock) {}

  /// Each of `values` (f32) combined by its kind over the row (over the
  /// cluster's blocks for a split row, in one exchange); `lastExchange`: no
  /// cluster exchange follows this one.
  SmallVector<Value> reduceRow(KernelBuilder &b, ArrayRef<Value> values,
                               ArrayRef<Combine> kinds,
                               bool lastExchange = true);
  Value reduceRow(KernelBuilder &b, Value value, Combine kind,
                  bool lastExchange = true) {
    return reduceRow(b, ArrayRef<Value>{value}, ArrayRef<Combine>{kind},
                     lastExchange)
        .front();
  }
  /// The arrive of the cluster barrier that ends the kernel: this block is
  /// done reading the others' slots.
  void arriveAtFinalClusterBarrier(KernelBuilder &b);
  /// Whether that arrive was emitted (the kernel then ends with the wait).
  bool arrivedAtFinalClusterBarrier() const { return clusterArrived; }

private:
  SmallVector<Value> reduceWarps(KernelBuilder &b, ArrayRef<Value> values,
                                 ArrayRef<Combine> kinds);
  SmallVector<Value> reduceCluster(KernelBuilder &b, ArrayRef<Value> values,
                                   ArrayRef<Combine> kinds, bool lastExchange);

  gpu::GPUFuncOp func;
  const KernelTargetHooks &hooks;
  const RowSchedule &schedule;
  int64_t warpSize;
  Value threadIndex, rowInBlock;
  /// Cluster exchanges emitted so far (each has its shared-memory slots),
  /// and whether the final barrier's arrive has been emitted.
  int64_t clusterExchanges = 0;
  bool clusterArrived = false;
};

} // namespace norm
} // namespace mlir

#endif // NORM_LIB_CONVERSION_NORMTOGPU_ROWREDUCTION_H
