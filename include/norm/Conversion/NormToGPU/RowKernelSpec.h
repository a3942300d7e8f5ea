//===- RowKernelSpec.h - a norm op as a row program ------------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
// What a norm op (rmsnorm, add_rmsnorm, quantize, rmsnorm_quantize) asks of
// its kernel, independent of the op it came from: the operands with their
// roles, and the stages of the row program with their parameters. The
// kernel plan (KernelPlan.h) is built from it.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_CONVERSION_NORMTOGPU_ROWKERNELSPEC_H
#define NORM_CONVERSION_NORMTOGPU_ROWKERNELSPEC_H

#include "norm/Dialect/Norm/IR/NormOps.h"
#include "norm/Dialect/Norm/IR/RowSchedule.h"

#include <algorithm>
#include <optional>
#include <string>

namespace mlir {
namespace norm {

/// The manifest's name of `role` ("row", "vector", "scalar", "scales").
StringRef stringifyOperandRole(OperandRole role);

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

/// The row program of `op` (a norm op in memref form) and the memref of
/// each of its kernel operands, in kernel argument order (its
/// RowKernelOpInterface); nullopt for an op that is not a norm row op. `cols`
/// and `cachedElementType` are set from the input (and residual) types.
std::optional<RowKernelSpec>
getRowKernelSpec(Operation *op, SmallVectorImpl<Value> *memrefs = nullptr);

} // namespace norm
} // namespace mlir

#endif // NORM_CONVERSION_NORMTOGPU_ROWKERNELSPEC_H
