//===- Pipelines.cpp - norm-mlir end-to-end pipelines -----------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#include "norm/Pipelines/Pipelines.h"

#include "norm/Conversion/Passes.h"
#include "norm/Dialect/Norm/IR/RowSchedule.h"
#include "norm/Dialect/Norm/Transforms/Passes.h"
#include "norm/Target/KnownTargets.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <functional>

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

/// The CUDA toolkit: the option, else $CUDA_ROOT, else $CUDA_HOME, else the
/// folder found at build time.
static std::string getCUDAPath(StringRef option) {
  if (!option.empty())
    return option.str();
  for (const char *variable : {"CUDA_ROOT", "CUDA_HOME"})
    if (const char *value = std::getenv(variable); value && *value)
      return value;
  return getDefaultCUDAPath();
}

/// The chips of `target` as the norm passes take them: norm-tile and
/// norm-to-gpu read every target fact from the known-target table.
static std::string getChipList(const TargetDescription &target) {
  std::string chips;
  for (const ChipInfo *chip : target.chips)
    chips += (chips.empty() ? "" : ",") + chip->name.str();
  return chips;
}

namespace {
/// What each vendor adds to the shared skeleton of the pipelines.
struct DeviceHooks {
  /// Kernel-module passes right after norm-to-gpu: the quantizer's
  /// conversions and the vendor's memory-access rewrites.
  std::function<void(OpPassManager &kernelPM)> addKernelPasses;
  /// Attaches the targets (#nvvm.target / #rocdl.target) to the kernels.
  std::function<void(OpPassManager &pm)> addAttachTargets;
  /// The kernel module's gpu-to-vendor conversion.
  std::function<void(OpPassManager &kernelPM)> addGPUToVendor;
};

/// The options both pipelines share.
struct CommonOptions {
  bool bufferize, raise, fuse, tile;
  std::string format, toolkit;
};
} // namespace

/// The pipeline of either vendor, in three phases: the front (raising,
/// fusion, schedules, bufferization), the kernels (norm-to-gpu and the
/// device's lowering), the host and binaries.
static void buildPipeline(OpPassManager &pm, const CommonOptions &options,
                          const TargetDescription &target,
                          const DeviceHooks &hooks) {
  // Input that upstream passes below crash on becomes an error first.
  pm.addPass(createNormCheckInput());
  // Front: raising and fusion only make sense on tensors; memref inputs get
  // only their schedules.
  if (options.bufferize) {
    if (options.raise)
      pm.addPass(createNormRaise());
    if (options.fuse)
      pm.addPass(createNormFuse());
  }
  if (options.tile) {
    NormTileOptions tile;
    tile.chip = getChipList(target);
    pm.addPass(createNormTile(tile));
  }
  if (options.bufferize) {
    bufferization::OneShotBufferizePassOptions bufferize;
    bufferize.bufferizeFunctionBoundaries = true;
    bufferize.functionBoundaryTypeConversion =
        bufferization::LayoutMapOption::IdentityLayoutMap;
    pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  }

  // Kernels.
  NormToGPUOptions toGPU;
  toGPU.chip = getChipList(target);
  pm.addPass(createNormToGPU(toGPU));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  hooks.addKernelPasses(pm.nest<gpu::GPUModuleOp>());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  hooks.addAttachTargets(pm);
  pm.addPass(createLowerAffinePass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  OpPassManager &kernelPM = pm.nest<gpu::GPUModuleOp>();
  hooks.addGPUToVendor(kernelPM);
  kernelPM.addPass(createCanonicalizerPass());
  kernelPM.addPass(createCSEPass());
  kernelPM.addPass(createReconcileUnrealizedCastsPass());

  // Host and binaries.
  pm.addPass(createGpuToLLVMConversionPass());
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = options.format;
  binary.toolkitPath = options.toolkit;
  pm.addPass(createGpuModuleToBinaryPass(binary));
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

static LogicalResult checkOptLevel(StringRef pipeline, int optLevel,
                                   std::string &error) {
  if (optLevel >= 0 && optLevel <= 3)
    return success();
  error =
      (pipeline + ": 'opt-level' must be 0-3, got " + Twine(optLevel)).str();
  return failure();
}

LogicalResult
mlir::norm::buildNormToNVVMPipeline(OpPassManager &pm,
                                    const NormToNVVMPipelineOptions &options,
                                    std::string &error) {
  std::string why;
  std::optional<TargetDescription> target =
      describeTarget(GPUVendor::NVIDIA, options.chip, std::nullopt, why);
  if (!target) {
    error = "norm-to-nvvm: " + why;
    return failure();
  }
  StringRef format = options.format;
  if (format != "isa" && format != "bin" && format != "fatbin") {
    error = "norm-to-nvvm: 'format' must be isa, bin or fatbin, got '" +
            format.str() + "'";
    return failure();
  }
  if (failed(checkOptLevel("norm-to-nvvm", options.optLevel, error)))
    return failure();
  std::string cudaPath = getCUDAPath(options.cudaPath);
  // libdevice (math functions) is linked into every format: without it the
  // PTX keeps unresolved calls that fail only when a GPU loads them.
  SmallString<256> libdevice(cudaPath);
  llvm::sys::path::append(libdevice, "nvvm", "libdevice", "libdevice.10.bc");
  if (!llvm::sys::fs::exists(libdevice)) {
    error = "norm-to-nvvm: no libdevice at '" + std::string(libdevice) +
            "'; pass cuda-path=<CUDA toolkit> or set CUDA_ROOT";
    return failure();
  }
  if (format != "isa") {
    SmallString<256> ptxas(cudaPath);
    llvm::sys::path::append(ptxas, "bin", "ptxas");
    if (!llvm::sys::fs::can_execute(ptxas)) {
      error = "norm-to-nvvm: format=" + format.str() +
              " needs ptxas, not "
              "found at '" +
              std::string(ptxas) +
              "'; pass cuda-path=<CUDA toolkit>, set CUDA_ROOT, or use "
              "format=isa";
      return failure();
    }
  }

  bool pairedFP8 = target->fp8 == FP8Conversions::OCP;
  DeviceHooks hooks;
  hooks.addKernelPasses = [&](OpPassManager &kernelPM) {
    NormLowerQuantizerConversionsOptions conversions;
    conversions.nvvmPaired = pairedFP8;
    conversions.nvvmInt8 = true;
    conversions.nvvmHalfPairs = target->packedHalfOps;
    kernelPM.addPass(createNormLowerQuantizerConversions(conversions));
    kernelPM.addPass(createNormNVVMNontemporal());
  };
  hooks.addAttachTargets = [&](OpPassManager &pm) {
    for (const ChipInfo *chip : target->chips) {
      GpuNVVMAttachTargetOptions attach;
      attach.chip = chip->name.str();
      attach.features = options.features.empty() ? chip->ptxFeatures.str()
                                                 : options.features.getValue();
      attach.optLevel = options.optLevel;
      pm.addPass(createGpuNVVMAttachTarget(attach));
    }
  };
  hooks.addGPUToVendor = [](OpPassManager &kernelPM) {
    ConvertGpuOpsToNVVMOpsOptions toNVVM;
    toNVVM.indexBitwidth = 64;
    kernelPM.addPass(createConvertGpuOpsToNVVMOps(toNVVM));
  };
  CommonOptions common{options.bufferize, options.raise, options.fuse,
                       options.tile,      format.str(),  cudaPath};
  buildPipeline(pm, common, *target, hooks);
  return success();
}

LogicalResult
mlir::norm::buildNormToROCDLPipeline(OpPassManager &pm,
                                     const NormToROCDLPipelineOptions &options,
                                     std::string &error) {
  std::optional<bool> wave64;
  if (options.wave64.getNumOccurrences())
    wave64 = options.wave64;
  std::string why;
  std::optional<TargetDescription> target =
      describeTarget(GPUVendor::AMD, options.chip, wave64, why);
  if (!target) {
    error = "norm-to-rocdl: " + why;
    return failure();
  }
  StringRef format = options.format;
  if (format != "isa" && format != "bin") {
    error = "norm-to-rocdl: 'format' must be isa or bin, got '" + format.str() +
            "'";
    return failure();
  }
  if (failed(checkOptLevel("norm-to-rocdl", options.optLevel, error)))
    return failure();
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

  std::string chipset = target->chips.front()->name.str();
  DeviceHooks hooks;
  hooks.addKernelPasses = [&](OpPassManager &kernelPM) {
    ArithToAMDGPUConversionPassOptions toAMDGPU;
    toAMDGPU.chipset = chipset;
    toAMDGPU.saturateFP8Truncf = true;
    kernelPM.addPass(createArithToAMDGPUConversionPass(toAMDGPU));
    kernelPM.addPass(createNormLowerQuantizerConversions());
    kernelPM.addPass(createConvertVectorToLLVMPass());
  };
  hooks.addAttachTargets = [&](OpPassManager &pm) {
    for (const ChipInfo *chip : target->chips) {
      GpuROCDLAttachTargetOptions attach;
      attach.chip = chip->name.str();
      attach.optLevel = options.optLevel;
      attach.wave64Flag = target->warpSize == 64;
      pm.addPass(createGpuROCDLAttachTarget(attach));
    }
  };
  hooks.addGPUToVendor = [&](OpPassManager &kernelPM) {
    ConvertGpuOpsToROCDLOpsOptions toROCDL;
    toROCDL.chipset = chipset;
    toROCDL.indexBitwidth = 64;
    toROCDL.runtime = gpu::amd::Runtime::HIP;
    kernelPM.addPass(createConvertGpuOpsToROCDLOps(toROCDL));
  };
  CommonOptions common{options.bufferize, options.raise, options.fuse,
                       options.tile,      format.str(),  toolkit};
  buildPipeline(pm, common, *target, hooks);
  return success();
}

/// Registers `Options`' pipeline under `name`: an option or target error is
/// reported through the driver's error handler (a diagnostic and a failed
/// run), never an LLVM fatal error.
template <typename Options>
static void registerPipeline(StringRef name, StringRef description,
                             LogicalResult (*build)(OpPassManager &,
                                                    const Options &,
                                                    std::string &)) {
  registerPassPipeline(
      name, description,
      [build](OpPassManager &pm, StringRef optionsText,
              function_ref<LogicalResult(const Twine &)> errorHandler) {
        Options options;
        if (failed(options.parseFromString(optionsText)))
          return failure();
        std::string error;
        if (failed(build(pm, options, error)))
          return errorHandler(error);
        return success();
      },
      [](function_ref<void(const mlir::detail::PassOptions &)> optHandler) {
        optHandler(Options());
      });
}

void mlir::norm::registerNormPipelines() {
  registerPipeline<NormToNVVMPipelineOptions>(
      "norm-to-nvvm",
      "Compile norm ops to NVIDIA binaries (PTX, cubin or fatbin) and host "
      "code that launches them",
      buildNormToNVVMPipeline);
  registerPipeline<NormToROCDLPipelineOptions>(
      "norm-to-rocdl",
      "Compile norm ops to AMD binaries (HSACO or GCN assembly) and host code "
      "that launches them",
      buildNormToROCDLPipeline);
}
