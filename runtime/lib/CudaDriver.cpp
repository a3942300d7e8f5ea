//===- CudaDriver.cpp - the CUDA driver API through dlopen ------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#include "Driver.h"

#include "norm-runtime/norm_bundle_schema.h"

#include <algorithm>
#include <dlfcn.h>

using namespace norm::runtime;

namespace {
// The few CUDA driver types the runtime needs, with their ABI (cuda.h).
using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using Handle = void *;

constexpr int kMultiprocessorCount = 16;
constexpr int kComputeCapabilityMajor = 75;
constexpr int kComputeCapabilityMinor = 76;

struct CudaApi {
  CUresult (*init)(unsigned);
  CUresult (*deviceGetCount)(int *);
  CUresult (*deviceGet)(CUdevice *, int);
  CUresult (*deviceGetAttribute)(int *, int, CUdevice);
  CUresult (*primaryCtxRetain)(Handle *, CUdevice);
  CUresult (*primaryCtxRelease)(CUdevice);
  CUresult (*ctxSetCurrent)(Handle);
  CUresult (*ctxSynchronize)();
  CUresult (*moduleLoadDataEx)(Handle *, const void *, unsigned, int *,
                               void **);
  CUresult (*moduleUnload)(Handle);
  CUresult (*moduleGetFunction)(Handle *, Handle, const char *);
  CUresult (*funcSetAttribute)(Handle, int, int);
  CUresult (*launchKernel)(Handle, unsigned, unsigned, unsigned, unsigned,
                           unsigned, unsigned, unsigned, Handle, void **,
                           void **);
  CUresult (*memAlloc)(CUdeviceptr *, size_t);
  CUresult (*memFree)(CUdeviceptr);
  CUresult (*memcpyHtoD)(CUdeviceptr, const void *, size_t);
  CUresult (*memcpyDtoH)(void *, CUdeviceptr, size_t);
  CUresult (*memcpyDtoDAsync)(CUdeviceptr, CUdeviceptr, size_t, Handle);
  CUresult (*memsetD8)(CUdeviceptr, unsigned char, size_t);
  CUresult (*eventCreate)(Handle *, unsigned);
  CUresult (*eventDestroy)(Handle);
  CUresult (*eventRecord)(Handle, Handle);
  CUresult (*eventSynchronize)(Handle);
  CUresult (*eventElapsedTime)(float *, Handle, Handle);
  CUresult (*getErrorName)(CUresult, const char **);
};

class CudaDriver final : public Driver {
public:
  ~CudaDriver() override {
    if (context)
      api.primaryCtxRelease(device);
    if (library)
      dlclose(library);
  }

  Status open(int ordinal);

  norm_backend_t backend() const override { return NORM_BACKEND_CUDA; }
  const std::string &chip() const override { return chipName; }
  int64_t multiprocessors() const override { return multiprocessorCount; }
  std::vector<const BinaryObject *>
  candidates(const Bundle &bundle) const override;
  Status loadModule(const BinaryObject &object, void *&module) override {
    return check(
        api.moduleLoadDataEx(&module, object.data.data(), 0, nullptr, nullptr),
        "cuModuleLoadDataEx(" + object.file + ")");
  }
  void unloadModule(void *module) override { api.moduleUnload(module); }
  Status getFunction(void *module, const std::string &name,
                     void *&function) override {
    return check(api.moduleGetFunction(&function, module, name.c_str()),
                 "cuModuleGetFunction(" + name + ")");
  }
  Status launch(void *function, int64_t grid, int64_t block, int64_t shared,
                void *stream, void **arguments) override {
    // Beyond 48 KiB of dynamic shared memory a kernel must opt in.
    constexpr int kMaxDynamicSharedSizeBytes = 8;
    if (shared > 48 * 1024)
      if (Status s =
              check(api.funcSetAttribute(function, kMaxDynamicSharedSizeBytes,
                                         int(shared)),
                    "cuFuncSetAttribute");
          !s.ok())
        return s;
    return check(api.launchKernel(function, unsigned(grid), 1, 1,
                                  unsigned(block), 1, 1, unsigned(shared),
                                  stream, arguments, nullptr),
                 "cuLaunchKernel");
  }
  Status allocate(size_t bytes, void *&pointer) override {
    CUdeviceptr address = 0;
    Status s = check(api.memAlloc(&address, bytes), "cuMemAlloc");
    pointer = reinterpret_cast<void *>(address);
    return s;
  }
  Status release(void *pointer) override {
    return check(api.memFree(CUdeviceptr(pointer)), "cuMemFree");
  }
  Status copyToDevice(void *device, const void *host, size_t bytes) override {
    return check(api.memcpyHtoD(CUdeviceptr(device), host, bytes),
                 "cuMemcpyHtoD");
  }
  Status copyToHost(void *host, const void *device, size_t bytes) override {
    return check(api.memcpyDtoH(host, CUdeviceptr(device), bytes),
                 "cuMemcpyDtoH");
  }
  Status copyOnDevice(void *destination, const void *source, size_t bytes,
                      void *stream) override {
    return check(api.memcpyDtoDAsync(CUdeviceptr(destination),
                                     CUdeviceptr(source), bytes, stream),
                 "cuMemcpyDtoDAsync");
  }
  Status fill(void *device, uint8_t value, size_t bytes) override {
    return check(api.memsetD8(CUdeviceptr(device), value, bytes), "cuMemsetD8");
  }
  Status synchronize() override {
    return check(api.ctxSynchronize(), "cuCtxSynchronize");
  }
  Status createEvent(void *&event) override {
    return check(api.eventCreate(&event, 0), "cuEventCreate");
  }
  void destroyEvent(void *event) override { api.eventDestroy(event); }
  Status recordEvent(void *event, void *stream) override {
    return check(api.eventRecord(event, stream), "cuEventRecord");
  }
  Status elapsedMs(void *start, void *stop, float &ms) override {
    if (Status s = check(api.eventSynchronize(stop), "cuEventSynchronize");
        !s.ok())
      return s;
    return check(api.eventElapsedTime(&ms, start, stop), "cuEventElapsedTime");
  }

private:
  void *library = nullptr;
  CudaApi api = {};
  CUdevice device = 0;
  Handle context = nullptr;
  int major = 0, minor = 0, multiprocessorCount = 0;
  std::string chipName;

  Status check(CUresult result, const std::string &call) const {
    if (result == 0)
      return Status::success();
    const char *name = nullptr;
    if (!api.getErrorName || api.getErrorName(result, &name) != 0 || !name)
      name = "unknown CUDA error";
    return Status::error(NORM_ERROR_DRIVER, call + " failed: " + name + " (" +
                                                std::to_string(result) + ")");
  }
};
} // namespace

Status norm::runtime::openLibrary(const char *environmentVariable,
                                  std::initializer_list<const char *> defaults,
                                  const char *what, void *&handle) {
  std::string tried;
  auto attempt = [&](const char *path) {
    handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char *why = dlerror();
      tried += std::string(tried.empty() ? "" : "; ") + (why ? why : path);
    }
    return handle != nullptr;
  };
  if (const char *path = getenv(environmentVariable); path && *path) {
    if (attempt(path))
      return Status::success();
    return Status::error(NORM_ERROR_NO_DRIVER,
                         std::string("cannot load the ") + what + " named by " +
                             environmentVariable + ": " + tried);
  }
  for (const char *path : defaults)
    if (attempt(path))
      return Status::success();
  return Status::error(NORM_ERROR_NO_DRIVER,
                       std::string("cannot load the ") + what + ": " + tried);
}

Status CudaDriver::open(int ordinal) {
  if (Status s = openLibrary("NORM_RUNTIME_CUDA_LIBRARY", {"libcuda.so.1"},
                             "CUDA driver", library);
      !s.ok())
    return s;
  std::string missing;
  auto bind = [&](auto &slot, std::initializer_list<const char *> names) {
    for (const char *name : names)
      if (void *symbol = dlsym(library, name)) {
        slot =
            reinterpret_cast<std::remove_reference_t<decltype(slot)>>(symbol);
        return;
      }
    missing += std::string(missing.empty() ? "" : ", ") + *names.begin();
  };
  bind(api.init, {"cuInit"});
  bind(api.deviceGetCount, {"cuDeviceGetCount"});
  bind(api.deviceGet, {"cuDeviceGet"});
  bind(api.deviceGetAttribute, {"cuDeviceGetAttribute"});
  bind(api.primaryCtxRetain, {"cuDevicePrimaryCtxRetain"});
  bind(api.primaryCtxRelease,
       {"cuDevicePrimaryCtxRelease_v2", "cuDevicePrimaryCtxRelease"});
  bind(api.ctxSetCurrent, {"cuCtxSetCurrent"});
  bind(api.ctxSynchronize, {"cuCtxSynchronize"});
  bind(api.moduleLoadDataEx, {"cuModuleLoadDataEx"});
  bind(api.moduleUnload, {"cuModuleUnload"});
  bind(api.moduleGetFunction, {"cuModuleGetFunction"});
  bind(api.funcSetAttribute, {"cuFuncSetAttribute"});
  bind(api.launchKernel, {"cuLaunchKernel"});
  bind(api.memAlloc, {"cuMemAlloc_v2"});
  bind(api.memFree, {"cuMemFree_v2"});
  bind(api.memcpyHtoD, {"cuMemcpyHtoD_v2"});
  bind(api.memcpyDtoH, {"cuMemcpyDtoH_v2"});
  bind(api.memcpyDtoDAsync, {"cuMemcpyDtoDAsync_v2"});
  bind(api.memsetD8, {"cuMemsetD8_v2"});
  bind(api.eventCreate, {"cuEventCreate"});
  bind(api.eventDestroy, {"cuEventDestroy_v2", "cuEventDestroy"});
  bind(api.eventRecord, {"cuEventRecord"});
  bind(api.eventSynchronize, {"cuEventSynchronize"});
  bind(api.eventElapsedTime, {"cuEventElapsedTime_v2", "cuEventElapsedTime"});
  bind(api.getErrorName, {"cuGetErrorName"});
  if (!missing.empty())
    return Status::error(NORM_ERROR_NO_DRIVER,
                         "the CUDA driver lacks " + missing);

  if (Status s = check(api.init(0), "cuInit"); !s.ok()) {
    s.code = NORM_ERROR_NO_DEVICE;
    return s;
  }
  int count = 0;
  if (Status s = check(api.deviceGetCount(&count), "cuDeviceGetCount"); !s.ok())
    return s;
  if (ordinal < 0 || ordinal >= count)
    return Status::error(NORM_ERROR_NO_DEVICE,
                         "CUDA device " + std::to_string(ordinal) +
                             " does not exist (" + std::to_string(count) +
                             " present)");
  if (Status s = check(api.deviceGet(&device, ordinal), "cuDeviceGet"); !s.ok())
    return s;
  if (Status s =
          check(api.deviceGetAttribute(&major, kComputeCapabilityMajor, device),
                "cuDeviceGetAttribute");
      !s.ok())
    return s;
  if (Status s =
          check(api.deviceGetAttribute(&minor, kComputeCapabilityMinor, device),
                "cuDeviceGetAttribute");
      !s.ok())
    return s;
  chipName = "sm_" + std::to_string(major * 10 + minor);
  // Unknown (0) if the driver will not say: persistent kernels then get a
  // block per row, which is as correct.
  if (api.deviceGetAttribute(&multiprocessorCount, kMultiprocessorCount,
                             device) != 0)
    multiprocessorCount = 0;
  if (Status s = check(api.primaryCtxRetain(&context, device),
                       "cuDevicePrimaryCtxRetain");
      !s.ok())
    return s;
  return check(api.ctxSetCurrent(context), "cuCtxSetCurrent");
}

/// sm_90a -> 90; nullopt for chips that are not "sm_<digits>[a|f]".
static std::optional<int> smVersion(const std::string &chip,
                                    bool &archSpecific) {
  archSpecific = false;
  if (chip.rfind("sm_", 0) != 0 || chip.size() < 5)
    return std::nullopt;
  std::string digits = chip.substr(3);
  if (digits.back() == 'a' || digits.back() == 'f') {
    archSpecific = digits.back() == 'a';
    digits.pop_back();
  }
  if (digits.empty() || !std::all_of(digits.begin(), digits.end(), ::isdigit))
    return std::nullopt;
  return std::stoi(digits);
}

std::vector<const BinaryObject *>
CudaDriver::candidates(const Bundle &bundle) const {
  int version = major * 10 + minor;
  // A cubin runs on its own major version at an equal or newer minor
  // ("sm_90a" only on 9.0); PTX is JIT-compiled for any newer device.
  std::vector<std::pair<int, const BinaryObject *>> ranked;
  for (const BinaryObject &object : bundle.objects()) {
    bool archSpecific = false;
    std::optional<int> sm = smVersion(object.chip, archSpecific);
    if (!sm || *sm > version)
      continue;
    // Architecture-specific code ("sm_90a") runs on exactly that chip.
    if (archSpecific && *sm != version)
      continue;
    int rank;
    if (object.format == NORM_BINARY_FORMAT_CUBIN) {
      if (*sm / 10 != version / 10)
        continue;
      rank = 3000 + *sm * 2 + archSpecific;
    } else if (object.format == NORM_BINARY_FORMAT_FATBIN) {
      rank = 2000 + *sm;
    } else if (object.format == NORM_BINARY_FORMAT_PTX) {
      rank = 1000 + *sm;
    } else {
      continue;
    }
    ranked.emplace_back(rank, &object);
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](auto &a, auto &b) { return a.first > b.first; });
  std::vector<const BinaryObject *> result;
  for (auto &[rank, object] : ranked)
    result.push_back(object);
  return result;
}

Status norm::runtime::createCudaDriver(int ordinal,
                                       std::unique_ptr<Driver> &driver) {
  auto cuda = std::make_unique<CudaDriver>();
  if (Status s = cuda->open(ordinal); !s.ok())
    return s;
  driver = std::move(cuda);
  return Status::success();
}
