//===- ElementTypeTest.cpp - Tests for exact encode/decode ----------------===//
//
// Part of norm-mlir. Expected bit patterns are hand-computed.
//
//===----------------------------------------------------------------------===//

#include "norm/Reference/ElementType.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

using namespace norm::ref;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

double p2(int e) { return std::ldexp(1.0, e); }

TEST(ElementTypeTest, NamesSizesAndParse) {
  const char *names[] = {"f32",        "f16",    "bf16", "f8E4M3FN",
                         "f8E4M3FNUZ", "f8E5M2", "i8"};
  const int64_t sizes[] = {4, 2, 2, 1, 1, 1, 1};
  int i = 0;
  for (ElementType type : kAllElementTypes) {
    EXPECT_STREQ(elementTypeName(type), names[i]);
    EXPECT_EQ(elementSize(type), sizes[i]);
    EXPECT_EQ(parseElementType(names[i]), type);
    ++i;
  }
  EXPECT_FALSE(parseElementType("f64").has_value());
  EXPECT_FALSE(parseElementType("F32").has_value());
  EXPECT_FALSE(parseElementType("f8e4m3fn").has_value());
}

TEST(ElementTypeTest, Predicates) {
  EXPECT_TRUE(isFloat8(ElementType::F8E4M3FN));
  EXPECT_TRUE(isFloat8(ElementType::F8E4M3FNUZ));
  EXPECT_TRUE(isFloat8(ElementType::F8E5M2));
  EXPECT_FALSE(isFloat8(ElementType::I8));
  EXPECT_TRUE(isQuantType(ElementType::I8));
  EXPECT_FALSE(isQuantType(ElementType::BF16));
  EXPECT_EQ(qmax(ElementType::F8E4M3FN), 448.0);
  EXPECT_EQ(qmax(ElementType::F8E4M3FNUZ), 240.0);
  EXPECT_EQ(qmax(ElementType::F8E5M2), 57344.0);
  EXPECT_EQ(qmax(ElementType::I8), 127.0);
  EXPECT_EQ(maxFinite(ElementType::F16), 65504.0);
  EXPECT_EQ(maxFinite(ElementType::F32),
            static_cast<double>(std::numeric_limits<float>::max()));
}

TEST(ElementTypeTest, BF16) {
  const auto t = ElementType::BF16;
  EXPECT_EQ(encode(t, 1.0), 0x3F80u);
  EXPECT_EQ(encode(t, -2.0), 0xC000u);
  EXPECT_EQ(encode(t, 0.0), 0x0000u);
  EXPECT_EQ(encode(t, -0.0), 0x8000u);
  // Ties go to even: 1 + 2^-8 is halfway between 1.0 and 1 + 2^-7.
  EXPECT_EQ(encode(t, 1.0 + p2(-8)), 0x3F80u);
  EXPECT_EQ(encode(t, 1.0 + 3 * p2(-8)), 0x3F82u);
  // Just above the tie rounds up (truncation would give 0x3F80).
  EXPECT_EQ(encode(t, 1.0 + p2(-8) + p2(-30)), 0x3F81u);
  EXPECT_EQ(encode(t, -(1.0 + p2(-8))), 0xBF80u);
  EXPECT_EQ(decode(t, 0x7F7F), std::ldexp(255.0, 120));
  EXPECT_EQ(encode(t, 1e39), 0x7F80u);
  EXPECT_EQ(encode(t, -kInf), 0xFF80u);
  EXPECT_TRUE(std::isnan(decode(t, encode(t, kNaN))));
  EXPECT_EQ(decode(t, 0x0001), p2(-133)); // Smallest subnormal.
}

TEST(ElementTypeTest, F16) {
  const auto t = ElementType::F16;
  EXPECT_EQ(encode(t, 1.0), 0x3C00u);
  EXPECT_EQ(encode(t, -2.0), 0xC000u);
  EXPECT_EQ(encode(t, -0.0), 0x8000u);
  EXPECT_EQ(encode(t, 65504.0), 0x7BFFu);
  EXPECT_EQ(encode(t, 65519.0), 0x7BFFu);
  // 65520 is the tie between 65504 and 2^16; even is inf.
  EXPECT_EQ(encode(t, 65520.0), 0x7C00u);
  EXPECT_EQ(encode(t, 1e6), 0x7C00u);
  EXPECT_EQ(encode(t, -1e6), 0xFC00u);
  EXPECT_EQ(decode(t, 0x7C00), kInf);
  EXPECT_TRUE(std::isnan(decode(t, 0x7E00)));
  EXPECT_TRUE(std::isnan(decode(t, encode(t, kNaN))));
  EXPECT_EQ(encode(t, p2(-24)), 0x0001u);     // Smallest subnormal.
  EXPECT_EQ(encode(t, p2(-25)), 0x0000u);     // Tie to even (zero).
  EXPECT_EQ(encode(t, 3 * p2(-25)), 0x0002u); // Tie to even (2).
  EXPECT_EQ(encode(t, p2(-14)), 0x0400u);     // Smallest normal.
  EXPECT_EQ(decode(t, 0x03FF), 1023 * p2(-24));
  // Round half away from zero would give 0x3C01 here.
  EXPECT_EQ(encode(t, 1.0 + p2(-11)), 0x3C00u);
  EXPECT_EQ(encode(t, 1.0 + 3 * p2(-11)), 0x3C02u);
}

TEST(ElementTypeTest, F32MatchesHardwareCast) {
  // The generic codec must agree with the (RNE) double -> float cast.
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<int> expDist(-160, 130);
  std::uniform_real_distribution<double> mantDist(1.0, 2.0);
  for (int i = 0; i < 200000; ++i) {
    double v = std::ldexp(mantDist(rng), expDist(rng));
    if (i % 2)
      v = -v;
    float f = static_cast<float>(v);
    uint32_t expected;
    std::memcpy(&expected, &f, 4);
    ASSERT_EQ(encode(ElementType::F32, v), expected) << v;
    ASSERT_EQ(decode(ElementType::F32, expected), static_cast<double>(f));
  }
  EXPECT_EQ(encode(ElementType::F32, 1.0), 0x3F800000u);
  EXPECT_EQ(encode(ElementType::F32, 1e39), 0x7F800000u);
  EXPECT_EQ(encode(ElementType::F32, p2(-149)), 0x00000001u);
  EXPECT_EQ(encode(ElementType::F32, p2(-150)), 0x00000000u);
}

TEST(ElementTypeTest, E4M3FN) {
  const auto t = ElementType::F8E4M3FN;
  EXPECT_EQ(encode(t, 1.0), 0x38u);
  EXPECT_EQ(encode(t, -1.0), 0xB8u);
  EXPECT_EQ(encode(t, -0.0), 0x80u);
  EXPECT_EQ(encode(t, 448.0), 0x7Eu);
  EXPECT_EQ(encode(t, 464.0), 0x7Eu); // Tie between 448 and 480 (NaN).
  EXPECT_EQ(encode(t, 480.0), 0x7Eu); // Saturates (satfinite).
  EXPECT_EQ(encode(t, 1e9), 0x7Eu);
  EXPECT_EQ(encode(t, -1e9), 0xFEu);
  EXPECT_EQ(encode(t, kInf), 0x7Eu);
  EXPECT_EQ(encode(t, -kInf), 0xFEu);
  EXPECT_EQ(encode(t, kNaN), 0x7Fu);
  EXPECT_EQ(encode(t, -kNaN), 0xFFu);
  EXPECT_TRUE(std::isnan(decode(t, 0x7F)));
  EXPECT_TRUE(std::isnan(decode(t, 0xFF)));
  EXPECT_EQ(decode(t, 0x7E), 448.0);
  EXPECT_EQ(decode(t, 0x78), 256.0);        // Exponent 15 is a normal binade.
  EXPECT_EQ(encode(t, p2(-9)), 0x01u);      // Smallest subnormal.
  EXPECT_EQ(encode(t, p2(-10)), 0x00u);     // Tie to even (zero).
  EXPECT_EQ(encode(t, 3 * p2(-10)), 0x02u); // Tie to even (2).
  EXPECT_EQ(encode(t, p2(-6)), 0x08u);      // Smallest normal.
  EXPECT_EQ(encode(t, 7 * p2(-9)), 0x07u);  // Largest subnormal.
  // Truncation would give 0x38; 1.1 is nearer 1.125.
  EXPECT_EQ(encode(t, 1.1), 0x39u);
  // Ties: half-away would give 0x39 and 0x3B.
  EXPECT_EQ(encode(t, 1.0625), 0x38u);
  EXPECT_EQ(encode(t, 1.1875), 0x3Au);
  EXPECT_EQ(encode(t, -200.0), 0xF4u); // Tie 192/208 -> 192.
}

TEST(ElementTypeTest, E4M3FNUZ) {
  const auto t = ElementType::F8E4M3FNUZ;
  EXPECT_EQ(encode(t, 1.0), 0x40u);
  EXPECT_EQ(encode(t, -1.0), 0xC0u);
  EXPECT_EQ(encode(t, 240.0), 0x7Fu);
  EXPECT_EQ(encode(t, 248.0), 0x7Fu);
  EXPECT_EQ(encode(t, 1e9), 0x7Fu);
  EXPECT_EQ(encode(t, -1e9), 0xFFu);
  EXPECT_EQ(encode(t, -kInf), 0xFFu);
  EXPECT_EQ(encode(t, -0.0), 0x00u);     // No negative zero.
  EXPECT_EQ(encode(t, -p2(-12)), 0x00u); // Underflow to -0 -> 0x00.
  EXPECT_EQ(encode(t, kNaN), 0x80u);
  EXPECT_EQ(encode(t, -kNaN), 0x80u);
  EXPECT_TRUE(std::isnan(decode(t, 0x80)));
  EXPECT_EQ(decode(t, 0x7F), 240.0);
  EXPECT_EQ(decode(t, 0xFF), -240.0);
  EXPECT_EQ(encode(t, p2(-10)), 0x01u); // Smallest subnormal (bias 8).
  EXPECT_EQ(encode(t, p2(-7)), 0x08u);  // Smallest normal.
}

TEST(ElementTypeTest, E5M2) {
  const auto t = ElementType::F8E5M2;
  EXPECT_EQ(encode(t, 1.0), 0x3Cu);
  EXPECT_EQ(encode(t, -1.0), 0xBCu);
  EXPECT_EQ(encode(t, -0.0), 0x80u);
  EXPECT_EQ(encode(t, 57344.0), 0x7Bu);
  EXPECT_EQ(encode(t, 61440.0), 0x7Bu); // Tie toward inf saturates.
  EXPECT_EQ(encode(t, 1e6), 0x7Bu);
  EXPECT_EQ(encode(t, -1e6), 0xFBu);
  EXPECT_EQ(encode(t, kInf), 0x7Bu);
  EXPECT_EQ(encode(t, -kInf), 0xFBu);
  EXPECT_EQ(encode(t, kNaN), 0x7Eu);
  EXPECT_EQ(encode(t, -kNaN), 0xFEu);
  EXPECT_EQ(decode(t, 0x7C), kInf); // The codes still decode as IEEE.
  EXPECT_EQ(decode(t, 0xFC), -kInf);
  EXPECT_TRUE(std::isnan(decode(t, 0x7D)));
  EXPECT_EQ(encode(t, p2(-16)), 0x01u); // Smallest subnormal.
  EXPECT_EQ(encode(t, p2(-17)), 0x00u); // Tie to even.
  EXPECT_EQ(encode(t, 1.125), 0x3Cu);   // Tie 1.0/1.25 -> 1.0.
  EXPECT_EQ(encode(t, 1.375), 0x3Eu);   // Tie 1.25/1.5 -> 1.5.
}

TEST(ElementTypeTest, I8) {
  const auto t = ElementType::I8;
  EXPECT_EQ(encode(t, 2.5), 2u);
  EXPECT_EQ(encode(t, 3.5), 4u);
  EXPECT_EQ(encode(t, -2.5), 0xFEu);
  EXPECT_EQ(encode(t, -3.5), 0xFCu);
  EXPECT_EQ(encode(t, 0.5), 0u);
  EXPECT_EQ(encode(t, -0.5), 0u);
  EXPECT_EQ(encode(t, 2.4999), 2u);
  EXPECT_EQ(encode(t, 2.5001), 3u);
  EXPECT_EQ(encode(t, 126.5), 126u);
  EXPECT_EQ(encode(t, 127.4), 127u);
  EXPECT_EQ(encode(t, 200.0), 127u);
  EXPECT_EQ(encode(t, -300.0), 0x80u);
  EXPECT_EQ(encode(t, -128.6), 0x80u);
  EXPECT_EQ(encode(t, kInf), 127u);
  EXPECT_EQ(encode(t, -kInf), 0x80u);
  EXPECT_EQ(encode(t, kNaN), 0u);
  EXPECT_EQ(decode(t, 0xFE), -2.0);
  EXPECT_EQ(decode(t, 0x80), -128.0);
  EXPECT_EQ(decode(t, 0x7F), 127.0);
  for (uint32_t code = 0; code < 256; ++code)
    EXPECT_EQ(encode(t, decode(t, code)), code);
}

TEST(ElementTypeTest, RoundTripEveryNarrowCode) {
  for (ElementType t :
       {ElementType::F8E4M3FN, ElementType::F8E4M3FNUZ, ElementType::F8E5M2,
        ElementType::F16, ElementType::BF16}) {
    uint32_t numCodes = 1u << (8 * elementSize(t));
    for (uint32_t code = 0; code < numCodes; ++code) {
      double v = decode(t, code);
      if (std::isnan(v)) {
        EXPECT_TRUE(std::isnan(decode(t, encode(t, v))))
            << elementTypeName(t) << " code " << code;
        continue;
      }
      // fp8 e5m2 saturates: its inf codes come back as max finite.
      if (std::isinf(v) && t == ElementType::F8E5M2) {
        EXPECT_EQ(decode(t, encode(t, v)), v > 0 ? 57344.0 : -57344.0);
        continue;
      }
      EXPECT_EQ(encode(t, v), code) << elementTypeName(t) << " code " << code;
    }
  }
}

// Midpoints between neighbouring codes: a tie goes to the even code, a hair
// above/below to the upper/lower code. Catches truncation and half-away.
TEST(ElementTypeTest, ExhaustiveNearestEvenFp8) {
  for (ElementType t :
       {ElementType::F8E4M3FN, ElementType::F8E4M3FNUZ, ElementType::F8E5M2}) {
    for (uint32_t code = 0; code < 0x7F; ++code) {
      double lo = decode(t, code), hi = decode(t, code + 1);
      if (!std::isfinite(hi) || hi > maxFinite(t))
        break;
      double mid = (lo + hi) / 2, eps = (hi - lo) / 64;
      uint32_t even = code % 2 == 0 ? code : code + 1;
      EXPECT_EQ(encode(t, mid), even) << elementTypeName(t) << " " << mid;
      EXPECT_EQ(encode(t, mid + eps), code + 1);
      EXPECT_EQ(encode(t, mid - eps), code);
      // fnuz has no -0: a negative value rounding to zero encodes 0x00.
      bool fnuzZero = t == ElementType::F8E4M3FNUZ && even == 0;
      EXPECT_EQ(encode(t, -mid), fnuzZero ? 0u : (even | 0x80u));
      EXPECT_EQ(encode(t, -(mid + eps)), (code + 1) | 0x80u);
    }
  }
}

TEST(ElementTypeTest, SaturationAboveMax) {
  for (ElementType t : {ElementType::F8E4M3FN, ElementType::F8E4M3FNUZ,
                        ElementType::F8E5M2, ElementType::I8}) {
    uint32_t maxCode = encode(t, maxFinite(t));
    EXPECT_EQ(decode(t, maxCode), maxFinite(t));
    for (double f : {1.0001, 1.1, 1.5, 2.0, 1e10}) {
      EXPECT_EQ(encode(t, maxFinite(t) * f), maxCode) << elementTypeName(t);
      // i8 is asymmetric: -127.01 still rounds to -127.
      double negMax = t != ElementType::I8 ? -maxFinite(t)
                      : 127 * f >= 128     ? -128.0
                                           : -127.0;
      EXPECT_EQ(decode(t, encode(t, -maxFinite(t) * f)), negMax);
    }
  }
  // IEEE types do not saturate.
  EXPECT_EQ(roundToType(ElementType::F16, 1e5), kInf);
  EXPECT_EQ(roundToType(ElementType::BF16, -1e39), -kInf);
}

TEST(ElementTypeTest, LoadStore) {
  unsigned char buf[16] = {};
  storeElement(buf, ElementType::F32, 1, 1.5);
  EXPECT_EQ(loadElement(buf, ElementType::F32, 1), 1.5);
  EXPECT_EQ(buf[0], 0);
  storeElement(buf, ElementType::BF16, 3, -2.0);
  EXPECT_EQ(loadBits(buf, ElementType::BF16, 3), 0xC000u);
  storeElement(buf, ElementType::I8, 15, -3.0);
  EXPECT_EQ(buf[15], 0xFD);
  EXPECT_EQ(loadElement(buf, ElementType::I8, 15), -3.0);
  storeBits(buf, ElementType::F16, 0, 0x3C00);
  EXPECT_EQ(loadElement(buf, ElementType::F16, 0), 1.0);
}

} // namespace

// encode() has fast paths for f32, bf16 and f16; check them against the
// definition: the nearest of the two neighbouring codes, ties to even.
TEST(ElementType, FastEncodeMatchesNearestEven) {
  uint64_t state = 12345;
  auto next = [&] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return state;
  };
  for (ElementType type :
       {ElementType::F32, ElementType::BF16, ElementType::F16}) {
    int64_t checked = 0;
    for (int i = 0; i < 200000; ++i) {
      // Random doubles over the whole range, plus exact midpoints.
      double value;
      uint64_t bits = next();
      std::memcpy(&value, &bits, 8);
      if (!std::isfinite(value) || std::fabs(value) > maxFinite(type) ||
          std::fabs(value) < 1e-45 ||
          (type == ElementType::F16 && std::fabs(value) < 1e-7))
        continue;
      double got = decode(type, encode(type, value));
      // Neighbours: the codes around roundToType by truncation.
      uint32_t code = encode(type, value);
      double a = decode(type, code);
      double lo = decode(type, code - 1), hi = decode(type, code + 1);
      double best = a;
      for (double candidate : {lo, hi})
        if (std::isfinite(candidate) &&
            std::fabs(candidate - value) < std::fabs(best - value))
          best = candidate;
      EXPECT_EQ(got, best) << elementTypeName(type) << " " << value;
      ++checked;
      if (i % 2 == 0 && std::isfinite(hi)) {
        double mid = (a + hi) / 2; // exact tie: even code wins
        uint32_t tie = encode(type, mid);
        EXPECT_EQ(tie % 2, 0u) << elementTypeName(type) << " tie " << mid;
      }
    }
    EXPECT_GT(checked, 1000);
  }
  // Overflow: f32 and bf16 are IEEE, values beyond the largest finite
  // number that round up become inf.
  EXPECT_TRUE(std::isinf(decode(ElementType::BF16, encode(ElementType::BF16, 3.4e38))));
  EXPECT_EQ(decode(ElementType::BF16, encode(ElementType::BF16, 1.0 + 1.0 / 256)), 1.0);
  EXPECT_EQ(decode(ElementType::BF16, encode(ElementType::BF16, 1.0 + 3.0 / 256)), 1.0 + 4.0 / 256);
  EXPECT_EQ(decode(ElementType::BF16, encode(ElementType::BF16, 1.0 + 1.0 / 256 + 1e-12)), 1.0 + 2.0 / 256);
}
