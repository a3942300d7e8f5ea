//===- LowerQuantizerConversions.cpp - f32 -> fp8/int8 codes ---*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#include "norm/Conversion/Passes.h"

#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir {
namespace norm {
#define GEN_PASS_DEF_NORMLOWERQUANTIZERCONVERSIONS
#include "norm/Conversion/Passes.h.inc"
} // namespace norm
} // namespace mlir

using namespace mlir;
using namespace mlir::norm;

namespace {
/// Bit layout of an 8-bit float format.
struct FP8Format {
  int mantissaBits;
  int bias;
  double maxFinite;
  /// No negative zero and a single NaN, 0x80 (the "fnuz" formats).
  bool fnuz;
  uint8_t nanCode;
};
} // namespace

static std::optional<FP8Format> getFormat(Type type) {
  if (isa<Float8E4M3FNType>(type))
    return FP8Format{3, 7, 448.0, false, 0x7F};
  if (isa<Float8E5M2Type>(type))
    return FP8Format{2, 15, 57344.0, false, 0x7F};
  if (isa<Float8E4M3FNUZType>(type))
    return FP8Format{3, 8, 240.0, true, 0x80};
  if (isa<Float8E5M2FNUZType>(type))
    return FP8Format{2, 16, 57344.0, true, 0x80};
  return std::nullopt;
}

/// A constant of `type` (scalar or vector) holding `value`.
static Value constant(ImplicitLocOpBuilder &b, Type type, double value) {
  Type element = getElementTypeOrSelf(type);
  TypedAttr scalar;
  if (isa<FloatType>(element))
    scalar = b.getFloatAttr(element, value);
  else
    scalar = b.getIntegerAttr(element, static_cast<int64_t>(value));
  if (auto vector = dyn_cast<VectorType>(type))
    return arith::ConstantOp::create(b, DenseElementsAttr::get(vector, scalar));
  return arith::ConstantOp::create(b, scalar);
}

static Type withElement(Type type, Type element) {
  if (auto vector = dyn_cast<VectorType>(type))
    return vector.clone(element);
  return element;
}

/// Round-to-nearest-even, saturating f32 -> fp8 in integer arithmetic:
/// normal values round their mantissa on the f32 bit pattern (a carry
/// correctly bumps the exponent), subnormals are an exact scaling followed
/// by roundeven.
static Value emulate(ImplicitLocOpBuilder &b, Value x, const FP8Format &f) {
  Type f32Type = x.getType();
  Type i32Type = withElement(f32Type, b.getI32Type());
  Type i8Type = withElement(f32Type, b.getI8Type());
  auto i32 = [&](int64_t v) { return constant(b, i32Type, v); };
  auto f32 = [&](double v) { return constant(b, f32Type, v); };

  Value bits = arith::BitcastOp::create(b, i32Type, x);
  Value negative =
      arith::CmpIOp::create(b, arith::CmpIPredicate::slt, bits, i32(0));
  Value magnitudeBits = arith::AndIOp::create(b, bits, i32(0x7FFFFFFF));
  Value isNaN = arith::CmpIOp::create(b, arith::CmpIPredicate::ugt,
                                      magnitudeBits, i32(0x7F800000));
  Value magnitude = arith::BitcastOp::create(b, f32Type, magnitudeBits);
  // Saturate (inf included); NaN is patched in below.
  magnitude = arith::MinimumFOp::create(b, magnitude, f32(f.maxFinite));

  int shift = 23 - f.mantissaBits;
  Value clampedBits = arith::BitcastOp::create(b, i32Type, magnitude);
  Value lsb = arith::AndIOp::create(
      b, arith::ShRUIOp::create(b, clampedBits, i32(shift)), i32(1));
  Value rounded = arith::AddIOp::create(
      b, clampedBits,
      arith::AddIOp::create(b, i32((1 << (shift - 1)) - 1), lsb));
  Value normalCode =
      arith::SubIOp::create(b, arith::ShRUIOp::create(b, rounded, i32(shift)),
                            i32((127 - f.bias) << f.mantissaBits));

  double minNormal = std::ldexp(1.0, 1 - f.bias);
  double subnormalScale = std::ldexp(1.0, f.bias - 1 + f.mantissaBits);
  Value subnormalCode = arith::FPToSIOp::create(
      b, i32Type,
      math::RoundEvenOp::create(
          b, arith::MulFOp::create(b, magnitude, f32(subnormalScale))));
  Value isSubnormal = arith::CmpFOp::create(b, arith::CmpFPredicate::OLT,
                                            magnitude, f32(minNormal));
  Value code =
      arith::SelectOp::create(b, isSubnormal, subnormalCode, normalCode);

  Value signBit = arith::SelectOp::create(b, negative, i32(0x80), i32(0));
  if (f.fnuz) {
    // No negative zero: 0x80 is the NaN.
    Value isZero =
        arith::CmpIOp::create(b, arith::CmpIPredicate::eq, code, i32(0));
    signBit = arith::SelectOp::create(b, isZero, i32(0), signBit);
    code = arith::OrIOp::create(b, code, signBit);
    code = arith::SelectOp::create(b, isNaN, i32(f.nanCode), code);
  } else {
    code = arith::SelectOp::create(b, isNaN, i32(f.nanCode), code);
    code = arith::OrIOp::create(b, code, signBit);
  }
  return arith::TruncIOp::create(b, i8Type, code);
}

/// Whether `v` is a constant f32 (or splat of one) equal to `expected`.
static bool isConstantEqualTo(Value v, double expected) {
  APFloat value(APFloat::Bogus());
  return matchPattern(v, m_ConstantFloat(&value)) &&
         value.convertToDouble() == expected;
}

/// y for x = minimumf(maximumf(y, lowest), highest) (NaN-propagating, the
/// quantizers' clamps), else null.
static Value matchClamp(Value x, double lowest, double highest) {
  auto upper = x.getDefiningOp<arith::MinimumFOp>();
  if (!upper || !isConstantEqualTo(upper.getRhs(), highest))
    return {};
  auto lower = upper.getLhs().getDefiningOp<arith::MaximumFOp>();
  if (!lower || !isConstantEqualTo(lower.getRhs(), lowest))
    return {};
  return lower.getLhs();
}

/// y for y clamped to [-maxFinite, maxFinite] (the quantizer's saturation),
/// else `x` itself. satfinite conversions saturate the same way and keep
/// NaN, so the clamp is two instructions per element for nothing.
static Value stripSaturation(Value x, double maxFinite) {
  Value y = matchClamp(x, -maxFinite, maxFinite);
  return y ? y : x;
}

/// Pairs of f32 through the sm_89+ conversion `cvt.rn.satfinite.e4m3x2.f32`
/// (or e5m2x2). Its first operand lands in the high byte.
static Value convertPairsNVVM(ImplicitLocOpBuilder &b, Value x, Type fp8) {
  auto pairType = VectorType::get({2}, b.getI8Type());
  auto convertPair = [&](Value lo, Value hi) {
    return NVVM::ConvertF32x2ToF8x2Op::create(
        b, pairType, hi, lo, NVVM::FPRoundingMode::RN,
        NVVM::SaturationMode::SATFINITE, /*relu=*/false, fp8);
  };
  auto vector = dyn_cast<VectorType>(x.getType());
  if (!vector) {
    Value pair = convertPair(x, constant(b, x.getType(), 0.0));
    return vector::ExtractOp::create(b, pair, ArrayRef<int64_t>{0});
  }
  int64_t n = vector.getNumElements();
  auto resultType = VectorType::get({n}, b.getI8Type());
  if (n % 2 == 0) {
    // Whole pairs as i16 lanes: LLVM packs those into registers directly,
    // where it shuffles single bytes.
    auto pairsType = VectorType::get({n / 2}, b.getI16Type());
    Value pairs = constant(b, pairsType, 0);
    for (int64_t i = 0; i < n; i += 2) {
      Value lo = vector::ExtractOp::create(b, x, ArrayRef<int64_t>{i});
      Value hi = vector::ExtractOp::create(b, x, ArrayRef<int64_t>{i + 1});
      Value pair = vector::ExtractOp::create(
          b,
          vector::BitCastOp::create(b, VectorType::get({1}, b.getI16Type()),
                                    convertPair(lo, hi)),
          ArrayRef<int64_t>{0});
      pairs =
          vector::InsertOp::create(b, pair, pairs, ArrayRef<int64_t>{i / 2});
    }
    return vector::BitCastOp::create(b, resultType, pairs);
  }
  Value result = constant(b, resultType, 0);
  Value zero = arith::ConstantOp::create(b, b.getF32FloatAttr(0.0));
  for (int64_t i = 0; i < n; i += 2) {
    Value lo = vector::ExtractOp::create(b, x, ArrayRef<int64_t>{i});
    Value hi =
        i + 1 < n
            ? Value(vector::ExtractOp::create(b, x, ArrayRef<int64_t>{i + 1}))
            : zero;
    Value pair = convertPair(lo, hi);
    for (int64_t j = i; j < std::min(i + 2, n); ++j) {
      Value byte = vector::ExtractOp::create(b, pair, ArrayRef<int64_t>{j - i});
      result = vector::InsertOp::create(b, byte, result, ArrayRef<int64_t>{j});
    }
  }
  return result;
}

/// lo and hi rounded to nearest even into `pairType` (2 x f16 / bf16).
template <typename OpTy>
static Value convertHalfPair(ImplicitLocOpBuilder &b, Type pairType, Value lo,
                             Value hi) {
  return OpTy::create(b, pairType, hi, lo, /*random_bits=*/Value(),
                      NVVM::FPRoundingMode::RN, NVVM::SaturationMode::NONE,
                      /*relu=*/false);
}

/// x (f32, a vector of even width) rounded to f16 / bf16 `half` in pairs
/// (cvt.rn.f16x2.f32 / cvt.rn.bf16x2.f32, sm_80+). LLVM pairs such
/// conversions itself only when no element of the result is read on its
/// own: a rounded row that is extended again (the quantizer's input) costs
/// one conversion per element otherwise.
static Value convertHalfPairsNVVM(ImplicitLocOpBuilder &b, Value x, Type half) {
  int64_t n = cast<VectorType>(x.getType()).getNumElements();
  auto pairType = VectorType::get({2}, half);
  Value result;
  for (int64_t i = 0; i < n; i += 2) {
    Value lo = vector::ExtractOp::create(b, x, ArrayRef<int64_t>{i});
    Value hi = vector::ExtractOp::create(b, x, ArrayRef<int64_t>{i + 1});
    Value pair =
        half.isBF16()
            ? convertHalfPair<NVVM::ConvertF32x2ToBF16x2Op>(b, pairType, lo, hi)
            : convertHalfPair<NVVM::ConvertF32x2ToF16x2Op>(b, pairType, lo, hi);
    if (!result) {
      result = pair;
      continue;
    }
    // Appended: lanes [0, i) of `result`, then the pair.
    result = vector::ShuffleOp::create(
        b, result, pair, llvm::to_vector(llvm::seq<int64_t>(0, i + 2)));
  }
  return result;
}

/// Whether `value` is a product of two values of type `half` extended.
static bool isNarrowMultiply(Value value, Type half) {
  auto mul = value.getDefiningOp<arith::MulFOp>();
  if (!mul)
    return false;
  return llvm::all_of(mul->getOperands(), [&](Value operand) {
    auto ext = operand.getDefiningOp<arith::ExtFOp>();
    return ext && ext.getIn().getType() == half;
  });
}

/// Whether `op` rounds such a product or a factor of one. LLVM turns the
/// rounded product into one f16 / bf16 multiply (the same value) unless a
/// rounding is opaque to it.
static bool roundsNarrowMultiply(arith::TruncFOp op) {
  if (isNarrowMultiply(op.getIn(), op.getType()))
    return true;
  for (Operation *user : op->getUsers())
    if (auto ext = dyn_cast<arith::ExtFOp>(user))
      for (Operation *extUser : ext->getUsers())
        if (extUser->getNumResults() == 1 &&
            isNarrowMultiply(extUser->getResult(0), op.getType()))
          return true;
  return false;
}

/// Whether `op` rounds an f32 vector of even width to f16 or bf16 and is
/// worth pairing (see convertHalfPairsNVVM). A rounded value that is also
/// stored is paired by LLVM for the store; pairing it here too only makes
/// ptxas keep both forms longer (on sm_90a, add_rmsnorm + fp8 at H = 65536
/// took 36 registers instead of 32, which halves its blocks per SM).
static bool isHalfPairsTrunc(arith::TruncFOp op) {
  auto in = dyn_cast<VectorType>(op.getIn().getType());
  auto out = dyn_cast<VectorType>(op.getType());
  return in && out && in.getElementType().isF32() &&
         (out.getElementType().isF16() || out.getElementType().isBF16()) &&
         in.getNumElements() % 2 == 0 && !op.getRoundingmodeAttr() &&
         !roundsNarrowMultiply(op) &&
         llvm::none_of(op->getUsers(), [](Operation *user) {
           return isa<LLVM::StoreOp>(user);
         });
}

/// The int8 quantizer's conversion as norm-to-gpu emits it.
struct Int8Conversion {
  /// The value rounded.
  Value y;
  /// Whether it clamps to [-128, 127] (else y is known to round within).
  bool clamped;
};

/// fptosi(select(isnan(c), 0, c)) with c = clamp(roundeven(y), -128, 127)
/// or c = roundeven(y), or nothing.
static std::optional<Int8Conversion>
matchSaturatingRoundToInt8(arith::FPToSIOp op) {
  if (!getElementTypeOrSelf(op.getType()).isSignlessInteger(8) ||
      !getElementTypeOrSelf(op.getIn().getType()).isF32())
    return std::nullopt;
  auto select = op.getIn().getDefiningOp<arith::SelectOp>();
  if (!select || !matchPattern(select.getTrueValue(), m_AnyZeroFloat()))
    return std::nullopt;
  Value c = select.getFalseValue();
  auto isNaN = select.getCondition().getDefiningOp<arith::CmpFOp>();
  if (!isNaN || isNaN.getPredicate() != arith::CmpFPredicate::UNO ||
      isNaN.getLhs() != c || isNaN.getRhs() != c)
    return std::nullopt;
  if (auto round = c.getDefiningOp<math::RoundEvenOp>())
    return Int8Conversion{round.getOperand(), /*clamped=*/false};
  Value rounded = matchClamp(c, -128.0, 127.0);
  auto round = rounded ? rounded.getDefiningOp<math::RoundEvenOp>() : nullptr;
  if (!round)
    return std::nullopt;
  return Int8Conversion{round.getOperand(), /*clamped=*/true};
}

/// Codes of y rounded to nearest even, saturated to [-128, 127], NaN to 0:
/// cvt.rni.s32.f32 does the first three, one integer clamp the rest (none
/// for a y that rounds within).
static Value convertInt8NVVM(ImplicitLocOpBuilder &b, Value y, bool clamp) {
  Value lowest, highest;
  if (clamp) {
    lowest = constant(b, b.getI32Type(), -128);
    highest = constant(b, b.getI32Type(), 127);
  }
  auto convert = [&](Value element) -> Value {
    Value code = LLVM::CallIntrinsicOp::create(
                     b, b.getI32Type(), b.getStringAttr("llvm.nvvm.f2i.rn"),
                     ValueRange{element})
                     .getResult(0);
    if (clamp) {
      code = arith::MaxSIOp::create(b, code, lowest);
      code = arith::MinSIOp::create(b, code, highest);
    }
    return arith::TruncIOp::create(b, b.getI8Type(), code);
  };
  auto vector = dyn_cast<VectorType>(y.getType());
  if (!vector)
    return convert(y);
  int64_t n = vector.getNumElements();
  Value result = constant(b, VectorType::get({n}, b.getI8Type()), 0);
  for (int64_t i = 0; i < n; ++i) {
    Value code = convert(vector::ExtractOp::create(b, y, ArrayRef<int64_t>{i}));
    result = vector::InsertOp::create(b, code, result, ArrayRef<int64_t>{i});
  }
  return result;
}

namespace {
struct NormLowerQuantizerConversionsPass
    : public mlir::norm::impl::NormLowerQuantizerConversionsBase<
          NormLowerQuantizerConversionsPass> {
  using NormLowerQuantizerConversionsBase::NormLowerQuantizerConversionsBase;

  void runOnOperation() override {
    SmallVector<arith::TruncFOp> truncs, halfTruncs;
    SmallVector<std::pair<arith::FPToSIOp, Int8Conversion>> int8Conversions;
    getOperation()->walk([&](Operation *op) {
      // Scalars and vectors only: the rewrites build scalar and vector
      // arithmetic (the kernels' conversions after norm-to-gpu); tensor
      // conversions are left as they are.
      if (llvm::any_of(op->getOperandTypes(), llvm::IsaPred<TensorType>) ||
          llvm::any_of(op->getResultTypes(), llvm::IsaPred<TensorType>))
        return;
      if (auto trunc = dyn_cast<arith::TruncFOp>(op)) {
        if (getElementTypeOrSelf(trunc.getIn().getType()).isF32() &&
            getFormat(getElementTypeOrSelf(trunc.getType())))
          truncs.push_back(trunc);
        else if (nvvmHalfPairs && isHalfPairsTrunc(trunc))
          halfTruncs.push_back(trunc);
      } else if (auto convert = dyn_cast<arith::FPToSIOp>(op)) {
        if (!nvvmInt8)
          return;
        if (std::optional<Int8Conversion> match =
                matchSaturatingRoundToInt8(convert))
          int8Conversions.emplace_back(convert, *match);
      }
    });
    for (arith::TruncFOp op : truncs) {
      ImplicitLocOpBuilder b(op.getLoc(), op);
      Type fp8 = getElementTypeOrSelf(op.getType());
      bool paired = nvvmPaired && isa<Float8E4M3FNType, Float8E5M2Type>(fp8);
      Value bits =
          paired
              ? convertPairsNVVM(
                    b, stripSaturation(op.getIn(), getFormat(fp8)->maxFinite),
                    fp8)
              : emulate(b, op.getIn(), *getFormat(fp8));
      op.replaceAllUsesWith(
          arith::BitcastOp::create(b, op.getType(), bits).getResult());
      op.erase();
    }
    for (arith::TruncFOp op : halfTruncs) {
      ImplicitLocOpBuilder b(op.getLoc(), op);
      op.replaceAllUsesWith(convertHalfPairsNVVM(
          b, op.getIn(), getElementTypeOrSelf(op.getType())));
      op.erase();
    }
    // The select, clamp and roundeven they leave behind die in the next
    // canonicalization.
    for (auto [op, match] : int8Conversions) {
      ImplicitLocOpBuilder b(op.getLoc(), op);
      op.replaceAllUsesWith(convertInt8NVVM(b, match.y, match.clamped));
      op.erase();
    }
  }
};
} // namespace
