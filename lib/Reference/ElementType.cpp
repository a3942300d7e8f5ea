//===- ElementType.cpp - Element types and exact encode/decode ------------===//
//
// Part of norm-mlir.
//
//===----------------------------------------------------------------------===//

#include "norm/Reference/ElementType.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <limits>

namespace norm::ref {
namespace {

/// Description of a binary floating-point format. One generic codec serves
/// all float types so that every format gets the same rounding code path.
struct FloatFormat {
  int expBits;
  int mantBits;
  int bias;
  /// The all-ones exponent encodes inf/NaN (IEEE-like).
  bool ieee;
  /// False for the "fnuz" formats, where 0x80 is the only NaN.
  bool hasNegZero;
  /// Overflow and inf clamp to +-maxFinite instead of producing inf.
  bool saturate;
  /// Canonical positive NaN code (the only NaN code if !nanHasSign).
  uint32_t nanBits;
  bool nanHasSign;
  double maxFinite;

  uint32_t signBit() const { return 1u << (expBits + mantBits); }
  uint32_t mask() const { return (signBit() << 1) - 1; }
  int minNormalExp() const { return 1 - bias; }
};

const FloatFormat &formatOf(ElementType type) {
  // Fields: expBits, mantBits, bias, ieee, hasNegZero, saturate, nanBits,
  // nanHasSign, maxFinite.
  // clang-format off
  static const FloatFormat f32{8, 23, 127, true, true, false, 0x7FC00000u,
                               true, std::numeric_limits<float>::max()};
  static const FloatFormat f16{5, 10, 15, true, true, false, 0x7E00u, true,
                               65504.0};
  static const FloatFormat bf16{8, 7, 127, true, true, false, 0x7FC0u, true,
                                std::ldexp(255.0, 120)};
  static const FloatFormat e4m3fn{4, 3, 7, false, true, true, 0x7Fu, true,
                                  448.0};
  static const FloatFormat e4m3fnuz{4, 3, 8, false, false, true, 0x80u,
                                    false, 240.0};
  static const FloatFormat e5m2{5, 2, 15, true, true, true, 0x7Eu, true,
                                57344.0};
  // clang-format on
  switch (type) {
  case ElementType::F32:
    return f32;
  case ElementType::F16:
    return f16;
  case ElementType::BF16:
    return bf16;
  case ElementType::F8E4M3FN:
    return e4m3fn;
  case ElementType::F8E4M3FNUZ:
    return e4m3fnuz;
  case ElementType::F8E5M2:
    return e5m2;
  case ElementType::I8:
    break;
  }
  assert(false && "not a float type");
  return f32;
}

/// Round a non-negative double to an integer, ties to even. Written out
/// (instead of std::nearbyint) so it does not depend on the FP environment.
double roundHalfEven(double q) {
  double f = std::floor(q);
  double d = q - f; // Exact for doubles.
  if (d > 0.5)
    return f + 1;
  if (d < 0.5)
    return f;
  return std::fmod(f, 2.0) == 0.0 ? f : f + 1;
}

/// Unbiased exponent of a positive finite double.
int exponentOf(double a) {
  int e;
  std::frexp(a, &e);
  return e - 1;
}

/// Round |value| > 0 to the format's precision (ignoring the range top). The
/// quantum is fixed below the normal range, which yields correct subnormals.
double roundMagnitude(const FloatFormat &fmt, double a) {
  int exp = std::max(exponentOf(a), fmt.minNormalExp());
  int quantumExp = exp - fmt.mantBits;
  return std::ldexp(roundHalfEven(std::ldexp(a, -quantumExp)), quantumExp);
}

/// Code of a positive magnitude that is exactly representable.
uint32_t magnitudeBits(const FloatFormat &fmt, double r) {
  int exp = exponentOf(r);
  if (exp < fmt.minNormalExp()) {
    auto mant =
        static_cast<uint32_t>(std::ldexp(r, fmt.mantBits - fmt.minNormalExp()));
    return mant;
  }
  auto mant = static_cast<uint32_t>(std::ldexp(r, fmt.mantBits - exp)) -
              (1u << fmt.mantBits);
  auto expField = static_cast<uint32_t>(exp + fmt.bias);
  return (expField << fmt.mantBits) | mant;
}

double decodeFloat(const FloatFormat &fmt, uint32_t bits) {
  bits &= fmt.mask();
  bool sign = bits & fmt.signBit();
  uint32_t maxExp = (1u << fmt.expBits) - 1;
  uint32_t maxMant = (1u << fmt.mantBits) - 1;
  uint32_t expField = (bits >> fmt.mantBits) & maxExp;
  uint32_t mant = bits & maxMant;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (!fmt.hasNegZero && bits == fmt.signBit())
    return nan; // fnuz: the "negative zero" code is the NaN.
  if (fmt.ieee && expField == maxExp) {
    if (mant != 0)
      return sign ? -nan : nan;
    return sign ? -HUGE_VAL : HUGE_VAL;
  }
  if (!fmt.ieee && fmt.hasNegZero && expField == maxExp && mant == maxMant)
    return sign ? -nan : nan; // e4m3fn: S.1111.111.
  double mag =
      expField == 0
          ? std::ldexp(mant, fmt.minNormalExp() - fmt.mantBits)
          : std::ldexp(mant + (1u << fmt.mantBits),
                       static_cast<int>(expField) - fmt.bias - fmt.mantBits);
  return sign ? -mag : mag;
}

uint32_t encodeFloat(const FloatFormat &fmt, double value) {
  bool sign = std::signbit(value);
  if (std::isnan(value))
    return fmt.nanBits | (fmt.nanHasSign && sign ? fmt.signBit() : 0);
  uint32_t signBits = sign ? fmt.signBit() : 0;
  uint32_t infBits = ((1u << fmt.expBits) - 1) << fmt.mantBits;
  double a = std::fabs(value);
  double r = std::isinf(a) ? a : roundMagnitude(fmt, a);
  if (r > fmt.maxFinite) {
    if (!fmt.saturate)
      return signBits | infBits;
    r = fmt.maxFinite;
  }
  if (r == 0.0)
    return fmt.hasNegZero ? signBits : 0;
  return signBits | magnitudeBits(fmt, r);
}

uint32_t encodeI8(double value) {
  if (std::isnan(value))
    return 0;
  double q;
  if (value >= 127.0)
    q = 127.0;
  else if (value <= -128.0)
    q = -128.0;
  else
    q = std::signbit(value) ? -roundHalfEven(-value) : roundHalfEven(value);
  return static_cast<uint8_t>(static_cast<int8_t>(q));
}

} // namespace

int64_t elementSize(ElementType type) {
  switch (type) {
  case ElementType::F32:
    return 4;
  case ElementType::F16:
  case ElementType::BF16:
    return 2;
  default:
    return 1;
  }
}

const char *elementTypeName(ElementType type) {
  switch (type) {
  case ElementType::F32:
    return "f32";
  case ElementType::F16:
    return "f16";
  case ElementType::BF16:
    return "bf16";
  case ElementType::F8E4M3FN:
    return "f8E4M3FN";
  case ElementType::F8E4M3FNUZ:
    return "f8E4M3FNUZ";
  case ElementType::F8E5M2:
    return "f8E5M2";
  case ElementType::I8:
    return "i8";
  }
  return "<invalid>";
}

std::optional<ElementType> parseElementType(std::string_view name) {
  for (ElementType type : kAllElementTypes)
    if (name == elementTypeName(type))
      return type;
  return std::nullopt;
}

bool isFloat8(ElementType type) {
  return type == ElementType::F8E4M3FN || type == ElementType::F8E4M3FNUZ ||
         type == ElementType::F8E5M2;
}

bool isQuantType(ElementType type) {
  return isFloat8(type) || type == ElementType::I8;
}

double maxFinite(ElementType type) {
  if (type == ElementType::I8)
    return 127.0;
  return formatOf(type).maxFinite;
}

namespace {
/// A finite double rounded to f32 with round-to-odd: rounding that result
/// again to a format with at most 21 significant bits is the same as
/// rounding the double once (no double-rounding error).
float roundToOddFloat(double value) {
  float f = static_cast<float>(value);
  if (std::fabs(static_cast<double>(f)) > std::fabs(value))
    f = std::nextafter(f, 0.0f); // now truncated toward zero
  if (static_cast<double>(f) != value) {
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    bits |= 1; // inexact: make it odd
    std::memcpy(&f, &bits, 4);
  }
  return f;
}

/// bf16 of a finite double, nearest-even, overflow to inf.
uint32_t encodeBF16Finite(double value) {
  float f = roundToOddFloat(value);
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  uint32_t rounded = bits + 0x7FFFu + ((bits >> 16) & 1u);
  return (rounded >> 16) & 0xFFFFu;
}

#ifdef __FLT16_MAX__
/// f16 of a finite double through the compiler's IEEE half type.
uint32_t encodeF16Finite(double value) {
  _Float16 half = static_cast<_Float16>(roundToOddFloat(value));
  uint16_t bits;
  std::memcpy(&bits, &half, 2);
  return bits;
}
#endif

/// Every code of a 16- or 8-bit format decoded once: checking a large GPU
/// result decodes billions of elements.
template <size_t N> struct DecodeTable {
  explicit DecodeTable(ElementType type) {
    for (size_t code = 0; code < N; ++code)
      values[code] = decodeFloat(formatOf(type), uint32_t(code));
  }
  double values[N];
};
} // namespace

double decode(ElementType type, uint32_t bits) {
  switch (type) {
  case ElementType::I8:
    return static_cast<int8_t>(static_cast<uint8_t>(bits));
  case ElementType::F32: {
    // f32 -> double is exact, including inf and NaN payload signs.
    float value;
    uint32_t raw = bits;
    std::memcpy(&value, &raw, 4);
    return value;
  }
  case ElementType::BF16: {
    float value;
    uint32_t raw = (bits & 0xFFFFu) << 16;
    std::memcpy(&value, &raw, 4);
    return value;
  }
  case ElementType::F16: {
    static const DecodeTable<65536> table(ElementType::F16);
    return table.values[bits & 0xFFFFu];
  }
  case ElementType::F8E4M3FN: {
    static const DecodeTable<256> table(ElementType::F8E4M3FN);
    return table.values[bits & 0xFFu];
  }
  case ElementType::F8E4M3FNUZ: {
    static const DecodeTable<256> table(ElementType::F8E4M3FNUZ);
    return table.values[bits & 0xFFu];
  }
  case ElementType::F8E5M2: {
    static const DecodeTable<256> table(ElementType::F8E5M2);
    return table.values[bits & 0xFFu];
  }
  }
  return decodeFloat(formatOf(type), bits);
}

uint32_t encode(ElementType type, double value) {
  if (type == ElementType::I8)
    return encodeI8(value);
  if (type == ElementType::F32) {
    // The hardware conversion rounds once, to nearest-even, with IEEE
    // overflow to inf: exactly the contract.
    float rounded = static_cast<float>(value);
    uint32_t bits;
    std::memcpy(&bits, &rounded, 4);
    return bits;
  }
  if (type == ElementType::BF16 && std::isfinite(value))
    return encodeBF16Finite(value);
#ifdef __FLT16_MAX__
  if (type == ElementType::F16 && std::isfinite(value))
    return encodeF16Finite(value);
#endif
  return encodeFloat(formatOf(type), value);
}

double roundToType(ElementType type, double value) {
  return decode(type, encode(type, value));
}

uint32_t loadBits(const void *data, ElementType type, int64_t index) {
  const auto *bytes = static_cast<const unsigned char *>(data);
  switch (elementSize(type)) {
  case 4: {
    uint32_t v;
    std::memcpy(&v, bytes + index * 4, 4);
    return v;
  }
  case 2: {
    uint16_t v;
    std::memcpy(&v, bytes + index * 2, 2);
    return v;
  }
  default:
    return bytes[index];
  }
}

void storeBits(void *data, ElementType type, int64_t index, uint32_t bits) {
  auto *bytes = static_cast<unsigned char *>(data);
  switch (elementSize(type)) {
  case 4:
    std::memcpy(bytes + index * 4, &bits, 4);
    return;
  case 2: {
    auto v = static_cast<uint16_t>(bits);
    std::memcpy(bytes + index * 2, &v, 2);
    return;
  }
  default:
    bytes[index] = static_cast<unsigned char>(bits);
    return;
  }
}

double loadElement(const void *data, ElementType type, int64_t index) {
  return decode(type, loadBits(data, type, index));
}

void storeElement(void *data, ElementType type, int64_t index, double value) {
  storeBits(data, type, index, encode(type, value));
}

} // namespace norm::ref
