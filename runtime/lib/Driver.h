//===- Driver.h - the GPU driver behind a runtime context -------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//
//
// CUDA and HIP are reached through dlopen() so that the runtime neither
// needs their headers to build nor their libraries to load.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_RUNTIME_LIB_DRIVER_H
#define NORM_RUNTIME_LIB_DRIVER_H

#include "Bundle.h"

#include <memory>

namespace norm::runtime {

class Driver {
public:
  virtual ~Driver() = default;

  virtual norm_backend_t backend() const = 0;
  /// "sm_90", "gfx942" (AMD: known once a binary loaded, else "amdgpu").
  virtual const std::string &chip() const = 0;
  /// Streaming multiprocessors (compute units) of the device; 0 when
  /// unknown.
  virtual int64_t multiprocessors() const = 0;

  /// The objects of `bundle` worth trying on this device, best first.
  virtual std::vector<const BinaryObject *>
  candidates(const Bundle &bundle) const = 0;
  /// Loads one binary; fails with the driver's error name.
  virtual Status loadModule(const BinaryObject &object, void *&module) = 0;
  virtual void unloadModule(void *module) = 0;
  virtual Status getFunction(void *module, const std::string &name,
                             void *&function) = 0;
  virtual Status launch(void *function, int64_t gridBlocks, int64_t blockSize,
                        int64_t sharedBytes, void *stream,
                        void **arguments) = 0;

  virtual Status allocate(size_t bytes, void *&pointer) = 0;
  virtual Status release(void *pointer) = 0;
  virtual Status copyToDevice(void *device, const void *host, size_t bytes) = 0;
  virtual Status copyToHost(void *host, const void *device, size_t bytes) = 0;
  virtual Status copyOnDevice(void *destination, const void *source,
                              size_t bytes, void *stream) = 0;
  virtual Status fill(void *device, uint8_t value, size_t bytes) = 0;
  virtual Status synchronize() = 0;

  virtual Status createEvent(void *&event) = 0;
  virtual void destroyEvent(void *event) = 0;
  virtual Status recordEvent(void *event, void *stream) = 0;
  virtual Status elapsedMs(void *start, void *stop, float &ms) = 0;
};

/// Opens the CUDA driver (NORM_RUNTIME_CUDA_LIBRARY or libcuda.so.1) and
/// device `ordinal`.
Status createCudaDriver(int ordinal, std::unique_ptr<Driver> &driver);
/// Opens HIP (NORM_RUNTIME_HIP_LIBRARY or libamdhip64.so) and device
/// `ordinal`.
Status createHipDriver(int ordinal, std::unique_ptr<Driver> &driver);

/// dlopen() with the library named by `environmentVariable` if set, else
/// the first of `defaults` that loads. Fails with NORM_ERROR_NO_DRIVER.
Status openLibrary(const char *environmentVariable,
                   std::initializer_list<const char *> defaults,
                   const char *what, void *&handle);

} // namespace norm::runtime

#endif // NORM_RUNTIME_LIB_DRIVER_H
