//===- Support.cpp - helpers shared by norm-run -----------------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#include "Support.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

using namespace norm::run;

/// Exits with the runtime's message when `status` is an error.
void norm::run::checkRuntime(norm_status_t status, const std::string &what) {
  if (status == NORM_SUCCESS)
    return;
  std::fprintf(stderr, "norm-run: %s: %s: %s\n", what.c_str(),
               norm_status_name(status), norm_last_error());
  std::exit(2);
}

/// The runtime and the reference spell element types the same (MLIR) way.
ref::ElementType norm::run::toRef(norm_dtype_t dtype) {
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
void norm::run::parallelFor(int64_t count, unsigned threads,
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
int64_t norm::run::parallelSum(int64_t rows, unsigned threads,
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
