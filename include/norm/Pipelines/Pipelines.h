//===- Pipelines.h - norm-mlir end-to-end pipelines -------------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
// From norm ops on tensors to GPU binaries plus host code that launches them,
// in the style of upstream's GPUToNVVMPipeline.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_PIPELINES_PIPELINES_H
#define NORM_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"
#include "llvm/Support/Error.h"

namespace mlir {
class OpPassManager;

namespace norm {

struct NormToNVVMPipelineOptions
    : public PassPipelineOptions<NormToNVVMPipelineOptions> {
  PassOptions::Option<std::string> chip{
      *this, "chip",
      llvm::cl::desc("Target chip, or a comma list of chips that go into one "
                     "binary (sm_80, sm_89, sm_90, sm_90a, sm_100, ...)"),
      llvm::cl::init("sm_90")};
  PassOptions::Option<std::string> features{
      *this, "features",
      llvm::cl::desc("PTX features, e.g. +ptx80 (default: what the chip "
                     "needs)"),
      llvm::cl::init("")};
  PassOptions::Option<int> optLevel{
      *this, "opt-level", llvm::cl::desc("LLVM optimization level (0-3)"),
      llvm::cl::init(3)};
  PassOptions::Option<std::string> format{
      *this, "format",
      llvm::cl::desc("Kernel object format: isa (PTX), bin (cubin) or fatbin"),
      llvm::cl::init("bin")};
  PassOptions::Option<std::string> cudaPath{
      *this, "cuda-path",
      llvm::cl::desc("CUDA toolkit holding ptxas, fatbinary and libdevice "
                     "(default: $CUDA_ROOT, else $CUDA_HOME, else the one "
                     "found at build time)"),
      llvm::cl::init("")};
  PassOptions::Option<bool> bufferize{
      *this, "bufferize",
      llvm::cl::desc("Run one-shot-bufferize first (tensor inputs)"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> raise{
      *this, "raise",
      llvm::cl::desc("With bufferize: raise RMSNorm written in "
                     "linalg/arith/math to norm ops first (norm-raise)"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> fuse{
      *this, "fuse",
      llvm::cl::desc("With bufferize: fuse residual adds and quantizations "
                     "into norm ops first (norm-fuse)"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> tile{
      *this, "tile",
      llvm::cl::desc("Choose every norm op's schedule for the target "
                     "(norm-tile) before the lowering; a schedule already on "
                     "an op is kept"),
      llvm::cl::init(true)};
};

struct NormToROCDLPipelineOptions
    : public PassPipelineOptions<NormToROCDLPipelineOptions> {
  PassOptions::Option<std::string> chip{
      *this, "chip",
      llvm::cl::desc("Target chip, or a comma list of chips that go into one "
                     "binary (gfx90a, gfx942, gfx950, gfx1100, ...)"),
      llvm::cl::init("gfx942")};
  PassOptions::Option<bool> wave64{
      *this, "wave64",
      llvm::cl::desc("64-lane wavefronts (CDNA); false for wave32 (RDNA). "
                     "Default: what the chip uses"),
      llvm::cl::init(true)};
  PassOptions::Option<int> optLevel{
      *this, "opt-level", llvm::cl::desc("LLVM optimization level (0-3)"),
      llvm::cl::init(3)};
  PassOptions::Option<std::string> format{
      *this, "format",
      llvm::cl::desc("Kernel object format: isa (GCN assembly) or bin "
                     "(HSACO)"),
      llvm::cl::init("bin")};
  PassOptions::Option<std::string> toolkit{
      *this, "toolkit",
      llvm::cl::desc("Folder holding amdgcn/bitcode (ROCm device libraries) "
                     "and llvm/bin/ld.lld"),
      llvm::cl::init("")};
  PassOptions::Option<bool> bufferize{
      *this, "bufferize",
      llvm::cl::desc("Run one-shot-bufferize first (tensor inputs)"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> raise{
      *this, "raise",
      llvm::cl::desc("With bufferize: raise RMSNorm written in "
                     "linalg/arith/math to norm ops first (norm-raise)"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> fuse{
      *this, "fuse",
      llvm::cl::desc("With bufferize: fuse residual adds and quantizations "
                     "into norm ops first (norm-fuse)"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> tile{
      *this, "tile",
      llvm::cl::desc("Choose every norm op's schedule for the target "
                     "(norm-tile) before the lowering; a schedule already on "
                     "an op is kept"),
      llvm::cl::init(true)};
};

/// Adds the NVVM pipeline to `pm` (a builtin.module pass manager).
LogicalResult buildNormToNVVMPipeline(OpPassManager &pm,
                                      const NormToNVVMPipelineOptions &options,
                                      std::string &error);
/// Adds the ROCDL pipeline to `pm` (a builtin.module pass manager).
LogicalResult
buildNormToROCDLPipeline(OpPassManager &pm,
                         const NormToROCDLPipelineOptions &options,
                         std::string &error);

/// Registers `norm-to-nvvm` and `norm-to-rocdl` as pass pipelines.
void registerNormPipelines();

/// Default folders found at build time (may be empty or missing).
const char *getDefaultCUDAPath();
const char *getDefaultROCmToolkitPath();

} // namespace norm
} // namespace mlir

#endif // NORM_PIPELINES_PIPELINES_H
