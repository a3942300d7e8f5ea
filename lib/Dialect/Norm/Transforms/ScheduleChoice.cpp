//===- ScheduleChoice.cpp - the default schedule of a norm kernel -*- C++
//-*-===//
//
// Part of norm-mlir. See README.md for license information.
//
// The cost model behind norm-tile (and norm-to-gpu for ops without a
// schedule): which RowSchedule a row kernel gets from its shape and the
// target. The constraints every schedule must meet live with the attribute in
// the dialect (RowSchedule.cpp); the measurements behind the constants are in
// docs/DECISIONS.md.
//
//===----------------------------------------------------------------------===//

#include "norm/Dialect/Norm/Transforms/ScheduleChoice.h"

#include "llvm/Support/MathExtras.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::norm;

/// Vectors a thread handles per row before more threads join the row: a few
/// independent 16-byte loads in flight per thread hide memory latency. Rows
/// of a full block's worth get half as many [prefetch-vectors], short rows
/// one [short-row-blocks] (see chooseBlockSchedule).
static constexpr int64_t kVectorsPerThread = 4;
/// Short rows share a block so that blocks have at least this many threads.
static constexpr int64_t kMinBlockSize = 128;
/// Whole rows of a power of two of at most this many vectors that one
/// reduction reads (or with a residual) take a vector per thread, in blocks
/// of kShortRowBlockSize threads [short-row-blocks].
static constexpr int64_t kMaxShortRowVectors = 256;
static constexpr int64_t kShortRowBlockSize = 256;
static constexpr int64_t kRegistersPerSM = 65536;
static constexpr int64_t kMaxRegistersPerThread = 255;
static constexpr int64_t kRegisterReserve = 40;
/// Shared memory kept for the block reductions' static buffers (a few
/// hundred bytes) next to a row cached in dynamic shared memory.
static constexpr int64_t kSharedMemoryReserve = 1024;
/// Rows of at least this many widest vectors that no such vector divides
/// are peeled rather than read one element at a time.
static constexpr int64_t kMinPeeledVectors = 8;
/// Most threads per row of a row that two reductions read, where more
/// vectors per thread allow it [reducing-row-blocks].
static constexpr int64_t kMaxReducingBlockSize = 256;
/// Row elements per thread in registers above which a row that two
/// reductions read is cached in shared memory [shared-reducing-rows].
static constexpr int64_t kMaxReducingRowElements = 32;
/// Threads per row of such a row cached in shared memory.
static constexpr int64_t kSharedReducingBlockSize = 512;
/// Threads of each block of a row with a residual split over a cluster
/// [split-residual-rows].
static constexpr int64_t kSplitResidualBlockSize = 256;

LogicalResult mlir::norm::checkRowScheduleForTarget(
    const RowSchedule &schedule, const RowKernelShape &shape,
    const RowScheduleTarget &target, std::string &whyNot) {
  int64_t warpSize = target.warpSize;
  if (schedule.blocksPerRow > target.maxBlocksPerRow) {
    whyNot = "blocks_per_row = " + std::to_string(schedule.blocksPerRow) +
             " needs thread-block clusters of that many blocks, but the "
             "target allows " +
             std::to_string(target.maxBlocksPerRow) +
             " (max-blocks-per-row; NVIDIA sm_90 and later have clusters of "
             "up to 8)";
    return failure();
  }
  if (shape.groupSize && shape.groupSize / schedule.vectorWidth > warpSize) {
    whyNot = "a group of " + std::to_string(shape.groupSize) +
             " columns takes " +
             std::to_string(shape.groupSize / schedule.vectorWidth) +
             " lanes of " + std::to_string(schedule.vectorWidth) +
             " elements, more than the warp size " + std::to_string(warpSize);
    return failure();
  }
  return success();
}

//===----------------------------------------------------------------------===//
// The default choice
//===----------------------------------------------------------------------===//

/// The schedule of a row handled by one block.
static std::optional<RowSchedule>
chooseBlockSchedule(const RowKernelShape &shape,
                    const RowScheduleTarget &target, std::string &whyNot,
                    const RowScheduleOverrides &overrides) {
  RowSchedule schedule;
  bool dynamicCols = shape.cols < 0;

  // Widest power-of-two vector of at most 16 bytes that divides H (and the
  // group), so rows stay aligned to it whenever the row stride is a multiple.
  // Rows that only vectors narrower than 8 bytes divide (and a dynamic H)
  // are peeled instead: 16-byte vectors in the middle beat 2-byte accesses
  // throughout; short rows are not worth the head and tail.
  int64_t widest = std::max<int64_t>(1, 16 / shape.widestElementBytes);
  int64_t vec = widest;
  while (vec > 1 && ((!dynamicCols && shape.cols % vec != 0) ||
                     (shape.groupSize && shape.groupSize % vec != 0)))
    vec /= 2;
  if (!shape.groupSize && vec * shape.widestElementBytes < 8 &&
      shape.cols >= kMinPeeledVectors * widest)
    vec = widest;
  if (overrides.vectorWidth)
    vec = *overrides.vectorWidth;
  schedule.vectorWidth = vec;

  int64_t lanesPerGroup = 0;
  if (shape.groupSize && !overrides.vectorWidth) {
    lanesPerGroup = shape.groupSize / vec;
    if (!llvm::isPowerOf2_64(lanesPerGroup) ||
        lanesPerGroup > target.warpSize) {
      whyNot = "group size " + std::to_string(shape.groupSize) +
               " needs a power-of-two number (at most the warp size " +
               std::to_string(target.warpSize) + ") of lanes; it would take " +
               std::to_string(lanesPerGroup) + " lanes of " +
               std::to_string(vec) + " elements";
      return std::nullopt;
    }
  }

  // Unknown H: a block per row, streaming over the row twice. Otherwise
  // enough threads that each handles kVectorsPerThread vectors, half that
  // for rows of at least kMinBlockSize * kVectorsPerThread vectors, and one
  // for short rows.
  int64_t tpr = 256;
  bool cacheRowInSharedMemory = false;
  bool shortRow = false;
  if (!dynamicCols) {
    int64_t vectors = llvm::divideCeil(shape.cols, vec);
    // Two row reductions over one input (rmsnorm + per-token quantization)
    // take blocks of at most kMaxReducingBlockSize threads with up to twice
    // the vectors each: each reduction waits on every warp of the row, and
    // smaller blocks keep the SM busier [reducing-row-blocks].
    int64_t perThread = kVectorsPerThread;
    if (shape.rowReductions > 1 && !shape.hasResidual) {
      while (perThread < 2 * kVectorsPerThread &&
             llvm::divideCeilSigned(vectors, perThread) > kMaxReducingBlockSize)
        perThread *= 2;
      // Rows of 4 to 8 vectors per thread of 512 whose threads would hold
      // more than kMaxReducingRowElements elements in registers are cached
      // in shared memory by 512 threads instead: the registers of the row
      // and the quantizer's input cost blocks per SM. Not for shorter rows
      // [shared-reducing-rows].
      if (perThread * vec > kMaxReducingRowElements &&
          vectors >= kVectorsPerThread * kSharedReducingBlockSize &&
          vectors <= 2 * kVectorsPerThread * kSharedReducingBlockSize)
        cacheRowInSharedMemory = true;
    } else if (vectors / kVectorsPerThread >= kMinBlockSize) {
      // Other rows long enough for a full block get half the vectors per
      // thread in twice the threads: each thread waits on fewer loads and
      // the row is done sooner [prefetch-vectors].
      perThread = kVectorsPerThread / 2;
    } else if ((shape.rowReductions == 1 || shape.hasResidual) &&
               vec == widest && vectors <= kMaxShortRowVectors &&
               llvm::isPowerOf2_64(vectors) &&
               !schedule.peelsRows(shape.cols, shape.groupSize) &&
               overrides.blocksPerRow.value_or(1) <= 1) {
      // Short whole rows of a power of two of 16-byte vectors (not peeled,
      // not split) read by one reduction, or with a residual (so that
      // add_rmsnorm + per-token quantization sums in add_rmsnorm's order):
      // a vector per thread, rows sharing blocks of kShortRowBlockSize
      // threads, which beat 4 vectors per thread in smaller blocks; only
      // where every thread gets one whole vector, since idle lanes lose
      // [short-row-blocks].
      perThread = 1;
      shortRow = true;
    }
    tpr = cacheRowInSharedMemory
              ? kSharedReducingBlockSize
              : std::clamp<int64_t>(
                    llvm::PowerOf2Ceil(llvm::divideCeil(vectors, perThread)), 1,
                    kMaxThreadsPerBlock);
    // Rounding the threads up to a power of two can leave a chunk of idle
    // lanes (H = 5120: 640 vectors on 256 threads are 3 chunks of 768);
    // half the threads with a few more vectors each may fit exactly, or
    // leave no more lanes idle in a smaller block reduction. Not at the
    // price of many more chunks: each adds latency to every row, which
    // small batches see [idle-lanes].
    auto idle = [&](int64_t threads) {
      return llvm::divideCeilSigned(vectors, threads) * threads - vectors;
    };
    if (!cacheRowInSharedMemory && tpr >= 2 * kMinWarpSize &&
        idle(tpr / 2) <= idle(tpr) && 8 * idle(tpr) >= vectors &&
        llvm::divideCeilSigned(vectors, tpr / 2) <= kVectorsPerThread + 1)
      tpr /= 2;
  }
  tpr = std::max(tpr, lanesPerGroup);
  if (schedule.peelsRows(shape.cols, shape.groupSize))
    tpr = std::max<int64_t>(tpr, llvm::PowerOf2Ceil(2 * vec - 2));
  schedule.threadsPerRow = overrides.threadsPerRow.value_or(tpr);
  tpr = schedule.threadsPerRow;

  // Rows of at most a warp share a block (which stays whole 32-lane warps
  // even for a narrower warp).
  int64_t rpb = tpr <= std::max(target.warpSize, kMinWarpSize)
                    ? std::max<int64_t>(1, kMinBlockSize / tpr)
                    : 1;
  if (shortRow && !overrides.threadsPerRow)
    rpb = std::max<int64_t>(rpb, kShortRowBlockSize / tpr);
  // Few rows: smaller blocks (of whole warps) spread them over every SM.
  if (shape.rows > 0 && target.numSMs > 0) {
    while (rpb > 1 && llvm::divideCeilSigned(shape.rows, rpb) < target.numSMs &&
           (tpr * (rpb / 2)) % kMinWarpSize == 0 &&
           tpr * (rpb / 2) >= target.warpSize)
      rpb /= 2;
  }
  schedule.rowsPerBlock = overrides.rowsPerBlock.value_or(rpb);

  if (overrides.rowStorage) {
    schedule.rowStorage = *overrides.rowStorage;
    return schedule;
  }
  if (dynamicCols) {
    schedule.rowStorage = RowStorage::Stream;
    return schedule;
  }
  // A block of B threads gets at most 64K / B registers per thread; keep
  // kRegisterReserve of them for addresses, reductions and the conversion.
  int64_t registersPerThread = std::min<int64_t>(
      kMaxRegistersPerThread, kRegistersPerSM / schedule.blockSize());
  int64_t budget = std::min({target.maxRegisterElements,
                             registersPerThread - kRegisterReserve,
                             kMaxRegisterRowElements});
  int64_t sharedBytes =
      schedule.rowsPerBlock * shape.cols * shape.cachedElementBytes;
  bool sharedFits =
      shape.rereadsRow &&
      sharedBytes <= target.sharedMemoryPerBlock - kSharedMemoryReserve;
  if (cacheRowInSharedMemory && !overrides.threadsPerRow && sharedFits)
    schedule.rowStorage = RowStorage::Shared;
  else if (getRegisterRowElements(schedule, shape) <= budget)
    schedule.rowStorage = RowStorage::Registers;
  else if (sharedFits)
    schedule.rowStorage = RowStorage::Shared;
  else
    schedule.rowStorage = RowStorage::Stream;
  return schedule;
}

/// The shape of one of `blocksPerRow` slices of each row of `shape`.
static RowKernelShape getSliceShape(const RowKernelShape &shape,
                                    int64_t blocksPerRow) {
  RowKernelShape slice = shape;
  slice.cols = shape.cols < 0 ? shape.cols : shape.cols / blocksPerRow;
  // Every slice is a block: the few-rows rule sees them all.
  slice.rows = shape.rows < 0 ? -1 : shape.rows * blocksPerRow;
  return slice;
}

bool mlir::norm::sharedRowCacheFillsSM(const RowSchedule &schedule,
                                       const RowKernelShape &shape,
                                       const RowScheduleTarget &target) {
  return schedule.rowStorage == RowStorage::Shared &&
         2 * getSharedMemoryBytes(schedule, shape) >
             target.sharedMemoryPerBlock;
}

std::optional<RowSchedule> mlir::norm::chooseRowSchedule(
    const RowKernelShape &shape, const RowScheduleTarget &target,
    std::string &whyNot, const RowScheduleOverrides &overrides) {
  if (overrides.blocksPerRow && *overrides.blocksPerRow > 1) {
    // Forced: the other fields are chosen for a slice, in a block of its
    // own (at least a warp); checkRowSchedule rejects what cannot split.
    std::optional<RowSchedule> schedule =
        chooseBlockSchedule(getSliceShape(shape, *overrides.blocksPerRow),
                            target, whyNot, overrides);
    if (schedule) {
      schedule->blocksPerRow = *overrides.blocksPerRow;
      if (!overrides.rowsPerBlock) {
        schedule->rowsPerBlock = 1;
        if (!overrides.threadsPerRow)
          schedule->threadsPerRow =
              std::max(schedule->threadsPerRow, kMinWarpSize);
      }
    }
    return schedule;
  }
  std::optional<RowSchedule> schedule =
      chooseBlockSchedule(shape, target, whyNot, overrides);
  // A row read twice that leaves a single block on an SM (its cache takes
  // more than half the shared memory, or it is read twice from memory) is
  // split over the fewest blocks of a cluster that do not: two blocks per SM
  // again, whose loads overlap the other's reductions. Not rmsnorm +
  // per-token quantization without a residual: its two cluster exchanges
  // per row cost more than they save on the 3 bytes an element moves
  // [split-rows]. A split schedule's shared bytes are per slice
  // (getSharedMemoryBytes).
  auto leavesOneBlockPerSM = [&](const RowSchedule &candidate) {
    return candidate.rowStorage == RowStorage::Stream ||
           sharedRowCacheFillsSM(candidate, shape, target);
  };
  if (!schedule || overrides.blocksPerRow || target.maxBlocksPerRow <= 1 ||
      shape.cols < 0 || !shape.rereadsRow ||
      (shape.rowReductions > 1 && !shape.hasResidual) ||
      !leavesOneBlockPerSM(*schedule) || overrides.rowStorage ||
      overrides.threadsPerRow || overrides.rowsPerBlock)
    return schedule;
  // A row with a residual is split over enough blocks of
  // kSplitResidualBlockSize threads that each thread caches at most
  // kVectorsPerThread vectors of its slice in shared memory, where the
  // cluster has that many: more, smaller blocks per SM, so that one's loads
  // overlap the others' reductions and cluster barriers
  // [split-residual-rows].
  // The schedule of each of `blocks` slices, chosen for a slice.
  auto splitOver =
      [&](int64_t blocks,
          const RowScheduleOverrides &fields) -> std::optional<RowSchedule> {
    std::string ignored;
    std::optional<RowSchedule> split = chooseBlockSchedule(
        getSliceShape(shape, blocks), target, ignored, fields);
    if (split) {
      split->blocksPerRow = blocks;
      split->rowsPerBlock = 1;
    }
    return split;
  };
  auto isValid = [&](const RowSchedule &split) {
    std::string ignored;
    return succeeded(checkRowSchedule(split, shape, ignored));
  };
  if (shape.hasResidual) {
    int64_t vectors = shape.cols / schedule->vectorWidth;
    int64_t blocks = llvm::PowerOf2Ceil(
        llvm::divideCeil(vectors, kSplitResidualBlockSize * kVectorsPerThread));
    RowScheduleOverrides sliceOverrides = overrides;
    sliceOverrides.threadsPerRow = kSplitResidualBlockSize;
    sliceOverrides.rowStorage = RowStorage::Shared;
    if (blocks >= 2 && blocks <= target.maxBlocksPerRow)
      if (std::optional<RowSchedule> split = splitOver(blocks, sliceOverrides);
          split &&
          getSharedMemoryBytes(*split, shape) + kSharedMemoryReserve <=
              target.sharedMemoryPerBlock &&
          isValid(*split))
        return split;
  }
  for (int64_t blocks = 2; blocks <= target.maxBlocksPerRow; blocks *= 2) {
    std::optional<RowSchedule> split = splitOver(blocks, overrides);
    if (!split)
      break;
    if (!leavesOneBlockPerSM(*split) && isValid(*split))
      return split;
  }
  return schedule;
}
