//===- Passes.h - norm conversion passes ------------------------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_CONVERSION_PASSES_H
#define NORM_CONVERSION_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
namespace norm {

/// Kernel attribute (a string) that tells norm-nvvm-nontemporal how to
/// lower the kernel's `nontemporal` row accesses: kStreamingRows (also when
/// the attribute is absent) or kEvictLastRowLoads.
inline constexpr llvm::StringLiteral kRowCachePolicyAttrName =
    "norm.row_cache_policy";
/// `ld.global.cs` / `st.global.cs`.
inline constexpr llvm::StringLiteral kStreamingRows = "streaming";
/// Loads evict-last in L1 and L2 (an L2 cache policy), stores plain.
inline constexpr llvm::StringLiteral kEvictLastRowLoads = "evict_last_loads";

#define GEN_PASS_DECL
#include "norm/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "norm/Conversion/Passes.h.inc"

} // namespace norm
} // namespace mlir

#endif // NORM_CONVERSION_PASSES_H
