//===- Support.h - helpers shared by norm-run -------------------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_TOOLS_NORM_RUN_SUPPORT_H
#define NORM_TOOLS_NORM_RUN_SUPPORT_H

#include "norm-runtime/norm_runtime.h"
#include "norm/Reference/Reference.h"

#include <cstdint>
#include <functional>
#include <string>

namespace norm::run {

namespace ref = norm::ref;

/// Exits with the runtime's message when `status` is an error.
void checkRuntime(norm_status_t status, const std::string &what);

/// The runtime and the reference spell element types the same (MLIR) way.
ref::ElementType toRef(norm_dtype_t dtype);

/// Runs `body(begin, end)` over [0, count) in contiguous chunks on threads.
void parallelFor(int64_t count, unsigned threads,
                 const std::function<void(int64_t, int64_t)> &body);

/// Sum of `perRow(r)` over [0, rows), on threads.
int64_t parallelSum(int64_t rows, unsigned threads,
                    const std::function<int64_t(int64_t)> &perRow);

} // namespace norm::run

#endif // NORM_TOOLS_NORM_RUN_SUPPORT_H
