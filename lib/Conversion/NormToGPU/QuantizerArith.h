//===- QuantizerArith.h - the quantizer's arithmetic -----------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
// Scales and codes as DESIGN.md's numerics define them: scale = max(amax /
// qmax, min_scale) and q = saturate(round(x / scale)), each quotient correctly
// rounded without an IEEE division per element.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_LIB_CONVERSION_NORMTOGPU_QUANTIZERARITH_H
#define NORM_LIB_CONVERSION_NORMTOGPU_QUANTIZERARITH_H

#include "KernelBuilder.h"

#include "llvm/ADT/DenseMap.h"

#include <optional>

namespace mlir {
namespace norm {

/// x / d rounded once to f32 from r = 1 / d rounded; q0 = x * r is clamped
/// to +-`bound` first where that is given.
Value correctedQuotient(KernelBuilder &b, Value x, Value d, Value r,
                        std::optional<double> bound);

/// The scale of an amax: min(amax, scaleUb) / qmax, correctly rounded, at
/// least minScale.
Value scaleFromAmax(KernelBuilder &b, Value amax, double qmax,
                    std::optional<double> scaleUb, double minScale);

/// 1 / scale, emitted once per scale right where the scale is defined.
class ScaleReciprocals {
public:
  Value of(KernelBuilder &b, Value scale);

private:
  llvm::DenseMap<Value, Value> reciprocals;
};

/// x / scale as the quantizer divides (an infinite scale gives 0 for a
/// finite x), with `reciprocal` = 1 / scale.
Value divideByScale(KernelBuilder &b, Value x, Value scale, Value reciprocal,
                    std::optional<double> bound);

/// How a piece's codes are made.
struct CodeFormat {
  /// The code type: an fp8 type or i8.
  Type type;
  double qmax;
  /// |x / scale| <= qmax is guaranteed (RowPlan::quotientsBounded).
  bool quotientsBounded;
};

/// The codes of `x` (f32 vector) as i8 bits. `byAddition`: int8 codes of
/// bounded, finite quotients as the low bytes of q + 1.5 * 2^23.
Value quantizedBits(KernelBuilder &b, Value x, Value scale, Value reciprocal,
                    const CodeFormat &format, bool byAddition = false);

} // namespace norm
} // namespace mlir

#endif // NORM_LIB_CONVERSION_NORMTOGPU_QUANTIZERARITH_H
