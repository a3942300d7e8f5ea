/*===- norm-capi-test.c - exercises the norm C API ----------------*- C -*-===*\
|*                                                                            *|
|* Part of norm-mlir. See README.md for license information.                  *|
|*                                                                            *|
|* Registers the norm dialect through the C API, parses a module that uses    *|
|* it, verifies and prints it; then parses an invalid op and prints the       *|
|* diagnostic. Checked by test/CAPI/capi.test and by the installed-package    *|
|* test, which builds this same file against `find_package(NormMLIR)`.        *|
\*===----------------------------------------------------------------------===*/

#include "norm-c/Dialects.h"

#include "mlir-c/Diagnostics.h"
#include "mlir-c/IR.h"

#include <stdio.h>

static void printToStdout(MlirStringRef str, void *userData) {
  (void)userData;
  fwrite(str.data, 1, str.length, stdout);
}

static MlirLogicalResult printDiagnostic(MlirDiagnostic diagnostic,
                                         void *userData) {
  (void)userData;
  printf("diagnostic: ");
  mlirDiagnosticPrint(diagnostic, printToStdout, NULL);
  printf("\n");
  return mlirLogicalResultSuccess();
}

/* Values come from an unregistered op so that no other dialect is needed. */
#define NORM_TEST_MODULE(GAMMA_H)                                              \
  "%x = \"test.source\"() : () -> tensor<8x4096xbf16>\n"                       \
  "%w = \"test.source\"() : () -> tensor<" GAMMA_H "xbf16>\n"                  \
  "%e = \"test.source\"() : () -> tensor<8x4096xbf16>\n"                       \
  "%y = norm.rmsnorm %x : tensor<8x4096xbf16>, gamma %w : tensor<" GAMMA_H     \
  "xbf16> into %e : tensor<8x4096xbf16> -> tensor<8x4096xbf16>\n"

static const char *kValidModule = NORM_TEST_MODULE("4096");
static const char *kInvalidModule = NORM_TEST_MODULE("4095");

int main(void) {
  MlirDialectHandle handle = mlirGetDialectHandle__norm__();
  MlirStringRef ns = mlirDialectHandleGetNamespace(handle);
  printf("namespace: %.*s\n", (int)ns.length, ns.data);

  MlirDialectRegistry registry = mlirDialectRegistryCreate();
  mlirNormRegisterAllDialects(registry);
  MlirContext ctx = mlirContextCreateWithRegistry(registry, false);
  mlirDialectRegistryDestroy(registry);
  /* The test.source ops that feed the norm op are unregistered. */
  mlirContextSetAllowUnregisteredDialects(ctx, true);
  mlirContextAttachDiagnosticHandler(ctx, printDiagnostic, NULL, NULL);

  MlirModule module =
      mlirModuleCreateParse(ctx, mlirStringRefCreateFromCString(kValidModule));
  if (mlirModuleIsNull(module)) {
    printf("error: valid module failed to parse\n");
    return 1;
  }
  MlirOperation op = mlirModuleGetOperation(module);
  printf("verified: %d\n", (int)mlirOperationVerify(op));
  mlirOperationPrint(op, printToStdout, NULL);
  printf("\n");
  mlirModuleDestroy(module);

  MlirModule invalid = mlirModuleCreateParse(
      ctx, mlirStringRefCreateFromCString(kInvalidModule));
  printf("invalid module rejected: %d\n", (int)mlirModuleIsNull(invalid));
  if (!mlirModuleIsNull(invalid))
    mlirModuleDestroy(invalid);

  mlirContextDestroy(ctx);
  return 0;
}
