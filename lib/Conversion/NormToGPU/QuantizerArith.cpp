//===- QuantizerArith.cpp - the quantizer's arithmetic
//---------------------===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#include "QuantizerArith.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <algorithm>
#include <limits>

using namespace mlir;
using namespace mlir::norm;

/// x / d rounded once to f32 from r = 1/d rounded (Markstein): q0 = x * r
/// is within one ulp, the remainder x - q0 * d is exact in an fma, and
/// q0 + rem * r rounds to the correctly rounded quotient. An IEEE f32
/// division is a long sequence with an out-of-line slow path; per element
/// it made the quantizing kernels compute-bound. q0 is clamped to +-`bound`
/// first, beyond which every quotient saturates anyway, so that an infinite
/// x or quotient still ends at +-inf instead of inf - inf = NaN (NaN stays
/// NaN).
Value mlir::norm::correctedQuotient(KernelBuilder &b, Value x, Value d, Value r,
                                    std::optional<double> bound) {
  Value dv = b.splatLike(x, d), rv = b.splatLike(x, r);
  Value q0 = arith::MulFOp::create(b, x, rv);
  if (bound) {
    q0 = arith::MaximumFOp::create(b, q0, b.splatLike(x, b.f32(-*bound)));
    q0 = arith::MinimumFOp::create(b, q0, b.splatLike(x, b.f32(*bound)));
  }
  Value negQ0 = arith::NegFOp::create(b, q0);
  Value remainder = math::FmaOp::create(b, negQ0, dv, x);
  return math::FmaOp::create(b, remainder, rv, q0);
}

Value mlir::norm::scaleFromAmax(KernelBuilder &b, Value amax, double qmax,
                                std::optional<double> scaleUb,
                                double minScale) {
  if (scaleUb)
    amax = arith::MinimumFOp::create(b, amax, b.f32(*scaleUb));
  // amax / qmax, correctly rounded, without a division: qmax is a constant
  // whose reciprocal is rounded here.
  Value scale = correctedQuotient(b, amax, b.f32(qmax), b.f32(1.0 / qmax),
                                  std::numeric_limits<float>::max());
  return arith::MaximumFOp::create(b, scale, b.f32(minScale));
}

Value ScaleReciprocals::of(KernelBuilder &b, Value scale) {
  auto it = reciprocals.find(scale);
  if (it != reciprocals.end())
    return it->second;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointAfterValue(scale);
  Value reciprocal = arith::DivFOp::create(b, b.f32(1.0), scale);
  reciprocals[scale] = reciprocal;
  return reciprocal;
}

/// An infinite scale (a row or group with an infinite value and no
/// normalization) enters the remainder as the largest finite f32, so that a
/// finite x gives x * 0 + (x - 0 * max) * 0 = 0, as x / inf does, instead of
/// the NaN of 0 * inf; infinite x stays NaN. (Emitted per piece; CSE and
/// LICM leave one per row.)
Value mlir::norm::divideByScale(KernelBuilder &b, Value x, Value scale,
                                Value reciprocal, std::optional<double> bound) {
  Value finiteScale = arith::MinimumFOp::create(
      b, scale, b.f32(std::numeric_limits<float>::max()));
  return correctedQuotient(b, x, finiteScale, reciprocal, bound);
}

Value mlir::norm::quantizedBits(KernelBuilder &b, Value x, Value scale,
                                Value reciprocal, const CodeFormat &format,
                                bool byAddition) {
  Type qType = format.type;
  int64_t width = KernelBuilder::widthOf(x);
  std::optional<double> bound;
  if (!format.quotientsBounded)
    bound = 2 * std::max(format.qmax, 128.0);
  Value y = divideByScale(b, x, scale, reciprocal, bound);
  auto bitsType = VectorType::get({width}, b.getI8Type());
  if (byAddition) {
    // |x / scale| <= 127, so the sum lies in [2^23, 2^24), where the f32
    // grid is the integers: the addition rounds q to the nearest integer,
    // ties to even, into the low mantissa bits.
    assert(qType.isSignlessInteger(8) && !bound && "bounded int8 codes");
    Value t = arith::AddFOp::create(b, y, b.splat(b.f32(0x1.8p23), width));
    Value words = arith::BitcastOp::create(
        b, VectorType::get({width}, b.getI32Type()), t);
    return arith::TruncIOp::create(b, bitsType, words);
  }
  if (qType.isSignlessInteger(8)) {
    // Round to nearest even, saturate to [-128, 127], NaN to 0: fptosi of an
    // out-of-range or NaN value would be poison. Bounded quotients round to
    // [-127, 127] (qmax) already. norm-lower-quantizer-conversions
    // recognizes both sequences (one cvt on NVIDIA).
    y = math::RoundEvenOp::create(b, y);
    if (bound) {
      y = arith::MaximumFOp::create(b, y, b.splat(b.f32(-128.0), width));
      y = arith::MinimumFOp::create(b, y, b.splat(b.f32(127.0), width));
    }
    Value isNaN = arith::CmpFOp::create(b, arith::CmpFPredicate::UNO, y, y);
    y = arith::SelectOp::create(
        b, isNaN,
        arith::ConstantOp::create(b, b.getZeroAttr(b.f32Vector(width))), y);
    return arith::FPToSIOp::create(b, bitsType, y);
  }
  // Saturate first (NaN propagates), so that every lowering of truncf,
  // hardware satfinite or emulated, gives the same codes
  // (norm-lower-quantizer-conversions drops this clamp before satfinite).
  y = arith::MaximumFOp::create(b, y, b.splat(b.f32(-format.qmax), width));
  y = arith::MinimumFOp::create(b, y, b.splat(b.f32(format.qmax), width));
  Value q = arith::TruncFOp::create(b, VectorType::get({width}, qType), y);
  return arith::BitcastOp::create(b, bitsType, q);
}
