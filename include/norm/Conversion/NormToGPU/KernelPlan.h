//===- KernelPlan.h - what a row kernel does, decided once -----*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
// `norm-to-gpu` lowers every norm op in two steps: buildKernelPlan decides,
// from the op (a RowKernelSpec), its schedule and the target, everything the
// kernel does (the row program's statistics and stores, where the row lives,
// how it is loaded, the quantizer's shortcuts, the persistent ring); the
// emitter then writes the IR the plan describes and decides nothing. Plans
// print (`norm-to-gpu{print-plan}`) and are unit-tested as plain data.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_CONVERSION_NORMTOGPU_KERNELPLAN_H
#define NORM_CONVERSION_NORMTOGPU_KERNELPLAN_H

#include "norm/Conversion/NormToGPU/RowKernelSpec.h"
#include "norm/Dialect/Norm/Transforms/ScheduleChoice.h"

#include "llvm/Support/raw_ostream.h"

#include <optional>

namespace mlir {
namespace norm {

/// What the target lets a kernel use, besides the schedule's limits.
struct RowKernelTarget {
  /// Threads per warp (wavefront).
  int64_t warpSize = 32;
  /// Shared memory a block may use, in bytes.
  int64_t sharedMemoryPerBlock = 48 * 1024;
  /// NaN-propagating max and min on f16/bf16 pairs (NVIDIA sm_80 and
  /// later: max.NaN.bf16x2, min.NaN.bf16x2).
  bool packedHalfMax = false;
  /// Asynchronous global-to-shared copies (NVIDIA sm_80 and later:
  /// cp.async).
  bool asyncCopies = false;
  /// With asyncCopies, kernels may become persistent (a row ring).
  bool persistentRows = false;
  /// Row accesses of kernels that read every row once into registers may
  /// be marked nontemporal.
  bool nontemporalRows = false;
  /// With nontemporalRows, streamed rmsnorm rows may load evict-last
  /// instead (an L2 cache policy: NVIDIA sm_80 and later, PTX 7.4).
  bool evictLastRowLoads = false;
};

/// A statistic the row program reduces.
enum class RowStatistic {
  SumOfSquares, // sum x^2 over the row (RMSNorm)
  AbsMax,       // max |x| over the row or a group (dynamic quantization)
};

/// One reduction of the row program, in program order.
struct RowReduction {
  RowStatistic statistic;
  /// Columns one result covers: 0 for the whole row, else a group size.
  int64_t groupSize = 0;
  /// Lanes a group's result combines over (groupSize > 0).
  int64_t lanesPerGroup = 0;
  /// The partial results are f16/bf16 pairs (a running max and min) rather
  /// than f32 (see RowPlan::packedAmaxElementType).
  bool packedPairs = false;
  /// Combined over the blocks of a cluster (a split row).
  bool overCluster = false;
  /// Skipped for rows whose amax the first pass estimates exactly.
  bool skippedWhenEstimated = false;
};

/// The decisions of one variant of a kernel's body: how rows are laid out
/// over the threads, where a row is kept between passes and how it moves.
struct RowPlan {
  RowSchedule schedule;
  /// Rows start wherever the stride puts them: a head and a tail element per
  /// lane around aligned vectors (see RowSchedule).
  bool peeled = false;
  /// Chunks per thread, when the chunk loops are unrolled (static H and the
  /// row in registers or short); nullopt: an scf.for over a run-time count.
  std::optional<int64_t> unrolledChunks;
  /// The block's rows live in dynamic shared memory between passes.
  bool sharedRows = false;
  /// Every chunk of the row stays in registers between passes.
  bool cacheRowInRegisters = false;
  /// Input loads and row stores are nontemporal.
  bool nontemporalRows = false;
  /// Of those, only the input loads are marked, evict-last, and the kernel
  /// carries norm.row_cache_policy = evict_last_loads.
  bool evictLastRowLoads = false;
  /// Gamma is loaded with the row (before the reduction), kept with a row
  /// cached in shared memory or one kept in registers.
  bool prefetchGammaWithSharedRow = false;
  bool prefetchGammaWithRegisterRow = false;
  /// The row reaches shared memory by cp.async, not through registers.
  bool copyRowAsync = false;
  /// Slots of a persistent kernel's row ring (0: not persistent).
  int64_t ringSlots = 0;
  /// The per-token amax comes from the first pass where that is exact.
  bool estimatesRowAmax = false;
  /// The estimate checks gamma against kMaxEstimatedGamma.
  bool estimateBoundsGamma = false;
  /// The rounded quantizer input replaces the row in shared memory.
  bool cacheRoundedInShared = false;
  /// The quantizer's amax is taken on f16/bf16 pairs of this type; null:
  /// in f32.
  Type packedAmaxElementType;
  /// bf16 gamma's maximum (for the estimate) is taken on raw pairs.
  bool packedGammaMax = false;
  /// |x / scale| cannot exceed qmax, so the quotient needs no clamp.
  bool quotientsBounded = false;
  /// int8 codes of rows with a finite amax are the low bytes of
  /// q + 1.5 * 2^23 (persistent kernels).
  bool int8CodesByAddition = false;
  /// The reductions of the row program, in order.
  SmallVector<RowReduction> reductions;
};

/// Everything a row kernel does, decided once per kernel.
struct KernelPlan {
  RowKernelSpec spec;
  int64_t warpSize = 32;
  /// The body for rows whose operands share the input's alignment (all rows
  /// unless `unalignedRows` is set).
  RowPlan rows;
  /// A peeled kernel's body for rows whose operands disagree on the vector
  /// alignment or stride: the same program one element per lane.
  std::optional<RowPlan> unalignedRows;
  /// No second block of this kernel fits on an SM (its row cache takes more
  /// than half the shared memory).
  bool blockAloneOnSM = false;
  /// Dynamic shared memory per block, in bytes.
  int64_t sharedMemoryBytes = 0;

  bool persistent() const { return rows.ringSlots > 0; }
  /// Prints the plan, one decision per line, for `norm-to-gpu{print-plan}`.
  void print(raw_ostream &os) const;
};

/// Bound of |gamma| under which the amax estimate is exact (see
/// RowPlan::estimatesRowAmax and the emitter's estimatedAmax).
constexpr double kMaxEstimatedGamma = 0x1p32;

/// Bytes of one slot of a persistent kernel's row ring: a 16-byte vector
/// per thread of the row.
inline int64_t getRowRingSlotBytes(const RowSchedule &schedule) {
  return schedule.threadsPerRow * 16;
}

/// Decides the kernel of `spec` under `schedule` (already checked against
/// `shape` and the target) on `target`. Fills in the operands' alignments.
KernelPlan buildKernelPlan(RowKernelSpec spec, const RowSchedule &schedule,
                           const RowKernelShape &shape,
                           const RowKernelTarget &target);

} // namespace norm
} // namespace mlir

#endif // NORM_CONVERSION_NORMTOGPU_KERNELPLAN_H
