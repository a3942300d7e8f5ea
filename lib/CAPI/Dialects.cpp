//===- Dialects.cpp - C API for the norm dialect ----------------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#include "norm-c/Dialects.h"

#include "mlir/CAPI/IR.h"
#include "mlir/CAPI/Registration.h"
#include "norm/Dialect/Norm/IR/NormOps.h"
#include "norm/InitAll.h"

MLIR_DEFINE_CAPI_DIALECT_REGISTRATION(Norm, norm, mlir::norm::NormDialect)

void mlirNormRegisterAllDialects(MlirDialectRegistry registry) {
  mlir::norm::registerAllDialects(*unwrap(registry));
}

void mlirNormRegisterAllPasses(void) { mlir::norm::registerAllPasses(); }
