//===- Passes.h - norm dialect transformation passes ------------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_DIALECT_NORM_TRANSFORMS_PASSES_H
#define NORM_DIALECT_NORM_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"
#include "norm/Dialect/Norm/IR/NormOps.h"

namespace mlir {
class RewritePatternSet;

namespace norm {

#define GEN_PASS_DECL
#include "norm/Dialect/Norm/Transforms/Passes.h.inc"

/// Options of the `norm-fuse` patterns.
struct FuseOptions {
  bool residualAdd = true;
  bool quantize = true;
  bool inputExtF = true;
};

/// Adds the `norm-fuse` rewrites to `patterns`.
void populateNormFusePatterns(RewritePatternSet &patterns,
                              const FuseOptions &options = {});

/// Adds the `norm-raise` rewrites to `patterns`.
void populateNormRaisePatterns(RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "norm/Dialect/Norm/Transforms/Passes.h.inc"

} // namespace norm
} // namespace mlir

#endif // NORM_DIALECT_NORM_TRANSFORMS_PASSES_H
