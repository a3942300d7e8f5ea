//===- Runtime.cpp - the norm runtime C API ---------------------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#include "norm-runtime/norm_bundle_schema.h"
#include "norm-runtime/norm_runtime.h"

#include "Arguments.h"
#include "Bundle.h"
#include "Driver.h"

#include <map>
#include <mutex>
#include <set>

using namespace norm::runtime;

struct norm_context {
  std::unique_ptr<Driver> driver;
  /// Bundles whose module lives in this context.
  std::set<norm_bundle *> loaded;
};

struct norm_bundle {
  Bundle bundle;
  std::mutex mutex; // guards the loaded module below
  norm_context *owner = nullptr;
  void *module = nullptr;
  const BinaryObject *selected = nullptr;
  std::map<std::string, void *> functions;

  void unload() {
    if (owner && module)
      owner->driver->unloadModule(module);
    if (owner)
      owner->loaded.erase(this);
    owner = nullptr;
    module = nullptr;
    selected = nullptr;
    functions.clear();
  }
};

struct norm_timer {
  norm_context *context = nullptr;
  void *start = nullptr, *stop = nullptr;
};

static thread_local std::string lastError;

/// Records `status` for norm_last_error() and returns its code.
static norm_status_t report(const Status &status) {
  lastError = status.message;
  return status.code;
}

static norm_status_t nullArgument(const char *function, const char *name) {
  return report(
      Status::error(NORM_ERROR_INVALID_ARGUMENT,
                    std::string(function) + ": " + name + " is null"));
}

#define NORM_REQUIRE(pointer)                                                  \
  do {                                                                         \
    if (!(pointer))                                                            \
      return nullArgument(__func__, #pointer);                                 \
  } while (false)

extern "C" {

const char *norm_last_error(void) { return lastError.c_str(); }

const char *norm_status_name(norm_status_t status) {
  switch (status) {
  case NORM_SUCCESS:
    return "NORM_SUCCESS";
  case NORM_ERROR_INVALID_ARGUMENT:
    return "NORM_ERROR_INVALID_ARGUMENT";
  case NORM_ERROR_SHAPE_MISMATCH:
    return "NORM_ERROR_SHAPE_MISMATCH";
  case NORM_ERROR_DTYPE_MISMATCH:
    return "NORM_ERROR_DTYPE_MISMATCH";
  case NORM_ERROR_MISALIGNED:
    return "NORM_ERROR_MISALIGNED";
  case NORM_ERROR_BAD_STRIDES:
    return "NORM_ERROR_BAD_STRIDES";
  case NORM_ERROR_TOO_LARGE:
    return "NORM_ERROR_TOO_LARGE";
  case NORM_ERROR_IO:
    return "NORM_ERROR_IO";
  case NORM_ERROR_BAD_MANIFEST:
    return "NORM_ERROR_BAD_MANIFEST";
  case NORM_ERROR_NOT_FOUND:
    return "NORM_ERROR_NOT_FOUND";
  case NORM_ERROR_NO_DRIVER:
    return "NORM_ERROR_NO_DRIVER";
  case NORM_ERROR_NO_DEVICE:
    return "NORM_ERROR_NO_DEVICE";
  case NORM_ERROR_NO_COMPATIBLE_BINARY:
    return "NORM_ERROR_NO_COMPATIBLE_BINARY";
  case NORM_ERROR_DRIVER:
    return "NORM_ERROR_DRIVER";
  }
  return "NORM_ERROR_UNKNOWN";
}

const char *norm_dtype_name(norm_dtype_t dtype) {
  switch (dtype) {
  case NORM_DTYPE_F32:
    return NORM_DTYPE_NAME_F32;
  case NORM_DTYPE_F16:
    return NORM_DTYPE_NAME_F16;
  case NORM_DTYPE_BF16:
    return NORM_DTYPE_NAME_BF16;
  case NORM_DTYPE_F8E4M3FN:
    return NORM_DTYPE_NAME_F8E4M3FN;
  case NORM_DTYPE_F8E4M3FNUZ:
    return NORM_DTYPE_NAME_F8E4M3FNUZ;
  case NORM_DTYPE_F8E5M2:
    return NORM_DTYPE_NAME_F8E5M2;
  case NORM_DTYPE_I8:
    return NORM_DTYPE_NAME_I8;
  }
  return "unknown";
}

size_t norm_dtype_size(norm_dtype_t dtype) {
  switch (dtype) {
  case NORM_DTYPE_F32:
    return 4;
  case NORM_DTYPE_F16:
  case NORM_DTYPE_BF16:
    return 2;
  case NORM_DTYPE_F8E4M3FN:
  case NORM_DTYPE_F8E4M3FNUZ:
  case NORM_DTYPE_F8E5M2:
  case NORM_DTYPE_I8:
    return 1;
  }
  return 0;
}

norm_status_t norm_bundle_open(const char *directory, norm_bundle **bundle) {
  NORM_REQUIRE(directory);
  NORM_REQUIRE(bundle);
  *bundle = nullptr;
  if (!*directory)
    return report(Status::error(NORM_ERROR_INVALID_ARGUMENT,
                                "norm_bundle_open: directory is empty"));
  auto result = std::make_unique<norm_bundle>();
  if (Status s = Bundle::open(directory, result->bundle); !s.ok())
    return report(s);
  *bundle = result.release();
  return NORM_SUCCESS;
}

void norm_bundle_close(norm_bundle *bundle) {
  if (!bundle)
    return;
  bundle->unload();
  delete bundle;
}

size_t norm_bundle_num_kernels(const norm_bundle *bundle) {
  return bundle ? bundle->bundle.kernels().size() : 0;
}

const char *norm_bundle_kernel_name(const norm_bundle *bundle, size_t index) {
  if (!bundle || index >= bundle->bundle.kernels().size())
    return nullptr;
  return bundle->bundle.kernels()[index].name.c_str();
}

static Status findKernel(const norm_bundle *bundle, const char *name,
                         const KernelSpec *&spec) {
  spec = bundle->bundle.findKernel(name);
  if (spec)
    return Status::success();
  std::string known;
  for (const KernelSpec &k : bundle->bundle.kernels())
    known += (known.empty() ? "" : ", ") + k.name;
  return Status::error(NORM_ERROR_NOT_FOUND, std::string("no kernel '") + name +
                                                 "' in the bundle (it has " +
                                                 known + ")");
}

norm_status_t norm_bundle_kernel_info(const norm_bundle *bundle,
                                      const char *kernel,
                                      norm_kernel_info_t *info) {
  NORM_REQUIRE(bundle);
  NORM_REQUIRE(kernel);
  NORM_REQUIRE(info);
  const KernelSpec *spec;
  if (Status s = findKernel(bundle, kernel, spec); !s.ok())
    return report(s);
  info->op = spec->op.c_str();
  info->num_tensors = int64_t(spec->tensors.size());
  info->cols = spec->cols;
  info->block_size = spec->blockSize;
  info->rows_per_block = spec->rowsPerBlock;
  info->threads_per_row = spec->threadsPerRow;
  info->vector_width = spec->vectorWidth;
  info->cols_multiple = spec->colsMultiple;
  info->blocks_per_row = spec->blocksPerRow;
  info->dynamic_shared_memory = spec->dynamicSharedMemory;
  return NORM_SUCCESS;
}

norm_status_t norm_bundle_tensor_info(const norm_bundle *bundle,
                                      const char *kernel, int64_t index,
                                      const char **name, norm_dtype_t *dtype,
                                      int64_t *alignment,
                                      norm_tensor_role_t *role) {
  NORM_REQUIRE(bundle);
  NORM_REQUIRE(kernel);
  const KernelSpec *spec;
  if (Status s = findKernel(bundle, kernel, spec); !s.ok())
    return report(s);
  if (index < 0 || index >= int64_t(spec->tensors.size()))
    return report(Status::error(
        NORM_ERROR_INVALID_ARGUMENT,
        "norm_bundle_tensor_info: index " + std::to_string(index) +
            " is outside [0, " + std::to_string(spec->tensors.size()) + ")"));
  const TensorArg &arg = spec->tensors[index];
  if (name)
    *name = arg.name.c_str();
  if (dtype)
    *dtype = arg.dtype;
  if (alignment)
    *alignment = arg.alignment;
  if (role)
    *role = static_cast<norm_tensor_role_t>(arg.role);
  return NORM_SUCCESS;
}

norm_status_t norm_bundle_kernel_params(const norm_bundle *bundle,
                                        const char *kernel,
                                        norm_kernel_params_t *params) {
  NORM_REQUIRE(bundle);
  NORM_REQUIRE(kernel);
  NORM_REQUIRE(params);
  const KernelSpec *spec;
  if (Status s = findKernel(bundle, kernel, spec); !s.ok())
    return report(s);
  const KernelParams &p = spec->params;
  *params = norm_kernel_params_t();
  params->normalize = p.normalize;
  params->epsilon = p.epsilon;
  params->weight_offset = p.weightOffset;
  params->quantize = p.quantize;
  params->scheme = static_cast<norm_quant_scheme_t>(p.scheme);
  params->group_size = p.groupSize;
  params->scales_col_major = p.scalesColMajor;
  params->has_scale_ub = p.scaleUb.has_value();
  params->scale_ub = p.scaleUb.value_or(0);
  params->has_clip = p.clip.has_value();
  params->clip = p.clip.value_or(0);
  params->min_scale = p.minScale;
  params->has_intermediate_type = p.intermediateType.has_value();
  params->intermediate_type = p.intermediateType.value_or(NORM_DTYPE_F32);
  params->has_normalized_type = p.normalizedType.has_value();
  params->normalized_type = p.normalizedType.value_or(NORM_DTYPE_F32);
  return NORM_SUCCESS;
}

norm_status_t norm_check_arguments(const norm_bundle *bundle,
                                   const char *kernel,
                                   const norm_tensor_t *tensors,
                                   int64_t num_tensors, int64_t *grid_blocks) {
  NORM_REQUIRE(bundle);
  NORM_REQUIRE(kernel);
  const KernelSpec *spec;
  if (Status s = findKernel(bundle, kernel, spec); !s.ok())
    return report(s);
  LaunchPlan plan;
  if (Status s = checkArguments(*spec, tensors, num_tensors, plan); !s.ok())
    return report(s);
  if (grid_blocks)
    *grid_blocks = plan.gridBlocks;
  return NORM_SUCCESS;
}

norm_status_t norm_context_create(norm_backend_t backend, int ordinal,
                                  norm_context **context) {
  NORM_REQUIRE(context);
  *context = nullptr;
  std::unique_ptr<Driver> driver;
  Status s;
  switch (backend) {
  case NORM_BACKEND_CUDA:
    s = createCudaDriver(ordinal, driver);
    break;
  case NORM_BACKEND_HIP:
    s = createHipDriver(ordinal, driver);
    break;
  case NORM_BACKEND_AUTO: {
    s = createCudaDriver(ordinal, driver);
    if (s.code == NORM_ERROR_NO_DRIVER) {
      Status hip = createHipDriver(ordinal, driver);
      if (hip.code == NORM_ERROR_NO_DRIVER)
        s.message += "; " + hip.message;
      else
        s = hip;
    }
    break;
  }
  default:
    s = Status::error(NORM_ERROR_INVALID_ARGUMENT,
                      "norm_context_create: backend " +
                          std::to_string(int(backend)) +
                          " is not a norm_backend_t");
  }
  if (!s.ok())
    return report(s);
  *context = new norm_context{std::move(driver), {}};
  return NORM_SUCCESS;
}

void norm_context_destroy(norm_context *context) {
  if (!context)
    return;
  for (norm_bundle *bundle : std::set<norm_bundle *>(context->loaded)) {
    std::lock_guard<std::mutex> lock(bundle->mutex);
    bundle->unload();
  }
  delete context;
}

const char *norm_context_chip(const norm_context *context) {
  return context ? context->driver->chip().c_str() : "";
}

norm_backend_t norm_context_backend(const norm_context *context) {
  return context ? context->driver->backend() : NORM_BACKEND_AUTO;
}

/// Loads the best binary of `bundle` for the context's device (caller holds
/// the bundle's mutex).
static Status ensureLoaded(norm_context *context, norm_bundle *bundle) {
  if (bundle->owner == context && bundle->module)
    return Status::success();
  bundle->unload();
  Driver &driver = *context->driver;
  std::vector<const BinaryObject *> candidates =
      driver.candidates(bundle->bundle);
  std::string tried;
  for (const BinaryObject *object : candidates) {
    void *module = nullptr;
    Status s = driver.loadModule(*object, module);
    if (s.ok()) {
      bundle->owner = context;
      bundle->module = module;
      bundle->selected = object;
      context->loaded.insert(bundle);
      return Status::success();
    }
    tried += "; " + s.message;
  }
  std::string chips;
  for (const BinaryObject &object : bundle->bundle.objects())
    chips += (chips.empty() ? "" : ", ") + object.chip + " " + object.format;
  return Status::error(NORM_ERROR_NO_COMPATIBLE_BINARY,
                       "the bundle has no binary for " + driver.chip() +
                           " (it has " + chips + ")" + tried);
}

norm_status_t norm_select_binary(norm_context *context, norm_bundle *bundle,
                                 const char **file) {
  NORM_REQUIRE(context);
  NORM_REQUIRE(bundle);
  NORM_REQUIRE(file);
  std::lock_guard<std::mutex> lock(bundle->mutex);
  if (Status s = ensureLoaded(context, bundle); !s.ok())
    return report(s);
  *file = bundle->selected->file.c_str();
  return NORM_SUCCESS;
}

norm_status_t norm_launch(norm_context *context, norm_bundle *bundle,
                          const char *kernel, void *stream,
                          const norm_tensor_t *tensors, int64_t num_tensors) {
  NORM_REQUIRE(context);
  NORM_REQUIRE(bundle);
  NORM_REQUIRE(kernel);
  const KernelSpec *spec;
  if (Status s = findKernel(bundle, kernel, spec); !s.ok())
    return report(s);
  LaunchPlan plan;
  if (Status s = checkArguments(*spec, tensors, num_tensors, plan); !s.ok())
    return report(s);
  if (plan.gridBlocks == 0)
    return NORM_SUCCESS;

  void *function = nullptr;
  {
    std::lock_guard<std::mutex> lock(bundle->mutex);
    if (Status s = ensureLoaded(context, bundle); !s.ok())
      return report(s);
    auto it = bundle->functions.find(spec->name);
    if (it == bundle->functions.end()) {
      if (Status s = context->driver->getFunction(bundle->module, spec->name,
                                                  function);
          !s.ok())
        return report(s);
      bundle->functions.emplace(spec->name, function);
    } else {
      function = it->second;
    }
  }

  // The driver reads each argument through a pointer to its value.
  std::vector<void *> arguments;
  arguments.reserve(plan.pointers.size() + plan.scalars.size() + 1);
  for (void *&pointer : plan.pointers)
    arguments.push_back(&pointer);
  for (int64_t &scalar : plan.scalars)
    arguments.push_back(&scalar);
  // The driver takes the count from the kernel; the terminator lets tools
  // that intercept launches find the end.
  arguments.push_back(nullptr);
  // A persistent kernel gets one wave of blocks with the rows spread
  // evenly: ceil(blocks / SMs) rows each, on as few blocks as that allows.
  int64_t grid = plan.gridBlocks;
  if (spec->persistent)
    if (int64_t sms = context->driver->multiprocessors(); sms > 0) {
      int64_t rowsPerBlock = (grid + sms - 1) / sms;
      grid = (grid + rowsPerBlock - 1) / rowsPerBlock;
    }
  return report(context->driver->launch(function, grid, plan.blockSize,
                                        plan.dynamicSharedMemory, stream,
                                        arguments.data()));
}

norm_status_t norm_malloc(norm_context *context, size_t bytes, void **pointer) {
  NORM_REQUIRE(context);
  NORM_REQUIRE(pointer);
  *pointer = nullptr;
  if (bytes == 0)
    return NORM_SUCCESS;
  return report(context->driver->allocate(bytes, *pointer));
}

norm_status_t norm_free(norm_context *context, void *pointer) {
  NORM_REQUIRE(context);
  if (!pointer)
    return NORM_SUCCESS;
  return report(context->driver->release(pointer));
}

norm_status_t norm_memcpy_to_device(norm_context *context, void *device,
                                    const void *host, size_t bytes) {
  NORM_REQUIRE(context);
  if (bytes == 0)
    return NORM_SUCCESS;
  NORM_REQUIRE(device);
  NORM_REQUIRE(host);
  return report(context->driver->copyToDevice(device, host, bytes));
}

norm_status_t norm_memcpy_to_host(norm_context *context, void *host,
                                  const void *device, size_t bytes) {
  NORM_REQUIRE(context);
  if (bytes == 0)
    return NORM_SUCCESS;
  NORM_REQUIRE(host);
  NORM_REQUIRE(device);
  return report(context->driver->copyToHost(host, device, bytes));
}

norm_status_t norm_memcpy_device(norm_context *context, void *destination,
                                 const void *source, size_t bytes,
                                 void *stream) {
  NORM_REQUIRE(context);
  if (bytes == 0)
    return NORM_SUCCESS;
  NORM_REQUIRE(destination);
  NORM_REQUIRE(source);
  return report(
      context->driver->copyOnDevice(destination, source, bytes, stream));
}

norm_status_t norm_memset(norm_context *context, void *device, uint8_t value,
                          size_t bytes) {
  NORM_REQUIRE(context);
  if (bytes == 0)
    return NORM_SUCCESS;
  NORM_REQUIRE(device);
  return report(context->driver->fill(device, value, bytes));
}

norm_status_t norm_synchronize(norm_context *context) {
  NORM_REQUIRE(context);
  return report(context->driver->synchronize());
}

norm_status_t norm_timer_create(norm_context *context, norm_timer **timer) {
  NORM_REQUIRE(context);
  NORM_REQUIRE(timer);
  *timer = nullptr;
  auto result = std::make_unique<norm_timer>();
  result->context = context;
  if (Status s = context->driver->createEvent(result->start); !s.ok())
    return report(s);
  if (Status s = context->driver->createEvent(result->stop); !s.ok()) {
    context->driver->destroyEvent(result->start);
    return report(s);
  }
  *timer = result.release();
  return NORM_SUCCESS;
}

void norm_timer_destroy(norm_timer *timer) {
  if (!timer)
    return;
  timer->context->driver->destroyEvent(timer->start);
  timer->context->driver->destroyEvent(timer->stop);
  delete timer;
}

norm_status_t norm_timer_start(norm_timer *timer, void *stream) {
  NORM_REQUIRE(timer);
  return report(timer->context->driver->recordEvent(timer->start, stream));
}

norm_status_t norm_timer_stop(norm_timer *timer, void *stream) {
  NORM_REQUIRE(timer);
  return report(timer->context->driver->recordEvent(timer->stop, stream));
}

norm_status_t norm_timer_elapsed_ms(norm_timer *timer, float *milliseconds) {
  NORM_REQUIRE(timer);
  NORM_REQUIRE(milliseconds);
  return report(timer->context->driver->elapsedMs(timer->start, timer->stop,
                                                  *milliseconds));
}

} // extern "C"
