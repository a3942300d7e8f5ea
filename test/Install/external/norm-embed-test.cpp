//===- norm-embed-test.cpp - embeds norm-mlir from its package --*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
// What an ML compiler embedding norm-mlir does: register the norm dialect and
// its interface models through InitAll, parse IR that uses it, and run an
// upstream pass pipeline (one-shot-bufferize) over it.
//
//===----------------------------------------------------------------------===//

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Transforms/FuncBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

#include "norm/Dialect/Norm/IR/NormOps.h"
#include "norm/InitAll.h"

static const char *kModule = R"mlir(
func.func @decoder_norm(%x: tensor<?x4096xbf16>, %w: tensor<4096xbf16>,
                        %e: tensor<?x4096xbf16>) -> tensor<?x4096xbf16> {
  %y = norm.rmsnorm %x : tensor<?x4096xbf16>, gamma %w : tensor<4096xbf16>
         into %e : tensor<?x4096xbf16> -> tensor<?x4096xbf16>
  return %y : tensor<?x4096xbf16>
}
)mlir";

int main() {
  mlir::DialectRegistry registry;
  mlir::norm::registerAllDialects(registry);
  registry.insert<mlir::func::FuncDialect, mlir::tensor::TensorDialect,
                  mlir::memref::MemRefDialect,
                  mlir::bufferization::BufferizationDialect>();
  mlir::bufferization::func_ext::registerBufferizableOpInterfaceExternalModels(
      registry);
  mlir::MLIRContext context(registry);

  llvm::outs() << "norm-mlir " << mlir::norm::getVersion() << "\n";
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
