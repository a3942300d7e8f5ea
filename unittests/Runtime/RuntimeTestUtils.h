//===- RuntimeTestUtils.h - bundles on disk for runtime tests ---*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_UNITTESTS_RUNTIME_RUNTIMETESTUTILS_H
#define NORM_UNITTESTS_RUNTIME_RUNTIMETESTUTILS_H

#include "norm-runtime/Runtime.hpp"

#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <unistd.h>

namespace norm::test {

/// A manifest as norm-export-bundle writes it: four kernels covering every
/// tensor role, static and dynamic H, and three binaries.
inline std::string validManifest() {
  return R"({
  "format_version": 1,
  "kernels": {
    "add_dyn": {
      "args": [
        {"align": 2, "kind": "ptr", "name": "input", "role": "row", "type": "f16"},
        {"align": 2, "kind": "ptr", "name": "residual", "role": "row", "type": "f16"},
        {"align": 2, "kind": "ptr", "name": "gamma", "role": "vector", "type": "f16"},
        {"align": 2, "kind": "ptr", "name": "output", "role": "row", "type": "f16"},
        {"align": 2, "kind": "ptr", "name": "residual_out", "role": "row", "type": "f16"},
        {"kind": "i64", "name": "rows"},
        {"kind": "i64", "name": "cols"},
        {"kind": "i64", "name": "stride_input"},
        {"kind": "i64", "name": "stride_residual"},
        {"kind": "i64", "name": "stride_output"},
        {"kind": "i64", "name": "stride_residual_out"}
      ],
      "block_size": 256, "cols": -9223372036854775808, "cols_multiple": 1,
      "dynamic_shared_memory": 0, "op": "add_rmsnorm",
      "params": {"epsilon": 1e-05, "normalize": true, "quantize": false, "weight_offset": 0},
      "row_cached": false, "rows_per_block": 1, "threads_per_row": 256, "vector_width": 8
    },
    "qgroup": {
      "args": [
        {"align": 16, "kind": "ptr", "name": "input", "role": "row", "type": "bf16"},
        {"align": 8, "kind": "ptr", "name": "output", "role": "row", "type": "f8E4M3FN"},
        {"align": 4, "kind": "ptr", "name": "scales", "role": "scales", "type": "f32"},
        {"kind": "i64", "name": "rows"},
        {"kind": "i64", "name": "cols"},
        {"kind": "i64", "name": "stride_input"},
        {"kind": "i64", "name": "stride_output"},
        {"kind": "i64", "name": "stride_scales"}
      ],
      "block_size": 128, "cols": 512, "dynamic_shared_memory": 0, "op": "quantize",
      "params": {"group_size": 128, "min_scale": 4.3e-06, "normalize": false,
                 "quantize": true, "scale_layout": "col_major", "scheme": "per_group"},
      "row_cached": true, "rows_per_block": 2, "threads_per_row": 64, "vector_width": 8
    },
    "qstatic": {
      "args": [
        {"align": 16, "kind": "ptr", "name": "input", "role": "row", "type": "f32"},
        {"align": 4, "kind": "ptr", "name": "scale", "role": "scalar", "type": "f32"},
        {"align": 4, "kind": "ptr", "name": "output", "role": "row", "type": "i8"},
        {"kind": "i64", "name": "rows"},
        {"kind": "i64", "name": "cols"},
        {"kind": "i64", "name": "stride_input"},
        {"kind": "i64", "name": "stride_output"}
      ],
      "block_size": 128, "cols": 64, "dynamic_shared_memory": 0, "op": "quantize",
      "params": {"clip": 1.5, "min_scale": 1e-05, "normalize": false, "quantize": true,
                 "scheme": "static"},
      "row_cached": true, "rows_per_block": 8, "threads_per_row": 16, "vector_width": 4
    },
    "rms": {
      "args": [
        {"align": 16, "kind": "ptr", "name": "input", "role": "row", "type": "bf16"},
        {"align": 16, "kind": "ptr", "name": "gamma", "role": "vector", "type": "bf16"},
        {"align": 16, "kind": "ptr", "name": "output", "role": "row", "type": "bf16"},
        {"kind": "i64", "name": "rows"},
        {"kind": "i64", "name": "cols"},
        {"kind": "i64", "name": "stride_input"},
        {"kind": "i64", "name": "stride_output"}
      ],
      "block_size": 128, "cols": 4096, "dynamic_shared_memory": 0, "op": "rmsnorm",
      "params": {"epsilon": 1e-05, "normalize": true, "quantize": false, "weight_offset": 0},
      "row_cached": true, "rows_per_block": 1, "threads_per_row": 128, "vector_width": 8
    },
    "qtoken": {
      "args": [
        {"align": 16, "kind": "ptr", "name": "input", "role": "row", "type": "bf16"},
        {"align": 8, "kind": "ptr", "name": "output", "role": "row", "type": "f8E4M3FN"},
        {"align": 4, "kind": "ptr", "name": "scales", "role": "scales", "type": "f32"},
        {"kind": "i64", "name": "rows"},
        {"kind": "i64", "name": "cols"},
        {"kind": "i64", "name": "stride_input"},
        {"kind": "i64", "name": "stride_output"},
        {"kind": "i64", "name": "stride_scales"}
      ],
      "block_size": 128, "cols": 4096, "dynamic_shared_memory": 0, "op": "quantize",
      "params": {"min_scale": 4.3e-06, "normalize": false, "quantize": true,
                 "scheme": "per_token", "scale_ub": 1200.0},
      "row_cached": true, "rows_per_block": 1, "threads_per_row": 128, "vector_width": 8
    }
  },
  "objects": [
    {"binary": "norm_kernels", "chip": "sm_80", "file": "norm_kernels.sm_80.ptx", "format": "ptx"},
    {"binary": "norm_kernels", "chip": "sm_90", "file": "norm_kernels.sm_90.cubin", "format": "cubin"},
    {"binary": "norm_kernels", "chip": "sm_90a", "file": "norm_kernels.sm_90a.cubin", "format": "cubin"},
    {"binary": "norm_kernels", "chip": "sm_100", "file": "norm_kernels.sm_100.cubin", "format": "cubin"}
  ]
})";
}

/// A bundle directory under /tmp, removed when the object dies.
class TempBundle {
public:
  explicit TempBundle(const std::string &manifest, bool withFiles = true) {
    char pattern[] = "/tmp/norm-runtime-test-XXXXXX";
    dir = mkdtemp(pattern);
    write("manifest.json", manifest);
    if (withFiles)
      for (const char *chip :
           {"sm_80.ptx", "sm_90.cubin", "sm_90a.cubin", "sm_100.cubin"})
        write(std::string("norm_kernels.") + chip,
              std::string("FAKE-BINARY ") + chip);
  }
  ~TempBundle() { std::system(("rm -rf '" + dir + "'").c_str()); }

  void write(const std::string &file, const std::string &contents) {
    std::ofstream(dir + "/" + file, std::ios::binary) << contents;
  }
  void remove(const std::string &file) { unlink((dir + "/" + file).c_str()); }
  const std::string &path() const { return dir; }

private:
  std::string dir;
};

/// A tensor view (row-major unless strides are given).
inline norm_tensor_t tensor(void *data, norm_dtype_t dtype,
                            std::initializer_list<int64_t> shape,
                            std::initializer_list<int64_t> strides = {}) {
  return norm::makeTensor(data, dtype, shape, strides);
}

/// A well-aligned fake device address (never dereferenced on the CPU).
inline void *fakeAddress(uintptr_t offset = 0) {
  return reinterpret_cast<void *>(uintptr_t(1) << 32 | offset);
}

} // namespace norm::test

#endif // NORM_UNITTESTS_RUNTIME_RUNTIMETESTUTILS_H
