//===- KnownTargets.h - the GPUs norm-mlir compiles for --------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
// One table of the chips the pipelines accept, with what a kernel may use on
// each (warps, shared memory, clusters, conversion instructions). A chip that
// is not in the table is a diagnostic before any LLVM back end sees it: LLVM
// knows chips (sm_50, gfx700) whose instruction selection aborts on our
// kernels. A binary built for several chips gets what all of them have.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_TARGET_KNOWNTARGETS_H
#define NORM_TARGET_KNOWNTARGETS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>
#include <string>

namespace mlir {
namespace norm {

enum class GPUVendor { NVIDIA, AMD };

/// Hardware conversions from f32 to the fp8 formats.
enum class FP8Conversions {
  None, // emulated with integer arithmetic
  FNUZ, // f8E4M3FNUZ / f8E5M2FNUZ (gfx942)
  OCP,  // f8E4M3FN / f8E5M2 (sm_89+, gfx950, gfx12)
};

/// Hardware conversions from f32 to fp4 (E2M1).
enum class FP4Conversions {
  None,   // emulated
  NVIDIA, // cvt.rn.satfinite.e2m1x2.f32 (sm_100a, sm_103a, sm_120a, ...)
  AMD,    // v_cvt_scalef32_pk_fp4_f32 (gfx950)
};

/// What norm-mlir knows of one chip.
struct ChipInfo {
  llvm::StringLiteral name;
  GPUVendor vendor;
  /// Threads per warp, and whether wave64 / wave32 are possible (AMD).
  int64_t defaultWarpSize;
  bool wave64, wave32;
  /// Streaming multiprocessors (compute units) of the chip's largest part:
  /// a fact for schedules, not a promise about the GPU at hand.
  int64_t numSMs;
  /// Dynamic shared memory a block may use after opting in, in bytes.
  int64_t sharedMemoryPerBlock;
  /// Registers a thread may use (32-bit).
  int64_t registersPerThread;
  /// Most blocks of a thread-block cluster (1: no clusters).
  int64_t maxClusterSize;
  FP8Conversions fp8;
  FP4Conversions fp4;
  /// NaN-propagating max / min and conversions on f16 / bf16 pairs
  /// (max.NaN.bf16x2, cvt.rn.bf16x2.f32: NVIDIA sm_80+).
  bool packedHalfOps;
  /// Asynchronous global-to-shared copies (cp.async: NVIDIA sm_80+).
  bool asyncCopies;
  /// L2 evict-last loads are used for streamed rows (measured on sm_90).
  bool evictLastLoads;
  /// PTX features the chip needs beyond LLVM's default ("" for none).
  llvm::StringLiteral ptxFeatures;
};

/// Every chip the pipelines accept, NVIDIA then AMD.
llvm::ArrayRef<ChipInfo> getKnownChips();

/// The chip called `name`, or null.
const ChipInfo *lookupChip(llvm::StringRef name);

/// The names of the known chips of `vendor`, comma-separated (for
/// diagnostics).
std::string listKnownChips(GPUVendor vendor);

/// What one binary built for several chips may use: the least of each.
struct TargetDescription {
  GPUVendor vendor = GPUVendor::NVIDIA;
  llvm::SmallVector<const ChipInfo *> chips;
  int64_t warpSize = 32;
  int64_t sharedMemoryPerBlock = 0;
  int64_t maxClusterSize = 1;
  FP8Conversions fp8 = FP8Conversions::None;
  bool packedHalfOps = false;
  bool asyncCopies = false;
  bool evictLastLoads = false;
};

/// The description of a binary for the comma-separated `chipList` of
/// `vendor` (AMD: in wave64 when `wave64`), or nullopt with `error` saying
/// what is wrong: an empty list, an unknown chip, a chip of the other
/// vendor, chips with different fp8 conversions (the conversion is chosen
/// per binary), a wave size a chip does not run.
std::optional<TargetDescription> describeTarget(GPUVendor vendor,
                                                llvm::StringRef chipList,
                                                std::optional<bool> wave64,
                                                std::string &error);

/// The same, for chips of either vendor: the vendor is the first chip's.
std::optional<TargetDescription> describeTarget(llvm::StringRef chipList,
                                                std::string &error);

} // namespace norm
} // namespace mlir

#endif // NORM_TARGET_KNOWNTARGETS_H
