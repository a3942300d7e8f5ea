//===- RowSchedule.cpp - default schedule of row-wise kernels --*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#include "norm/Conversion/NormToGPU/RowSchedule.h"

#include "llvm/Support/MathExtras.h"

#include <algorithm>

using namespace mlir::norm;

static constexpr int64_t kMaxThreadsPerBlock = 1024;
/// Vectors a thread handles per row before more threads join the row: a few
/// independent 16-byte loads in flight per thread hide memory latency.
static constexpr int64_t kVectorsPerThread = 4;
/// Short rows share a block so that blocks have at least this many threads.
static constexpr int64_t kMinBlockSize = 128;
static constexpr int64_t kRegistersPerSM = 65536;
static constexpr int64_t kMaxRegistersPerThread = 255;
static constexpr int64_t kRegisterReserve = 40;

std::optional<RowSchedule>
mlir::norm::chooseRowSchedule(const RowScheduleRequest &request,
                              std::string &whyNot) {
  RowSchedule schedule;
  bool dynamicCols = request.cols < 0;

  // Widest power-of-two vector of at most 16 bytes that divides H (and the
  // group), so rows stay aligned to it whenever the row stride is a multiple.
  // With a dynamic H only a group size (which H must be a multiple of) tells
  // anything about H's divisors.
  int64_t vec = std::max<int64_t>(1, 16 / request.widestElementBytes);
  if (dynamicCols && !request.groupSize)
    vec = 1;
  while (vec > 1 && ((!dynamicCols && request.cols % vec != 0) ||
                     (request.groupSize && request.groupSize % vec != 0)))
    vec /= 2;
  schedule.vectorWidth = vec;

  int64_t lanesPerGroup = 0;
  if (request.groupSize) {
    lanesPerGroup = request.groupSize / vec;
    if (!llvm::isPowerOf2_64(lanesPerGroup) ||
        lanesPerGroup > request.warpSize) {
      whyNot = "group size " + std::to_string(request.groupSize) +
               " needs a power-of-two number (at most the warp size " +
               std::to_string(request.warpSize) + ") of lanes; it would take " +
               std::to_string(lanesPerGroup) + " lanes of " +
               std::to_string(vec) + " elements";
      return std::nullopt;
    }
  }

  if (dynamicCols) {
    // Unknown H: a block per row, streaming over the row twice.
    schedule.threadsPerRow = 256;
    schedule.rowsPerBlock = 1;
    schedule.cacheRowInRegisters = false;
    schedule.threadsPerRow =
        std::max<int64_t>(schedule.threadsPerRow, lanesPerGroup);
    return schedule;
  }

  int64_t vectors = llvm::divideCeil(request.cols, vec);
  int64_t tpr =
      llvm::PowerOf2Ceil(llvm::divideCeil(vectors, kVectorsPerThread));
  tpr = std::clamp<int64_t>(tpr, 1, kMaxThreadsPerBlock);
  tpr = std::max(tpr, lanesPerGroup);
  schedule.threadsPerRow = tpr;
  int64_t chunks = llvm::divideCeil(vectors, tpr);
  schedule.chunks = chunks;
  schedule.rowsPerBlock =
      tpr <= request.warpSize ? std::max<int64_t>(1, kMinBlockSize / tpr) : 1;
  // A block of B threads gets at most 64K / B registers per thread; keep
  // kRegisterReserve of them for addresses, reductions and the conversion.
  int64_t registersPerThread = std::min<int64_t>(
      kMaxRegistersPerThread, kRegistersPerSM / schedule.blockSize());
  int64_t budget = std::min(request.maxRegisterElements,
                            registersPerThread - kRegisterReserve);
  schedule.cacheRowInRegisters = chunks * vec <= budget;
  return schedule;
}
