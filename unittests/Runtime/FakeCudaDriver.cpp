//===- FakeCudaDriver.cpp - a CPU stand-in for libcuda.so.1 -----*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//
//
// Implements the CUDA driver entry points the runtime binds, on the CPU, so
// that binary selection, argument packing and driver error reporting are
// tested without a GPU. Tests steer it through fake_cuda_configure() and
// read back the last launch through fake_cuda_last_launch().
//
//===----------------------------------------------------------------------===//

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#define FAKE_API extern "C" __attribute__((visibility("default")))

namespace {
struct FakeState {
  int computeCapability = 90;
  int deviceCount = 1;
  int initError = 0;
  int loadError = 0;
  int launchError = 0;
  // Last launch.
  unsigned grid = 0, block = 0, shared = 0;
  int numParams = 0;
  uint64_t params[32] = {};
  std::string lastImage;
  int loads = 0;
};
FakeState state;
} // namespace

FAKE_API void fake_cuda_configure(int computeCapability, int deviceCount,
                                  int initError, int loadError,
                                  int launchError) {
  state = FakeState();
  state.computeCapability = computeCapability;
  state.deviceCount = deviceCount;
  state.initError = initError;
  state.loadError = loadError;
  state.launchError = launchError;
}

/// Copies the last launch's geometry and its first `count` 8-byte
/// arguments; returns the start of the module image that was loaded last.
FAKE_API const char *fake_cuda_last_launch(unsigned *grid, unsigned *block,
                                           unsigned *shared, uint64_t *params,
                                           int count) {
  *grid = state.grid;
  *block = state.block;
  *shared = state.shared;
  for (int i = 0; i < count && i < 32; ++i)
    params[i] = state.params[i];
  return state.lastImage.c_str();
}

FAKE_API int fake_cuda_loads() { return state.loads; }

FAKE_API int cuInit(unsigned) { return state.initError; }
FAKE_API int cuDeviceGetCount(int *count) {
  *count = state.deviceCount;
  return 0;
}
FAKE_API int cuDeviceGet(int *device, int ordinal) {
  *device = ordinal;
  return 0;
}
FAKE_API int cuDeviceGetAttribute(int *value, int attribute, int) {
  if (attribute == 75)
    *value = state.computeCapability / 10;
  else if (attribute == 76)
    *value = state.computeCapability % 10;
  else if (attribute == 16) // CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT
    *value = 132;
  else
    return 1; // CUDA_ERROR_INVALID_VALUE
  return 0;
}
FAKE_API int cuDevicePrimaryCtxRetain(void **context, int) {
  static int token;
  *context = &token;
  return 0;
}
FAKE_API int cuDevicePrimaryCtxRelease_v2(int) { return 0; }
FAKE_API int cuCtxSetCurrent(void *) { return 0; }
FAKE_API int cuCtxSynchronize() { return 0; }
FAKE_API int cuModuleLoadDataEx(void **module, const void *image, unsigned,
                                int *, void **) {
  if (state.loadError)
    return state.loadError;
  state.lastImage.assign(static_cast<const char *>(image),
                         strnlen(static_cast<const char *>(image), 64));
  ++state.loads;
  static int token;
  *module = &token;
  return 0;
}
FAKE_API int cuModuleUnload(void *) { return 0; }
FAKE_API int cuModuleGetFunction(void **function, void *, const char *name) {
  static int token;
  if (std::strstr(name, "missing"))
    return 500; // CUDA_ERROR_NOT_FOUND
  *function = &token;
  return 0;
}
FAKE_API int cuFuncSetAttribute(void *, int, int) { return 0; }
FAKE_API int cuLaunchKernel(void *, unsigned gx, unsigned, unsigned,
                            unsigned bx, unsigned, unsigned, unsigned shared,
                            void *, void **params, void **) {
  if (state.launchError)
    return state.launchError;
  state.grid = gx;
  state.block = bx;
  state.shared = shared;
  for (int i = 0; i < 32 && params[i]; ++i)
    std::memcpy(&state.params[i], params[i], 8);
  return 0;
}
FAKE_API int cuMemAlloc_v2(uint64_t *pointer, size_t bytes) {
  *pointer = reinterpret_cast<uint64_t>(
      std::aligned_alloc(256, (bytes + 255) / 256 * 256));
  return *pointer ? 0 : 2; // CUDA_ERROR_OUT_OF_MEMORY
}
FAKE_API int cuMemFree_v2(uint64_t pointer) {
  std::free(reinterpret_cast<void *>(pointer));
  return 0;
}
FAKE_API int cuMemcpyHtoD_v2(uint64_t device, const void *host, size_t n) {
  std::memcpy(reinterpret_cast<void *>(device), host, n);
  return 0;
}
FAKE_API int cuMemcpyDtoH_v2(void *host, uint64_t device, size_t n) {
  std::memcpy(host, reinterpret_cast<void *>(device), n);
  return 0;
}
FAKE_API int cuMemcpyDtoDAsync_v2(uint64_t d, uint64_t s, size_t n, void *) {
  std::memcpy(reinterpret_cast<void *>(d), reinterpret_cast<void *>(s), n);
  return 0;
}
FAKE_API int cuMemsetD8_v2(uint64_t device, unsigned char value, size_t n) {
  std::memset(reinterpret_cast<void *>(device), value, n);
  return 0;
}
FAKE_API int cuEventCreate(void **event, unsigned) {
  *event = new double(0);
  return 0;
}
FAKE_API int cuEventDestroy_v2(void *event) {
  delete static_cast<double *>(event);
  return 0;
}
FAKE_API int cuEventRecord(void *event, void *) {
  static double clock = 0;
  *static_cast<double *>(event) = (clock += 1.5);
  return 0;
}
FAKE_API int cuEventSynchronize(void *) { return 0; }
FAKE_API int cuEventElapsedTime_v2(float *ms, void *start, void *stop) {
  *ms = float(*static_cast<double *>(stop) - *static_cast<double *>(start));
  return 0;
}
FAKE_API int cuGetErrorName(int error, const char **name) {
  switch (error) {
  case 2:
    *name = "CUDA_ERROR_OUT_OF_MEMORY";
    return 0;
  case 100:
    *name = "CUDA_ERROR_NO_DEVICE";
    return 0;
  case 209:
    *name = "CUDA_ERROR_NO_BINARY_FOR_GPU";
    return 0;
  case 500:
    *name = "CUDA_ERROR_NOT_FOUND";
    return 0;
  case 700:
    *name = "CUDA_ERROR_ILLEGAL_ADDRESS";
    return 0;
  }
  return 1;
}
