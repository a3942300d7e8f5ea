//===- HipDriver.cpp - the HIP module API through dlopen --------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#include "Driver.h"

#include "norm-runtime/norm_bundle_schema.h"

#include <dlfcn.h>

using namespace norm::runtime;

namespace {
using hipError_t = int;
using Handle = void *;

constexpr int kHipMemcpyHostToDevice = 1;
constexpr int kHipMemcpyDeviceToHost = 2;
constexpr int kHipMemcpyDeviceToDevice = 3;

struct HipApi {
  hipError_t (*init)(unsigned);
  hipError_t (*getDeviceCount)(int *);
  hipError_t (*setDevice)(int);
  hipError_t (*deviceSynchronize)();
  hipError_t (*moduleLoadData)(Handle *, const void *);
  hipError_t (*moduleUnload)(Handle);
  hipError_t (*moduleGetFunction)(Handle *, Handle, const char *);
  hipError_t (*moduleLaunchKernel)(Handle, unsigned, unsigned, unsigned,
                                   unsigned, unsigned, unsigned, unsigned,
                                   Handle, void **, void **);
  hipError_t (*malloc)(void **, size_t);
  hipError_t (*free)(void *);
  hipError_t (*memcpy)(void *, const void *, size_t, int);
  hipError_t (*memcpyAsync)(void *, const void *, size_t, int, Handle);
  hipError_t (*memset)(void *, int, size_t);
  hipError_t (*eventCreate)(Handle *);
  hipError_t (*eventDestroy)(Handle);
  hipError_t (*eventRecord)(Handle, Handle);
  hipError_t (*eventSynchronize)(Handle);
  hipError_t (*eventElapsedTime)(float *, Handle, Handle);
  const char *(*getErrorName)(hipError_t);
};

class HipDriver final : public Driver {
public:
  ~HipDriver() override {
    if (library)
      dlclose(library);
  }

  Status open(int ordinal);

  norm_backend_t backend() const override { return NORM_BACKEND_HIP; }
  const std::string &chip() const override { return chipName; }
  // No kernel for AMD is persistent (see the manifest's "persistent"); the
  // count would need hipDeviceGetAttribute, whose enum moved between ROCm
  // releases.
  int64_t multiprocessors() const override { return 0; }
  // HIP exposes the gfx name only through a versioned properties struct;
  // instead every HSACO is offered and the loader rejects foreign ones.
  std::vector<const BinaryObject *>
  candidates(const Bundle &bundle) const override {
    std::vector<const BinaryObject *> result;
    for (const BinaryObject &object : bundle.objects())
      if (object.format == NORM_BINARY_FORMAT_HSACO)
        result.push_back(&object);
    return result;
  }
  Status loadModule(const BinaryObject &object, void *&module) override {
    Status s = check(api.moduleLoadData(&module, object.data.data()),
                     "hipModuleLoadData(" + object.file + ")");
    if (s.ok())
      chipName = object.chip;
    return s;
  }
  void unloadModule(void *module) override { api.moduleUnload(module); }
  Status getFunction(void *module, const std::string &name,
                     void *&function) override {
    return check(api.moduleGetFunction(&function, module, name.c_str()),
                 "hipModuleGetFunction(" + name + ")");
  }
  Status launch(void *function, int64_t grid, int64_t block, int64_t shared,
                void *stream, void **arguments) override {
    return check(api.moduleLaunchKernel(function, unsigned(grid), 1, 1,
                                        unsigned(block), 1, 1, unsigned(shared),
                                        stream, arguments, nullptr),
                 "hipModuleLaunchKernel");
  }
  Status allocate(size_t bytes, void *&pointer) override {
    return check(api.malloc(&pointer, bytes), "hipMalloc");
  }
  Status release(void *pointer) override {
    return check(api.free(pointer), "hipFree");
  }
  Status copyToDevice(void *device, const void *host, size_t bytes) override {
    return check(api.memcpy(device, host, bytes, kHipMemcpyHostToDevice),
                 "hipMemcpy");
  }
  Status copyToHost(void *host, const void *device, size_t bytes) override {
    return check(api.memcpy(host, device, bytes, kHipMemcpyDeviceToHost),
                 "hipMemcpy");
  }
  Status copyOnDevice(void *destination, const void *source, size_t bytes,
                      void *stream) override {
    return check(api.memcpyAsync(destination, source, bytes,
                                 kHipMemcpyDeviceToDevice, stream),
                 "hipMemcpyAsync");
  }
  Status fill(void *device, uint8_t value, size_t bytes) override {
    return check(api.memset(device, value, bytes), "hipMemset");
  }
  Status synchronize() override {
    return check(api.deviceSynchronize(), "hipDeviceSynchronize");
  }
  Status createEvent(void *&event) override {
    return check(api.eventCreate(&event), "hipEventCreate");
  }
  void destroyEvent(void *event) override { api.eventDestroy(event); }
  Status recordEvent(void *event, void *stream) override {
    return check(api.eventRecord(event, stream), "hipEventRecord");
  }
  Status elapsedMs(void *start, void *stop, float &ms) override {
    if (Status s = check(api.eventSynchronize(stop), "hipEventSynchronize");
        !s.ok())
      return s;
    return check(api.eventElapsedTime(&ms, start, stop), "hipEventElapsedTime");
  }

private:
  void *library = nullptr;
  HipApi api = {};
  std::string chipName = "amdgpu";

  Status check(hipError_t result, const std::string &call) const {
    if (result == 0)
      return Status::success();
    const char *name = api.getErrorName ? api.getErrorName(result) : nullptr;
    return Status::error(NORM_ERROR_DRIVER,
                         call +
                             " failed: " + (name ? name : "unknown HIP error") +
                             " (" + std::to_string(result) + ")");
  }
};
} // namespace

Status HipDriver::open(int ordinal) {
  if (Status s = openLibrary(
          "NORM_RUNTIME_HIP_LIBRARY",
          {"libamdhip64.so", "libamdhip64.so.6", "libamdhip64.so.7"},
          "HIP runtime", library);
      !s.ok())
    return s;
  std::string missing;
  auto bind = [&](auto &slot, const char *name) {
    if (void *symbol = dlsym(library, name))
      slot = reinterpret_cast<std::remove_reference_t<decltype(slot)>>(symbol);
    else
      missing += std::string(missing.empty() ? "" : ", ") + name;
  };
  bind(api.init, "hipInit");
  bind(api.getDeviceCount, "hipGetDeviceCount");
  bind(api.setDevice, "hipSetDevice");
  bind(api.deviceSynchronize, "hipDeviceSynchronize");
  bind(api.moduleLoadData, "hipModuleLoadData");
  bind(api.moduleUnload, "hipModuleUnload");
  bind(api.moduleGetFunction, "hipModuleGetFunction");
  bind(api.moduleLaunchKernel, "hipModuleLaunchKernel");
  bind(api.malloc, "hipMalloc");
  bind(api.free, "hipFree");
  bind(api.memcpy, "hipMemcpy");
  bind(api.memcpyAsync, "hipMemcpyAsync");
  bind(api.memset, "hipMemset");
  bind(api.eventCreate, "hipEventCreate");
  bind(api.eventDestroy, "hipEventDestroy");
  bind(api.eventRecord, "hipEventRecord");
  bind(api.eventSynchronize, "hipEventSynchronize");
  bind(api.eventElapsedTime, "hipEventElapsedTime");
  bind(api.getErrorName, "hipGetErrorName");
  if (!missing.empty())
    return Status::error(NORM_ERROR_NO_DRIVER,
                         "the HIP runtime lacks " + missing);
  if (Status s = check(api.init(0), "hipInit"); !s.ok()) {
    s.code = NORM_ERROR_NO_DEVICE;
    return s;
  }
  int count = 0;
  if (Status s = check(api.getDeviceCount(&count), "hipGetDeviceCount");
      !s.ok())
    return s;
  if (ordinal < 0 || ordinal >= count)
    return Status::error(NORM_ERROR_NO_DEVICE,
                         "HIP device " + std::to_string(ordinal) +
                             " does not exist (" + std::to_string(count) +
                             " present)");
  return check(api.setDevice(ordinal), "hipSetDevice");
}

Status norm::runtime::createHipDriver(int ordinal,
                                      std::unique_ptr<Driver> &driver) {
  auto hip = std::make_unique<HipDriver>();
  if (Status s = hip->open(ordinal); !s.ok())
    return s;
  driver = std::move(hip);
  return Status::success();
}
