//===- ScheduleChoice.h - the default schedule of a norm kernel -*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
// The cost model: which RowSchedule (RowSchedule.h) a row kernel gets from
// its shape and what the target offers. Used by norm-tile and by norm-to-gpu
// for ops without a `schedule`.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_DIALECT_NORM_TRANSFORMS_SCHEDULECHOICE_H
#define NORM_DIALECT_NORM_TRANSFORMS_SCHEDULECHOICE_H

#include "norm/Dialect/Norm/IR/RowSchedule.h"

#include <optional>
#include <string>

namespace mlir {
namespace norm {

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

/// Picks the default schedule (honoring `overrides`) for `shape` on `target`,
/// or returns nullopt with an explanation of why none fits. The result
/// always satisfies `checkRowSchedule` and `checkRowScheduleForTarget`
/// unless an override breaks them; callers check.
std::optional<RowSchedule>
chooseRowSchedule(const RowKernelShape &shape, const RowScheduleTarget &target,
                  std::string &whyNot,
                  const RowScheduleOverrides &overrides = {});

/// Checks what the lowering needs of a schedule on `target` (its warp size
/// and clusters).
LogicalResult checkRowScheduleForTarget(const RowSchedule &schedule,
                                        const RowKernelShape &shape,
                                        const RowScheduleTarget &target,
                                        std::string &whyNot);

/// Whether the row cache in shared memory takes more than half of what a
/// block may use on `target`, so that no second block fits on an SM.
bool sharedRowCacheFillsSM(const RowSchedule &schedule,
                           const RowKernelShape &shape,
                           const RowScheduleTarget &target);

} // namespace norm
} // namespace mlir

#endif // NORM_DIALECT_NORM_TRANSFORMS_SCHEDULECHOICE_H
