//===- norm-opt.cpp - norm-mlir optimizer driver ----------------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
// mlir-opt with the norm dialect, passes and pipelines added to every upstream
// dialect, pass and LLVM IR translation that the GPU pipelines need.
//
//===----------------------------------------------------------------------===//

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllPasses.h"
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
  mlir::norm::registerAllDialects(registry);
  // Every upstream dialect, extension and LLVM IR translation (the
  // pipelines need most of them; gpu-module-to-binary the translations).
  mlir::norm::registerPipelineDependencies(registry);

  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "norm-mlir optimizer driver\n", registry));
}
