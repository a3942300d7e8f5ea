//===- RowStatistics.h - per-piece statistics of a row ---------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
// What one thread contributes to a row's statistics from a piece of it (a
// vector of f32): the sum of squares, max |x| in f32 or on f16 / bf16 pairs,
// and the per-token amax estimated from the first pass.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_LIB_CONVERSION_NORMTOGPU_ROWSTATISTICS_H
#define NORM_LIB_CONVERSION_NORMTOGPU_ROWSTATISTICS_H

#include "KernelBuilder.h"

#include <utility>

namespace mlir {
namespace norm {

/// Sum of the squares of a piece's elements (one fma each).
Value sumOfSquares(KernelBuilder &b, Value x);

/// max |x| over a piece, as f32.
Value absMaxF32(KernelBuilder &b, Value x);

/// The type an amax is accumulated in on pairs: 4 elements of `element` (a
/// running max of pairs in lanes 0-1 and a running min in lanes 2-3); null
/// for a null `element` (f32 accumulation).
VectorType getPackedAmaxType(Type element);

/// max |x| over a piece: f32 (null `packedType`), or packed (see
/// getPackedAmaxType), exact where x holds values of the packed type.
Value absMaxOfPiece(KernelBuilder &b, Value x, VectorType packedType);

/// Two packed amaxes combined.
Value combineHighAndLow(KernelBuilder &b, Value lhs, Value rhs);

/// An amax accumulated by absMaxOfPiece, as f32.
Value amaxAsF32(KernelBuilder &b, Value amax);

/// max |gamma| over a piece of gamma (f32, as loaded and extended from
/// `gammaType`), as f32; on raw bf16 pairs when `packed`.
Value absMaxOfGamma(KernelBuilder &b, Value gamma, Type gammaType, bool packed);

/// The row's amax from max |x * gamma| over the row (`maxProduct`) and
/// invRms, rounded to `intermediate` (f16 / bf16), and whether it is exact
/// (i1; else the amax pass runs).
std::pair<Value, Value> estimatedAmax(KernelBuilder &b, Value maxProduct,
                                      Value invRms, Type intermediate);

/// Bound of max |x * gamma| * invRms above which the estimate is exact
/// (with |gamma| <= kMaxEstimatedGamma).
constexpr double kMinEstimatedAmax = 0x1p-32;

} // namespace norm
} // namespace mlir

#endif // NORM_LIB_CONVERSION_NORMTOGPU_ROWSTATISTICS_H
