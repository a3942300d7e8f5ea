//===- RowStatistics.cpp - per-piece statistics of a row
//-------------------===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#include "RowStatistics.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <limits>

using namespace mlir;
using namespace mlir::norm;

/// Ulps around the estimate within which one rounded value means exactness.
static constexpr int64_t kEstimateUlps = 16;

/// The value of `type` that `x` was extended from (arith.extf), if any.
static Value extendedFrom(Value x, VectorType type) {
  if (auto ext = x.getDefiningOp<arith::ExtFOp>())
    if (ext.getIn().getType() == type)
      return ext.getIn();
  return {};
}

/// The 4-lane vector of two pairs.
static Value concatPairs(KernelBuilder &b, Value high, Value low) {
  return vector::ShuffleOp::create(b, high, low, ArrayRef<int64_t>{0, 1, 2, 3});
}

Value mlir::norm::sumOfSquares(KernelBuilder &b, Value x) {
  int64_t width = KernelBuilder::widthOf(x);
  auto element = [&](int64_t i) -> Value {
    return vector::ExtractOp::create(b, x, ArrayRef<int64_t>{i});
  };
  Value first = element(0);
  Value sum = arith::MulFOp::create(b, first, first);
  for (int64_t i = 1; i < width; ++i) {
    Value xi = element(i);
    sum = math::FmaOp::create(b, xi, xi, sum);
  }
  return sum;
}

Value mlir::norm::absMaxF32(KernelBuilder &b, Value x) {
  return vector::ReductionOp::create(b, vector::CombiningKind::MAXIMUMF,
                                     math::AbsFOp::create(b, x));
}

VectorType mlir::norm::getPackedAmaxType(Type element) {
  if (!element)
    return {};
  return VectorType::get({4}, element);
}

Value mlir::norm::absMaxOfPiece(KernelBuilder &b, Value x,
                                VectorType packedType) {
  if (!packedType)
    return absMaxF32(b, x);
  Type element = packedType.getElementType();
  int64_t width = KernelBuilder::widthOf(x);
  // The rounded value as it was before its extension to f32.
  Value narrow = extendedFrom(x, VectorType::get({width}, element));
  if (!narrow || width % 2 != 0) {
    // Rounded again: exact, x holds values of that type.
    auto pairType = VectorType::get({2}, element);
    Value amax = arith::TruncFOp::create(b, element, absMaxF32(b, x));
    return concatPairs(b, vector::BroadcastOp::create(b, pairType, amax),
                       vector::BroadcastOp::create(
                           b, pairType, arith::NegFOp::create(b, amax)));
  }
  // max |x| = max(max x, -min x), without an abs: LLVM moves an abs of a
  // rounded value before the rounding, where it costs a conversion more.
  Value high, low;
  for (int64_t i = 0; i < width; i += 2) {
    Value pair = vector::ShuffleOp::create(b, narrow, narrow,
                                           ArrayRef<int64_t>{i, i + 1});
    high = high ? arith::MaximumFOp::create(b, high, pair) : pair;
    low = low ? arith::MinimumFOp::create(b, low, pair) : pair;
  }
  return concatPairs(b, high, low);
}

Value mlir::norm::combineHighAndLow(KernelBuilder &b, Value lhs, Value rhs) {
  auto half = [&](Value v, int64_t first) -> Value {
    return vector::ShuffleOp::create(b, v, v,
                                     ArrayRef<int64_t>{first, first + 1});
  };
  Value high = arith::MaximumFOp::create(b, half(lhs, 0), half(rhs, 0));
  Value low = arith::MinimumFOp::create(b, half(lhs, 2), half(rhs, 2));
  return concatPairs(b, high, low);
}

Value mlir::norm::amaxAsF32(KernelBuilder &b, Value amax) {
  if (amax.getType().isF32())
    return amax;
  auto lane = [&](int64_t i) -> Value {
    return vector::ExtractOp::create(b, amax, ArrayRef<int64_t>{i});
  };
  Value high = arith::MaximumFOp::create(b, lane(0), lane(1));
  Value low = arith::MinimumFOp::create(b, lane(2), lane(3));
  Value magnitude =
      arith::MaximumFOp::create(b, high, arith::NegFOp::create(b, low));
  return arith::ExtFOp::create(b, b.getF32Type(), magnitude);
}

/// bf16 gamma's maximum on raw pairs: max.NaN.bf16x2 of the words with their
/// sign bits cleared (NaN stays NaN, -0 becomes 0) [packed-gamma-max].
Value mlir::norm::absMaxOfGamma(KernelBuilder &b, Value gamma, Type gammaType,
                                bool packed) {
  int64_t width = KernelBuilder::widthOf(gamma);
  if (!packed || width % 2 != 0)
    return absMaxF32(b, gamma);
  // The bf16 values gamma was extended from (exact when truncated again).
  auto narrowType = VectorType::get({width}, gammaType);
  Value narrow = extendedFrom(gamma, narrowType);
  if (!narrow)
    narrow = arith::TruncFOp::create(b, narrowType, gamma);
  auto wordsType = VectorType::get({width / 2}, b.getI32Type());
  Value magnitudes = arith::AndIOp::create(
      b, vector::BitCastOp::create(b, wordsType, narrow),
      arith::ConstantOp::create(
          b, DenseElementsAttr::get(wordsType, APInt(32, 0x7fff7fff))));
  Value amax = vector::ReductionOp::create(
      b, vector::CombiningKind::MAXIMUMF,
      vector::BitCastOp::create(b, narrowType, magnitudes));
  return arith::ExtFOp::create(b, b.getF32Type(), amax);
}

/// Why the estimate is exact: the quantizer sees v = r(fl(fl(x * invRms) *
/// g)) (r: rounding to the intermediate type; x, g: the row and gamma as
/// f32), so its amax is r(V) with V = max |fl(fl(x * invRms) * g)|, r being
/// monotonic and odd. With P = max fl(|x * g|) from the first pass and E =
/// fl(P * invRms), every rounding is relative (u = 2^-24) when E >=
/// kMinEstimatedAmax and |g| <= kMaxEstimatedGamma (the products near the
/// maximum are normal numbers; subnormal ones are far below it): V lies
/// within E * (1 +- 4.01 u), at most 4.01 ulps of E above it and about 8
/// steps of the f32 grid below it (where E is just above a power of two).
/// When r gives one value over E +- kEstimateUlps steps, that is r(V),
/// exactly the amax the pass would find. Else (a small fraction of rows,
/// and any row with a NaN, an infinity or all zeros) the amax pass runs
/// [amax-estimate].
std::pair<Value, Value> mlir::norm::estimatedAmax(KernelBuilder &b,
                                                  Value maxProduct,
                                                  Value invRms,
                                                  Type intermediate) {
  Value estimate = arith::MulFOp::create(b, maxProduct, invRms);
  auto rounded = [&](Value v) -> Value {
    return arith::ExtFOp::create(
        b, b.getF32Type(),
        arith::TruncFOp::create(b, intermediate, v).getResult());
  };
  // E +- kEstimateUlps ulps: E is a positive normal number when it is used.
  Value bits = arith::BitcastOp::create(b, b.getI32Type(), estimate);
  auto offsetBy = [&](int64_t ulps) -> Value {
    Value shifted = arith::AddIOp::create(
        b, bits, arith::ConstantOp::create(b, b.getI32IntegerAttr(ulps)));
    return rounded(arith::BitcastOp::create(b, b.getF32Type(), shifted));
  };
  Value low = offsetBy(-kEstimateUlps), high = offsetBy(kEstimateUlps);
  // Ordered comparisons: false for NaN.
  Value finite =
      arith::CmpFOp::create(b, arith::CmpFPredicate::OLE, estimate,
                            b.f32(std::numeric_limits<float>::max()));
  Value large = arith::CmpFOp::create(b, arith::CmpFPredicate::OGE, estimate,
                                      b.f32(kMinEstimatedAmax));
  Value unambiguous =
      arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, low, high);
  Value exact = arith::AndIOp::create(
      b, arith::AndIOp::create(b, large, finite), unambiguous);
  return {rounded(estimate), exact};
}
