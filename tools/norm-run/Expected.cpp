//===- Expected.cpp - norm-run's float64 reference --------------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#include "Runner.h"

#include "norm-runtime/norm_bundle_schema.h"

#include <cstdio>
#include <cstdlib>
#include <mutex>

using namespace norm::run;

Expected norm::run::computeExpected(const std::string &name, const Options &o,
                                    const KernelMath &p,
                                    const CaseTensors &tensors, int64_t rows,
                                    int64_t cols) {
  TensorSlot *input = tensors.input, *residual = tensors.residual;
  TensorSlot *gamma = tensors.gamma, *smooth = tensors.smooth;
  TensorSlot *scale = tensors.scale, *output = tensors.output;
  TensorSlot *residualOut = tensors.residualOut;
  TensorSlot *normalized = tensors.normalized;
  ref::RMSNormParams norm{p.epsilon, p.weightOffset, p.normalizedType};
  ref::QuantParams quant;
  float staticScale = scale ? float(scale->host->get(0, 0)) : 0.0f;
  if (p.quantize) {
    quant.scheme =
        p.scheme == NORM_SCHEME_NAME_PER_GROUP ? ref::QuantScheme::PerGroup
        : p.scheme == NORM_SCHEME_NAME_STATIC  ? ref::QuantScheme::Static
                                               : ref::QuantScheme::PerToken;
    quant.groupSize = p.groupSize;
    quant.scaleLayout = ref::ScaleLayout::RowMajor; // transposed when checked
    quant.staticScale = scale ? &staticScale : nullptr;
    if (smooth)
      quant.smooth = smooth->host->asVector();
    quant.scaleUb = p.scaleUb;
    quant.clip = p.clip;
    quant.minScale = p.minScale;
  }
  ref::ElementType outType = toRef(output->dtype);
  Expected expected{ref::HostMatrix(outType, rows, cols)};
  ref::HostMatrix &refOut = expected.output;
  std::optional<ref::HostMatrix> &refResidual = expected.residual;
  std::optional<ref::HostMatrix> &refNormalized = expected.normalized;
  if (residualOut)
    refResidual.emplace(toRef(residualOut->dtype), rows, cols);
  if (normalized)
    refNormalized.emplace(toRef(normalized->dtype), rows, cols);
  int64_t groupsPerRow = expected.groupsPerRow =
      p.quantize && p.scheme == NORM_SCHEME_NAME_PER_GROUP ? cols / p.groupSize
                                                           : 1;
  std::vector<float> &refScales = expected.scales;
  refScales.assign(size_t(rows * groupsPerRow), 0.0f);
  std::string refError;
  std::mutex errorMutex;

  auto sub = [](const ref::HostMatrix &m, int64_t r0, int64_t r1) {
    ref::ConstMatrix v = m.constView();
    v.data = static_cast<const char *>(v.data) +
             r0 * v.rowStride * ref::elementSize(v.type);
    v.rows = r1 - r0;
    return v;
  };
  auto subOut = [](ref::HostMatrix &m, int64_t r0, int64_t r1) {
    ref::Matrix v = m.view();
    v.data = static_cast<char *>(v.data) +
             r0 * v.rowStride * ref::elementSize(v.type);
    v.rows = r1 - r0;
    return v;
  };
  parallelFor(rows, o.threads, [&](int64_t r0, int64_t r1) {
    ref::ConstMatrix x = sub(*input->host, r0, r1);
    ref::ConstVector g = gamma ? gamma->host->asVector() : ref::ConstVector();
    float *sc = refScales.data() + r0 * groupsPerRow;
    ref::Status status;
    // The value the normalization starts from: x, or x + residual rounded
    // to the residual type (stored to residual_out).
    std::optional<ref::HostMatrix> sum;
    if (residual) {
      ref::ElementType rt = toRef(residualOut->dtype);
      sum.emplace(rt, r1 - r0, cols);
      ref::ConstMatrix res = sub(*residual->host, r0, r1);
      for (int64_t r = 0; r < r1 - r0; ++r)
        for (int64_t c = 0; c < cols; ++c) {
          auto at = [&](const ref::ConstMatrix &m) {
            return ref::loadElement(m.data, m.type, r * m.rowStride + c);
          };
          sum->set(r, c, at(x) + at(res));
        }
      ref::Matrix ro = subOut(*refResidual, r0, r1);
      for (int64_t r = 0; r < r1 - r0; ++r)
        for (int64_t c = 0; c < cols; ++c)
          ref::storeElement(ro.data, ro.type, r * ro.rowStride + c,
                            sum->get(r, c));
      x = sum->constView();
    }
    if (p.normalize && !p.quantize) {
      status = ref::rmsnorm(x, g, subOut(refOut, r0, r1), norm);
    } else if (!p.normalize) {
      status = ref::quantize(x, quant, subOut(refOut, r0, r1), sc);
    } else {
      if (normalized)
        status = ref::rmsnorm(x, g, subOut(*refNormalized, r0, r1), norm);
      if (status && p.intermediateType) {
        // The unfused chain stored the normalized row in this type first.
        ref::HostMatrix y(*p.intermediateType, r1 - r0, cols);
        status = ref::rmsnorm(x, g, y.view(), norm);
        if (status)
          status =
              ref::quantize(y.constView(), quant, subOut(refOut, r0, r1), sc);
      } else if (status) {
        status =
            ref::rmsnormQuantize(x, g, norm, quant, subOut(refOut, r0, r1), sc);
      }
    }
    if (!status) {
      std::lock_guard<std::mutex> lock(errorMutex);
      refError = status.message;
    }
  });
  if (!refError.empty()) {
    std::fprintf(stderr, "norm-run: %s: reference failed: %s\n", name.c_str(),
                 refError.c_str());
    std::exit(2);
  }
  return expected;
}
