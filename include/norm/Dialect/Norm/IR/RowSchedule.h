//===- RowSchedule.h - how a row-wise norm kernel is laid out --*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
// The row kernel schedule: its constraints (the op verifiers' `schedule`
// check) and the conversion to and from `#norm.schedule`. The default choice
// for a target (`norm-tile`, and `norm-to-gpu` for ops without a `schedule`)
// is in Transforms/ScheduleChoice.h.
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

/// Most threads of a block on any GPU.
constexpr int64_t kMaxThreadsPerBlock = 1024;
/// The narrowest warp of any target: blocks are whole warps of it, since
/// NVIDIA's shuffles need every lane of a warp present.
constexpr int64_t kMinWarpSize = 32;
/// Most row elements a thread may keep in registers under any schedule: no
/// GPU holds more (NVIDIA has 255 registers per thread).
constexpr int64_t kMaxRegisterRowElements = 256;

/// Row elements a thread keeps with row_storage = registers (static H): its
/// chunks' vectors, and the edge element of a peeled row.
int64_t getRegisterRowElements(const RowSchedule &schedule,
                               const RowKernelShape &shape);

/// Checks what the lowering needs of a schedule for `shape` on any target
/// (the op verifiers' check); on failure, `whyNot` says what is wrong.
LogicalResult checkRowSchedule(const RowSchedule &schedule,
                               const RowKernelShape &shape,
                               std::string &whyNot);

/// Most blocks a cluster may portably have on NVIDIA GPUs.
constexpr int64_t kMaxBlocksPerRow = 8;

/// Dynamic shared memory the kernel needs, in bytes (0 unless the row is
/// cached in shared memory).
int64_t getSharedMemoryBytes(const RowSchedule &schedule,
                             const RowKernelShape &shape);

/// Checks the `schedule` attribute of a norm op, if any, against the op.
LogicalResult verifyOpSchedule(Operation *op, ScheduleAttr schedule);

} // namespace norm
} // namespace mlir

#endif // NORM_DIALECT_NORM_IR_ROWSCHEDULE_H
