//===- Bundle.h - a kernel bundle as the runtime sees it --------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//
//
// The in-memory form of `manifest.json` (written by norm-export-bundle) and
// of the binaries it names, validated once when the bundle is opened so that
// launches only have to check their arguments.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_RUNTIME_LIB_BUNDLE_H
#define NORM_RUNTIME_LIB_BUNDLE_H

#include "Status.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace norm::runtime {

/// How a kernel indexes a tensor argument (the manifest's "role").
enum class TensorRole {
  Row,    // [rows, H] with a row stride argument
  Vector, // [H], contiguous (gamma, smooth)
  Scalar, // one f32 (static scale)
  Scales, // dynamic scales with a stride argument
};

struct TensorArg {
  std::string name;
  TensorRole role = TensorRole::Row;
  norm_dtype_t dtype = NORM_DTYPE_F32;
  /// Bytes the data pointer (and each row start) must be aligned to.
  int64_t alignment = 1;
  /// Index into the kernel's i64 argument list of this tensor's stride
  /// ("stride_<name>"), or -1.
  int strideArg = -1;
};

/// What the kernel computes (the manifest's "params"), for checking scales
/// shapes here and for reference comparisons in tools.
struct KernelParams {
  bool normalize = false;
  double epsilon = 0.0;
  double weightOffset = 0.0;
  bool quantize = false;
  enum class Scheme { PerToken, PerGroup, Static } scheme = Scheme::PerToken;
  int64_t groupSize = 0;
  bool scalesColMajor = false;
  std::optional<double> scaleUb, clip;
  double minScale = 0.0;
  /// Element type the normalized value is rounded to before quantization.
  std::optional<norm_dtype_t> intermediateType;
  /// Element type x / rms is rounded to before the multiply by gamma.
  std::optional<norm_dtype_t> normalizedType;
};

struct KernelSpec {
  std::string name;
  std::string op;
  std::vector<TensorArg> tensors;
  /// Names of the i64 arguments after the pointers, in order: "rows",
  /// "cols", then one "stride_<tensor>" per strided tensor.
  std::vector<std::string> scalarArgs;
  int64_t blockSize = 0, rowsPerBlock = 0, threadsPerRow = 0, vectorWidth = 0;
  /// Blocks (one thread-block cluster, whose shape the kernel carries) that
  /// share a row.
  int64_t blocksPerRow = 1;
  /// H, or -1 for any H.
  int64_t cols = -1;
  /// What a run-time H must be a multiple of: the vector width, or 1 when
  /// the kernel peels its rows.
  int64_t colsMultiple = 1;
  int64_t dynamicSharedMemory = 0;
  bool rowCached = false;
  /// The kernel loops over rows with a grid stride: any grid up to the
  /// rows-based one is correct.
  bool persistent = false;
  KernelParams params;
};

/// One compiled binary of the bundle's kernels.
struct BinaryObject {
  std::string binary; // gpu.module symbol
  std::string chip;   // "sm_90", "gfx942", ...
  std::string format; // "cubin", "fatbin", "ptx", "hsaco"
  std::string file;   // file name inside the bundle
  /// File contents; PTX gets a terminating NUL for the JIT.
  std::string data;
};

class Bundle {
public:
  /// Reads and validates `directory`/manifest.json and its binaries.
  static Status open(const std::string &directory, Bundle &bundle);
  /// Validates a manifest's text; `directory` is where its files are read
  /// from (empty: only the manifest is checked, no file is read).
  static Status parse(std::string_view manifest, const std::string &directory,
                      Bundle &bundle);

  const std::vector<KernelSpec> &kernels() const { return kernelList; }
  const KernelSpec *findKernel(std::string_view name) const;
  const std::vector<BinaryObject> &objects() const { return objectList; }

private:
  std::vector<KernelSpec> kernelList; // sorted by name
  std::vector<BinaryObject> objectList;
};

/// Parses an MLIR element type spelling ("bf16", "f8E4M3FN", ...).
std::optional<norm_dtype_t> parseDtype(std::string_view name);

} // namespace norm::runtime

#endif // NORM_RUNTIME_LIB_BUNDLE_H
