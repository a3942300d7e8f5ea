//===- Runtime.hpp - C++ wrapper of the norm runtime ------------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//
//
// Owning handles over the C API. Errors are returned, never thrown: every
// call gives a norm_status_t and norm::Error::last() its message.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_RUNTIME_RUNTIME_HPP
#define NORM_RUNTIME_RUNTIME_HPP

#include "norm-runtime/norm_runtime.h"

#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

namespace norm {

inline std::string lastError() { return norm_last_error(); }

/// A tensor view; shape and strides are in elements, row-major by default.
inline norm_tensor_t makeTensor(void *data, norm_dtype_t dtype,
                                std::initializer_list<int64_t> shape,
                                std::initializer_list<int64_t> strides = {}) {
  norm_tensor_t t = {};
  t.data = data;
  t.dtype = dtype;
  t.rank = static_cast<int32_t>(shape.size());
  int i = 0;
  for (int64_t size : shape)
    t.shape[i++] = size;
  if (strides.size() == shape.size()) {
    i = 0;
    for (int64_t stride : strides)
      t.strides[i++] = stride;
  } else {
    int64_t stride = 1;
    for (int d = t.rank - 1; d >= 0; --d) {
      t.strides[d] = stride;
      stride *= t.shape[d];
    }
  }
  return t;
}

class Bundle {
public:
  norm_status_t open(const std::string &directory) {
    norm_bundle *raw = nullptr;
    norm_status_t status = norm_bundle_open(directory.c_str(), &raw);
    handle.reset(raw);
    return status;
  }
  norm_bundle *get() const { return handle.get(); }
  std::vector<std::string> kernelNames() const {
    std::vector<std::string> names;
    for (size_t i = 0; i < norm_bundle_num_kernels(get()); ++i)
      names.emplace_back(norm_bundle_kernel_name(get(), i));
    return names;
  }

private:
  struct Close {
    void operator()(norm_bundle *b) const { norm_bundle_close(b); }
  };
  std::unique_ptr<norm_bundle, Close> handle;
};

class Context {
public:
  norm_status_t create(norm_backend_t backend = NORM_BACKEND_AUTO,
                       int ordinal = 0) {
    norm_context *raw = nullptr;
    norm_status_t status = norm_context_create(backend, ordinal, &raw);
    handle.reset(raw);
    return status;
  }
  norm_context *get() const { return handle.get(); }
  std::string chip() const { return norm_context_chip(get()); }

  norm_status_t launch(Bundle &bundle, const std::string &kernel,
                       const std::vector<norm_tensor_t> &tensors,
                       void *stream = nullptr) {
    return norm_launch(get(), bundle.get(), kernel.c_str(), stream,
                       tensors.data(), int64_t(tensors.size()));
  }

private:
  struct Destroy {
    void operator()(norm_context *c) const { norm_context_destroy(c); }
  };
  std::unique_ptr<norm_context, Destroy> handle;
};

} // namespace norm

#endif // NORM_RUNTIME_RUNTIME_HPP
