//===- norm-embed-test.cpp - embeds norm-mlir from its package --*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
// What an ML compiler embedding norm-mlir does, with the installed package
// only: register the norm dialect and the pipelines' dependencies (two calls,
// norm/InitAll.h), parse IR that uses norm ops, then either run an upstream
// pass on it or build the NVVM pipeline (norm/Pipelines/Pipelines.h) and get
// PTX out of the gpu.binary it produces.
//
//===----------------------------------------------------------------------===//

#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

#include "norm/InitAll.h"
#include "norm/Pipelines/Pipelines.h"

#include <cstring>
#include <string>

static const char *kModule = R"mlir(
func.func @decoder_norm(%x: tensor<?x4096xbf16>, %w: tensor<4096xbf16>,
                        %e: tensor<?x4096xbf16>) -> tensor<?x4096xbf16> {
  %y = norm.rmsnorm %x : tensor<?x4096xbf16>, gamma %w : tensor<4096xbf16>
         into %e : tensor<?x4096xbf16> -> tensor<?x4096xbf16>
  return %y : tensor<?x4096xbf16>
}
)mlir";

/// Bufferizes the module with an upstream pass and prints it.
static int bufferize(mlir::MLIRContext &context) {
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(kModule, &context);
  if (!module)
    return 1;
  mlir::PassManager pm(&context);
  mlir::bufferization::OneShotBufferizePassOptions options;
  options.bufferizeFunctionBoundaries = true;
  pm.addPass(mlir::bufferization::createOneShotBufferizePass(options));
  if (mlir::failed(pm.run(*module)))
    return 1;
  module->print(llvm::outs());
  return 0;
}

/// Compiles the module with the NVVM pipeline to PTX and prints its entry
/// line.
static int compileToPTX(mlir::MLIRContext &context, const char *cudaPath) {
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(kModule, &context);
  if (!module)
    return 1;
  mlir::PassManager pm(&context);
  mlir::norm::NormToNVVMPipelineOptions options;
  options.chip = "sm_90";
  options.format = "isa";
  if (cudaPath)
    options.cudaPath = cudaPath;
  std::string error;
  if (mlir::failed(mlir::norm::buildNormToNVVMPipeline(pm, options, error))) {
    llvm::errs() << error << "\n";
    return 1;
  }
  if (mlir::failed(pm.run(*module)))
    return 1;
  int entries = 0;
  module->walk([&](mlir::gpu::BinaryOp binary) {
    for (mlir::Attribute object : binary.getObjects()) {
      llvm::StringRef ptx =
          llvm::cast<mlir::gpu::ObjectAttr>(object).getObject().getValue();
      size_t at = ptx.find(".visible .entry");
      if (at == llvm::StringRef::npos)
        continue;
      llvm::outs() << ptx.substr(at, ptx.find('(', at) - at) << "\n";
      ++entries;
    }
  });
  return entries ? 0 : 1;
}

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::norm::registerAllDialects(registry);
  mlir::norm::registerPipelineDependencies(registry);
  mlir::MLIRContext context(registry);
  llvm::outs() << "norm-mlir " << mlir::norm::getVersion() << "\n";
  if (argc > 1 && std::strcmp(argv[1], "--ptx") == 0)
    return compileToPTX(context, argc > 2 ? argv[2] : nullptr);
  return bufferize(context);
}
