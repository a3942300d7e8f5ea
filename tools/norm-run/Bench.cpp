//===- Bench.cpp - norm-run --bench -----------------------------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//
//
// Times a kernel with device events over input/output sets that rotate so
// that L2 does not hold them, next to a device copy of the same size.
//
//===----------------------------------------------------------------------===//

#include "Runner.h"

#include <algorithm>
#include <cstdio>

using namespace norm::run;

void Runner::bench(const std::string &name, const norm_kernel_info_t &info,
                   const KernelMath &p, int64_t rows, int64_t cols) {
  std::vector<TensorSlot> slots = makeSlots(name, info, p, rows, cols, 0);
  fillInputs(slots, p, rows, cols);
  // Bytes the op must move: each row/scales tensor once, vectors once.
  size_t setBytes = 0, movedBytes = 0;
  for (const TensorSlot &slot : slots) {
    setBytes += slot.bytes;
    movedBytes += slot.bytes;
  }
  int sets = int(std::max<int64_t>(
      1, std::min<int64_t>(64, (o.rotateBytes + int64_t(setBytes) - 1) /
                                   int64_t(setBytes))));
  std::vector<std::vector<norm_tensor_t>> views(sets);
  std::vector<void *> allocations;
  for (int s = 0; s < sets; ++s)
    for (TensorSlot &slot : slots) {
      void *device = nullptr;
      checkRuntime(norm_malloc(context, slot.bytes, &device), "malloc");
      allocations.push_back(device);
      checkRuntime(
          norm_memcpy_to_device(context, device, slot.host->data(), slot.bytes),
          "upload");
      norm_tensor_t view = slot.view;
      view.data = device;
      views[s].push_back(view);
    }
  auto launch = [&](int s) {
    checkRuntime(norm_launch(context, bundle, name.c_str(), nullptr,
                             views[s].data(), int64_t(views[s].size())),
                 "launch " + name);
  };
  for (int i = 0; i < std::max(5, sets); ++i)
    launch(i % sets);
  checkRuntime(norm_synchronize(context), "warm-up");
  norm_timer *timer = nullptr;
  checkRuntime(norm_timer_create(context, &timer), "timer");
  checkRuntime(norm_timer_start(timer, nullptr), "timer");
  for (int i = 0; i < o.iterations; ++i)
    launch(i % sets);
  checkRuntime(norm_timer_stop(timer, nullptr), "timer");
  float ms = 0;
  checkRuntime(norm_timer_elapsed_ms(timer, &ms), "timer");
  double us = ms * 1000.0 / o.iterations;

  // Copy bandwidth on a buffer as large as one set, same rotation.
  size_t copyBytes = std::max<size_t>(setBytes / 2, 1 << 20);
  std::vector<void *> copyBuffers;
  for (int s = 0; s < 2 * sets; ++s) {
    void *device = nullptr;
    checkRuntime(norm_malloc(context, copyBytes, &device), "malloc");
    copyBuffers.push_back(device);
  }
  for (int i = 0; i < 5; ++i)
    checkRuntime(norm_memcpy_device(context, copyBuffers[1], copyBuffers[0],
                                    copyBytes, nullptr),
                 "copy");
  checkRuntime(norm_timer_start(timer, nullptr), "timer");
  for (int i = 0; i < o.iterations; ++i) {
    int s = i % sets;
    checkRuntime(norm_memcpy_device(context, copyBuffers[2 * s + 1],
                                    copyBuffers[2 * s], copyBytes, nullptr),
                 "copy");
  }
  checkRuntime(norm_timer_stop(timer, nullptr), "timer");
  float copyMs = 0;
  checkRuntime(norm_timer_elapsed_ms(timer, &copyMs), "timer");
  double copyGBs = 2.0 * copyBytes * o.iterations / (copyMs * 1e6);
  norm_timer_destroy(timer);
  for (void *device : copyBuffers)
    checkRuntime(norm_free(context, device), "free");
  for (void *device : allocations)
    checkRuntime(norm_free(context, device), "free");

  double gbs = movedBytes / (us * 1e3);
  std::printf("BENCH %s rows=%lld H=%lld time_us=%.2f GB/s=%.1f "
              "copy_GB/s=%.1f pct_of_copy=%.1f sets=%d\n",
              name.c_str(), (long long)rows, (long long)cols, us, gbs, copyGBs,
              100.0 * gbs / copyGBs, sets);
}
