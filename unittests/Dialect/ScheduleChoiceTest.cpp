//===- ScheduleChoiceTest.cpp - shape and target -> schedule --------------===//
//
// Part of norm-mlir. See README.md for license information.
//
// Pins chooseRowSchedule (the cost model of norm-tile) on the row shapes of
// the project's benchmarks and tests, for the default target (48 KiB, warp
// 32), an H100 (227 KiB, clusters of 8) and a wave64 AMD target.
//
//===----------------------------------------------------------------------===//

#include "norm/Dialect/Norm/Transforms/ScheduleChoice.h"

#include "gtest/gtest.h"

#include <string>

using namespace mlir;
using namespace mlir::norm;

namespace {

/// An rmsnorm over rows of `cols` elements of `bytes` bytes (cols < 0:
/// dynamic).
RowKernelShape rmsnorm(int64_t cols, int64_t bytes = 2) {
  RowKernelShape shape;
  shape.cols = cols;
  shape.widestElementBytes = shape.cachedElementBytes = bytes;
  return shape;
}

/// rmsnorm + per-token quantization of bf16 rows, with a residual or not.
RowKernelShape rmsnormQuantize(int64_t cols, bool residual) {
  RowKernelShape shape = rmsnorm(cols);
  shape.rowReductions = 2;
  shape.hasResidual = residual;
  return shape;
}

RowScheduleTarget defaultTarget() { return RowScheduleTarget(); }

RowScheduleTarget h100() {
  RowScheduleTarget target;
  target.sharedMemoryPerBlock = 227 * 1024;
  target.maxBlocksPerRow = kMaxBlocksPerRow;
  return target;
}

RowScheduleTarget wave64() {
  RowScheduleTarget target;
  target.warpSize = 64;
  target.sharedMemoryPerBlock = 64 * 1024;
  return target;
}

struct Expected {
  int64_t threadsPerRow, rowsPerBlock, vectorWidth;
  RowStorage storage;
  int64_t blocksPerRow = 1;
};

void expectSchedule(const RowKernelShape &shape,
                    const RowScheduleTarget &target, Expected expected) {
  std::string whyNot;
  std::optional<RowSchedule> schedule =
      chooseRowSchedule(shape, target, whyNot);
  ASSERT_TRUE(schedule) << whyNot;
  EXPECT_EQ(schedule->threadsPerRow, expected.threadsPerRow);
  EXPECT_EQ(schedule->rowsPerBlock, expected.rowsPerBlock);
  EXPECT_EQ(schedule->vectorWidth, expected.vectorWidth);
  EXPECT_EQ(schedule->rowStorage, expected.storage);
  EXPECT_EQ(schedule->blocksPerRow, expected.blocksPerRow);
  // Whatever the model picks, the lowering accepts.
  EXPECT_TRUE(succeeded(checkRowSchedule(*schedule, shape, whyNot))) << whyNot;
  EXPECT_TRUE(
      succeeded(checkRowScheduleForTarget(*schedule, shape, target, whyNot)))
      << whyNot;
}

constexpr RowStorage Registers = RowStorage::Registers;
constexpr RowStorage Shared = RowStorage::Shared;
constexpr RowStorage Stream = RowStorage::Stream;

TEST(ScheduleChoiceTest, ShortRowsShareBlocks) {
  expectSchedule(rmsnorm(64), defaultTarget(), {8, 32, 8, Registers});
  expectSchedule(rmsnorm(100), defaultTarget(), {8, 16, 4, Registers});
  expectSchedule(rmsnorm(17), defaultTarget(), {8, 16, 1, Registers});
  // A vector per thread for powers of two of at most 256 vectors.
  expectSchedule(rmsnorm(1024), defaultTarget(), {128, 2, 8, Registers});
  expectSchedule(rmsnorm(2048), defaultTarget(), {256, 1, 8, Registers});
  expectSchedule(rmsnorm(1024, 4), defaultTarget(), {256, 1, 4, Registers});
  // Not for 192 vectors, peeled rows or longer rows.
  expectSchedule(rmsnorm(1536), defaultTarget(), {64, 1, 8, Registers});
  expectSchedule(rmsnorm(1023), defaultTarget(), {32, 4, 8, Registers});
  expectSchedule(rmsnorm(3072), defaultTarget(), {128, 1, 8, Registers});
  // A 64-lane wavefront takes the same blocks.
  expectSchedule(rmsnorm(64), wave64(), {8, 32, 8, Registers});
}

TEST(ScheduleChoiceTest, MediumAndLongRows) {
  expectSchedule(rmsnorm(4096), defaultTarget(), {256, 1, 8, Registers});
  expectSchedule(rmsnorm(8192), defaultTarget(), {512, 1, 8, Registers});
  expectSchedule(rmsnorm(4095), defaultTarget(), {256, 1, 8, Registers});
  expectSchedule(rmsnorm(16384), defaultTarget(), {1024, 1, 8, Registers});
  // Past the registers: shared memory where it fits, else read again.
  expectSchedule(rmsnorm(32768), defaultTarget(), {1024, 1, 8, Stream});
  expectSchedule(rmsnorm(65536), defaultTarget(), {1024, 1, 8, Stream});
  RowScheduleTarget noClusters = h100();
  noClusters.maxBlocksPerRow = 1;
  expectSchedule(rmsnorm(65536), noClusters, {1024, 1, 8, Shared});
  expectSchedule(rmsnorm(65536, 4), noClusters, {1024, 1, 4, Stream});
  // With clusters a row that leaves one block per SM is split: over two
  // blocks in shared memory (bf16), over four in registers (f32).
  expectSchedule(rmsnorm(65536), h100(), {1024, 1, 8, Shared, 2});
  expectSchedule(rmsnorm(65536, 4), h100(), {1024, 1, 4, Registers, 4});
  expectSchedule(rmsnorm(4096), wave64(), {256, 1, 8, Registers});
}

TEST(ScheduleChoiceTest, DynamicRows) {
  expectSchedule(rmsnorm(-1), defaultTarget(), {256, 1, 8, Stream});
}

TEST(ScheduleChoiceTest, FewStaticRowsSpreadOverTheSMs) {
  RowKernelShape shape = rmsnorm(64);
  shape.rows = 64;
  expectSchedule(shape, defaultTarget(), {8, 32, 8, Registers});
  RowScheduleTarget target = defaultTarget();
  target.numSMs = 132;
  expectSchedule(shape, target, {8, 4, 8, Registers});
}

TEST(ScheduleChoiceTest, QuantizedRowsOnAnH100) {
  // Without a residual the long row stays in one block, in shared memory
  // (the persistent kernel's); with one it is split over a cluster.
  expectSchedule(rmsnormQuantize(65536, /*residual=*/false), h100(),
                 {1024, 1, 8, Shared});
  expectSchedule(rmsnormQuantize(65536, /*residual=*/true), h100(),
                 {256, 1, 8, Shared, 8});
  // Without clusters the residual row is read again.
  expectSchedule(rmsnormQuantize(65536, /*residual=*/true), defaultTarget(),
                 {1024, 1, 8, Stream});
}

TEST(ScheduleChoiceTest, ForcedFieldsAreKept) {
  RowScheduleOverrides overrides;
  overrides.threadsPerRow = 64;
  overrides.rowStorage = RowStorage::Stream;
  std::string whyNot;
  std::optional<RowSchedule> schedule =
      chooseRowSchedule(rmsnorm(64), defaultTarget(), whyNot, overrides);
  ASSERT_TRUE(schedule) << whyNot;
  EXPECT_EQ(schedule->threadsPerRow, 64);
  EXPECT_EQ(schedule->rowStorage, RowStorage::Stream);
  EXPECT_EQ(schedule->vectorWidth, 8);
}

TEST(ScheduleChoiceTest, TargetChecks) {
  RowSchedule split;
  split.threadsPerRow = 256;
  split.vectorWidth = 8;
  split.rowStorage = RowStorage::Shared;
  split.blocksPerRow = 8;
  std::string whyNot;
  EXPECT_TRUE(failed(checkRowScheduleForTarget(split, rmsnorm(65536),
                                               defaultTarget(), whyNot)));
  EXPECT_NE(whyNot.find("thread-block clusters"), std::string::npos) << whyNot;
  EXPECT_TRUE(succeeded(
      checkRowScheduleForTarget(split, rmsnorm(65536), h100(), whyNot)));
}

} // namespace
