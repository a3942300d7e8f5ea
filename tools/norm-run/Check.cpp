//===- Check.cpp - run one case and compare ---------------------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//
//
// Runs a kernel on one case, with the outputs poisoned first, and compares
// what it wrote with the float64 reference: floats within a tolerance of
// their type, quantized codes within one step, scales, and row padding
// left alone.
//
//===----------------------------------------------------------------------===//

#include "Runner.h"

#include "norm-runtime/norm_bundle_schema.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <sstream>

using namespace norm::run;

/// only NaN, an inf only the same inf); nullopt when both are finite.
static std::optional<bool> nonFiniteMatch(double got, double want) {
  if (!std::isnan(got) && !std::isnan(want) && !std::isinf(got) &&
      !std::isinf(want))
    return std::nullopt;
  return (std::isnan(got) && std::isnan(want)) || got == want;
}

/// Error of a float output against the reference, decoded exactly. Same
/// rule as ref::compare, but over row chunks on threads (outputs reach
/// 8192 x 16384 elements), which needs the L2 sums rather than the ratio.
namespace {
struct FloatStats {
  double maxAbs = 0, maxRel = 0, errSq = 0, refSq = 0;
  /// Elements with |got - ref| > absTol + relTol * |ref|; NaN matches only
  /// NaN and inf only the same inf.
  int64_t bad = 0;

  void merge(const FloatStats &other) {
    maxAbs = std::max(maxAbs, other.maxAbs);
    maxRel = std::max(maxRel, other.maxRel);
    errSq += other.errSq;
    refSq += other.refSq;
    bad += other.bad;
  }
};
} // namespace

static FloatStats compareRows(const ref::HostMatrix &got,
                              const ref::HostMatrix &want, double absTol,
                              double relTol, unsigned threads) {
  std::mutex mutex;
  FloatStats total;
  parallelFor(got.rows(), threads, [&](int64_t begin, int64_t end) {
    FloatStats stats;
    for (int64_t r = begin; r < end; ++r)
      for (int64_t c = 0; c < got.cols(); ++c) {
        double g = got.get(r, c), w = want.get(r, c);
        if (std::optional<bool> same = nonFiniteMatch(g, w)) {
          stats.bad += !*same;
          continue;
        }
        double err = std::fabs(g - w);
        stats.bad += err > absTol + relTol * std::fabs(w);
        stats.maxAbs = std::max(stats.maxAbs, err);
        if (w != 0)
          stats.maxRel = std::max(stats.maxRel, err / std::fabs(w));
        stats.errSq += err * err;
        stats.refSq += w * w;
      }
    std::lock_guard<std::mutex> lock(mutex);
    total.merge(stats);
  });
  return total;
}

/// splitmix64: a counter-based generator, so rows are independent of the

/// Relative tolerance of one rounding to `type` (plus slack for the f32
/// arithmetic of the kernel).
static double floatTolerance(ref::ElementType type) {
  switch (type) {
  case ref::ElementType::F32:
    return 1e-5;
  case ref::ElementType::F16:
    return std::ldexp(1.0, -10) * 1.001;
  case ref::ElementType::BF16:
    return std::ldexp(1.0, -7) * 1.001;
  default:
    return 0;
  }
}

/// Position of a code on the number line, so that neighbouring values
/// differ by one.
static int64_t codeOrdinal(ref::ElementType type, uint32_t bits) {
  if (type == ref::ElementType::I8)
    return int8_t(bits);
  int64_t magnitude = bits & 0x7F;
  bool negative = bits & 0x80;
  return negative ? -magnitude : magnitude;
}

bool Runner::runCase(const std::string &name, const norm_kernel_info_t &info,
                     const KernelMath &p, int64_t rows, int64_t cols) {
  std::vector<TensorSlot> slots =
      makeSlots(name, info, p, rows, cols, o.rowPad);
  fillInputs(slots, p, rows, cols);

  auto find = [&](const char *tensorName) -> TensorSlot * {
    for (TensorSlot &slot : slots)
      if (slot.name == tensorName)
        return &slot;
    return nullptr;
  };
  TensorSlot *input = find("input");
  TensorSlot *residual = find("residual");
  TensorSlot *gamma = find("gamma");
  TensorSlot *smooth = find("smooth");
  TensorSlot *scale = find("scale");
  TensorSlot *output = find("output");
  TensorSlot *residualOut = find("residual_out");
  TensorSlot *normalized = find("normalized");
  TensorSlot *scales = find("scales");
  if (!input || !output) {
    std::fprintf(stderr, "norm-run: kernel %s has no input/output tensor\n",
                 name.c_str());
    std::exit(2);
  }

  CaseTensors tensors{input,  residual,    gamma,      smooth, scale,
                      output, residualOut, normalized, scales};
  // Reference, computed in row chunks on threads.
  Expected expected = computeExpected(name, o, p, tensors, rows, cols);
  ref::ElementType outType = toRef(output->dtype);
  bool quantOut = ref::isQuantType(outType);
  const ref::HostMatrix &refOut = expected.output;
  const std::optional<ref::HostMatrix> &refResidual = expected.residual;
  const std::optional<ref::HostMatrix> &refNormalized = expected.normalized;
  int64_t groupsPerRow = expected.groupsPerRow;
  const std::vector<float> &refScales = expected.scales;

  // Device buffers: inputs uploaded once, outputs poisoned before each run.
  for (TensorSlot &slot : slots) {
    checkRuntime(
        norm_malloc(context, slot.bytes + slot.offsetBytes, &slot.device),
        "malloc");
    slot.view.data = static_cast<char *>(slot.device) + slot.offsetBytes;
    if (!slot.isOutput)
      checkRuntime(norm_memcpy_to_device(context, slot.view.data,
                                         slot.host->data(), slot.bytes),
                   "upload");
  }
  std::vector<norm_tensor_t> views;
  for (TensorSlot &slot : slots)
    views.push_back(slot.view);

  bool allOk = true;
  std::string report;
  for (uint8_t poison : o.poisons) {
    for (TensorSlot &slot : slots)
      if (slot.isOutput)
        checkRuntime(norm_memset(context, slot.view.data, poison, slot.bytes),
                     "poison");
    checkRuntime(norm_launch(context, bundle, name.c_str(), nullptr,
                             views.data(), int64_t(views.size())),
                 "launch " + name);
    checkRuntime(norm_synchronize(context), "run " + name);
    for (TensorSlot &slot : slots)
      if (slot.isOutput)
        checkRuntime(norm_memcpy_to_host(context, slot.host->data(),
                                         slot.view.data, slot.bytes),
                     "download");

    std::ostringstream line;
    char buffer[256];
    // Padding between rows must keep the poison.
    int64_t padTouched = 0;
    for (TensorSlot &slot : slots) {
      if (!slot.isOutput || slot.kind != TensorSlot::Kind::Row)
        continue;
      const auto *bytes = static_cast<const uint8_t *>(slot.host->data());
      int64_t size = ref::elementSize(slot.host->type());
      int64_t stride = slot.host->rowStride() * size;
      padTouched += parallelSum(rows, o.threads, [&](int64_t r) {
        int64_t touched = 0;
        for (int64_t b = cols * size; b < stride; ++b)
          touched += bytes[r * stride + b] != poison;
        return touched;
      });
    }
    if (padTouched) {
      allOk = false;
      line << " padding-written=" << padTouched;
    }
    auto compareFloat = [&](TensorSlot &slot, const ref::HostMatrix &want,
                            bool normalizedValue) {
      ref::ElementType type = toRef(slot.dtype);
      double tolerance = floatTolerance(type);
      // The kernel rounds its f32 x / rms to normalized_type, the reference
      // its float64 one: the two may land one step of that type apart.
      if (normalizedValue && p.normalizedType)
        tolerance += floatTolerance(*p.normalizedType);
      FloatStats stats =
          compareRows(*slot.host, want, 1e-6, tolerance, o.threads);
      std::snprintf(buffer, sizeof buffer,
                    " %s: max_abs=%.3g max_rel=%.3g rel_l2=%.3g bad=%lld",
                    slot.name.c_str(), stats.maxAbs, stats.maxRel,
                    stats.refSq > 0 ? std::sqrt(stats.errSq / stats.refSq)
                                    : std::sqrt(stats.errSq),
                    (long long)stats.bad);
      line << buffer;
      if (stats.bad)
        allOk = false;
    };
    if (quantOut) {
      // Per row: codes one step off, and codes further off (or NaN where
      // the reference is a number), packed into one int64.
      std::mutex mergeMutex;
      int64_t offByOne = 0, offMore = 0;
      parallelFor(rows, o.threads, [&](int64_t r0, int64_t r1) {
        int64_t one = 0, more = 0;
        for (int64_t r = r0; r < r1; ++r)
          for (int64_t c = 0; c < cols; ++c) {
            uint32_t gotBits = output->host->getBits(r, c);
            uint32_t wantBits = refOut.getBits(r, c);
            bool gotNaN = std::isnan(ref::decode(outType, gotBits));
            bool wantNaN = std::isnan(ref::decode(outType, wantBits));
            if (gotNaN || wantNaN) {
              // Any NaN code matches a NaN (its sign is not specified).
              more += gotNaN != wantNaN;
              continue;
            }
            int64_t d =
                codeOrdinal(outType, gotBits) - codeOrdinal(outType, wantBits);
            one += std::llabs(d) == 1;
            more += std::llabs(d) > 1;
          }
        std::lock_guard<std::mutex> lock(mergeMutex);
        offByOne += one;
        offMore += more;
      });
      std::snprintf(
          buffer, sizeof buffer, " %s: codes_off_by_1=%lld codes_off_more=%lld",
          output->name.c_str(), (long long)offByOne, (long long)offMore);
      line << buffer;
      if (offMore)
        allOk = false;
      if (scales) {
        // A kernel that rounds the normalized row to an intermediate type
        // rounds its f32 value, the reference its float64 value: the row
        // or group maximum may land one step of that type apart.
        double scaleTolerance =
            p.intermediateType
                ? std::max(1e-5, floatTolerance(*p.intermediateType))
                : 1e-5;
        // So may the normalized value rounded to normalized_type.
        if (p.normalizedType)
          scaleTolerance += floatTolerance(*p.normalizedType);
        double maxRel = 0;
        int64_t bad = 0;
        for (int64_t r = 0; r < rows; ++r)
          for (int64_t g = 0; g < groupsPerRow; ++g) {
            double got = p.colMajor && p.scheme == NORM_SCHEME_NAME_PER_GROUP
                             ? scales->host->get(g, r)
                             : scales->host->get(r, g);
            double want = refScales[size_t(r * groupsPerRow + g)];
            double rel = std::fabs(got - want) / std::fabs(want);
            if (std::optional<bool> same = nonFiniteMatch(got, want))
              rel = *same ? 0.0 : NAN;
            if (!(rel <= scaleTolerance)) {
              ++bad;
              rel = std::isnan(rel) ? INFINITY : rel;
            }
            maxRel = std::max(maxRel, rel);
          }
        std::snprintf(buffer, sizeof buffer, " scales: max_rel=%.3g bad=%lld",
                      maxRel, (long long)bad);
        line << buffer;
        if (bad)
          allOk = false;
      }
    } else {
      compareFloat(*output, refOut, true);
    }
    if (residualOut)
      compareFloat(*residualOut, *refResidual, false);
    if (normalized)
      compareFloat(*normalized, *refNormalized, true);
    std::snprintf(buffer, sizeof buffer, " [poison 0x%02X]", poison);
    line << buffer;
    report = line.str();
    if (!allOk)
      break;
  }
  for (TensorSlot &slot : slots)
    checkRuntime(norm_free(context, slot.device), "free");

  if (!allOk || o.verbose)
    std::printf("%s %s rows=%lld H=%lld%s:%s\n", allOk ? "PASS" : "FAIL",
                name.c_str(), (long long)rows, (long long)cols,
                o.rowPad ? " strided" : "", report.c_str());
  return allOk;
}
