//===- Reference.h - CPU reference for RMSNorm + quantization ---*- C++ -*-===//
//
// Part of norm-mlir. Pure C++17, no MLIR/LLVM dependency.
//
//===----------------------------------------------------------------------===//
//
// The numerics contract every backend must match. All arithmetic is done in
// double; a value is rounded only where the contract stores it in a type
// (outputs, residual_out, f32 scales). Outputs may alias inputs with the same
// layout: each row is fully read before it is written. Padding between
// `cols` and `rowStride` is never read or written.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_REFERENCE_REFERENCE_H
#define NORM_REFERENCE_REFERENCE_H

#include "norm/Reference/ElementType.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace norm::ref {

/// Result of a reference op. Bad arguments are reported here (never thrown
/// or aborted on); the message names the offending argument.
struct [[nodiscard]] Status {
  bool ok = true;
  std::string message;

  static Status success() { return {}; }
  static Status error(std::string message) {
    return {false, std::move(message)};
  }
  explicit operator bool() const { return ok; }
};

/// Read-only row-major 2-D view; rowStride is in elements and >= cols.
struct ConstMatrix {
  const void *data = nullptr;
  ElementType type = ElementType::F32;
  int64_t rows = 0;
  int64_t cols = 0;
  int64_t rowStride = 0;
};

/// Writable row-major 2-D view.
struct Matrix {
  void *data = nullptr;
  ElementType type = ElementType::F32;
  int64_t rows = 0;
  int64_t cols = 0;
  int64_t rowStride = 0;

  operator ConstMatrix() const { return {data, type, rows, cols, rowStride}; }
};

/// Contiguous vector (gamma, smooth scales). data == nullptr means "absent"
/// where the argument is optional.
struct ConstVector {
  const void *data = nullptr;
  ElementType type = ElementType::F32;
  int64_t size = 0;

  bool present() const { return data != nullptr; }
};

struct RMSNormParams {
  double epsilon = 1e-6;
  /// Added to gamma (Gemma uses 1.0). Applies only when gamma is present:
  /// without gamma the output is plainly x / rms.
  double weightOffset = 0.0;
  /// If set (f32, f16 or bf16), x / rms is rounded to this type before the
  /// multiply by gamma (norm ops' `normalized_type`, Hugging Face Llama's
  /// `weight * normed.to(bf16)`). Applies only when gamma is present.
  std::optional<ElementType> normalizedType;
};

enum class QuantScheme { PerToken, PerGroup, Static };
enum class ScaleLayout { RowMajor, ColMajor };

struct QuantParams {
  QuantScheme scheme = QuantScheme::PerToken;
  /// PerGroup only: consecutive columns sharing a scale; must divide cols.
  int64_t groupSize = 0;
  /// PerGroup only. RowMajor: scales[r * G + g]; ColMajor: scales[g * rows +
  /// r], with G = cols / groupSize.
  ScaleLayout scaleLayout = ScaleLayout::RowMajor;
  /// Static only: the (positive, finite) scale; no scales are written.
  const float *staticScale = nullptr;
  /// Optional per-column multiplier applied before clip/amax (size cols).
  ConstVector smooth;
  /// Upper bound on amax (dynamic schemes).
  std::optional<double> scaleUb;
  /// Inputs are clamped to [-clip, clip] before amax and quantization.
  std::optional<double> clip;
  /// Lower bound on the scale (dynamic schemes); defaults to
  /// defaultMinScale(qtype) so an all-zero row gives a finite scale and
  /// zero codes, never NaN.
  std::optional<double> minScale;
};

/// 1 / (qmax(type) * 512).
double defaultMinScale(ElementType qType);

/// Number of floats `scales` must hold: rows (PerToken), rows * cols /
/// groupSize (PerGroup), 0 (Static). Returns 0 on invalid groupSize.
int64_t numScales(const QuantParams &quant, int64_t rows, int64_t cols);

/// Per row: rms = sqrt(mean(x^2) + epsilon) (sum in double),
/// y = x / rms * (gamma[c] + weightOffset), or y = x / rms without gamma;
/// y is rounded to out.type. With epsilon == 0 an all-zero row gives
/// 0/0 = NaN, as a kernel would. in/out/gamma must be f32, f16 or bf16.
Status rmsnorm(ConstMatrix in, ConstVector gamma, Matrix out,
               const RMSNormParams &params);

/// s = in + residual, rounded to residualOut.type (which must equal
/// residual.type) and stored to residualOut; then out = rmsnorm(rounded s).
Status addRmsnorm(ConstMatrix in, ConstMatrix residual, ConstVector gamma,
                  Matrix out, Matrix residualOut, const RMSNormParams &params);

/// Per element: x *= smooth[c]; x = clamp(x, -clip, clip); amax = max |x|
/// over the row/group; amax = min(amax, scaleUb); scale = f32(max(amax /
/// qmax, minScale)) stored to `scales`; q = encode(qOut.type, x / scale)
/// (round-to-nearest-even, saturating). Static: scale = *staticScale,
/// `scales` is not touched and may be null. qOut.type must be fp8 or i8.
Status quantize(ConstMatrix in, const QuantParams &quant, Matrix qOut,
                float *scales);

/// quantize(rmsnorm(in)) where the normalized value goes to the quantizer in
/// double, without rounding to an intermediate type.
Status rmsnormQuantize(ConstMatrix in, ConstVector gamma,
                       const RMSNormParams &params, const QuantParams &quant,
                       Matrix qOut, float *scales);

/// addRmsnorm followed by quantize, again without intermediate rounding of
/// the normalized value (residualOut is still rounded and stored).
Status addRmsnormQuantize(ConstMatrix in, ConstMatrix residual,
                          ConstVector gamma, Matrix residualOut,
                          const RMSNormParams &params, const QuantParams &quant,
                          Matrix qOut, float *scales);

//===----------------------------------------------------------------------===//
// Test helpers (also meant for checking GPU kernels against the reference).
//===----------------------------------------------------------------------===//

struct ErrorStats {
  double maxAbs = 0.0;
  /// Max of |got - ref| / |ref| over elements with ref != 0.
  double maxRel = 0.0;
  /// ||got - ref||_2 / ||ref||_2 (0 if both are 0, inf if only ref is 0).
  double relL2 = 0.0;
  /// Elements with |got - ref| > absTol + relTol * |ref|. NaN matches only
  /// NaN, inf only the same inf; such elements are left out of the norms.
  int64_t mismatches = 0;
};

/// Compares decoded values of two same-shaped matrices (types may differ).
Status compare(ConstMatrix got, ConstMatrix ref, double absTol, double relTol,
               ErrorStats &stats);

/// Owning, zero-initialized host buffer with matrix views.
class HostMatrix {
public:
  HostMatrix(ElementType type, int64_t rows, int64_t cols,
             int64_t rowStride = 0);

  Matrix view();
  ConstMatrix constView() const;
  /// Row 0 as a vector (for gamma / smooth); requires rows == 1.
  ConstVector asVector() const;

  /// Element access; c may reach into the padding (c < rowStride).
  double get(int64_t r, int64_t c) const;
  void set(int64_t r, int64_t c, double value);
  uint32_t getBits(int64_t r, int64_t c) const;
  void setBits(int64_t r, int64_t c, uint32_t bits);

  ElementType type() const { return elemType; }
  int64_t rows() const { return numRows; }
  int64_t cols() const { return numCols; }
  int64_t rowStride() const { return stride; }
  void *data() { return storage.data(); }
  const void *data() const { return storage.data(); }

private:
  ElementType elemType;
  int64_t numRows, numCols, stride;
  std::vector<unsigned char> storage;
};

} // namespace norm::ref

#endif // NORM_REFERENCE_REFERENCE_H
