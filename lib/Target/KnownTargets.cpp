//===- KnownTargets.cpp - the GPUs norm-mlir compiles for ------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#include "norm/Target/KnownTargets.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

#include <algorithm>

using namespace llvm;
using namespace mlir;
using namespace mlir::norm;

namespace {
constexpr int64_t KiB = 1024;
constexpr GPUVendor NV = GPUVendor::NVIDIA;
constexpr GPUVendor AMD = GPUVendor::AMD;
constexpr FP8Conversions NoFP8 = FP8Conversions::None;
constexpr FP8Conversions OCP = FP8Conversions::OCP;
constexpr FP8Conversions FNUZ = FP8Conversions::FNUZ;
constexpr FP4Conversions NoFP4 = FP4Conversions::None;
constexpr FP4Conversions NVFP4 = FP4Conversions::NVIDIA;
constexpr FP4Conversions AMDFP4 = FP4Conversions::AMD;
} // namespace

// Shared memory per block is what a kernel may take after opting in above
// 48 KiB (the runtime opts in); AMD's is 64 KiB of LDS on every chip (gfx950
// has 160 KiB, unused until a launch above 64 KiB is tested there). sm_80 is
// the floor: the kernels use bf16 arithmetic and cp.async. RDNA chips run
// the kernels in wave32 only (wave64 aborts AMDGPU instruction selection on
// their cross-lane operations).
static const ChipInfo kKnownChips[] = {
    // name, vendor, warp, wave64, wave32, SMs, shared/block, regs, cluster,
    // fp8, fp4, packed half ops, cp.async, evict-last, PTX features
    {"sm_80", NV, 32, false, true, 108, 163 * KiB, 255, 1, NoFP8, NoFP4, true,
     true, false, ""},
    {"sm_86", NV, 32, false, true, 84, 99 * KiB, 255, 1, NoFP8, NoFP4, true,
     true, false, ""},
    {"sm_87", NV, 32, false, true, 16, 163 * KiB, 255, 1, NoFP8, NoFP4, true,
     true, false, ""},
    // LLVM's default PTX for sm_89 (7.8) predates the fp8 conversions (8.1).
    {"sm_89", NV, 32, false, true, 142, 99 * KiB, 255, 1, OCP, NoFP4, true,
     true, false, "+ptx81"},
    {"sm_90", NV, 32, false, true, 132, 227 * KiB, 255, 8, OCP, NoFP4, true,
     true, true, ""},
    {"sm_90a", NV, 32, false, true, 132, 227 * KiB, 255, 8, OCP, NoFP4, true,
     true, true, ""},
    {"sm_100", NV, 32, false, true, 148, 227 * KiB, 255, 8, OCP, NoFP4, true,
     true, true, ""},
    {"sm_100a", NV, 32, false, true, 148, 227 * KiB, 255, 8, OCP, NVFP4, true,
     true, true, ""},
    {"sm_103", NV, 32, false, true, 148, 227 * KiB, 255, 8, OCP, NoFP4, true,
     true, true, ""},
    {"sm_103a", NV, 32, false, true, 148, 227 * KiB, 255, 8, OCP, NVFP4, true,
     true, true, ""},
    {"sm_120", NV, 32, false, true, 170, 99 * KiB, 255, 8, OCP, NoFP4, true,
     true, true, ""},
    {"sm_120a", NV, 32, false, true, 170, 99 * KiB, 255, 8, OCP, NVFP4, true,
     true, true, ""},
    {"sm_121", NV, 32, false, true, 48, 99 * KiB, 255, 8, OCP, NoFP4, true,
     true, true, ""},
    {"sm_121a", NV, 32, false, true, 48, 99 * KiB, 255, 8, OCP, NVFP4, true,
     true, true, ""},
    {"gfx90a", AMD, 64, true, false, 110, 64 * KiB, 512, 1, NoFP8, NoFP4, false,
     false, false, ""},
    {"gfx942", AMD, 64, true, false, 304, 64 * KiB, 512, 1, FNUZ, NoFP4, false,
     false, false, ""},
    {"gfx950", AMD, 64, true, false, 256, 64 * KiB, 512, 1, OCP, AMDFP4, false,
     false, false, ""},
    {"gfx1030", AMD, 32, false, true, 80, 64 * KiB, 256, 1, NoFP8, NoFP4, false,
     false, false, ""},
    {"gfx1100", AMD, 32, false, true, 96, 64 * KiB, 256, 1, NoFP8, NoFP4, false,
     false, false, ""},
    {"gfx1101", AMD, 32, false, true, 60, 64 * KiB, 256, 1, NoFP8, NoFP4, false,
     false, false, ""},
    {"gfx1102", AMD, 32, false, true, 32, 64 * KiB, 256, 1, NoFP8, NoFP4, false,
     false, false, ""},
    {"gfx1200", AMD, 32, false, true, 32, 64 * KiB, 256, 1, OCP, NoFP4, false,
     false, false, ""},
    {"gfx1201", AMD, 32, false, true, 64, 64 * KiB, 256, 1, OCP, NoFP4, false,
     false, false, ""},
};

ArrayRef<ChipInfo> mlir::norm::getKnownChips() { return kKnownChips; }

const ChipInfo *mlir::norm::lookupChip(StringRef name) {
  for (const ChipInfo &chip : kKnownChips)
    if (chip.name == name)
      return &chip;
  return nullptr;
}

std::string mlir::norm::listKnownChips(GPUVendor vendor) {
  SmallVector<StringRef> names;
  for (const ChipInfo &chip : kKnownChips)
    if (chip.vendor == vendor)
      names.push_back(chip.name);
  return llvm::join(names, ", ");
}

static StringRef vendorName(GPUVendor vendor) {
  return vendor == GPUVendor::NVIDIA ? "NVIDIA" : "AMD";
}

static StringRef fp8Name(FP8Conversions fp8) {
  switch (fp8) {
  case FP8Conversions::None:
    return "none";
  case FP8Conversions::FNUZ:
    return "fnuz";
  case FP8Conversions::OCP:
    return "ocp";
  }
  llvm_unreachable("unknown fp8 conversions");
}

std::optional<TargetDescription>
mlir::norm::describeTarget(GPUVendor vendor, StringRef chipList,
                           std::optional<bool> wave64, std::string &error) {
  SmallVector<StringRef> names;
  chipList.split(names, ',', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
  TargetDescription target;
  target.vendor = vendor;
  for (StringRef name : names) {
    name = name.trim();
    if (name.empty())
      continue;
    const ChipInfo *chip = lookupChip(name);
    if (!chip) {
      error = ("unknown chip '" + name + "'; " + vendorName(vendor) +
               " chips norm-mlir compiles for: " + listKnownChips(vendor))
                  .str();
      return std::nullopt;
    }
    if (chip->vendor != vendor) {
      error =
          ("'" + name + "' is not an " + vendorName(vendor) + " chip; the " +
           vendorName(vendor) + " chips are: " + listKnownChips(vendor))
              .str();
      return std::nullopt;
    }
    target.chips.push_back(chip);
  }
  if (target.chips.empty()) {
    error = "'chip' is empty";
    return std::nullopt;
  }
  const ChipInfo &first = *target.chips.front();
  for (const ChipInfo *chip : target.chips) {
    if (chip->fp8 != first.fp8) {
      error =
          ("chips '" + chipList +
           "' have different fp8 conversion "
           "instructions (" +
           first.name + ": " + fp8Name(first.fp8) + ", " + chip->name + ": " +
           fp8Name(chip->fp8) + "); compile them in separate binaries")
              .str();
      return std::nullopt;
    }
  }
  // The wave size: the option where given, else the first chip's.
  bool useWave64 = wave64.value_or(first.defaultWarpSize == 64);
  for (const ChipInfo *chip : target.chips) {
    if (useWave64 ? !chip->wave64 : !chip->wave32) {
      error = ("'" + chip->name + "' does not run norm kernels in " +
               (useWave64 ? "wave64" : "wave32") +
               (chip->wave64 ? "; use wave64=true" : "; use wave64=false"))
                  .str();
      return std::nullopt;
    }
  }
  target.warpSize = useWave64 ? 64 : 32;
  target.fp8 = first.fp8;
  target.sharedMemoryPerBlock = first.sharedMemoryPerBlock;
  target.maxClusterSize = first.maxClusterSize;
  target.packedHalfOps = target.asyncCopies = target.evictLastLoads = true;
  for (const ChipInfo *chip : target.chips) {
    target.sharedMemoryPerBlock =
        std::min(target.sharedMemoryPerBlock, chip->sharedMemoryPerBlock);
    target.maxClusterSize =
        std::min(target.maxClusterSize, chip->maxClusterSize);
    target.packedHalfOps &= chip->packedHalfOps;
    target.asyncCopies &= chip->asyncCopies;
    target.evictLastLoads &= chip->evictLastLoads;
  }
  return target;
}

std::optional<TargetDescription>
mlir::norm::describeTarget(StringRef chipList, std::string &error) {
  StringRef first = chipList.split(',').first.trim();
  const ChipInfo *chip = lookupChip(first);
  if (!chip) {
    error = ("unknown chip '" + first + "'; chips norm-mlir compiles for: " +
             listKnownChips(GPUVendor::NVIDIA) + ", " +
             listKnownChips(GPUVendor::AMD))
                .str();
    if (first.empty())
      error = "'chip' is empty";
    return std::nullopt;
  }
  return describeTarget(chip->vendor, chipList, std::nullopt, error);
}
