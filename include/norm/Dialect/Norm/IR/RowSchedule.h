//===- RowSchedule.h - how a row-wise norm kernel is laid out --*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_CONVERSION_NORMTOGPU_ROWSCHEDULE_H
#define NORM_CONVERSION_NORMTOGPU_ROWSCHEDULE_H

#include <cstdint>
#include <optional>
#include <string>

namespace mlir {
namespace norm {

/// Shape of the work of one row-wise kernel. Threads of a block are split
/// into `rowsPerBlock` groups of `threadsPerRow` threads; each thread owns
/// the `vectorWidth`-element vectors at columns
/// (k * threadsPerRow + lane) * vectorWidth for k in [0, chunks).
struct RowSchedule {
  int64_t vectorWidth = 1;
  int64_t threadsPerRow = 1;
  int64_t rowsPerBlock = 1;
  /// Chunks per thread; with a dynamic H, computed at run time.
  std::optional<int64_t> chunks;
  /// Keep the row in registers between the reductions and the scaling
  /// (one read of memory); otherwise re-read it (a second pass over L2).
  bool cacheRowInRegisters = true;

  int64_t blockSize() const { return threadsPerRow * rowsPerBlock; }
};

/// What the schedule is chosen from.
struct RowScheduleRequest {
  /// Innermost dimension, or a negative value when dynamic.
  int64_t cols = -1;
  /// Widest element read or written per column, in bytes; vectors are at
  /// most 16 bytes of it.
  int64_t widestElementBytes = 4;
  /// Per-group quantization: the group size (0 otherwise). A group must be
  /// covered by consecutive lanes of one warp.
  int64_t groupSize = 0;
  int64_t warpSize = 32;
  /// Most row elements a thread may hold in registers.
  int64_t maxRegisterElements = 64;
};

/// Picks the default schedule, or returns an explanation of why none fits.
std::optional<RowSchedule> chooseRowSchedule(const RowScheduleRequest &request,
                                             std::string &whyNot);

} // namespace norm
} // namespace mlir

#endif // NORM_CONVERSION_NORMTOGPU_ROWSCHEDULE_H
