//===- Runner.h - one kernel of a bundle, run -------------------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//
//
// Runs the kernels of a bundle case by case (rows x H): makes the tensors
// and fills the inputs (Inputs.cpp), computes the float64 reference
// (Expected.cpp), runs the kernel and compares (Check.cpp), or times it
// (Bench.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef NORM_TOOLS_NORM_RUN_RUNNER_H
#define NORM_TOOLS_NORM_RUN_RUNNER_H

#include "Options.h"
#include "Support.h"

#include <optional>
#include <string>
#include <vector>

namespace norm::run {

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
  std::string scheme; // NORM_SCHEME_NAME_*
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

/// The tensors of one case by name; null where the kernel has none.
struct CaseTensors {
  TensorSlot *input, *residual, *gamma, *smooth, *scale;
  TensorSlot *output, *residualOut, *normalized, *scales;
};

/// The float64 reference's outputs of one case.
struct Expected {
  ref::HostMatrix output;
  std::optional<ref::HostMatrix> residual, normalized;
  /// Scales per row (1 unless per-group), row-major.
  int64_t groupsPerRow = 1;
  std::vector<float> scales;
};

/// Computes the reference of one case from the host copies of its inputs,
/// in row chunks on threads; exits with status 2 when the reference fails.
Expected computeExpected(const std::string &name, const Options &o,
                         const KernelMath &p, const CaseTensors &tensors,
                         int64_t rows, int64_t cols);

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

/// Prints one line per kernel of `names` (--list; no GPU needed).
void listKernels(norm_bundle *bundle, const std::vector<std::string> &names);

} // namespace norm::run

#endif // NORM_TOOLS_NORM_RUN_RUNNER_H
