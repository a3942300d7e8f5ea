//===- Pipelines.cpp - norm-mlir end-to-end pipelines -----------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#include "norm/Pipelines/Pipelines.h"

#include "norm/Dialect/Norm/IR/RowSchedule.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <climits>
#include <cstdint>

using namespace mlir;
using namespace mlir::norm;

#ifndef NORM_DEFAULT_CUDA_PATH
#define NORM_DEFAULT_CUDA_PATH ""
#endif
#ifndef NORM_DEFAULT_ROCM_TOOLKIT_PATH
#define NORM_DEFAULT_ROCM_TOOLKIT_PATH ""
#endif

const char *mlir::norm::getDefaultCUDAPath() { return NORM_DEFAULT_CUDA_PATH; }
const char *mlir::norm::getDefaultROCmToolkitPath() {
  return NORM_DEFAULT_ROCM_TOOLKIT_PATH;
}

static const char *kBufferize =
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map},";

/// The passes before `norm-to-gpu`: raising and fusion (which only make
/// sense on tensors), the schedule choice `tilePass` (on the fused ops),
/// then bufferization; only `tilePass` for memref inputs.
template <typename OptionsT>
static std::string getFrontPasses(const OptionsT &options,
                                  const std::string &tilePass) {
  std::string tile = options.tile ? tilePass + "," : "";
  if (!options.bufferize)
    return tile;
  std::string passes;
  if (options.raise)
    passes += "norm-raise,";
  if (options.fuse)
    passes += "norm-fuse,";
  return passes + tile + kBufferize;
}

/// Dynamic shared memory a block of an sm_XX chip may use (after opting in
/// above 48 KiB, which the runtime does).
static int64_t getNVIDIASharedMemoryPerBlock(int version) {
  switch (version) {
  case 70:
  case 72:
    return 96 * 1024;
  case 75:
    return 64 * 1024;
  case 80:
  case 87:
    return 163 * 1024;
  case 86:
  case 89:
  case 120:
  case 121:
    return 99 * 1024;
  case 90:
  case 100:
  case 101:
  case 103:
  case 110:
    return 227 * 1024;
  default:
    // What every CUDA GPU gives without opting in.
    return 48 * 1024;
  }
}

static SmallVector<std::string> splitChips(StringRef list) {
  SmallVector<StringRef> parts;
  list.split(parts, ',', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
  SmallVector<std::string> chips;
  for (StringRef part : parts)
    chips.push_back(part.trim().str());
  return chips;
}

/// Compute capability of "sm_90a" -> 90, or nullopt.
static std::optional<int> smVersion(StringRef chip) {
  if (!chip.consume_front("sm_"))
    return std::nullopt;
  chip = chip.take_while([](char c) { return llvm::isDigit(c); });
  int version;
  if (chip.getAsInteger(10, version))
    return std::nullopt;
  return version;
}

static LogicalResult addPipeline(OpPassManager &pm, StringRef text,
                                 std::string &error) {
  llvm::raw_string_ostream os(error);
  return parsePassPipeline(text, pm, os);
}

LogicalResult
mlir::norm::buildNormToNVVMPipeline(OpPassManager &pm,
                                    const NormToNVVMPipelineOptions &options,
                                    std::string &error) {
  SmallVector<std::string> chips = splitChips(options.chip);
  if (chips.empty()) {
    error = "norm-to-nvvm: 'chip' is empty";
    return failure();
  }
  // The fp8 conversion is chosen for the whole kernel module, so all chips
  // of one binary must agree on having cvt.rn.satfinite.e4m3x2 (sm_89+).
  std::optional<bool> paired;
  int minVersion = INT_MAX;
  for (const std::string &chip : chips) {
    std::optional<int> version = smVersion(chip);
    if (!version) {
      error = "norm-to-nvvm: '" + chip + "' is not an NVIDIA chip (sm_XX)";
      return failure();
    }
    minVersion = std::min(minVersion, *version);
    bool hasFP8 = *version >= 89;
    if (paired && *paired != hasFP8) {
      error = "norm-to-nvvm: chips '" + options.chip +
              "' mix targets with and without the fp8 conversion "
              "instructions (sm_89+); compile them in separate binaries";
      return failure();
    }
    paired = hasFP8;
  }
  // One binary runs on every chip of the list: the smallest limit.
  int64_t sharedMemory = INT64_MAX;
  for (const std::string &chip : chips)
    sharedMemory =
        std::min(sharedMemory, getNVIDIASharedMemoryPerBlock(*smVersion(chip)));
  StringRef format = options.format;
  if (format != "isa" && format != "bin" && format != "fatbin") {
    error = "norm-to-nvvm: 'format' must be isa, bin or fatbin, got '" +
            format.str() + "'";
    return failure();
  }
  std::string cudaPath = options.cudaPath.empty()
                             ? std::string(getDefaultCUDAPath())
                             : options.cudaPath.getValue();
  if (format != "isa") {
    SmallString<256> ptxas(cudaPath);
    llvm::sys::path::append(ptxas, "bin", "ptxas");
    if (!llvm::sys::fs::can_execute(ptxas)) {
      error = "norm-to-nvvm: format=" + format.str() +
              " needs ptxas, not "
              "found at '" +
              std::string(ptxas) +
              "'; pass cuda-path=<CUDA toolkit> or use format=isa";
      return failure();
    }
  }

  std::string attach;
  for (const std::string &chip : chips) {
    // LLVM's default PTX for sm_89 (7.8) predates the fp8 conversions (8.1).
    std::string features = options.features;
    if (features.empty() && *smVersion(chip) == 89)
      features = "+ptx81";
    attach += llvm::formatv("nvvm-attach-target{{chip={0} features={1} O={2}},",
                            chip, features, options.optLevel.getValue())
                  .str();
  }
  // Rows may be split over thread-block clusters when every chip has them.
  bool clusters = minVersion >= 90;
  std::string target =
      llvm::formatv("warp-size=32 shared-memory-per-block={0} "
                    "max-blocks-per-row={1}",
                    sharedMemory, clusters ? kMaxBlocksPerRow : 1)
          .str();
  // max.NaN.bf16x2 and cvt.rn.bf16x2.f32 (and their f16 forms), and
  // cp.async (the persistent kernels' row ring too), are sm_80+.
  bool sm80 = minVersion >= 80;
  // Evict-last row loads were measured on H100s only, and need PTX 7.4
  // (LLVM's default PTX for sm_80 and sm_86 is older).
  bool sm90 = minVersion >= 90;
  std::string text = llvm::formatv(
      "{0}norm-to-gpu{{{5} packed-half-max={6} async-copies={6} "
      "persistent-rows={6} nontemporal-rows=true evict-last-row-loads={7}},"
      "canonicalize,cse,"
      "gpu.module(norm-lower-quantizer-conversions{{nvvm-paired={1} "
      "nvvm-int8=true nvvm-half-pairs={6}},norm-nvvm-nontemporal),"
      "canonicalize,"
      "convert-scf-to-cf,convert-func-to-llvm,expand-strided-metadata,"
      "{2}lower-affine,convert-arith-to-llvm,convert-index-to-llvm,"
      "canonicalize,cse,"
      "gpu.module(convert-gpu-to-nvvm{{index-bitwidth=64},canonicalize,cse,"
      "reconcile-unrealized-casts),"
      "gpu-to-llvm,gpu-module-to-binary{{format={3} toolkit={4}},"
      "convert-math-to-llvm,finalize-memref-to-llvm,convert-cf-to-llvm,"
      "canonicalize,cse,reconcile-unrealized-casts",
      getFrontPasses(options, "norm-tile{" + target + "}"),
      *paired ? "true" : "false", attach, format, cudaPath, target,
      sm80 ? "true" : "false", sm90 ? "true" : "false");
  return addPipeline(pm, text, error);
}

/// Which fp8 conversions a gfx chip has in hardware: the fnuz formats on
/// gfx940-942, the OCP formats on gfx950 and gfx12, none elsewhere.
static StringRef fp8Family(StringRef chip) {
  if (chip.starts_with("gfx94"))
    return "fnuz";
  if (chip == "gfx950" || chip.starts_with("gfx12"))
    return "ocp";
  return "none";
}

LogicalResult
mlir::norm::buildNormToROCDLPipeline(OpPassManager &pm,
                                     const NormToROCDLPipelineOptions &options,
                                     std::string &error) {
  SmallVector<std::string> chips = splitChips(options.chip);
  if (chips.empty()) {
    error = "norm-to-rocdl: 'chip' is empty";
    return failure();
  }
  for (const std::string &chip : chips) {
    if (!StringRef(chip).starts_with("gfx")) {
      error = "norm-to-rocdl: '" + chip + "' is not an AMD chip (gfxNNN)";
      return failure();
    }
    if (fp8Family(chip) != fp8Family(chips.front())) {
      error = "norm-to-rocdl: chips '" + options.chip +
              "' have different fp8 conversion instructions; compile them in "
              "separate binaries";
      return failure();
    }
  }
  StringRef format = options.format;
  if (format != "isa" && format != "bin") {
    error = "norm-to-rocdl: 'format' must be isa or bin, got '" + format.str() +
            "'";
    return failure();
  }
  std::string toolkit = options.toolkit.empty()
                            ? std::string(getDefaultROCmToolkitPath())
                            : options.toolkit.getValue();
  SmallString<256> ockl(toolkit), lld(toolkit);
  llvm::sys::path::append(ockl, "amdgcn", "bitcode", "ockl.bc");
  llvm::sys::path::append(lld, "llvm", "bin", "ld.lld");
  if (!llvm::sys::fs::exists(ockl) ||
      (format == "bin" && !llvm::sys::fs::can_execute(lld))) {
    error = "norm-to-rocdl: the ROCm toolkit folder '" + toolkit +
            "' must hold amdgcn/bitcode/ockl.bc (Debian: rocm-device-libs)" +
            (format == "bin" ? " and llvm/bin/ld.lld (Debian: lld-22)" : "") +
            "; pass toolkit=<folder>";
    return failure();
  }
  // RDNA chips run wave32 unless told otherwise.
  bool wave64 = options.wave64;
  if (!options.wave64.getNumOccurrences())
    wave64 = !(StringRef(chips.front()).starts_with("gfx10") ||
               StringRef(chips.front()).starts_with("gfx11") ||
               StringRef(chips.front()).starts_with("gfx12"));

  std::string attach;
  for (const std::string &chip : chips)
    attach +=
        llvm::formatv("rocdl-attach-target{{chip={0} O={1} wave64={2}},", chip,
                      options.optLevel.getValue(), wave64 ? "true" : "false")
            .str();
  // LDS per workgroup: 64 KiB on every supported chip (gfx950 has more,
  // unused until a launch above 64 KiB is tested there).
  std::string target =
      llvm::formatv("warp-size={0} shared-memory-per-block={1}",
                    wave64 ? 64 : 32, 64 * 1024)
          .str();
  std::string text = llvm::formatv(
      "{0}norm-to-gpu{{{1}},canonicalize,cse,"
      "gpu.module(convert-arith-to-amdgpu{{chipset={2} "
      "saturate-fp8-truncf=true},norm-lower-quantizer-conversions,"
      "convert-vector-to-llvm),canonicalize,"
      "convert-scf-to-cf,convert-func-to-llvm,expand-strided-metadata,"
      "{3}lower-affine,convert-arith-to-llvm,convert-index-to-llvm,"
      "canonicalize,cse,"
      "gpu.module(convert-gpu-to-rocdl{{chipset={2} index-bitwidth=64 "
      "runtime=HIP},canonicalize,cse,reconcile-unrealized-casts),"
      "gpu-to-llvm,gpu-module-to-binary{{format={4} toolkit={5}},"
      "convert-math-to-llvm,finalize-memref-to-llvm,convert-cf-to-llvm,"
      "canonicalize,cse,reconcile-unrealized-casts",
      getFrontPasses(options, "norm-tile{" + target + "}"), target,
      chips.front(), attach, format, toolkit);
  return addPipeline(pm, text, error);
}

void mlir::norm::registerNormPipelines() {
  PassPipelineRegistration<NormToNVVMPipelineOptions>(
      "norm-to-nvvm",
      "Compile norm ops to NVIDIA binaries (PTX, cubin or fatbin) and host "
      "code that launches them",
      [](OpPassManager &pm, const NormToNVVMPipelineOptions &options) {
        std::string error;
        if (failed(buildNormToNVVMPipeline(pm, options, error)))
          llvm::report_fatal_error(llvm::StringRef(error),
                                   /*gen_crash_diag=*/false);
      });
  PassPipelineRegistration<NormToROCDLPipelineOptions>(
      "norm-to-rocdl",
      "Compile norm ops to AMD binaries (HSACO or GCN assembly) and host code "
      "that launches them",
      [](OpPassManager &pm, const NormToROCDLPipelineOptions &options) {
        std::string error;
        if (failed(buildNormToROCDLPipeline(pm, options, error)))
          llvm::report_fatal_error(llvm::StringRef(error),
                                   /*gen_crash_diag=*/false);
      });
}
