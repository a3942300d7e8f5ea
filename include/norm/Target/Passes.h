//===- Passes.h - norm target passes ----------------------------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_TARGET_PASSES_H
#define NORM_TARGET_PASSES_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
namespace norm {

#define GEN_PASS_DECL
#include "norm/Target/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "norm/Target/Passes.h.inc"

} // namespace norm
} // namespace mlir

#endif // NORM_TARGET_PASSES_H
