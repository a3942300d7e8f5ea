//===- RowKernelEmitter.h - body of a row-wise norm kernel -----*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_LIB_CONVERSION_NORMTOGPU_ROWKERNELEMITTER_H
#define NORM_LIB_CONVERSION_NORMTOGPU_ROWKERNELEMITTER_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "norm/Dialect/Norm/IR/NormOps.h"
#include "norm/Dialect/Norm/IR/RowSchedule.h"

#include <algorithm>
#include <optional>
#include <string>

namespace mlir {
namespace norm {

/// How an operand of a norm op is indexed by the kernel.
enum class OperandRole {
  Row,    // [rows, H], one row stride argument
  Vector, // [H] (gamma, smooth)
  Scalar, // one f32 (static scale)
  Scales, // dynamic scales, one stride argument
};

/// One memref operand of the op as the kernel sees it: a global pointer.
struct KernelOperand {
  std::string name;
  OperandRole role;
  Type elementType;
  /// Bytes the pointer (and every row start) must be aligned to; the
  /// element's size in a kernel with peeled rows, which checks the vector
  /// alignment itself.
  int64_t alignment = 1;
};

/// The row program a kernel runs, independent of which norm op it came from:
/// [residual add] -> [normalize] -> [round to intermediateType, store the
/// normalized row] -> [quantize] or store. `norm.rmsnorm_quantize` uses every
/// stage.
struct RowKernelSpec {
  std::string opName;
  SmallVector<KernelOperand> operands;
  /// Index into `operands` of each role, or -1. With `quantize`, `output` is
  /// the quantized output and `normalizedOut` the optional normalized one.
  int input = -1, residual = -1, gamma = -1, output = -1, residualOut = -1,
      scale = -1, smooth = -1, scales = -1, normalizedOut = -1;

  int64_t cols = ShapedType::kDynamic;
  /// Element type of the row as cached in shared memory between the passes
  /// (the input's, or the residual's with a residual add).
  Type cachedElementType;
  bool normalize = false;
  double epsilon = 1e-6;
  double weightOffset = 0.0;
  /// Type x * invRms is rounded to (truncf then extf) before the multiply by
  /// gamma (the op's `normalized_type`); null for no rounding.
  Type normalizedType;
  /// Type the normalized value is rounded to (truncf then extf) before it is
  /// quantized, as the unfused chain stored it; null for no rounding.
  Type intermediateType;

  bool quantize = false;
  QuantScheme scheme = QuantScheme::PerToken;
  int64_t groupSize = 0;
  ScaleLayout scaleLayout = ScaleLayout::RowMajor;
  std::optional<double> clip, scaleUb;
  double minScale = 0.0;
  double qmax = 0.0;

  /// Operand indices that get a row stride argument, in argument order.
  SmallVector<int> stridedOperands() const;
};

/// Alignment a vector access of `vectorWidth` elements of `type` needs: its
/// size, but at most 16 bytes (wider vectors are split into 16-byte pieces).
inline int64_t vectorAlignment(int64_t vectorWidth, Type type) {
  return std::min<int64_t>(16,
                           vectorWidth * (type.getIntOrFloatBitWidth() / 8));
}

/// Whether `schedule` peels the rows of `spec` (see RowSchedule): row
/// operands then need only their element's alignment.
inline bool peelsRows(const RowKernelSpec &spec, const RowSchedule &schedule) {
  return schedule.peelsRows(
      spec.cols == ShapedType::kDynamic ? -1 : spec.cols,
      spec.quantize && spec.scheme == QuantScheme::PerGroup ? spec.groupSize
                                                            : 0);
}

/// What the kernel body depends on besides the op and its schedule.
struct RowKernelTarget {
  /// Threads per warp (wavefront).
  int64_t warpSize = 32;
  /// The target fits no second block of this kernel on an SM (its row cache
  /// takes more than half the shared memory).
  bool blockAloneOnSM = false;
  /// The target has NaN-propagating max and min on f16/bf16 pairs (NVIDIA
  /// sm_80 and later: max.NaN.bf16x2, min.NaN.bf16x2).
  bool packedHalfMax = false;
  /// The target copies global memory to shared memory asynchronously
  /// (NVIDIA sm_80 and later: cp.async).
  bool asyncCopies = false;
  /// Row accesses of kernels that read every row once into registers may
  /// be marked nontemporal (see norm-to-gpu's nontemporal-rows).
  bool nontemporalRows = false;
  /// With nontemporalRows, rmsnorm kernels whose threads each take whole
  /// vectors of the row may instead load it evict-last (an L2 cache policy:
  /// NVIDIA sm_80 and later, PTX 7.4) and store plainly (measurements in
  /// RowKernelEmitter.cpp).
  bool evictLastRowLoads = false;
  /// Slots of the kernel's row ring (getRowRingSlots; 0: the kernel is not
  /// persistent).
  int64_t ringSlots = 0;
};

/// Bytes of one slot of a persistent kernel's row ring: a 16-byte vector
/// per thread of the row.
inline int64_t getRowRingSlotBytes(const RowSchedule &schedule) {
  return schedule.threadsPerRow * 16;
}

/// The ring slots of a persistent kernel whose ring may take `ringBytes` of
/// shared memory, or 0 when `spec` under `schedule` is not one. A block
/// alone on its SM (target.blockAloneOnSM) whose rows
/// are copied into shared memory by cp.async (one row per block, whole
/// 16-byte vectors, no residual, bf16 rows and gamma) and quantized per token
/// after normalization loops over rows with a grid stride: its shared
/// memory is a ring of chunk slots (getRowRingSlotBytes each, as many as
/// `ringBytes` holds, more than a row's), so the next row's first chunks
/// arrive while this one is reduced and quantized, and gamma is loaded once
/// per block. The kernel takes slots * getRowRingSlotBytes bytes of dynamic
/// shared memory and any grid.
int64_t getRowRingSlots(const RowKernelSpec &spec, const RowSchedule &schedule,
                        const RowKernelTarget &target, int64_t ringBytes);

/// Emits the body of `func`, whose arguments follow the kernel ABI of
/// `norm-to-gpu` for `spec` (pointers, rows, cols, strides).
void emitRowKernelBody(gpu::GPUFuncOp func, const RowKernelSpec &spec,
                       const RowSchedule &schedule,
                       const RowKernelTarget &target);

} // namespace norm
} // namespace mlir

#endif // NORM_LIB_CONVERSION_NORMTOGPU_ROWKERNELEMITTER_H
