//===- InitAll.h - register everything norm-mlir provides ------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
// The one place that registers norm-mlir's dialects, interface models, passes
// and pipelines. Tools and embedders call these instead of listing the pieces.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_INITALL_H
#define NORM_INITALL_H

namespace mlir {
class DialectRegistry;

namespace norm {
/// Adds the norm dialect and its external interface models (bufferization,
/// tiling).
void registerAllDialects(DialectRegistry &registry);

/// Adds every upstream dialect, dialect extension and LLVM IR translation the
/// norm pipelines (norm/Pipelines/Pipelines.h) need: the front-end dialects
/// (func, linalg, tensor, arith, math), bufferization, gpu, nvvm / rocdl, llvm
/// and the translations gpu-module-to-binary uses. With registerAllDialects,
/// a context built from `registry` runs buildNormToNVVMPipeline and
/// buildNormToROCDLPipeline.
void registerPipelineDependencies(DialectRegistry &registry);

/// Registers norm-mlir's passes and pass pipelines with the global registry,
/// so that `mlir-opt`-style drivers accept them on the command line.
void registerAllPasses();

/// Returns the norm-mlir version string, e.g. "0.1.0".
const char *getVersion();
} // namespace norm
} // namespace mlir

#endif // NORM_INITALL_H
