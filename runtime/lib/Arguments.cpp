//===- Arguments.cpp - check launch arguments against a kernel --*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#include "Arguments.h"

#include <climits>
#include <cstdint>

using namespace norm::runtime;

static const char *dtypeName(norm_dtype_t dtype) {
  return norm_dtype_name(dtype);
}

static std::string shapeString(const norm_tensor_t &t) {
  std::string s = "[";
  for (int32_t i = 0; i < t.rank; ++i)
    s += (i ? ", " : "") + std::to_string(t.shape[i]);
  return s + "]";
}

namespace {
/// Checks one launch; `fail` records the first error.
class Checker {
public:
  Checker(const KernelSpec &spec, const norm_tensor_t *tensors,
          LaunchPlan &plan)
      : spec(spec), tensors(tensors), plan(plan) {}

  Status run(int64_t numTensors);

private:
  const KernelSpec &spec;
  const norm_tensor_t *tensors;
  LaunchPlan &plan;
  int64_t rows = -1, cols = -1;

  std::string label(size_t i) const {
    return "tensor '" + spec.tensors[i].name + "' (#" + std::to_string(i) + ")";
  }
  Status error(norm_status_t code, size_t i, const std::string &what) const {
    return Status::error(code, "kernel '" + spec.name + "': " + label(i) +
                                   ": " + what);
  }

  Status checkBasics(size_t i);
  Status checkRow(size_t i, int64_t &rowStride);
  Status checkVector(size_t i);
  Status checkScalar(size_t i);
  Status checkScales(size_t i, int64_t &stride);
  Status checkAlignment(size_t i, int64_t stride);
  Status checkExtent(size_t i, int64_t outer, int64_t stride, int64_t inner);
};
} // namespace

Status Checker::checkBasics(size_t i) {
  const norm_tensor_t &t = tensors[i];
  const TensorArg &arg = spec.tensors[i];
  if (t.rank < 0 || t.rank > NORM_MAX_RANK)
    return error(NORM_ERROR_INVALID_ARGUMENT, i,
                 "rank " + std::to_string(t.rank) + " is outside [0, " +
                     std::to_string(NORM_MAX_RANK) + "]");
  for (int32_t d = 0; d < t.rank; ++d)
    if (t.shape[d] < 0)
      return error(NORM_ERROR_INVALID_ARGUMENT, i,
                   "dimension " + std::to_string(d) + " is negative (" +
                       std::to_string(t.shape[d]) + ")");
  if (t.dtype < NORM_DTYPE_F32 || t.dtype > NORM_DTYPE_I8)
    return error(NORM_ERROR_INVALID_ARGUMENT, i,
                 "element type " + std::to_string(int(t.dtype)) +
                     " is not a norm_dtype_t");
  if (t.dtype != arg.dtype)
    return error(NORM_ERROR_DTYPE_MISMATCH, i,
                 std::string("element type is ") + dtypeName(t.dtype) +
                     ", the kernel takes " + dtypeName(arg.dtype));
  return Status::success();
}

Status Checker::checkAlignment(size_t i, int64_t stride) {
  const norm_tensor_t &t = tensors[i];
  int64_t align = spec.tensors[i].alignment;
  auto address = reinterpret_cast<uintptr_t>(t.data);
  if (address % align != 0)
    return error(NORM_ERROR_MISALIGNED, i,
                 "data pointer is not aligned to the " + std::to_string(align) +
                     " bytes the kernel's vector accesses need");
  int64_t strideBytes = stride * int64_t(norm_dtype_size(t.dtype));
  if (stride > 0 && strideBytes % align != 0)
    return error(NORM_ERROR_MISALIGNED, i,
                 "stride of " + std::to_string(stride) + " elements (" +
                     std::to_string(strideBytes) +
                     " bytes) is not a multiple of the " +
                     std::to_string(align) +
                     "-byte alignment the kernel's vector accesses need");
  return Status::success();
}

/// The last element must be addressable with int64 byte offsets.
Status Checker::checkExtent(size_t i, int64_t outer, int64_t stride,
                            int64_t inner) {
  if (outer == 0 || inner == 0)
    return Status::success();
  int64_t elements, bytes;
  if (__builtin_mul_overflow(outer - 1, stride, &elements) ||
      __builtin_add_overflow(elements, inner, &elements) ||
      __builtin_mul_overflow(
          elements, int64_t(norm_dtype_size(tensors[i].dtype)), &bytes))
    return error(NORM_ERROR_TOO_LARGE, i,
                 "spans more bytes than a 64-bit offset can address");
  return Status::success();
}

Status Checker::checkRow(size_t i, int64_t &rowStride) {
  const norm_tensor_t &t = tensors[i];
  if (t.rank < 1)
    return error(NORM_ERROR_SHAPE_MISMATCH, i,
                 "is a row operand and needs rank >= 1 ([..., H])");
  int64_t h = t.shape[t.rank - 1];
  int64_t r = 1;
  for (int32_t d = 0; d + 1 < t.rank; ++d)
    if (__builtin_mul_overflow(r, t.shape[d], &r))
      return error(NORM_ERROR_TOO_LARGE, i, "has more rows than int64 holds");
  if (rows < 0) {
    rows = r;
    cols = h;
    if (spec.cols > 0 && cols != spec.cols)
      return error(
          NORM_ERROR_SHAPE_MISMATCH, i,
          "has H = " + std::to_string(cols) +
              ", the kernel was compiled for H = " + std::to_string(spec.cols));
  } else if (r != rows || h != cols) {
    return error(NORM_ERROR_SHAPE_MISMATCH, i,
                 "shape " + shapeString(t) + " gives " + std::to_string(r) +
                     " rows of " + std::to_string(h) + ", the input has " +
                     std::to_string(rows) + " rows of " + std::to_string(cols));
  }
  if (h > 1 && t.strides[t.rank - 1] != 1)
    return error(NORM_ERROR_BAD_STRIDES, i,
                 "innermost stride is " +
                     std::to_string(t.strides[t.rank - 1]) +
                     "; rows must be contiguous (stride 1)");
  // Leading dimensions of size > 1 must collapse into one row stride.
  rowStride = h;
  int inner = -1;
  for (int32_t d = t.rank - 2; d >= 0; --d) {
    if (t.shape[d] == 1)
      continue;
    if (inner < 0) {
      rowStride = t.strides[d];
    } else {
      int64_t expect;
      if (__builtin_mul_overflow(t.strides[inner], t.shape[inner], &expect))
        return error(NORM_ERROR_TOO_LARGE, i, "strides overflow int64");
      if (t.strides[d] != expect)
        return error(NORM_ERROR_BAD_STRIDES, i,
                     "dimension " + std::to_string(d) + " has stride " +
                         std::to_string(t.strides[d]) + ", expected " +
                         std::to_string(expect) +
                         " so that the leading dimensions form one row "
                         "stride");
    }
    inner = d;
  }
  if (r > 1 && rowStride < h)
    return error(NORM_ERROR_BAD_STRIDES, i,
                 "row stride " + std::to_string(rowStride) +
                     " is smaller than H = " + std::to_string(h) +
                     ": rows would overlap");
  if (r <= 1)
    rowStride = h; // any stride is fine for a single row
  if (Status s = checkAlignment(i, rowStride); !s.ok())
    return s;
  return checkExtent(i, r, rowStride, h);
}

Status Checker::checkVector(size_t i) {
  const norm_tensor_t &t = tensors[i];
  if (t.rank != 1 || t.shape[0] != cols)
    return error(NORM_ERROR_SHAPE_MISMATCH, i,
                 "shape is " + shapeString(t) + ", expected [" +
                     std::to_string(cols) + "] (one value per column)");
  if (cols > 1 && t.strides[0] != 1)
    return error(NORM_ERROR_BAD_STRIDES, i,
                 "stride is " + std::to_string(t.strides[0]) +
                     "; per-column vectors must be contiguous");
  if (Status s = checkAlignment(i, 0); !s.ok())
    return s;
  return checkExtent(i, 1, 0, cols);
}

Status Checker::checkScalar(size_t i) {
  const norm_tensor_t &t = tensors[i];
  if (!(t.rank == 0 || (t.rank == 1 && t.shape[0] == 1)))
    return error(NORM_ERROR_SHAPE_MISMATCH, i,
                 "shape is " + shapeString(t) +
                     ", expected a single value ([] or [1])");
  return checkAlignment(i, 0);
}

Status Checker::checkScales(size_t i, int64_t &stride) {
  const norm_tensor_t &t = tensors[i];
  const KernelParams &p = spec.params;
  if (p.scheme != KernelParams::Scheme::PerGroup) {
    // Per-token: [rows] or [rows, 1].
    bool ok = (t.rank == 1 && t.shape[0] == rows) ||
              (t.rank == 2 && t.shape[0] == rows && t.shape[1] == 1);
    if (!ok)
      return error(NORM_ERROR_SHAPE_MISMATCH, i,
                   "shape is " + shapeString(t) + ", expected [" +
                       std::to_string(rows) + "] or [" + std::to_string(rows) +
                       ", 1] (one scale per row)");
    stride = rows > 1 ? t.strides[0] : 1;
    if (rows > 1 && stride < 1)
      return error(NORM_ERROR_BAD_STRIDES, i,
                   "stride " + std::to_string(stride) +
                       " would make rows share a scale");
    if (Status s = checkAlignment(i, 0); !s.ok())
      return s;
    return checkExtent(i, rows, stride, 1);
  }
  int64_t groups = cols / p.groupSize;
  int64_t outer = p.scalesColMajor ? groups : rows;
  int64_t inner = p.scalesColMajor ? rows : groups;
  const char *layout = p.scalesColMajor ? "[H / group, rows] (col_major)"
                                        : "[rows, H / group] (row_major)";
  if (t.rank != 2 || t.shape[0] != outer || t.shape[1] != inner)
    return error(NORM_ERROR_SHAPE_MISMATCH, i,
                 "shape is " + shapeString(t) + ", expected [" +
                     std::to_string(outer) + ", " + std::to_string(inner) +
                     "] = " + layout);
  if (inner > 1 && t.strides[1] != 1)
    return error(NORM_ERROR_BAD_STRIDES, i,
                 "innermost stride is " + std::to_string(t.strides[1]) +
                     "; scales must be contiguous along their last dimension");
  stride = outer > 1 ? t.strides[0] : inner;
  if (outer > 1 && stride < inner)
    return error(NORM_ERROR_BAD_STRIDES, i,
                 "stride " + std::to_string(stride) + " is smaller than " +
                     std::to_string(inner) + ": scale rows would overlap");
  if (Status s = checkAlignment(i, 0); !s.ok())
    return s;
  return checkExtent(i, outer, stride, inner);
}

Status Checker::run(int64_t numTensors) {
  size_t expected = spec.tensors.size();
  if (numTensors < 0 || size_t(numTensors) != expected) {
    std::string names;
    for (const TensorArg &arg : spec.tensors)
      names += (names.empty() ? "" : ", ") + arg.name;
    return Status::error(NORM_ERROR_SHAPE_MISMATCH,
                         "kernel '" + spec.name + "' takes " +
                             std::to_string(expected) + " tensors (" + names +
                             "), got " + std::to_string(numTensors));
  }
  if (!tensors)
    return Status::error(NORM_ERROR_INVALID_ARGUMENT,
                         "kernel '" + spec.name + "': tensors is null");

  plan = LaunchPlan();
  plan.scalars.assign(spec.scalarArgs.size(), 0);
  // Row operands first: they fix rows and H for the others.
  for (size_t i = 0; i < expected; ++i) {
    if (Status s = checkBasics(i); !s.ok())
      return s;
    if (spec.tensors[i].role != TensorRole::Row)
      continue;
    int64_t stride = 0;
    if (Status s = checkRow(i, stride); !s.ok())
      return s;
    plan.scalars[spec.tensors[i].strideArg] = stride;
  }
  if (cols == 0 && rows > 0)
    return error(NORM_ERROR_SHAPE_MISMATCH, 0,
                 "has H = 0: a row needs at least one element");
  if (spec.cols < 0 && cols % spec.colsMultiple != 0)
    return error(NORM_ERROR_SHAPE_MISMATCH, 0,
                 "has H = " + std::to_string(cols) +
                     ", not a multiple of the kernel's vector width " +
                     std::to_string(spec.colsMultiple));
  if (spec.params.quantize &&
      spec.params.scheme == KernelParams::Scheme::PerGroup &&
      cols % spec.params.groupSize != 0)
    return error(NORM_ERROR_SHAPE_MISMATCH, 0,
                 "has H = " + std::to_string(cols) +
                     ", not a multiple of the group size " +
                     std::to_string(spec.params.groupSize));

  bool empty = rows == 0;
  for (size_t i = 0; i < expected; ++i) {
    const TensorArg &arg = spec.tensors[i];
    Status s;
    if (arg.role == TensorRole::Vector)
      s = checkVector(i);
    else if (arg.role == TensorRole::Scalar)
      s = checkScalar(i);
    else if (arg.role == TensorRole::Scales) {
      int64_t stride = 0;
      s = checkScales(i, stride);
      plan.scalars[arg.strideArg] = stride;
    }
    if (!s.ok())
      return s;
    // With no rows nothing is launched, and empty tensors may lack storage.
    if (!tensors[i].data && !empty)
      return error(NORM_ERROR_INVALID_ARGUMENT, i, "data is null");
    plan.pointers.push_back(tensors[i].data);
  }
  plan.scalars[0] = rows;
  plan.scalars[1] = cols;
  int64_t rowBlocks = (rows + spec.rowsPerBlock - 1) / spec.rowsPerBlock;
  int64_t grid =
      rowBlocks > INT32_MAX ? rowBlocks : rowBlocks * spec.blocksPerRow;
  if (grid > INT32_MAX)
    return Status::error(
        NORM_ERROR_TOO_LARGE,
        "kernel '" + spec.name + "': " + std::to_string(rows) + " rows need " +
            std::to_string(grid) +
            " blocks, more than the 2^31 - 1 a grid dimension holds");
  plan.gridBlocks = grid;
  plan.blockSize = spec.blockSize;
  plan.dynamicSharedMemory = spec.dynamicSharedMemory;
  return Status::success();
}

Status norm::runtime::checkArguments(const KernelSpec &spec,
                                     const norm_tensor_t *tensors,
                                     int64_t numTensors, LaunchPlan &plan) {
  return Checker(spec, tensors, plan).run(numTensors);
}
