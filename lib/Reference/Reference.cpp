//===- Reference.cpp - CPU reference for RMSNorm + quantization -----------===//
//
// Part of norm-mlir.
//
//===----------------------------------------------------------------------===//

#include "norm/Reference/Reference.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace norm::ref {
namespace {

//===----------------------------------------------------------------------===//
// Argument checking
//===----------------------------------------------------------------------===//

std::string str(int64_t v) { return std::to_string(v); }

std::string shapeStr(ConstMatrix m) { return str(m.rows) + "x" + str(m.cols); }

Status checkMatrix(ConstMatrix m, const std::string &name, bool wantQuant) {
  if (m.rows < 0)
    return Status::error(name + ".rows must be >= 0 (got " + str(m.rows) + ")");
  if (m.cols <= 0)
    return Status::error(name + ".cols must be > 0 (got " + str(m.cols) + ")");
  if (m.rowStride < m.cols)
    return Status::error(name + ".rowStride (" + str(m.rowStride) +
                         ") must be >= " + name + ".cols (" + str(m.cols) +
                         ")");
  if (!m.data && m.rows > 0)
    return Status::error(name + ".data must not be null");
  if (wantQuant && !isQuantType(m.type))
    return Status::error(name + ".type must be an fp8 type or i8 (got " +
                         elementTypeName(m.type) + ")");
  if (!wantQuant && isQuantType(m.type))
    return Status::error(name + ".type must be f32, f16 or bf16 (got " +
                         elementTypeName(m.type) + ")");
  return Status::success();
}

Status checkSameShape(ConstMatrix ref, const std::string &refName,
                      ConstMatrix m, const std::string &name) {
  if (m.rows != ref.rows || m.cols != ref.cols)
    return Status::error(name + " shape " + shapeStr(m) + " does not match " +
                         refName + " shape " + shapeStr(ref));
  return Status::success();
}

Status checkVector(ConstVector v, const std::string &name, int64_t cols) {
  if (!v.present())
    return Status::success(); // Optional everywhere it is used.
  if (v.size != cols)
    return Status::error(name + ".size (" + str(v.size) +
                         ") must equal in.cols (" + str(cols) + ")");
  if (isQuantType(v.type))
    return Status::error(name + ".type must be f32, f16 or bf16 (got " +
                         elementTypeName(v.type) + ")");
  return Status::success();
}

Status checkNormParams(const RMSNormParams &params) {
  if (!(params.epsilon >= 0.0) || std::isinf(params.epsilon))
    return Status::error("params.epsilon must be finite and >= 0");
  if (!std::isfinite(params.weightOffset))
    return Status::error("params.weightOffset must be finite");
  if (params.normalizedType && isQuantType(*params.normalizedType))
    return Status::error(
        std::string("params.normalizedType must be f32, f16 or bf16 (got ") +
        elementTypeName(*params.normalizedType) + ")");
  return Status::success();
}

Status checkPositive(const std::optional<double> &v, const std::string &name,
                     bool allowInf) {
  if (v && (!(*v > 0.0) || (!allowInf && std::isinf(*v))))
    return Status::error(name + " must be > 0" +
                         (allowInf ? "" : " and finite"));
  return Status::success();
}

/// Checks the quantizer arguments; `in` is the matrix whose shape qOut must
/// have.
Status checkQuant(ConstMatrix in, const QuantParams &quant, Matrix qOut,
                  const float *scales) {
  if (Status s = checkMatrix(qOut, "qOut", /*wantQuant=*/true); !s)
    return s;
  if (Status s = checkSameShape(in, "in", qOut, "qOut"); !s)
    return s;
  if (Status s = checkVector(quant.smooth, "quant.smooth", in.cols); !s)
    return s;
  if (Status s = checkPositive(quant.clip, "quant.clip", true); !s)
    return s;
  switch (quant.scheme) {
  case QuantScheme::PerGroup:
    if (quant.groupSize <= 0 || in.cols % quant.groupSize != 0)
      return Status::error("quant.groupSize (" + str(quant.groupSize) +
                           ") must be > 0 and divide in.cols (" + str(in.cols) +
                           ")");
    [[fallthrough]];
  case QuantScheme::PerToken:
    if (Status s = checkPositive(quant.scaleUb, "quant.scaleUb", true); !s)
      return s;
    if (Status s = checkPositive(quant.minScale, "quant.minScale", false); !s)
      return s;
    if (!scales && in.rows > 0)
      return Status::error("scales must not be null for a dynamic scheme");
    break;
  case QuantScheme::Static:
    if (!quant.staticScale)
      return Status::error("quant.staticScale must not be null for the "
                           "static scheme");
    if (!(*quant.staticScale > 0.0f) || std::isinf(*quant.staticScale))
      return Status::error("quant.staticScale must be > 0 and finite");
    break;
  }
  return Status::success();
}

//===----------------------------------------------------------------------===//
// Row kernels
//===----------------------------------------------------------------------===//

const void *rowPtr(ConstMatrix m, int64_t r) {
  return static_cast<const unsigned char *>(m.data) +
         r * m.rowStride * elementSize(m.type);
}

void loadRow(ConstMatrix m, int64_t r, std::vector<double> &x) {
  const void *row = rowPtr(m, r);
  for (int64_t c = 0; c < m.cols; ++c)
    x[c] = loadElement(row, m.type, c);
}

void storeRow(Matrix m, int64_t r, const std::vector<double> &x) {
  void *row = const_cast<void *>(rowPtr(m, r));
  for (int64_t c = 0; c < m.cols; ++c)
    storeElement(row, m.type, c, x[c]);
}

void normalizeRow(std::vector<double> &x, ConstVector gamma,
                  const RMSNormParams &params) {
  double sumSq = 0.0;
  for (double v : x)
    sumSq += v * v;
  double rms =
      std::sqrt(sumSq / static_cast<double>(x.size()) + params.epsilon);
  for (size_t c = 0; c < x.size(); ++c) {
    x[c] = x[c] / rms;
    if (!gamma.present())
      continue;
    if (params.normalizedType)
      x[c] = roundToType(*params.normalizedType, x[c]);
    x[c] *= loadElement(gamma.data, gamma.type, c) + params.weightOffset;
  }
}

/// The one quantizer used by quantize and both fused forms. Consumes the
/// row in double (smooth/clip are applied in place).
void quantizeRow(std::vector<double> &x, int64_t r, int64_t rows,
                 const QuantParams &quant, Matrix qOut, float *scales) {
  const int64_t cols = static_cast<int64_t>(x.size());
  const ElementType qType = qOut.type;
  for (int64_t c = 0; c < cols; ++c) {
    if (quant.smooth.present())
      x[c] *= loadElement(quant.smooth.data, quant.smooth.type, c);
    if (quant.clip)
      x[c] = std::clamp(x[c], -*quant.clip, *quant.clip);
  }
  const int64_t groupSize =
      quant.scheme == QuantScheme::PerGroup ? quant.groupSize : cols;
  const int64_t numGroups = cols / groupSize;
  const double minScale = quant.minScale.value_or(defaultMinScale(qType));
  void *qRow = const_cast<void *>(rowPtr(qOut, r));
  for (int64_t g = 0; g < numGroups; ++g) {
    const int64_t begin = g * groupSize, end = begin + groupSize;
    double scale;
    if (quant.scheme == QuantScheme::Static) {
      scale = *quant.staticScale;
    } else {
      // A NaN propagates, as in torch.amax and the kernels' maximumf: the
      // scale and then every code of the row (group) become NaN (0 for i8).
      double amax = 0.0;
      for (int64_t c = begin; c < end; ++c)
        if (double a = std::fabs(x[c]); std::isnan(a) || a > amax)
          amax = std::isnan(amax) ? amax : a;
      if (quant.scaleUb)
        amax = std::min(amax, *quant.scaleUb);
      // The division below uses the scale as stored (f32), like a kernel
      // that writes the scale and reuses it.
      auto scaleF32 =
          static_cast<float>(std::max(amax / qmax(qType), minScale));
      int64_t idx = quant.scheme == QuantScheme::PerToken ? r
                    : quant.scaleLayout == ScaleLayout::RowMajor
                        ? r * numGroups + g
                        : g * rows + r;
      scales[idx] = scaleF32;
      scale = scaleF32;
    }
    for (int64_t c = begin; c < end; ++c)
      storeElement(qRow, qType, c, x[c] / scale);
  }
}

/// One row loop for all five ops; each stage is enabled by its pointer.
struct Pipeline {
  ConstMatrix in;
  const ConstMatrix *residual = nullptr;
  const Matrix *residualOut = nullptr;
  bool normalize = false;
  ConstVector gamma;
  RMSNormParams norm;
  const Matrix *out = nullptr;
  const QuantParams *quant = nullptr;
  const Matrix *qOut = nullptr;
  float *scales = nullptr;
};

void run(const Pipeline &p) {
  std::vector<double> x(p.in.cols), res(p.in.cols);
  for (int64_t r = 0; r < p.in.rows; ++r) {
    loadRow(p.in, r, x);
    if (p.residual) {
      loadRow(*p.residual, r, res);
      for (int64_t c = 0; c < p.in.cols; ++c)
        x[c] = roundToType(p.residualOut->type, x[c] + res[c]);
      storeRow(*p.residualOut, r, x);
    }
    if (p.normalize)
      normalizeRow(x, p.gamma, p.norm);
    if (p.out)
      storeRow(*p.out, r, x);
    if (p.quant)
      quantizeRow(x, r, p.in.rows, *p.quant, *p.qOut, p.scales);
  }
}

Status checkNorm(ConstMatrix in, ConstVector gamma,
                 const RMSNormParams &params) {
  if (Status s = checkMatrix(in, "in", /*wantQuant=*/false); !s)
    return s;
  if (Status s = checkVector(gamma, "gamma", in.cols); !s)
    return s;
  return checkNormParams(params);
}

Status checkResidual(ConstMatrix in, ConstMatrix residual, Matrix residualOut) {
  if (Status s = checkMatrix(residual, "residual", false); !s)
    return s;
  if (Status s = checkSameShape(in, "in", residual, "residual"); !s)
    return s;
  if (Status s = checkMatrix(residualOut, "residualOut", false); !s)
    return s;
  if (Status s = checkSameShape(in, "in", residualOut, "residualOut"); !s)
    return s;
  if (residualOut.type != residual.type)
    return Status::error(
        std::string("residualOut.type (") + elementTypeName(residualOut.type) +
        ") must equal residual.type (" + elementTypeName(residual.type) + ")");
  return Status::success();
}

Status checkOut(ConstMatrix in, Matrix out) {
  if (Status s = checkMatrix(out, "out", false); !s)
    return s;
  return checkSameShape(in, "in", out, "out");
}

} // namespace

double defaultMinScale(ElementType qType) {
  return 1.0 / (qmax(qType) * 512.0);
}

int64_t numScales(const QuantParams &quant, int64_t rows, int64_t cols) {
  switch (quant.scheme) {
  case QuantScheme::PerToken:
    return rows;
  case QuantScheme::PerGroup:
    if (quant.groupSize <= 0 || cols % quant.groupSize != 0)
      return 0;
    return rows * (cols / quant.groupSize);
  case QuantScheme::Static:
    return 0;
  }
  return 0;
}

Status rmsnorm(ConstMatrix in, ConstVector gamma, Matrix out,
               const RMSNormParams &params) {
  if (Status s = checkNorm(in, gamma, params); !s)
    return s;
  if (Status s = checkOut(in, out); !s)
    return s;
  Pipeline p;
  p.in = in;
  p.normalize = true;
  p.gamma = gamma;
  p.norm = params;
  p.out = &out;
  run(p);
  return Status::success();
}

Status addRmsnorm(ConstMatrix in, ConstMatrix residual, ConstVector gamma,
                  Matrix out, Matrix residualOut, const RMSNormParams &params) {
  if (Status s = checkNorm(in, gamma, params); !s)
    return s;
  if (Status s = checkResidual(in, residual, residualOut); !s)
    return s;
  if (Status s = checkOut(in, out); !s)
    return s;
  Pipeline p;
  p.in = in;
  p.residual = &residual;
  p.residualOut = &residualOut;
  p.normalize = true;
  p.gamma = gamma;
  p.norm = params;
  p.out = &out;
  run(p);
  return Status::success();
}

Status quantize(ConstMatrix in, const QuantParams &quant, Matrix qOut,
                float *scales) {
  if (Status s = checkMatrix(in, "in", /*wantQuant=*/false); !s)
    return s;
  if (Status s = checkQuant(in, quant, qOut, scales); !s)
    return s;
  Pipeline p;
  p.in = in;
  p.quant = &quant;
  p.qOut = &qOut;
  p.scales = scales;
  run(p);
  return Status::success();
}

Status rmsnormQuantize(ConstMatrix in, ConstVector gamma,
                       const RMSNormParams &params, const QuantParams &quant,
                       Matrix qOut, float *scales) {
  if (Status s = checkNorm(in, gamma, params); !s)
    return s;
  if (Status s = checkQuant(in, quant, qOut, scales); !s)
    return s;
  Pipeline p;
  p.in = in;
  p.normalize = true;
  p.gamma = gamma;
  p.norm = params;
  p.quant = &quant;
  p.qOut = &qOut;
  p.scales = scales;
  run(p);
  return Status::success();
}

Status addRmsnormQuantize(ConstMatrix in, ConstMatrix residual,
                          ConstVector gamma, Matrix residualOut,
                          const RMSNormParams &params, const QuantParams &quant,
                          Matrix qOut, float *scales) {
  if (Status s = checkNorm(in, gamma, params); !s)
    return s;
  if (Status s = checkResidual(in, residual, residualOut); !s)
    return s;
  if (Status s = checkQuant(in, quant, qOut, scales); !s)
    return s;
  Pipeline p;
  p.in = in;
  p.residual = &residual;
  p.residualOut = &residualOut;
  p.normalize = true;
  p.gamma = gamma;
  p.norm = params;
  p.quant = &quant;
  p.qOut = &qOut;
  p.scales = scales;
  run(p);
  return Status::success();
}

//===----------------------------------------------------------------------===//
// Test helpers
//===----------------------------------------------------------------------===//

Status compare(ConstMatrix got, ConstMatrix ref, double absTol, double relTol,
               ErrorStats &stats) {
  stats = ErrorStats();
  if (Status s = checkMatrix(got, "got", isQuantType(got.type)); !s)
    return s;
  if (Status s = checkMatrix(ref, "ref", isQuantType(ref.type)); !s)
    return s;
  if (Status s = checkSameShape(ref, "ref", got, "got"); !s)
    return s;
  double errSq = 0.0, refSq = 0.0;
  for (int64_t r = 0; r < ref.rows; ++r) {
    for (int64_t c = 0; c < ref.cols; ++c) {
      double g = loadElement(rowPtr(got, r), got.type, c);
      double e = loadElement(rowPtr(ref, r), ref.type, c);
      if (std::isnan(g) || std::isnan(e) || std::isinf(g) || std::isinf(e)) {
        bool same = (std::isnan(g) && std::isnan(e)) || g == e;
        stats.mismatches += same ? 0 : 1;
        continue;
      }
      double diff = std::fabs(g - e);
      stats.maxAbs = std::max(stats.maxAbs, diff);
      if (e != 0.0)
        stats.maxRel = std::max(stats.maxRel, diff / std::fabs(e));
      errSq += diff * diff;
      refSq += e * e;
      if (diff > absTol + relTol * std::fabs(e))
        ++stats.mismatches;
    }
  }
  if (refSq > 0.0)
    stats.relL2 = std::sqrt(errSq / refSq);
  else
    stats.relL2 = errSq > 0.0 ? HUGE_VAL : 0.0;
  return Status::success();
}

HostMatrix::HostMatrix(ElementType type, int64_t rows, int64_t cols,
                       int64_t rowStride)
    : elemType(type), numRows(rows), numCols(cols),
      stride(rowStride > 0 ? rowStride : cols),
      storage(static_cast<size_t>(rows * stride * elementSize(type))) {
  assert(rows >= 0 && cols >= 0 && stride >= cols && "bad HostMatrix shape");
}

Matrix HostMatrix::view() {
  return {storage.data(), elemType, numRows, numCols, stride};
}

ConstMatrix HostMatrix::constView() const {
  return {storage.data(), elemType, numRows, numCols, stride};
}

ConstVector HostMatrix::asVector() const {
  assert(numRows == 1 && "asVector needs a single row");
  return {storage.data(), elemType, numCols};
}

double HostMatrix::get(int64_t r, int64_t c) const {
  return decode(elemType, getBits(r, c));
}

void HostMatrix::set(int64_t r, int64_t c, double value) {
  setBits(r, c, encode(elemType, value));
}

uint32_t HostMatrix::getBits(int64_t r, int64_t c) const {
  assert(r >= 0 && r < numRows && c >= 0 && c < stride && "out of range");
  return loadBits(storage.data(), elemType, r * stride + c);
}

void HostMatrix::setBits(int64_t r, int64_t c, uint32_t bits) {
  assert(r >= 0 && r < numRows && c >= 0 && c < stride && "out of range");
  storeBits(storage.data(), elemType, r * stride + c, bits);
}

} // namespace norm::ref
