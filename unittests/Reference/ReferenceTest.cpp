//===- ReferenceTest.cpp - Tests for the RMSNorm/quantize reference -------===//
//
// Part of norm-mlir.
//
//===----------------------------------------------------------------------===//

#include "norm/Reference/Reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

using namespace norm::ref;

namespace {

constexpr auto F32 = ElementType::F32;
constexpr auto BF16 = ElementType::BF16;
constexpr auto F16 = ElementType::F16;
constexpr auto E4M3 = ElementType::F8E4M3FN;
constexpr auto E4M3UZ = ElementType::F8E4M3FNUZ;
constexpr auto E5M2 = ElementType::F8E5M2;
constexpr auto I8 = ElementType::I8;

HostMatrix makeMatrix(ElementType type, int64_t rows, int64_t cols,
                      const std::vector<double> &values,
                      int64_t rowStride = 0) {
  HostMatrix m(type, rows, cols, rowStride);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      m.set(r, c, values[r * cols + c]);
  return m;
}

HostMatrix makeVector(ElementType type, const std::vector<double> &values) {
  return makeMatrix(type, 1, static_cast<int64_t>(values.size()), values);
}

double f32(double v) { return static_cast<float>(v); }

void expectError(const Status &s, const std::string &needle) {
  EXPECT_FALSE(s.ok);
  EXPECT_NE(s.message.find(needle), std::string::npos)
      << "message '" << s.message << "' does not name '" << needle << "'";
}

//===----------------------------------------------------------------------===//
// rmsnorm
//===----------------------------------------------------------------------===//

TEST(RmsnormTest, HandComputed) {
  HostMatrix in = makeMatrix(F32, 1, 2, {3, 4});
  HostMatrix out(F32, 1, 2);
  ASSERT_TRUE(rmsnorm(in.constView(), {}, out.view(), {0.0, 0.0}).ok);
  // ms = (9 + 16) / 2 = 12.5, rms = 3.5355339...
  EXPECT_NEAR(out.get(0, 0), 0.8485281374, 1e-7);
  EXPECT_NEAR(out.get(0, 1), 1.1313708499, 1e-7);
  EXPECT_EQ(out.get(0, 0), f32(3 / std::sqrt(12.5)));
  EXPECT_EQ(out.get(0, 1), f32(4 / std::sqrt(12.5)));
}

TEST(RmsnormTest, EpsilonIsInsideSqrt) {
  HostMatrix in = makeMatrix(F32, 1, 2, {3, 4});
  HostMatrix out(F32, 1, 2);
  ASSERT_TRUE(rmsnorm(in.constView(), {}, out.view(), {3.5, 0.0}).ok);
  EXPECT_EQ(out.get(0, 0), 0.75); // rms = sqrt(12.5 + 3.5) = 4.
  EXPECT_EQ(out.get(0, 1), 1.0);
}

TEST(RmsnormTest, GammaAndWeightOffset) {
  HostMatrix in = makeMatrix(F32, 1, 2, {3, 4});
  HostMatrix gamma = makeVector(F32, {0.5, -1.0});
  HostMatrix out(F32, 1, 2);
  // Gemma: multiplier is gamma + 1 = {1.5, 0}.
  ASSERT_TRUE(
      rmsnorm(in.constView(), gamma.asVector(), out.view(), {0.0, 1.0}).ok);
  EXPECT_EQ(out.get(0, 0), f32(3 / std::sqrt(12.5) * 1.5));
  EXPECT_EQ(out.get(0, 1), 0.0);
  // Plain gamma.
  ASSERT_TRUE(
      rmsnorm(in.constView(), gamma.asVector(), out.view(), {0.0, 0.0}).ok);
  EXPECT_EQ(out.get(0, 0), f32(3 / std::sqrt(12.5) * 0.5));
  EXPECT_EQ(out.get(0, 1), f32(-4 / std::sqrt(12.5)));
  // weightOffset has no effect without gamma.
  ASSERT_TRUE(rmsnorm(in.constView(), {}, out.view(), {0.0, 1.0}).ok);
  EXPECT_EQ(out.get(0, 0), f32(3 / std::sqrt(12.5)));
}

TEST(RmsnormTest, AllZeroRowGivesZeros) {
  HostMatrix in(F32, 2, 4);
  in.set(1, 0, 2.0);
  HostMatrix out(F32, 2, 4);
  ASSERT_TRUE(rmsnorm(in.constView(), {}, out.view(), {1e-6, 0.0}).ok);
  for (int64_t c = 0; c < 4; ++c) {
    EXPECT_EQ(out.get(0, c), 0.0);
    EXPECT_FALSE(std::isnan(out.get(1, c)));
  }
  // Documented: epsilon 0 on a zero row is 0/0.
  ASSERT_TRUE(rmsnorm(in.constView(), {}, out.view(), {0.0, 0.0}).ok);
  EXPECT_TRUE(std::isnan(out.get(0, 0)));
}

TEST(RmsnormTest, HugeValuesDoNotOverflow) {
  // x^2 = 1e60 overflows f32; the double accumulation must not.
  HostMatrix in = makeMatrix(F32, 1, 4, {1e30, -1e30, 1e30, 1e30});
  HostMatrix out(F32, 1, 4);
  ASSERT_TRUE(rmsnorm(in.constView(), {}, out.view(), {1e-6, 0.0}).ok);
  EXPECT_FLOAT_EQ(out.get(0, 0), 1.0f);
  EXPECT_FLOAT_EQ(out.get(0, 1), -1.0f);
}

TEST(RmsnormTest, OddWidthSingleRow) {
  std::vector<double> x = {1, 2, 3, 4, 5, 6, 7};
  HostMatrix in = makeMatrix(F32, 1, 7, x);
  HostMatrix out(F32, 1, 7);
  ASSERT_TRUE(rmsnorm(in.constView(), {}, out.view(), {1e-5, 0.0}).ok);
  double rms = std::sqrt(140.0 / 7 + 1e-5); // Sum of squares is 140.
  for (int64_t c = 0; c < 7; ++c)
    EXPECT_EQ(out.get(0, c), f32(x[c] / rms)) << c;
}

TEST(RmsnormTest, RowsAreIndependentAndPaddingUntouched) {
  // in: 2x3 with stride 5, NaN in the padding (must not be read).
  HostMatrix in = makeMatrix(F32, 2, 3, {1, 1, 1, 2, 0, 0}, 5);
  for (int64_t r = 0; r < 2; ++r)
    for (int64_t c = 3; c < 5; ++c)
      in.set(r, c, std::numeric_limits<double>::quiet_NaN());
  HostMatrix out(F32, 2, 3, 6);
  for (int64_t r = 0; r < 2; ++r)
    for (int64_t c = 3; c < 6; ++c)
      out.setBits(r, c, 0xDEADBEEF);
  ASSERT_TRUE(rmsnorm(in.constView(), {}, out.view(), {0.0, 0.0}).ok);
  EXPECT_EQ(out.get(0, 0), 1.0);
  EXPECT_EQ(out.get(0, 2), 1.0);
  EXPECT_EQ(out.get(1, 0), f32(std::sqrt(3.0))); // rms = 2/sqrt(3).
  EXPECT_EQ(out.get(1, 1), 0.0);
  for (int64_t r = 0; r < 2; ++r)
    for (int64_t c = 3; c < 6; ++c)
      EXPECT_EQ(out.getBits(r, c), 0xDEADBEEFu);
}

TEST(RmsnormTest, Bf16InOutRounding) {
  // bf16 input values; the output is rounded once from double to bf16.
  std::vector<double> x = {1.0, 3.0, -7.0, 0.5, 100.0};
  HostMatrix in = makeMatrix(BF16, 1, 5, x);
  HostMatrix gamma = makeVector(BF16, {1.0, 0.75, 1.25, 2.0, 0.5});
  HostMatrix out(BF16, 1, 5);
  ASSERT_TRUE(
      rmsnorm(in.constView(), gamma.asVector(), out.view(), {1e-6, 0.0}).ok);
  double ss = 0;
  for (double v : x)
    ss += v * v;
  double rms = std::sqrt(ss / 5 + 1e-6);
  for (int64_t c = 0; c < 5; ++c)
    EXPECT_EQ(out.getBits(0, c), encode(BF16, x[c] / rms * gamma.get(0, c)));
  // 1/rms = 0.0223... is not a bf16 value: the output really is rounded.
  EXPECT_NE(out.get(0, 0), 1.0 / rms);
  // f16 output too.
  HostMatrix outF16(F16, 1, 5);
  ASSERT_TRUE(rmsnorm(in.constView(), {}, outF16.view(), {1e-6, 0.0}).ok);
  EXPECT_EQ(outF16.getBits(0, 4), encode(F16, 100.0 / rms));
}

TEST(RmsnormTest, NormalizedTypeRoundsBeforeGamma) {
  // Hugging Face Llama: weight * normed.to(bf16). x / rms is rounded to
  // bf16, then multiplied by gamma; the f32 output keeps the product.
  std::vector<double> x = {1.0, 3.0, -7.0, 0.5, 100.0};
  HostMatrix in = makeMatrix(BF16, 1, 5, x);
  HostMatrix gamma = makeVector(BF16, {1.0, 0.75, 1.25, 2.0, 0.5});
  HostMatrix out(F32, 1, 5);
  RMSNormParams params{1e-6, 0.0, BF16};
  ASSERT_TRUE(rmsnorm(in.constView(), gamma.asVector(), out.view(), params).ok);
  double ss = 0;
  for (double v : x)
    ss += v * v;
  double rms = std::sqrt(ss / 5 + 1e-6);
  for (int64_t c = 0; c < 5; ++c)
    EXPECT_EQ(out.get(0, c),
              f32(roundToType(BF16, x[c] / rms) * gamma.get(0, c)));
  // 1/rms is not a bf16 value: the rounding shows.
  EXPECT_NE(out.get(0, 0), f32(1.0 / rms));
  // Without gamma there is no multiply to round for.
  ASSERT_TRUE(rmsnorm(in.constView(), {}, out.view(), params).ok);
  EXPECT_EQ(out.get(0, 0), f32(1.0 / rms));
  params.normalizedType = I8;
  expectError(rmsnorm(in.constView(), gamma.asVector(), out.view(), params),
              "params.normalizedType");
}

TEST(RmsnormTest, InPlace) {
  HostMatrix buf = makeMatrix(F32, 1, 2, {3, 4});
  ASSERT_TRUE(rmsnorm(buf.constView(), {}, buf.view(), {0.0, 0.0}).ok);
  EXPECT_EQ(buf.get(0, 1), f32(4 / std::sqrt(12.5)));
}

TEST(RmsnormTest, ZeroRowsIsFine) {
  HostMatrix out(F32, 0, 4);
  ConstMatrix in{nullptr, F32, 0, 4, 4};
  EXPECT_TRUE(rmsnorm(in, {}, out.view(), {}).ok);
}

TEST(RmsnormTest, ArgumentErrors) {
  HostMatrix in = makeMatrix(F32, 2, 4, std::vector<double>(8, 1.0));
  HostMatrix out(F32, 2, 4);
  ConstMatrix bad = in.constView();
  bad.data = nullptr;
  expectError(rmsnorm(bad, {}, out.view(), {}), "in.data");
  bad = in.constView();
  bad.rows = -1;
  expectError(rmsnorm(bad, {}, out.view(), {}), "in.rows");
  bad = in.constView();
  bad.cols = 0;
  expectError(rmsnorm(bad, {}, out.view(), {}), "in.cols");
  bad = in.constView();
  bad.rowStride = 3;
  expectError(rmsnorm(bad, {}, out.view(), {}), "in.rowStride");
  Matrix badOut = out.view();
  badOut.data = nullptr;
  expectError(rmsnorm(in.constView(), {}, badOut, {}), "out.data");
  HostMatrix wrongShape(F32, 3, 4);
  expectError(rmsnorm(in.constView(), {}, wrongShape.view(), {}), "out");
  HostMatrix quantOut(I8, 2, 4);
  expectError(rmsnorm(in.constView(), {}, quantOut.view(), {}), "out.type");
  HostMatrix gamma = makeVector(F32, {1, 1, 1});
  expectError(rmsnorm(in.constView(), gamma.asVector(), out.view(), {}),
              "gamma.size");
  expectError(rmsnorm(in.constView(), {}, out.view(), {-1.0, 0.0}), "epsilon");
}

//===----------------------------------------------------------------------===//
// addRmsnorm
//===----------------------------------------------------------------------===//

TEST(AddRmsnormTest, ResidualOutRoundedBeforeNormalizing) {
  // 1 + 2^-8 is a bf16 tie and rounds to 1.0; normalizing the unrounded sum
  // would give {1.00195, 0.99805} instead of {1, 1}.
  HostMatrix in = makeMatrix(BF16, 1, 2, {1.0, 1.0});
  HostMatrix residual = makeMatrix(BF16, 1, 2, {std::ldexp(1.0, -8), 0.0});
  HostMatrix out(F32, 1, 2);
  HostMatrix residualOut(BF16, 1, 2);
  ASSERT_TRUE(addRmsnorm(in.constView(), residual.constView(), {}, out.view(),
                         residualOut.view(), {0.0, 0.0})
                  .ok);
  EXPECT_EQ(residualOut.getBits(0, 0), 0x3F80u);
  EXPECT_EQ(residualOut.getBits(0, 1), 0x3F80u);
  EXPECT_EQ(out.get(0, 0), 1.0);
  EXPECT_EQ(out.get(0, 1), 1.0);
}

TEST(AddRmsnormTest, ResidualTypeDecidesRounding) {
  // f32 input, bf16 residual: the sum is rounded to bf16 (residual type).
  HostMatrix in = makeMatrix(F32, 1, 2, {1.0 + 3 * std::ldexp(1.0, -9), 2.0});
  HostMatrix residual = makeMatrix(BF16, 1, 2, {0.0, 2.0});
  HostMatrix out(F32, 1, 2);
  HostMatrix residualOut(BF16, 1, 2);
  ASSERT_TRUE(addRmsnorm(in.constView(), residual.constView(), {}, out.view(),
                         residualOut.view(), {0.0, 0.0})
                  .ok);
  EXPECT_EQ(residualOut.get(0, 0), 1.0078125); // 1 + 2^-7.
  EXPECT_EQ(residualOut.get(0, 1), 4.0);
  double rms = std::sqrt((1.0078125 * 1.0078125 + 16.0) / 2);
  EXPECT_EQ(out.get(0, 0), f32(1.0078125 / rms));
  EXPECT_EQ(out.get(0, 1), f32(4.0 / rms));
}

TEST(AddRmsnormTest, InPlaceResidual) {
  HostMatrix in = makeMatrix(F32, 1, 2, {1.0, 2.0});
  HostMatrix res = makeMatrix(F32, 1, 2, {2.0, 2.0});
  ASSERT_TRUE(addRmsnorm(in.constView(), res.constView(), {}, in.view(),
                         res.view(), {0.0, 0.0})
                  .ok);
  EXPECT_EQ(res.get(0, 0), 3.0);
  EXPECT_EQ(res.get(0, 1), 4.0);
  EXPECT_EQ(in.get(0, 0), f32(3 / std::sqrt(12.5)));
}

TEST(AddRmsnormTest, ArgumentErrors) {
  HostMatrix in(F32, 2, 4), res(BF16, 2, 4), out(F32, 2, 4);
  HostMatrix resOutWrongType(F32, 2, 4), resOutWrongShape(BF16, 2, 2);
  expectError(addRmsnorm(in.constView(), res.constView(), {}, out.view(),
                         resOutWrongType.view(), {}),
              "residualOut.type");
  expectError(addRmsnorm(in.constView(), res.constView(), {}, out.view(),
                         resOutWrongShape.view(), {}),
              "residualOut");
  ConstMatrix badRes = res.constView();
  badRes.data = nullptr;
  expectError(
      addRmsnorm(in.constView(), badRes, {}, out.view(), res.view(), {}),
      "residual.data");
}

//===----------------------------------------------------------------------===//
// quantize
//===----------------------------------------------------------------------===//

TEST(QuantizeTest, PerTokenE4M3) {
  HostMatrix in = makeMatrix(F32, 1, 4, {1, -2, 4, 0.5});
  HostMatrix q(E4M3, 1, 4);
  float scale = -1;
  ASSERT_TRUE(quantize(in.constView(), {}, q.view(), &scale).ok);
  EXPECT_EQ(scale, static_cast<float>(4.0 / 448)); // amax / qmax.
  EXPECT_EQ(q.getBits(0, 0), 0x6Eu);               // 112
  EXPECT_EQ(q.getBits(0, 1), 0xF6u);               // -224
  EXPECT_EQ(q.getBits(0, 2), 0x7Eu);               // 448
  EXPECT_EQ(q.getBits(0, 3), 0x66u);               // 56
}

TEST(QuantizeTest, PerTokenI8TwoRows) {
  HostMatrix in = makeMatrix(BF16, 2, 4, {2, -1.25, 0.5, 0, 0, 0, -8, 1});
  HostMatrix q(I8, 2, 4);
  float scales[2];
  ASSERT_TRUE(quantize(in.constView(), {}, q.view(), scales).ok);
  EXPECT_EQ(scales[0], static_cast<float>(2.0 / 127));
  EXPECT_EQ(scales[1], static_cast<float>(8.0 / 127));
  EXPECT_EQ(q.get(0, 0), 127);
  EXPECT_EQ(q.get(0, 1), -79); // -79.375
  EXPECT_EQ(q.get(0, 2), 32);  // 31.75
  EXPECT_EQ(q.get(0, 3), 0);
  EXPECT_EQ(q.get(1, 2), -127);
  EXPECT_EQ(q.get(1, 3), 16); // 15.875
}

TEST(QuantizeTest, PerGroupLayouts) {
  HostMatrix in = makeMatrix(F32, 2, 4, {1, 2, 10, -20, 3, -4, 0.5, 0.25});
  QuantParams qp;
  qp.scheme = QuantScheme::PerGroup;
  qp.groupSize = 2;
  ASSERT_EQ(numScales(qp, 2, 4), 4);
  HostMatrix qRow(E4M3, 2, 4), qCol(E4M3, 2, 4);
  float rowMajor[4], colMajor[4];
  ASSERT_TRUE(quantize(in.constView(), qp, qRow.view(), rowMajor).ok);
  qp.scaleLayout = ScaleLayout::ColMajor;
  ASSERT_TRUE(quantize(in.constView(), qp, qCol.view(), colMajor).ok);
  // Group amax: r0 {2, 20}, r1 {4, 0.5}.
  const float s[2][2] = {
      {static_cast<float>(2.0 / 448), static_cast<float>(20.0 / 448)},
      {static_cast<float>(4.0 / 448), static_cast<float>(0.5 / 448)}};
  for (int r = 0; r < 2; ++r) {
    for (int g = 0; g < 2; ++g) {
      EXPECT_EQ(rowMajor[r * 2 + g], s[r][g]) << r << "," << g;
      EXPECT_EQ(colMajor[g * 2 + r], s[r][g]) << r << "," << g;
    }
  }
  const uint32_t expected[2][4] = {{0x76, 0x7E, 0x76, 0xFE},
                                   {0x7A /*~336->320*/, 0xFE, 0x7E, 0x76}};
  for (int r = 0; r < 2; ++r) {
    for (int c = 0; c < 4; ++c) {
      EXPECT_EQ(qRow.getBits(r, c), expected[r][c]) << r << "," << c;
      EXPECT_EQ(qCol.getBits(r, c), expected[r][c]) << r << "," << c;
    }
  }
}

TEST(QuantizeTest, StaticScale) {
  HostMatrix in = makeMatrix(F32, 1, 3, {1, -100, 1000});
  QuantParams qp;
  qp.scheme = QuantScheme::Static;
  float staticScale = 0.5f;
  qp.staticScale = &staticScale;
  HostMatrix q(E4M3, 1, 3);
  ASSERT_TRUE(quantize(in.constView(), qp, q.view(), nullptr).ok);
  EXPECT_EQ(q.getBits(0, 0), 0x40u); // 2
  EXPECT_EQ(q.getBits(0, 1), 0xF4u); // -200 ties to -192
  EXPECT_EQ(q.getBits(0, 2), 0x7Eu); // 2000 saturates
  float untouched = 123.0f;
  ASSERT_TRUE(quantize(in.constView(), qp, q.view(), &untouched).ok);
  EXPECT_EQ(untouched, 123.0f);
  EXPECT_EQ(numScales(qp, 1, 3), 0);
}

TEST(QuantizeTest, Smooth) {
  HostMatrix in = makeMatrix(F32, 1, 2, {1, 4});
  HostMatrix smooth = makeVector(F32, {2.0, 0.25});
  QuantParams qp;
  qp.smooth = smooth.asVector();
  HostMatrix q(E4M3, 1, 2);
  float scale;
  ASSERT_TRUE(quantize(in.constView(), qp, q.view(), &scale).ok);
  // Smoothed row {2, 1}.
  EXPECT_EQ(scale, static_cast<float>(2.0 / 448));
  EXPECT_EQ(q.getBits(0, 0), 0x7Eu);
  EXPECT_EQ(q.getBits(0, 1), 0x76u); // 224
}

TEST(QuantizeTest, Clip) {
  HostMatrix in = makeMatrix(F32, 1, 3, {1, 10, -10});
  QuantParams qp;
  qp.clip = 3.0;
  HostMatrix q(E4M3, 1, 3);
  float scale;
  ASSERT_TRUE(quantize(in.constView(), qp, q.view(), &scale).ok);
  EXPECT_EQ(scale, static_cast<float>(3.0 / 448));
  EXPECT_EQ(q.getBits(0, 0), 0x71u); // 149.33 -> 144
  EXPECT_EQ(q.getBits(0, 1), 0x7Eu);
  EXPECT_EQ(q.getBits(0, 2), 0xFEu);
}

TEST(QuantizeTest, ScaleUpperBound) {
  HostMatrix in = makeMatrix(F32, 1, 2, {0.5, 4});
  QuantParams qp;
  qp.scaleUb = 1.0;
  HostMatrix q(E4M3, 1, 2);
  float scale;
  ASSERT_TRUE(quantize(in.constView(), qp, q.view(), &scale).ok);
  EXPECT_EQ(scale, static_cast<float>(1.0 / 448));
  EXPECT_EQ(q.getBits(0, 0), 0x76u); // 224
  EXPECT_EQ(q.getBits(0, 1), 0x7Eu); // 1792 saturates
}

TEST(QuantizeTest, MinScale) {
  HostMatrix in = makeMatrix(F32, 1, 2, {1, 2});
  QuantParams qp;
  qp.minScale = 0.1;
  HostMatrix q(E4M3, 1, 2);
  float scale;
  ASSERT_TRUE(quantize(in.constView(), qp, q.view(), &scale).ok);
  EXPECT_EQ(scale, 0.1f);
  EXPECT_EQ(q.getBits(0, 0), 0x52u); // 10
  EXPECT_EQ(q.getBits(0, 1), 0x5Au); // 20
}

TEST(QuantizeTest, DivisionUsesF32Scale) {
  // f32(0.7) < 0.7: 1.75 / 0.7 is the tie 2.5 (-> 2), but 1.75 / f32(0.7)
  // is just above it (-> 3).
  HostMatrix in = makeMatrix(F32, 1, 2, {1.75, 0.0});
  QuantParams qp;
  qp.minScale = 0.7;
  HostMatrix q(I8, 1, 2);
  float scale;
  ASSERT_TRUE(quantize(in.constView(), qp, q.view(), &scale).ok);
  EXPECT_EQ(scale, 0.7f);
  EXPECT_EQ(q.get(0, 0), 3);
}

TEST(QuantizeTest, AllZeroRowUsesDefaultMinScale) {
  for (ElementType t : {E4M3, E4M3UZ, E5M2, I8}) {
    HostMatrix in(BF16, 1, 8);
    HostMatrix q(t, 1, 8);
    for (int64_t c = 0; c < 8; ++c)
      q.setBits(0, c, 0x11);
    float scale;
    ASSERT_TRUE(quantize(in.constView(), {}, q.view(), &scale).ok);
    EXPECT_EQ(scale, static_cast<float>(1.0 / (qmax(t) * 512)))
        << elementTypeName(t);
    EXPECT_EQ(defaultMinScale(t), 1.0 / (qmax(t) * 512));
    for (int64_t c = 0; c < 8; ++c)
      EXPECT_EQ(q.getBits(0, c), 0u) << elementTypeName(t);
  }
}

TEST(QuantizeTest, NaNReachesScaleAndEveryCodeOfItsRow) {
  double nan = std::numeric_limits<double>::quiet_NaN();
  HostMatrix in = makeMatrix(F32, 2, 4, {1, nan, 4, 0.5, 1, 2, 4, 0.5});
  for (ElementType t : {E4M3, I8}) {
    HostMatrix q(t, 2, 4);
    float scales[2];
    QuantParams qp;
    qp.scaleUb = 2.0;
    ASSERT_TRUE(quantize(in.constView(), qp, q.view(), scales).ok);
    EXPECT_TRUE(std::isnan(scales[0])) << elementTypeName(t);
    EXPECT_EQ(scales[1], static_cast<float>(2.0 / qmax(t)));
    for (int64_t c = 0; c < 4; ++c) {
      if (t == I8)
        EXPECT_EQ(q.get(0, c), 0.0);
      else
        EXPECT_TRUE(std::isnan(q.get(0, c))) << c;
    }
  }
}

TEST(QuantizeTest, SaturationPerType) {
  HostMatrix in = makeMatrix(F32, 1, 2, {1e6, -1e6});
  QuantParams qp;
  qp.scheme = QuantScheme::Static;
  float one = 1.0f;
  qp.staticScale = &one;
  const uint32_t expected[4][2] = {
      {0x7E, 0xFE}, {0x7F, 0xFF}, {0x7B, 0xFB}, {0x7F, 0x80}};
  int i = 0;
  for (ElementType t : {E4M3, E4M3UZ, E5M2, I8}) {
    HostMatrix q(t, 1, 2);
    ASSERT_TRUE(quantize(in.constView(), qp, q.view(), nullptr).ok);
    EXPECT_EQ(q.getBits(0, 0), expected[i][0]) << elementTypeName(t);
    EXPECT_EQ(q.getBits(0, 1), expected[i][1]) << elementTypeName(t);
    ++i;
  }
}

TEST(QuantizeTest, ArgumentErrors) {
  HostMatrix in(F32, 2, 4);
  HostMatrix q(E4M3, 2, 4);
  float scales[8];
  QuantParams qp;
  qp.scheme = QuantScheme::PerGroup;
  qp.groupSize = 3;
  expectError(quantize(in.constView(), qp, q.view(), scales),
              "quant.groupSize");
  qp.groupSize = 0;
  expectError(quantize(in.constView(), qp, q.view(), scales),
              "quant.groupSize");
  qp = QuantParams();
  expectError(quantize(in.constView(), qp, q.view(), nullptr), "scales");
  ConstMatrix badIn = in.constView();
  badIn.data = nullptr;
  expectError(quantize(badIn, qp, q.view(), scales), "in.data");
  qp.scheme = QuantScheme::Static;
  expectError(quantize(in.constView(), qp, q.view(), nullptr),
              "quant.staticScale");
  float zero = 0.0f;
  qp.staticScale = &zero;
  expectError(quantize(in.constView(), qp, q.view(), nullptr),
              "quant.staticScale");
  qp = QuantParams();
  HostMatrix notQuant(BF16, 2, 4);
  expectError(quantize(in.constView(), qp, notQuant.view(), scales),
              "qOut.type");
  HostMatrix wrongShape(E4M3, 2, 8);
  expectError(quantize(in.constView(), qp, wrongShape.view(), scales), "qOut");
  HostMatrix smooth = makeVector(F32, {1, 1});
  qp.smooth = smooth.asVector();
  expectError(quantize(in.constView(), qp, q.view(), scales), "quant.smooth");
  qp = QuantParams();
  qp.minScale = 0.0;
  expectError(quantize(in.constView(), qp, q.view(), scales), "quant.minScale");
  qp = QuantParams();
  qp.clip = -1.0;
  expectError(quantize(in.constView(), qp, q.view(), scales), "quant.clip");
  qp = QuantParams();
  qp.scaleUb = 0.0;
  expectError(quantize(in.constView(), qp, q.view(), scales), "quant.scaleUb");
}

//===----------------------------------------------------------------------===//
// Fused forms
//===----------------------------------------------------------------------===//

/// Independent double-precision composition (rmsnorm then quantize with no
/// intermediate rounding), written out here as a second implementation.
void oracle(std::vector<std::vector<double>> rows, const HostMatrix *gamma,
            const RMSNormParams &np, const QuantParams &qp, ElementType qType,
            std::vector<uint32_t> &codes, std::vector<float> &scales) {
  const int64_t numRows = static_cast<int64_t>(rows.size());
  const int64_t cols = static_cast<int64_t>(rows[0].size());
  const int64_t gs = qp.scheme == QuantScheme::PerGroup ? qp.groupSize : cols;
  const int64_t groups = cols / gs;
  codes.assign(numRows * cols, 0);
  scales.assign(qp.scheme == QuantScheme::Static ? 0 : numRows * groups, 0);
  for (int64_t r = 0; r < numRows; ++r) {
    std::vector<double> &x = rows[r];
    double ss = 0;
    for (double v : x)
      ss += v * v;
    double rms = std::sqrt(ss / cols + np.epsilon);
    for (int64_t c = 0; c < cols; ++c) {
      x[c] /= rms;
      if (gamma)
        x[c] *= gamma->get(0, c) + np.weightOffset;
      if (qp.smooth.present())
        x[c] *= loadElement(qp.smooth.data, qp.smooth.type, c);
      if (qp.clip)
        x[c] = std::max(-*qp.clip, std::min(*qp.clip, x[c]));
    }
    for (int64_t g = 0; g < groups; ++g) {
      double scale = qp.staticScale ? *qp.staticScale : 0;
      if (qp.scheme != QuantScheme::Static) {
        double amax = 0;
        for (int64_t c = g * gs; c < (g + 1) * gs; ++c)
          amax = std::max(amax, std::fabs(x[c]));
        if (qp.scaleUb)
          amax = std::min(amax, *qp.scaleUb);
        float s = static_cast<float>(std::max(
            amax / qmax(qType), qp.minScale.value_or(defaultMinScale(qType))));
        bool colMajor = qp.scheme == QuantScheme::PerGroup &&
                        qp.scaleLayout == ScaleLayout::ColMajor;
        scales[colMajor ? g * numRows + r : r * groups + g] = s;
        scale = s;
      }
      for (int64_t c = g * gs; c < (g + 1) * gs; ++c)
        codes[r * cols + c] = encode(qType, x[c] / scale);
    }
  }
}

std::vector<std::vector<double>> rowsOf(const HostMatrix &m) {
  std::vector<std::vector<double>> rows(m.rows(),
                                        std::vector<double>(m.cols()));
  for (int64_t r = 0; r < m.rows(); ++r)
    for (int64_t c = 0; c < m.cols(); ++c)
      rows[r][c] = m.get(r, c);
  return rows;
}

HostMatrix randomMatrix(ElementType type, int64_t rows, int64_t cols,
                        std::mt19937 &rng, double lo, double hi) {
  std::uniform_real_distribution<double> dist(lo, hi);
  HostMatrix m(type, rows, cols);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      m.set(r, c, dist(rng));
  return m;
}

struct FusedCase {
  QuantScheme scheme;
  int64_t groupSize;
  ScaleLayout layout;
  bool smooth, clip, scaleUb, minScale;
};

const FusedCase kFusedCases[] = {
    {QuantScheme::PerToken, 0, ScaleLayout::RowMajor, false, false, false,
     false},
    {QuantScheme::PerToken, 0, ScaleLayout::RowMajor, true, true, false, false},
    {QuantScheme::PerGroup, 16, ScaleLayout::RowMajor, true, false, true,
     false},
    {QuantScheme::PerGroup, 32, ScaleLayout::ColMajor, false, true, true, true},
    {QuantScheme::Static, 0, ScaleLayout::RowMajor, true, false, false, false},
};

QuantParams makeParams(const FusedCase &fc, const HostMatrix &smooth,
                       const float *staticScale) {
  QuantParams qp;
  qp.scheme = fc.scheme;
  qp.groupSize = fc.groupSize;
  qp.scaleLayout = fc.layout;
  if (fc.scheme == QuantScheme::Static)
    qp.staticScale = staticScale;
  if (fc.smooth)
    qp.smooth = smooth.asVector();
  if (fc.clip)
    qp.clip = 1.5;
  if (fc.scaleUb)
    qp.scaleUb = 1.0;
  if (fc.minScale)
    qp.minScale = 0.004;
  return qp;
}

TEST(FusedTest, RmsnormQuantizeMatchesDoubleComposition) {
  std::mt19937 rng(1234);
  const int64_t rows = 5, cols = 64;
  const float staticScale = 0.02f;
  HostMatrix smooth = randomMatrix(F32, 1, cols, rng, 0.5, 2.0);
  HostMatrix gamma = randomMatrix(BF16, 1, cols, rng, -1.0, 1.0);
  for (ElementType inType : {F32, BF16}) {
    HostMatrix in = randomMatrix(inType, rows, cols, rng, -3.0, 3.0);
    in.set(2, 7, 40.0); // An outlier so clip/scaleUb engage.
    for (ElementType qType : {E4M3, E4M3UZ, E5M2, I8}) {
      for (const FusedCase &fc : kFusedCases) {
        QuantParams qp = makeParams(fc, smooth, &staticScale);
        RMSNormParams np{1e-5, fc.smooth ? 1.0 : 0.0};
        HostMatrix q(qType, rows, cols);
        std::vector<float> scales(numScales(qp, rows, cols) + 1, -7.0f);
        ASSERT_TRUE(rmsnormQuantize(in.constView(), gamma.asVector(), np, qp,
                                    q.view(), scales.data())
                        .ok);
        std::vector<uint32_t> codes;
        std::vector<float> expScales;
        oracle(rowsOf(in), &gamma, np, qp, qType, codes, expScales);
        for (int64_t i = 0; i < rows * cols; ++i)
          ASSERT_EQ(q.getBits(i / cols, i % cols), codes[i])
              << elementTypeName(qType) << " element " << i;
        for (size_t i = 0; i < expScales.size(); ++i)
          ASSERT_EQ(scales[i], expScales[i]) << i;
        EXPECT_EQ(scales.back(), -7.0f); // Nothing written past the end.
      }
    }
  }
}

TEST(FusedTest, AddRmsnormQuantizeMatchesDoubleComposition) {
  std::mt19937 rng(99);
  const int64_t rows = 4, cols = 48;
  HostMatrix gamma = randomMatrix(F32, 1, cols, rng, 0.5, 1.5);
  HostMatrix smooth = randomMatrix(F32, 1, cols, rng, 0.5, 2.0);
  HostMatrix in = randomMatrix(BF16, rows, cols, rng, -2.0, 2.0);
  HostMatrix residual = randomMatrix(BF16, rows, cols, rng, -2.0, 2.0);
  for (ElementType qType : {E4M3, I8}) {
    for (const FusedCase &fc : kFusedCases) {
      if (fc.groupSize && cols % fc.groupSize)
        continue;
      const float staticScale = 0.01f;
      QuantParams qp = makeParams(fc, smooth, &staticScale);
      RMSNormParams np{1e-6, 0.0};
      HostMatrix resOut(BF16, rows, cols), q(qType, rows, cols);
      std::vector<float> scales(numScales(qp, rows, cols));
      ASSERT_TRUE(addRmsnormQuantize(in.constView(), residual.constView(),
                                     gamma.asVector(), resOut.view(), np, qp,
                                     q.view(), scales.data())
                      .ok);
      // residualOut is identical to the unfused op's.
      HostMatrix resOutRef(BF16, rows, cols), outRef(F32, rows, cols);
      ASSERT_TRUE(addRmsnorm(in.constView(), residual.constView(),
                             gamma.asVector(), outRef.view(), resOutRef.view(),
                             np)
                      .ok);
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c)
          ASSERT_EQ(resOut.getBits(r, c), resOutRef.getBits(r, c));
      std::vector<uint32_t> codes;
      std::vector<float> expScales;
      oracle(rowsOf(resOutRef), &gamma, np, qp, qType, codes, expScales);
      for (int64_t i = 0; i < rows * cols; ++i)
        ASSERT_EQ(q.getBits(i / cols, i % cols), codes[i]) << i;
      for (size_t i = 0; i < expScales.size(); ++i)
        ASSERT_EQ(scales[i], expScales[i]) << i;
    }
  }
}

TEST(FusedTest, NoIntermediateRounding) {
  // Going through a bf16 intermediate changes some codes; the fused form
  // must not do that.
  std::mt19937 rng(7);
  const int64_t rows = 8, cols = 128;
  HostMatrix in = randomMatrix(F32, rows, cols, rng, -4.0, 4.0);
  HostMatrix mid(BF16, rows, cols), qUnfused(I8, rows, cols),
      qFused(I8, rows, cols);
  std::vector<float> s1(rows), s2(rows);
  ASSERT_TRUE(rmsnorm(in.constView(), {}, mid.view(), {}).ok);
  ASSERT_TRUE(quantize(mid.constView(), {}, qUnfused.view(), s1.data()).ok);
  ASSERT_TRUE(
      rmsnormQuantize(in.constView(), {}, {}, {}, qFused.view(), s2.data()).ok);
  int64_t differ = 0;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      differ += qUnfused.getBits(r, c) != qFused.getBits(r, c);
  EXPECT_GT(differ, 0);
}

TEST(FusedTest, ArgumentErrors) {
  HostMatrix in(F32, 2, 4), res(F32, 2, 4), resOut(F32, 2, 4);
  HostMatrix q(E4M3, 2, 4);
  float scales[2];
  expectError(
      rmsnormQuantize(in.constView(), {}, {-1.0, 0.0}, {}, q.view(), scales),
      "epsilon");
  expectError(rmsnormQuantize(in.constView(), {}, {}, {}, q.view(), nullptr),
              "scales");
  Matrix badResOut = resOut.view();
  badResOut.rowStride = 1;
  expectError(addRmsnormQuantize(in.constView(), res.constView(), {}, badResOut,
                                 {}, {}, q.view(), scales),
              "residualOut.rowStride");
}

//===----------------------------------------------------------------------===//
// compare
//===----------------------------------------------------------------------===//

TEST(CompareTest, Stats) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  HostMatrix ref = makeMatrix(F32, 1, 4, {1.0, -2.0, 4.0, nan});
  HostMatrix got = makeMatrix(BF16, 1, 4, {1.0, -2.5, 4.0, nan});
  ErrorStats stats;
  ASSERT_TRUE(compare(got.constView(), ref.constView(), 0.1, 0.0, stats).ok);
  EXPECT_EQ(stats.maxAbs, 0.5);
  EXPECT_EQ(stats.maxRel, 0.25);
  EXPECT_DOUBLE_EQ(stats.relL2, 0.5 / std::sqrt(21.0));
  EXPECT_EQ(stats.mismatches, 1);
  ASSERT_TRUE(compare(got.constView(), ref.constView(), 0.0, 0.3, stats).ok);
  EXPECT_EQ(stats.mismatches, 0);
  got.set(0, 0, nan);
  ASSERT_TRUE(compare(got.constView(), ref.constView(), 1.0, 0.0, stats).ok);
  EXPECT_EQ(stats.mismatches, 1);
  HostMatrix other(F32, 2, 4);
  expectError(compare(other.constView(), ref.constView(), 0, 0, stats), "got");
}

} // namespace
