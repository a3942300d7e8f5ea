//===- KernelBuilder.h - IR-building helpers of the row kernels -*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
// An ImplicitLocOpBuilder with the few helpers every piece of a row kernel
// uses: constants, f32 vectors, guarded loads and stores, shared arrays.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_LIB_CONVERSION_NORMTOGPU_KERNELBUILDER_H
#define NORM_LIB_CONVERSION_NORMTOGPU_KERNELBUILDER_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir {
namespace norm {

class KernelBuilder : public ImplicitLocOpBuilder {
public:
  KernelBuilder(Location loc, MLIRContext *context)
      : ImplicitLocOpBuilder(loc, context) {}

  Value i64(int64_t value);
  Value f32(double value);
  VectorType f32Vector(int64_t width) {
    return VectorType::get({width}, getF32Type());
  }
  static int64_t widthOf(Value vector) {
    return cast<VectorType>(vector.getType()).getNumElements();
  }
  /// `scalar` (f32) broadcast to `width` lanes.
  Value splat(Value scalar, int64_t width);
  /// `scalar` broadcast to the shape of `like` (a vector or a scalar).
  Value splatLike(Value like, Value scalar);
  /// Conjunction where null means true.
  Value both(Value lhs, Value rhs);
  /// `load()` (an f32 vector of `width`), or zeros where `valid` (null:
  /// always valid) is false.
  Value loadIf(Value valid, int64_t width, function_ref<Value()> load);
  /// `body` under `cond` (null: always).
  void ifThen(Value cond, function_ref<void()> body);
  /// Element type as stored in memory (fp8 is stored as i8 in LLVM).
  Type storageType(Type type);
  /// The address (!llvm.ptr<3>) of `module`'s shared-memory array `name`,
  /// created on first use; every block has its own instance.
  Value sharedArray(gpu::GPUModuleOp module, StringRef name, Type type,
                    LLVM::Linkage linkage, int64_t alignment);
};

} // namespace norm
} // namespace mlir

#endif // NORM_LIB_CONVERSION_NORMTOGPU_KERNELBUILDER_H
