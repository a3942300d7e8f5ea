/*===- norm-c/Dialects.h - C API for the norm dialect -------------*- C -*-===*\
|*                                                                            *|
|* Part of norm-mlir. See README.md for license information.                  *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef NORM_C_DIALECTS_H
#define NORM_C_DIALECTS_H

#include "mlir-c/IR.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Handle of the norm dialect: mlirGetDialectHandle__norm__().
MLIR_DECLARE_CAPI_DIALECT_REGISTRATION(Norm, norm);

/// Adds the norm dialect and its external interface models (bufferization)
/// to a registry. Prefer this over the dialect handle when the ops will be
/// bufferized.
MLIR_CAPI_EXPORTED void
mlirNormRegisterAllDialects(MlirDialectRegistry registry);

/// Registers norm-mlir's passes and pipelines with the global registry.
MLIR_CAPI_EXPORTED void mlirNormRegisterAllPasses(void);

#ifdef __cplusplus
}
#endif

#endif /* NORM_C_DIALECTS_H */
