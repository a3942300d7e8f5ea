//===- norm-run.cpp - run norm kernels on a GPU and check them --*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//
//
// Loads a kernel bundle (or compiles a .mlir file with norm-opt), fills the
// inputs with seeded random data, poisons the outputs, runs each kernel on
// the GPU through libnorm_runtime and compares with the float64 reference.
// With --bench it times the kernels with device events instead.
//
// Options.cpp parses the command line, Compile.cpp compiles .mlir inputs,
// Runner.cpp runs a kernel's cases, Inputs.cpp makes their tensors and data,
// Expected.cpp the reference, Check.cpp the comparison and Bench.cpp the
// timing.
//
// Exit status: 0 all checks passed, 1 a mismatch, 2 a usage or runtime
// error.
//
//===----------------------------------------------------------------------===//

#include "Options.h"
#include "Runner.h"

#include <algorithm>
#include <cstdio>

using namespace norm::run;

int main(int argc, char **argv) {
  Options o = parseOptions(argc, argv);
  std::string bundleDir = o.input;
  if (bundleDir.size() > 5 &&
      bundleDir.compare(bundleDir.size() - 5, 5, ".mlir") == 0)
    bundleDir = compileModule(o);

  norm_bundle *bundle = nullptr;
  checkRuntime(norm_bundle_open(bundleDir.c_str(), &bundle),
               "opening " + bundleDir);

  std::vector<std::string> names;
  for (size_t i = 0; i < norm_bundle_num_kernels(bundle); ++i)
    names.push_back(norm_bundle_kernel_name(bundle, i));
  if (!o.kernels.empty()) {
    for (const std::string &k : o.kernels)
      if (std::find(names.begin(), names.end(), k) == names.end()) {
        std::fprintf(stderr, "norm-run: no kernel '%s' in %s\n", k.c_str(),
                     bundleDir.c_str());
        return 2;
      }
    names = o.kernels;
  }
  if (o.list) {
    listKernels(bundle, names);
    norm_bundle_close(bundle);
    return 0;
  }

  norm_backend_t backend = o.backend == "cuda"  ? NORM_BACKEND_CUDA
                           : o.backend == "hip" ? NORM_BACKEND_HIP
                                                : NORM_BACKEND_AUTO;
  norm_context *context = nullptr;
  checkRuntime(norm_context_create(backend, o.device, &context),
               "opening the GPU");
  const char *file = nullptr;
  checkRuntime(norm_select_binary(context, bundle, &file), "loading binary");
  std::printf("device %s, binary %s\n", norm_context_chip(context), file);

  Runner runner(o, bundle, context);
  Totals totals;
  for (const std::string &name : names)
    runner.runKernel(name, totals);
  if (!o.bench)
    std::printf("%s: %lld cases, %lld failed, %lld skipped\n",
                totals.failures ? "FAILED" : "PASSED", (long long)totals.cases,
                (long long)totals.failures, (long long)totals.skipped);
  norm_context_destroy(context);
  norm_bundle_close(bundle);
  return totals.failures ? 1 : 0;
}
