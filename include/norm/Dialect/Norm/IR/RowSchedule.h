//===- RowSchedule.h - how a row-wise norm kernel is laid out --*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
// The one implementation of the row kernel schedule: its constraints (the op
// verifiers' `schedule` check), the default choice (`norm-tile`, and
// `norm-to-gpu` for ops without a `schedule`) and the conversion to and from
// `#norm.schedule`.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_DIALECT_NORM_IR_ROWSCHEDULE_H
#define NORM_DIALECT_NORM_IR_ROWSCHEDULE_H

#include "norm/Dialect/Norm/IR/NormOps.h"

#include <cstdint>
#include <optional>
#include <string>

namespace mlir {
namespace norm {

/// Shape of the work of one row-wise kernel. Threads of a block are split
/// into `rowsPerBlock` groups of `threadsPerRow` threads; each thread owns
/// the `vectorWidth`-element vectors at columns
/// head + (k * threadsPerRow + lane) * vectorWidth for k in [0, chunks).
/// The head is 0 unless the row is peeled: when the vector width does not
/// divide H (or H is dynamic), a row starts wherever the row stride puts it,
/// so the head elements up to the first vector-aligned column and the tail
/// elements after the last whole vector are handled one per lane, and the
/// vectors in between stay aligned.
///
/// With `blocksPerRow` > 1 a row is split into that many slices of
/// consecutive columns, one per block of a thread-block cluster, and the
/// fields above describe a slice.
struct RowSchedule {
  int64_t threadsPerRow = 1;
  int64_t rowsPerBlock = 1;
  int64_t vectorWidth = 1;
  RowStorage rowStorage = RowStorage::Stream;
  int64_t blocksPerRow = 1;

  int64_t blockSize() const { return threadsPerRow * rowsPerBlock; }
  bool splitsRows() const { return blocksPerRow > 1; }
  /// Columns of a block's slice of a row of `cols` columns (negative:
  /// dynamic, returned as is).
  int64_t getSliceCols(int64_t cols) const {
    return cols < 0 ? cols : cols / blocksPerRow;
  }
  /// Whole vectors per thread and row slice for a static H (at most; a
  /// peeled row may have one fewer), else nullopt.
  std::optional<int64_t> getChunks(int64_t cols) const;
  /// Whether rows of `cols` columns (negative: dynamic) are peeled; rows of
  /// per-group quantization never are (H is a multiple of the group).
  bool peelsRows(int64_t cols, int64_t groupSize) const {
    return vectorWidth > 1 && !groupSize &&
           (cols < 0 || cols % vectorWidth != 0);
  }

  static RowSchedule fromAttr(ScheduleAttr attr);
  ScheduleAttr toAttr(MLIRContext *ctx) const;
};

/// What a norm op asks of its row kernel, read from its operand types (tensor
/// or memref form alike).
struct RowKernelShape {
  /// Innermost dimension H, or a negative value when dynamic.
  int64_t cols = -1;
  /// Product of the leading dimensions when static, else a negative value.
  int64_t rows = -1;
  /// Widest element read or written per column of a row operand, in bytes;
  /// vectors are at most 16 bytes of it.
  int64_t widestElementBytes = 4;
  /// Bytes per element of the row as cached between the passes: the input,
  /// or the rounded sum (residual type) when there is a residual.
  int64_t cachedElementBytes = 4;
  /// Per-group quantization: the group size (0 otherwise).
  int64_t groupSize = 0;
  /// Whether the kernel reads the row more than once without a cache
  /// (normalization, per-token amax); single-pass kernels need no storage.
  bool rereadsRow = true;
  /// Row-wide reductions (the sum of squares, the per-token amax), each a
  /// block barrier when a row spans several warps.
  int64_t rowReductions = 1;
  /// Whether a residual is read next to the input.
  bool hasResidual = false;
};

/// The row kernel shape of a norm op (rmsnorm, add_rmsnorm, quantize,
/// rmsnorm_quantize).
RowKernelShape getRowKernelShape(Operation *op);

/// What a GPU offers a schedule.
struct RowScheduleTarget {
  int64_t warpSize = 32;
  /// Streaming multiprocessors (compute units), 0 when unknown; with a
  /// static row count, blocks shrink until every one has work.
  int64_t numSMs = 0;
  /// Most row elements a thread may hold in registers.
  int64_t maxRegisterElements = 64;
  /// Shared memory a block may use, in bytes.
  int64_t sharedMemoryPerBlock = 48 * 1024;
  /// Most blocks of a thread-block cluster a row may be split over; 1 where
  /// the target has no clusters (the kernels then need no cluster support).
  int64_t maxBlocksPerRow = 1;
};

/// Fields forced by the user; the others are chosen around them.
struct RowScheduleOverrides {
  std::optional<int64_t> threadsPerRow, rowsPerBlock, vectorWidth, blocksPerRow;
  std::optional<RowStorage> rowStorage;
};

/// Most row elements a thread may keep in registers under any schedule: no
/// GPU holds more (NVIDIA has 255 registers per thread).
constexpr int64_t kMaxRegisterRowElements = 256;

/// Picks the default schedule (honoring `overrides`) for `shape` on `target`,
/// or returns nullopt with an explanation of why none fits. The result
/// always satisfies `checkRowSchedule` and `checkRowScheduleForTarget`
/// unless an override breaks them; callers check.
std::optional<RowSchedule>
chooseRowSchedule(const RowKernelShape &shape, const RowScheduleTarget &target,
                  std::string &whyNot,
                  const RowScheduleOverrides &overrides = {});

/// Checks what the lowering needs of a schedule for `shape` on any target
/// (the op verifiers' check); on failure, `whyNot` says what is wrong.
LogicalResult checkRowSchedule(const RowSchedule &schedule,
                               const RowKernelShape &shape,
                               std::string &whyNot);

/// Checks what the lowering needs of a schedule on `target` (its warp size
/// and clusters).
LogicalResult checkRowScheduleForTarget(const RowSchedule &schedule,
                                        const RowKernelShape &shape,
                                        const RowScheduleTarget &target,
                                        std::string &whyNot);

/// Most blocks a cluster may portably have on NVIDIA GPUs.
constexpr int64_t kMaxBlocksPerRow = 8;

/// Dynamic shared memory the kernel needs, in bytes (0 unless the row is
/// cached in shared memory).
int64_t getSharedMemoryBytes(const RowSchedule &schedule,
                             const RowKernelShape &shape);

/// Whether the row cache in shared memory takes more than half of what a
/// block may use on `target`, so that no second block fits on an SM.
bool sharedRowCacheFillsSM(const RowSchedule &schedule,
                           const RowKernelShape &shape,
                           const RowScheduleTarget &target);

/// Checks the `schedule` attribute of a norm op, if any, against the op.
LogicalResult verifyOpSchedule(Operation *op, ScheduleAttr schedule);

} // namespace norm
} // namespace mlir

#endif // NORM_DIALECT_NORM_IR_ROWSCHEDULE_H
