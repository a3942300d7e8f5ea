//===- norm-opt.cpp - norm-mlir optimizer driver ----------------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
// mlir-opt with the norm dialect, passes and pipelines added to every upstream
// dialect, pass and LLVM IR translation that the GPU pipelines need.
//
//===----------------------------------------------------------------------===//

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/raw_ostream.h"

#include "norm/InitAll.h"

int main(int argc, char **argv) {
  llvm::cl::AddExtraVersionPrinter([](llvm::raw_ostream &os) {
    os << "norm-mlir version " << mlir::norm::getVersion() << "\n";
  });

  mlir::registerAllPasses();
  mlir::norm::registerAllPasses();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  // gpu-module-to-binary translates the NVVM/ROCDL modules to LLVM IR.
  mlir::registerAllToLLVMIRTranslations(registry);
  mlir::norm::registerAllDialects(registry);

  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "norm-mlir optimizer driver\n", registry));
}
