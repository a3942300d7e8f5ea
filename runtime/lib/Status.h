//===- Status.h - runtime error reporting -----------------------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_RUNTIME_LIB_STATUS_H
#define NORM_RUNTIME_LIB_STATUS_H

#include "norm-runtime/norm_runtime.h"

#include <string>
#include <utility>

namespace norm::runtime {

/// A status code with the message norm_last_error() will return.
struct [[nodiscard]] Status {
  norm_status_t code = NORM_SUCCESS;
  std::string message;

  static Status success() { return {}; }
  static Status error(norm_status_t code, std::string message) {
    return {code, std::move(message)};
  }
  bool ok() const { return code == NORM_SUCCESS; }
};

} // namespace norm::runtime

#endif // NORM_RUNTIME_LIB_STATUS_H
