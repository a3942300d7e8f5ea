//===- InitAll.cpp - register everything norm-mlir provides ----*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#include "norm/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "norm/Config.h"
#include "norm/Conversion/Passes.h"
#include "norm/Dialect/Norm/IR/NormOps.h"
#include "norm/Dialect/Norm/Transforms/BufferizableOpInterfaceImpl.h"
#include "norm/Dialect/Norm/Transforms/Passes.h"
#include "norm/Dialect/Norm/Transforms/TilingInterfaceImpl.h"
#include "norm/Pipelines/Pipelines.h"
#include "norm/Target/Passes.h"

void mlir::norm::registerAllDialects(DialectRegistry &registry) {
  registry.insert<NormDialect>();
  registerBufferizableOpInterfaceExternalModels(registry);
  registerTilingInterfaceExternalModels(registry);
}

void mlir::norm::registerPipelineDependencies(DialectRegistry &registry) {
  // The pipelines lower through most of upstream (front-end dialects,
  // bufferization models, gpu, nvvm, rocdl, llvm and their ConvertToLLVM and
  // translation interfaces); registering a hand-picked subset failed in
  // ways only a run shows, so the whole set is registered.
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerAllToLLVMIRTranslations(registry);
}

void mlir::norm::registerAllPasses() {
  registerNormPasses();
  registerNormConversionPasses();
  registerNormTargetPasses();
  registerNormPipelines();
}

const char *mlir::norm::getVersion() { return NORM_MLIR_VERSION; }
