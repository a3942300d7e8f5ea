//===- Inputs.cpp - norm-run's tensors and inputs ---------------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//
//
// The tensors of one case (host copies, shapes, strides, row padding) and
// the seeded random data of its inputs.
//
//===----------------------------------------------------------------------===//

#include "Runner.h"

#include "norm-runtime/norm_bundle_schema.h"

#include <cmath>

using namespace norm::run;

/// thread that fills them.
static uint64_t mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

static double uniform01(uint64_t key) {
  return (double(mix(key) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

/// Random values for one input: a table of 65536 samples of the chosen
/// distribution, indexed by a hash of the element and jittered by other
/// hash bits, so that filling gigabytes stays cheap yet values differ
/// everywhere.
namespace {
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
} // namespace

/// Largest magnitude factor for the "large" row that keeps sums of squares
/// finite in f32 and values finite in f16.
static double largeFactor(ref::ElementType type) {
  return type == ref::ElementType::F16 ? 300.0 : 1.0e4;
}

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
      int64_t groups =
          p.scheme == NORM_SCHEME_NAME_PER_GROUP ? cols / p.groupSize : 1;
      bool colMajor = p.scheme == NORM_SCHEME_NAME_PER_GROUP && p.colMajor;
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
