//===- Runner.cpp - run the cases of one kernel -----------------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#include "Runner.h"

#include "norm-runtime/norm_bundle_schema.h"

#include <cstdio>

using namespace norm::run;

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
  p.scheme = raw.scheme == NORM_SCHEME_PER_GROUP ? NORM_SCHEME_NAME_PER_GROUP
             : raw.scheme == NORM_SCHEME_STATIC  ? NORM_SCHEME_NAME_STATIC
                                                 : NORM_SCHEME_NAME_PER_TOKEN;
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
    if (p.quantize && p.scheme == NORM_SCHEME_NAME_PER_GROUP &&
        cols % p.groupSize) {
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

void norm::run::listKernels(norm_bundle *bundle,
                            const std::vector<std::string> &names) {
  for (const std::string &name : names) {
    norm_kernel_info_t info;
    checkRuntime(norm_bundle_kernel_info(bundle, name.c_str(), &info),
                 "kernel info");
    std::printf("%s " NORM_KEY_OP "=%s H=%s block=%lld " NORM_KEY_ROWS_PER_BLOCK
                "=%lld " NORM_KEY_THREADS_PER_ROW "=%lld " NORM_KEY_VECTOR_WIDTH
                "=%lld%s tensors=",
                name.c_str(), info.op,
                info.cols > 0 ? std::to_string(info.cols).c_str() : "any",
                (long long)info.block_size, (long long)info.rows_per_block,
                (long long)info.threads_per_row, (long long)info.vector_width,
                info.blocks_per_row > 1 ? (" " NORM_KEY_BLOCKS_PER_ROW "=" +
                                           std::to_string(info.blocks_per_row))
                                              .c_str()
                                        : "");
    for (int64_t i = 0; i < info.num_tensors; ++i) {
      const char *tensorName;
      norm_dtype_t dtype;
      int64_t align;
      checkRuntime(norm_bundle_tensor_info(bundle, name.c_str(), i, &tensorName,
                                           &dtype, &align, nullptr),
                   "tensor info");
      std::printf("%s%s:%s", i ? "," : "", tensorName, norm_dtype_name(dtype));
    }
    std::printf("\n");
  }
}
