//===- Arguments.h - check launch arguments against a kernel ----*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_RUNTIME_LIB_ARGUMENTS_H
#define NORM_RUNTIME_LIB_ARGUMENTS_H

#include "Bundle.h"

namespace norm::runtime {

/// The kernel arguments and geometry of one checked launch.
struct LaunchPlan {
  std::vector<void *> pointers; // one per tensor, in signature order
  std::vector<int64_t> scalars; // rows, cols, strides (KernelSpec order)
  int64_t gridBlocks = 0;       // 0: nothing to launch
  int64_t blockSize = 0;
  int64_t dynamicSharedMemory = 0;
};

/// Checks `tensors` against `spec` (count, dtype, shape, strides, alignment,
/// sizes) and builds the launch. Messages name the offending tensor.
Status checkArguments(const KernelSpec &spec, const norm_tensor_t *tensors,
                      int64_t numTensors, LaunchPlan &plan);

} // namespace norm::runtime

#endif // NORM_RUNTIME_LIB_ARGUMENTS_H
