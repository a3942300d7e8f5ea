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

#include "NormHelp.h"
#include "norm/InitAll.h"

int main(int argc, char **argv) {
  llvm::cl::AddExtraVersionPrinter([](llvm::raw_ostream &os) {
    os << "norm-mlir version " << mlir::norm::getVersion() << "\n";
  });

  mlir::registerAllPasses();
  mlir::norm::registerAllPasses();

  // `--norm-help`: norm-mlir's passes and pipelines with their defaults;
  // `--<norm pass or pipeline>=help`: one of them.
  for (int i = 1; i < argc; ++i) {
    llvm::StringRef arg = argv[i];
    if (arg == "--norm-help" || arg == "-norm-help")
      return mlir::norm::printNormHelp(llvm::outs()) ? 0 : 1;
    if (arg.consume_front("--") || arg.consume_front("-")) {
      auto [name, value] = arg.split('=');
      if (value == "help" && name.starts_with("norm-") &&
          mlir::norm::printNormHelp(llvm::outs(), name))
        return 0;
    }
  }

  mlir::DialectRegistry registry;
  mlir::norm::registerAllDialects(registry);
  // Every upstream dialect, extension and LLVM IR translation (the
  // pipelines need most of them; gpu-module-to-binary the translations).
  mlir::norm::registerPipelineDependencies(registry);

  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "norm-mlir optimizer driver\n", registry));
}
