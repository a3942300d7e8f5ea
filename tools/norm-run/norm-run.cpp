//===- norm-run.cpp - run norm kernels on a GPU and check them --*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//
//
// Loads a kernel bundle (or compiles a .mlir file with norm-opt), fills the
// inputs with seeded random data, poisons the outputs, runs each kernel on
// the GPU through libnorm_runtime and compares with the float64 reference.
// With --bench it times the kernels with device events instead.
//
// Exit status: 0 all checks passed, 1 a mismatch, 2 a usage or runtime
// error.
//
//===----------------------------------------------------------------------===//

#include "norm-runtime/norm_runtime.h"
#include "norm/Reference/Reference.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace ref = norm::ref;

namespace {

//===----------------------------------------------------------------------===//
// Options
//===----------------------------------------------------------------------===//

struct Options {
  std::string input;
  std::vector<std::string> kernels;
  std::vector<int64_t> rows = {7};
  std::vector<int64_t> cols; // for dynamic-H kernels
  int64_t rowPad = 0;
  bool misalignInput = false;
  uint64_t seed = 1;
  std::string dist = "normal";
  double magnitude = 1.0;
  bool specialRows = true;
  std::vector<uint8_t> poisons = {0xFF, 0x55};
  int64_t maxElements = int64_t(8192) * 16384;
  bool list = false;
  bool bench = false;
  int iterations = 100;
  int64_t rotateBytes = int64_t(256) << 20;
  int device = 0;
  std::string backend = "auto";
  std::string normOpt;
  std::string pipeline = "norm-to-nvvm{chip=sm_90}";
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  bool verbose = false;
};

const char *kUsage = R"(usage: norm-run (BUNDLE_DIR | FILE.mlir) [options]

Runs every kernel of a bundle on the GPU and checks it against the float64
reference, or times it with --bench.

  --list                 print the bundle's kernels and exit (no GPU needed)
  --kernel=A,B           only these kernels
  --rows=1,7,256         row counts to run (default 7)
  --cols=N,...           H values for kernels compiled for any H
  --row-pad=N            pad every row by N elements (strided rows)
  --misalign-input       start the input one element past a 16-byte boundary
                         (kernels that need aligned rows are skipped)
  --seed=N               random seed (default 1)
  --dist=normal|uniform  input distribution (default normal)
  --magnitude=X          scale of the inputs (default 1)
  --no-special-rows      do not make row 1 all zeros, row 2 large, and put
                         a NaN in row 3 and -inf in row 4 of the input
  --poison=0xFF,0x55     output poison bytes; one run per value
  --max-elements=N       skip cases with more rows * H (default 8192*16384)
  --bench                time with device events instead of checking
  --iterations=N         timed launches in --bench (default 100)
  --rotate-bytes=N       --bench rotates input/output sets spanning N bytes
                         so that L2 does not hold them (default 256 MiB)
  --device=N             GPU ordinal (default 0)
  --backend=auto|cuda|hip
  --norm-opt=PATH        norm-opt for .mlir inputs (default: next to
                         norm-run, then PATH)
  --pipeline=P           pipeline for .mlir inputs
                         (default norm-to-nvvm{chip=sm_90})
  --threads=N            CPU threads for data and reference
  -v                     print every case
)";

[[noreturn]] void usageError(const std::string &message) {
  std::fprintf(stderr, "norm-run: %s\n%s", message.c_str(), kUsage);
  std::exit(2);
}

std::vector<std::string> splitList(const std::string &text) {
  std::vector<std::string> items;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ','))
    if (!item.empty())
      items.push_back(item);
  return items;
}

int64_t parseInt(const std::string &text, const char *what) {
  char *end = nullptr;
  errno = 0;
  long long value = std::strtoll(text.c_str(), &end, 0);
  if (errno || end == text.c_str() || *end)
    usageError(std::string("bad ") + what + " '" + text + "'");
  return value;
}

Options parseOptions(int argc, char **argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const char *name) -> std::optional<std::string> {
      std::string prefix = std::string(name) + "=";
      if (arg.rfind(prefix, 0) == 0)
        return arg.substr(prefix.size());
      return std::nullopt;
    };
    if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (arg == "--list") {
      o.list = true;
    } else if (arg == "--bench") {
      o.bench = true;
    } else if (arg == "--no-special-rows") {
      o.specialRows = false;
    } else if (arg == "-v") {
      o.verbose = true;
    } else if (auto v = value("--kernel")) {
      o.kernels = splitList(*v);
    } else if (auto v = value("--rows")) {
      o.rows.clear();
      for (const std::string &item : splitList(*v)) {
        o.rows.push_back(parseInt(item, "--rows"));
        if (o.rows.back() < 0)
          usageError("--rows must be >= 0");
      }
    } else if (auto v = value("--cols")) {
      for (const std::string &item : splitList(*v)) {
        o.cols.push_back(parseInt(item, "--cols"));
        if (o.cols.back() < 1)
          usageError("--cols must be >= 1");
      }
    } else if (arg == "--misalign-input") {
      o.misalignInput = true;
    } else if (auto v = value("--row-pad")) {
      o.rowPad = parseInt(*v, "--row-pad");
      if (o.rowPad < 0)
        usageError("--row-pad must be >= 0");
    } else if (auto v = value("--seed")) {
      o.seed = uint64_t(parseInt(*v, "--seed"));
    } else if (auto v = value("--dist")) {
      o.dist = *v;
      if (o.dist != "normal" && o.dist != "uniform")
        usageError("--dist must be normal or uniform");
    } else if (auto v = value("--magnitude")) {
      o.magnitude = std::strtod(v->c_str(), nullptr);
      if (!(o.magnitude > 0) || !std::isfinite(o.magnitude))
        usageError("--magnitude must be positive");
    } else if (auto v = value("--poison")) {
      o.poisons.clear();
      for (const std::string &item : splitList(*v))
        o.poisons.push_back(uint8_t(parseInt(item, "--poison")));
    } else if (auto v = value("--max-elements")) {
      o.maxElements = parseInt(*v, "--max-elements");
    } else if (auto v = value("--iterations")) {
      o.iterations = int(parseInt(*v, "--iterations"));
      if (o.iterations < 1)
        usageError("--iterations must be >= 1");
    } else if (auto v = value("--rotate-bytes")) {
      o.rotateBytes = parseInt(*v, "--rotate-bytes");
    } else if (auto v = value("--device")) {
      o.device = int(parseInt(*v, "--device"));
    } else if (auto v = value("--backend")) {
      o.backend = *v;
      if (o.backend != "auto" && o.backend != "cuda" && o.backend != "hip")
        usageError("--backend must be auto, cuda or hip");
    } else if (auto v = value("--norm-opt")) {
      o.normOpt = *v;
    } else if (auto v = value("--pipeline")) {
      o.pipeline = *v;
    } else if (auto v = value("--threads")) {
      o.threads = unsigned(std::max<int64_t>(1, parseInt(*v, "--threads")));
    } else if (!arg.empty() && arg[0] == '-') {
      usageError("unknown option '" + arg + "'");
    } else if (o.input.empty()) {
      o.input = arg;
    } else {
      usageError("more than one input given");
    }
  }
  if (o.input.empty())
    usageError("no bundle or .mlir file given");
  return o;
}

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// Exits with the runtime's message when `status` is an error.
void checkRuntime(norm_status_t status, const std::string &what) {
  if (status == NORM_SUCCESS)
    return;
  std::fprintf(stderr, "norm-run: %s: %s: %s\n", what.c_str(),
               norm_status_name(status), norm_last_error());
  std::exit(2);
}

/// The runtime and the reference spell element types the same (MLIR) way.
ref::ElementType toRef(norm_dtype_t dtype) {
  std::optional<ref::ElementType> type =
      ref::parseElementType(norm_dtype_name(dtype));
  if (!type) {
    std::fprintf(stderr, "norm-run: element type %d has no reference\n",
                 int(dtype));
    std::exit(2);
  }
  return *type;
}

/// Runs `body(begin, end)` over [0, count) in contiguous chunks on threads.
void parallelFor(int64_t count, unsigned threads,
                 const std::function<void(int64_t, int64_t)> &body) {
  int64_t chunks = std::min<int64_t>(threads, std::max<int64_t>(1, count / 4));
  if (chunks <= 1) {
    body(0, count);
    return;
  }
  std::vector<std::thread> pool;
  for (int64_t c = 0; c < chunks; ++c) {
    int64_t begin = count * c / chunks, end = count * (c + 1) / chunks;
    pool.emplace_back(body, begin, end);
  }
  for (std::thread &t : pool)
    t.join();
}

/// Sum of `perRow(r)` over [0, rows), on threads.
int64_t parallelSum(int64_t rows, unsigned threads,
                    const std::function<int64_t(int64_t)> &perRow) {
  std::mutex mutex;
  int64_t total = 0;
  parallelFor(rows, threads, [&](int64_t begin, int64_t end) {
    int64_t sum = 0;
    for (int64_t r = begin; r < end; ++r)
      sum += perRow(r);
    std::lock_guard<std::mutex> lock(mutex);
    total += sum;
  });
  return total;
}

/// Whether `got` matches `want` when either is NaN or infinite (NaN matches
/// only NaN, an inf only the same inf); nullopt when both are finite.
std::optional<bool> nonFiniteMatch(double got, double want) {
  if (!std::isnan(got) && !std::isnan(want) && !std::isinf(got) &&
      !std::isinf(want))
    return std::nullopt;
  return (std::isnan(got) && std::isnan(want)) || got == want;
}

/// Error of a float output against the reference, decoded exactly. Same
/// rule as ref::compare, but over row chunks on threads (outputs reach
/// 8192 x 16384 elements), which needs the L2 sums rather than the ratio.
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

FloatStats compareRows(const ref::HostMatrix &got, const ref::HostMatrix &want,
                       double absTol, double relTol, unsigned threads) {
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
/// thread that fills them.
uint64_t mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

double uniform01(uint64_t key) {
  return (double(mix(key) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

/// Random values for one input: a table of 65536 samples of the chosen
/// distribution, indexed by a hash of the element and jittered by other
/// hash bits, so that filling gigabytes stays cheap yet values differ
/// everywhere.
class RandomStream {
public:
  RandomStream(const Options &o, uint64_t stream)
      : key(mix(o.seed * 0x100000001B3ull + stream)), table(65536) {
    for (size_t i = 0; i < table.size(); i += 2) {
      double u1 = uniform01(key + i), u2 = uniform01(key + i + 1);
      if (o.dist == "uniform") {
        table[i] = (2 * u1 - 1) * o.magnitude;
        table[i + 1] = (2 * u2 - 1) * o.magnitude;
      } else {
        double radius = std::sqrt(-2 * std::log(u1)) * o.magnitude;
        table[i] = radius * std::cos(6.283185307179586 * u2);
        table[i + 1] = radius * std::sin(6.283185307179586 * u2);
      }
    }
  }
  double operator()(uint64_t index) const {
    uint64_t h = mix(key ^ index);
    return table[h & 0xFFFF] * (1.0 + double((h >> 16) & 0xFFFFF) * 0x1p-24);
  }

private:
  uint64_t key;
  std::vector<double> table;
};

/// Largest magnitude factor for the "large" row that keeps sums of squares
/// finite in f32 and values finite in f16.
double largeFactor(ref::ElementType type) {
  return type == ref::ElementType::F16 ? 300.0 : 1.0e4;
}

//===----------------------------------------------------------------------===//
// One kernel run
//===----------------------------------------------------------------------===//

struct TensorSlot {
  std::string name;
  norm_dtype_t dtype;
  enum class Kind { Row, Vector, Scalar, Scales } kind;
  bool isOutput = false;
  // Host copy (rows x rowStride elements for rows).
  std::optional<ref::HostMatrix> host;
  void *device = nullptr;
  size_t bytes = 0;
  /// Where the data starts past `device` (--misalign-input).
  size_t offsetBytes = 0;
  norm_tensor_t view = {};
};

/// What a kernel computes, from norm_bundle_kernel_params.
struct KernelMath {
  bool normalize = false, quantize = false;
  double epsilon = 0, weightOffset = 0;
  std::string scheme;
  int64_t groupSize = 1;
  bool colMajor = false;
  std::optional<double> scaleUb, clip;
  double minScale = 0;
  std::optional<ref::ElementType> intermediateType;
  std::optional<ref::ElementType> normalizedType;
};

struct Totals {
  int64_t cases = 0, failures = 0, skipped = 0;
};

/// Relative tolerance of one rounding to `type` (plus slack for the f32
/// arithmetic of the kernel).
double floatTolerance(ref::ElementType type) {
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
int64_t codeOrdinal(ref::ElementType type, uint32_t bits) {
  if (type == ref::ElementType::I8)
    return int8_t(bits);
  int64_t magnitude = bits & 0x7F;
  bool negative = bits & 0x80;
  return negative ? -magnitude : magnitude;
}

class Runner {
public:
  Runner(const Options &o, norm_bundle *bundle, norm_context *context)
      : o(o), bundle(bundle), context(context) {}

  void runKernel(const std::string &name, Totals &totals);

private:
  const Options &o;
  norm_bundle *bundle;
  norm_context *context;

  bool runCase(const std::string &name, const norm_kernel_info_t &info,
               const KernelMath &p, int64_t rows, int64_t cols);
  void bench(const std::string &name, const norm_kernel_info_t &info,
             const KernelMath &p, int64_t rows, int64_t cols);
  std::vector<TensorSlot> makeSlots(const std::string &name,
                                    const norm_kernel_info_t &info,
                                    const KernelMath &p, int64_t rows,
                                    int64_t cols, int64_t rowPad);
  void fillInputs(std::vector<TensorSlot> &slots, const KernelMath &p,
                  int64_t rows, int64_t cols);
};

std::vector<TensorSlot> Runner::makeSlots(const std::string &name,
                                          const norm_kernel_info_t &info,
                                          const KernelMath &p, int64_t rows,
                                          int64_t cols, int64_t rowPad) {
  std::vector<TensorSlot> slots;
  for (int64_t i = 0; i < info.num_tensors; ++i) {
    TensorSlot slot;
    const char *tensorName;
    norm_tensor_role_t role;
    checkRuntime(norm_bundle_tensor_info(bundle, name.c_str(), i, &tensorName,
                                         &slot.dtype, nullptr, &role),
                 "tensor info");
    slot.name = tensorName;
    ref::ElementType type = toRef(slot.dtype);
    int64_t size = int64_t(norm_dtype_size(slot.dtype));
    if (role == NORM_ROLE_ROW) {
      slot.kind = TensorSlot::Kind::Row;
      slot.isOutput = slot.name == "output" || slot.name == "residual_out" ||
                      slot.name == "normalized";
      // Keep padded rows aligned to 16 bytes.
      // Keep every row start 16-byte aligned, as allocators do.
      int64_t pad = rowPad;
      if (pad)
        while (((cols + pad) * size) % 16)
          ++pad;
      slot.host.emplace(type, rows, cols, cols + pad);
      slot.view.rank = 2;
      slot.view.shape[0] = rows;
      slot.view.shape[1] = cols;
      slot.view.strides[0] = cols + pad;
      slot.view.strides[1] = 1;
    } else if (role == NORM_ROLE_VECTOR) {
      slot.kind = TensorSlot::Kind::Vector;
      slot.host.emplace(type, 1, cols);
      slot.view.rank = 1;
      slot.view.shape[0] = cols;
      slot.view.strides[0] = 1;
    } else if (role == NORM_ROLE_SCALAR) {
      slot.kind = TensorSlot::Kind::Scalar;
      slot.host.emplace(type, 1, 1);
      slot.view.rank = 0;
    } else {
      slot.kind = TensorSlot::Kind::Scales;
      slot.isOutput = true;
      int64_t groups = p.scheme == "per_group" ? cols / p.groupSize : 1;
      bool colMajor = p.scheme == "per_group" && p.colMajor;
      int64_t outer = colMajor ? groups : rows;
      int64_t inner = colMajor ? rows : groups;
      slot.host.emplace(type, outer, std::max<int64_t>(inner, 1));
      slot.view.rank = 2;
      slot.view.shape[0] = outer;
      slot.view.shape[1] = inner;
      slot.view.strides[0] = std::max<int64_t>(inner, 1);
      slot.view.strides[1] = 1;
    }
    slot.view.dtype = slot.dtype;
    slot.bytes = size_t(slot.host->rows() * slot.host->rowStride() * size);
    if (o.misalignInput && slot.name == "input")
      slot.offsetBytes = size_t(size);
    slots.push_back(std::move(slot));
  }
  return slots;
}

void Runner::fillInputs(std::vector<TensorSlot> &slots, const KernelMath &p,
                        int64_t rows, int64_t cols) {
  for (size_t s = 0; s < slots.size(); ++s) {
    TensorSlot &slot = slots[s];
    if (slot.isOutput)
      continue;
    ref::HostMatrix &m = *slot.host;
    uint64_t stream = s * 1000003 + rows * 7919 + cols;
    if (slot.kind == TensorSlot::Kind::Row) {
      RandomStream random(o, stream);
      parallelFor(rows, o.threads, [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r) {
          double factor = 1.0;
          if (o.specialRows && rows >= 3 && r == 1)
            factor = 0.0; // an all-zero row
          if (o.specialRows && rows >= 3 && r == 2)
            factor = largeFactor(m.type());
          for (int64_t c = 0; c < cols; ++c)
            m.set(r, c, random(uint64_t(r * cols + c)) * factor);
          // One NaN in row 3 and one -inf in row 4 of the input: the row's
          // sum, scale and codes must propagate them as the reference
          // does (an inf makes rms inf: its element NaN, the others 0).
          if (o.specialRows && rows >= 5 && slot.name == "input" &&
              (r == 3 || r == 4))
            m.set(r, (r * 7919) % cols, r == 3 ? NAN : -INFINITY);
        }
      });
    } else if (slot.kind == TensorSlot::Kind::Vector) {
      // gamma around 1 (also for Gemma's offset form), smooth in [0.5, 2].
      for (int64_t c = 0; c < cols; ++c) {
        double u = uniform01(mix(o.seed + stream) ^ uint64_t(c));
        m.set(0, c, slot.name == "smooth" ? 0.5 + 1.5 * u : 0.5 + u);
      }
    } else if (slot.kind == TensorSlot::Kind::Scalar) {
      // A static scale that maps about 4 sigma to the format's range, so
      // some values saturate.
      ref::ElementType q = ref::ElementType::F8E4M3FN;
      for (const TensorSlot &other : slots)
        if (ref::isQuantType(toRef(other.dtype)))
          q = toRef(other.dtype);
      double range = p.normalize ? 4.0 : 4.0 * o.magnitude;
      m.set(0, 0, range / ref::qmax(q));
    }
  }
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

  // Reference, computed in row chunks on threads.
  ref::RMSNormParams norm{p.epsilon, p.weightOffset, p.normalizedType};
  ref::QuantParams quant;
  float staticScale = scale ? float(scale->host->get(0, 0)) : 0.0f;
  if (p.quantize) {
    quant.scheme = p.scheme == "per_group" ? ref::QuantScheme::PerGroup
                   : p.scheme == "static"  ? ref::QuantScheme::Static
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
  bool quantOut = ref::isQuantType(outType);
  ref::HostMatrix refOut(outType, rows, cols);
  std::optional<ref::HostMatrix> refResidual, refNormalized;
  if (residualOut)
    refResidual.emplace(toRef(residualOut->dtype), rows, cols);
  if (normalized)
    refNormalized.emplace(toRef(normalized->dtype), rows, cols);
  int64_t groupsPerRow =
      p.quantize && p.scheme == "per_group" ? cols / p.groupSize : 1;
  std::vector<float> refScales(size_t(rows * groupsPerRow), 0.0f);
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
            double got = p.colMajor && p.scheme == "per_group"
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

void Runner::bench(const std::string &name, const norm_kernel_info_t &info,
                   const KernelMath &p, int64_t rows, int64_t cols) {
  std::vector<TensorSlot> slots = makeSlots(name, info, p, rows, cols, 0);
  fillInputs(slots, p, rows, cols);
  // Bytes the op must move: each row/scales tensor once, vectors once.
  size_t setBytes = 0, movedBytes = 0;
  for (const TensorSlot &slot : slots) {
    setBytes += slot.bytes;
    movedBytes += slot.bytes;
  }
  int sets = int(std::max<int64_t>(
      1, std::min<int64_t>(64, (o.rotateBytes + int64_t(setBytes) - 1) /
                                   int64_t(setBytes))));
  std::vector<std::vector<norm_tensor_t>> views(sets);
  std::vector<void *> allocations;
  for (int s = 0; s < sets; ++s)
    for (TensorSlot &slot : slots) {
      void *device = nullptr;
      checkRuntime(norm_malloc(context, slot.bytes, &device), "malloc");
      allocations.push_back(device);
      checkRuntime(
          norm_memcpy_to_device(context, device, slot.host->data(), slot.bytes),
          "upload");
      norm_tensor_t view = slot.view;
      view.data = device;
      views[s].push_back(view);
    }
  auto launch = [&](int s) {
    checkRuntime(norm_launch(context, bundle, name.c_str(), nullptr,
                             views[s].data(), int64_t(views[s].size())),
                 "launch " + name);
  };
  for (int i = 0; i < std::max(5, sets); ++i)
    launch(i % sets);
  checkRuntime(norm_synchronize(context), "warm-up");
  norm_timer *timer = nullptr;
  checkRuntime(norm_timer_create(context, &timer), "timer");
  checkRuntime(norm_timer_start(timer, nullptr), "timer");
  for (int i = 0; i < o.iterations; ++i)
    launch(i % sets);
  checkRuntime(norm_timer_stop(timer, nullptr), "timer");
  float ms = 0;
  checkRuntime(norm_timer_elapsed_ms(timer, &ms), "timer");
  double us = ms * 1000.0 / o.iterations;

  // Copy bandwidth on a buffer as large as one set, same rotation.
  size_t copyBytes = std::max<size_t>(setBytes / 2, 1 << 20);
  std::vector<void *> copyBuffers;
  for (int s = 0; s < 2 * sets; ++s) {
    void *device = nullptr;
    checkRuntime(norm_malloc(context, copyBytes, &device), "malloc");
    copyBuffers.push_back(device);
  }
  for (int i = 0; i < 5; ++i)
    checkRuntime(norm_memcpy_device(context, copyBuffers[1], copyBuffers[0],
                                    copyBytes, nullptr),
                 "copy");
  checkRuntime(norm_timer_start(timer, nullptr), "timer");
  for (int i = 0; i < o.iterations; ++i) {
    int s = i % sets;
    checkRuntime(norm_memcpy_device(context, copyBuffers[2 * s + 1],
                                    copyBuffers[2 * s], copyBytes, nullptr),
                 "copy");
  }
  checkRuntime(norm_timer_stop(timer, nullptr), "timer");
  float copyMs = 0;
  checkRuntime(norm_timer_elapsed_ms(timer, &copyMs), "timer");
  double copyGBs = 2.0 * copyBytes * o.iterations / (copyMs * 1e6);
  norm_timer_destroy(timer);
  for (void *device : copyBuffers)
    checkRuntime(norm_free(context, device), "free");
  for (void *device : allocations)
    checkRuntime(norm_free(context, device), "free");

  double gbs = movedBytes / (us * 1e3);
  std::printf("BENCH %s rows=%lld H=%lld time_us=%.2f GB/s=%.1f "
              "copy_GB/s=%.1f pct_of_copy=%.1f sets=%d\n",
              name.c_str(), (long long)rows, (long long)cols, us, gbs, copyGBs,
              100.0 * gbs / copyGBs, sets);
}

void Runner::runKernel(const std::string &name, Totals &totals) {
  norm_kernel_info_t info;
  checkRuntime(norm_bundle_kernel_info(bundle, name.c_str(), &info),
               "kernel info");
  norm_kernel_params_t raw;
  checkRuntime(norm_bundle_kernel_params(bundle, name.c_str(), &raw),
               "kernel params");
  KernelMath p;
  p.normalize = raw.normalize;
  p.quantize = raw.quantize;
  p.epsilon = raw.epsilon;
  p.weightOffset = raw.weight_offset;
  p.scheme = raw.scheme == NORM_SCHEME_PER_GROUP ? "per_group"
             : raw.scheme == NORM_SCHEME_STATIC  ? "static"
                                                 : "per_token";
  p.groupSize = std::max<int64_t>(raw.group_size, 1);
  p.colMajor = raw.scales_col_major;
  if (raw.has_scale_ub)
    p.scaleUb = raw.scale_ub;
  if (raw.has_clip)
    p.clip = raw.clip;
  p.minScale = raw.min_scale;
  if (raw.has_intermediate_type)
    p.intermediateType = toRef(raw.intermediate_type);
  if (raw.has_normalized_type)
    p.normalizedType = toRef(raw.normalized_type);
  if (o.misalignInput) {
    // Only kernels that ask element alignment of the input take it.
    norm_dtype_t dtype;
    int64_t alignment = 0;
    for (int64_t i = 0; i < info.num_tensors; ++i) {
      const char *tensorName;
      checkRuntime(norm_bundle_tensor_info(bundle, name.c_str(), i, &tensorName,
                                           &dtype, &alignment, nullptr),
                   "tensor info");
      if (std::string(tensorName) == "input")
        break;
    }
    if (alignment > int64_t(norm_dtype_size(dtype))) {
      if (o.verbose)
        std::printf("SKIP %s: needs %lld-byte aligned input rows\n",
                    name.c_str(), (long long)alignment);
      ++totals.skipped;
      return;
    }
  }
  std::vector<int64_t> colsList;
  if (info.cols > 0)
    colsList = {info.cols};
  else if (!o.cols.empty())
    colsList = o.cols;
  else {
    std::printf("SKIP %s: compiled for any H; give --cols\n", name.c_str());
    ++totals.skipped;
    return;
  }
  for (int64_t cols : colsList) {
    if (p.quantize && p.scheme == "per_group" && cols % p.groupSize) {
      ++totals.skipped;
      continue;
    }
    if (info.cols < 0 && cols % info.cols_multiple) {
      ++totals.skipped;
      continue;
    }
    for (int64_t rows : o.rows) {
      if (rows * cols > o.maxElements) {
        ++totals.skipped;
        continue;
      }
      if (o.bench) {
        bench(name, info, p, rows, cols);
        continue;
      }
      ++totals.cases;
      if (!runCase(name, info, p, rows, cols))
        ++totals.failures;
    }
  }
}

/// Directory of this executable, for finding norm-opt beside it.
std::string selfDirectory() {
  char path[4096];
  ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0)
    return ".";
  path[n] = 0;
  std::string dir(path);
  return dir.substr(0, dir.rfind('/'));
}

std::string shellQuote(const std::string &text) {
  std::string out = "'";
  for (char c : text)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

/// Compiles `file` with norm-opt into a fresh bundle directory.
std::string compileModule(const Options &o) {
  std::string normOpt = o.normOpt;
  if (normOpt.empty()) {
    normOpt = selfDirectory() + "/norm-opt";
    if (access(normOpt.c_str(), X_OK) != 0)
      normOpt = "norm-opt";
  }
  char pattern[] = "/tmp/norm-run-XXXXXX";
  if (!mkdtemp(pattern)) {
    std::fprintf(stderr, "norm-run: cannot create a temporary directory\n");
    std::exit(2);
  }
  std::string dir = pattern;
  std::string command =
      shellQuote(normOpt) + " " + shellQuote(o.input) + " " +
      shellQuote("--pass-pipeline=builtin.module(" + o.pipeline +
                 ",norm-export-bundle{dir=" + dir + "})") +
      " -o /dev/null";
  if (std::system(command.c_str()) != 0) {
    std::fprintf(stderr, "norm-run: compiling %s failed: %s\n", o.input.c_str(),
                 command.c_str());
    std::exit(2);
  }
  return dir;
}

} // namespace

int main(int argc, char **argv) {
  Options o = parseOptions(argc, argv);
  std::string bundleDir = o.input;
  if (bundleDir.size() > 5 &&
      bundleDir.compare(bundleDir.size() - 5, 5, ".mlir") == 0)
    bundleDir = compileModule(o);

  norm_bundle *bundle = nullptr;
  checkRuntime(norm_bundle_open(bundleDir.c_str(), &bundle),
               "opening " + bundleDir);

  std::vector<std::string> names;
  for (size_t i = 0; i < norm_bundle_num_kernels(bundle); ++i)
    names.push_back(norm_bundle_kernel_name(bundle, i));
  if (!o.kernels.empty()) {
    for (const std::string &k : o.kernels)
      if (std::find(names.begin(), names.end(), k) == names.end()) {
        std::fprintf(stderr, "norm-run: no kernel '%s' in %s\n", k.c_str(),
                     bundleDir.c_str());
        return 2;
      }
    names = o.kernels;
  }
  if (o.list) {
    for (const std::string &name : names) {
      norm_kernel_info_t info;
      checkRuntime(norm_bundle_kernel_info(bundle, name.c_str(), &info),
                   "kernel info");
      std::printf(
          "%s op=%s H=%s block=%lld rows_per_block=%lld "
          "threads_per_row=%lld vector_width=%lld%s tensors=",
          name.c_str(), info.op,
          info.cols > 0 ? std::to_string(info.cols).c_str() : "any",
          (long long)info.block_size, (long long)info.rows_per_block,
          (long long)info.threads_per_row, (long long)info.vector_width,
          info.blocks_per_row > 1
              ? (" blocks_per_row=" + std::to_string(info.blocks_per_row))
                    .c_str()
              : "");
      for (int64_t i = 0; i < info.num_tensors; ++i) {
        const char *tensorName;
        norm_dtype_t dtype;
        int64_t align;
        checkRuntime(norm_bundle_tensor_info(bundle, name.c_str(), i,
                                             &tensorName, &dtype, &align,
                                             nullptr),
                     "tensor info");
        std::printf("%s%s:%s", i ? "," : "", tensorName,
                    norm_dtype_name(dtype));
      }
      std::printf("\n");
    }
    norm_bundle_close(bundle);
    return 0;
  }

  norm_backend_t backend = o.backend == "cuda"  ? NORM_BACKEND_CUDA
                           : o.backend == "hip" ? NORM_BACKEND_HIP
                                                : NORM_BACKEND_AUTO;
  norm_context *context = nullptr;
  checkRuntime(norm_context_create(backend, o.device, &context),
               "opening the GPU");
  const char *file = nullptr;
  checkRuntime(norm_select_binary(context, bundle, &file), "loading binary");
  std::printf("device %s, binary %s\n", norm_context_chip(context), file);

  Runner runner(o, bundle, context);
  Totals totals;
  for (const std::string &name : names)
    runner.runKernel(name, totals);
  if (!o.bench)
    std::printf("%s: %lld cases, %lld failed, %lld skipped\n",
                totals.failures ? "FAILED" : "PASSED", (long long)totals.cases,
                (long long)totals.failures, (long long)totals.skipped);
  norm_context_destroy(context);
  norm_bundle_close(bundle);
  return totals.failures ? 1 : 0;
}
