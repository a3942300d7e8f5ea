//===- RowKernelEmitter.h - body of a row-wise norm kernel -----*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_LIB_CONVERSION_NORMTOGPU_ROWKERNELEMITTER_H
#define NORM_LIB_CONVERSION_NORMTOGPU_ROWKERNELEMITTER_H

#include "norm/Conversion/NormToGPU/KernelPlan.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"

namespace mlir {
namespace norm {

class KernelTargetHooks;

/// Emits the body of `func`, whose arguments follow the kernel ABI of
/// `norm-to-gpu` for `plan.spec` (pointers, rows, cols, strides), as `plan`
/// says, with `hooks` for the vendor-only IR.
void emitRowKernelBody(gpu::GPUFuncOp func, const KernelPlan &plan,
                       const KernelTargetHooks &hooks);

} // namespace norm
} // namespace mlir

#endif // NORM_LIB_CONVERSION_NORMTOGPU_ROWKERNELEMITTER_H
