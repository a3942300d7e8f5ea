//===- InitAll.cpp - register everything norm-mlir provides ----*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#include "norm/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "norm/Config.h"
#include "norm/Dialect/Norm/IR/NormOps.h"
#include "norm/Dialect/Norm/Transforms/BufferizableOpInterfaceImpl.h"

void mlir::norm::registerAllDialects(DialectRegistry &registry) {
  registry.insert<NormDialect>();
  registerBufferizableOpInterfaceExternalModels(registry);
}

void mlir::norm::registerAllPasses() {
  // The norm passes and pipelines register here as they land.
}

const char *mlir::norm::getVersion() { return NORM_MLIR_VERSION; }
