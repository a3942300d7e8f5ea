/*===- norm_runtime.h - load and launch norm-mlir kernel bundles ---*- C
-*-===*\
|*                                                                            *|
|* Part of norm-mlir. See README.md for license information.                  *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/
/*
 * A small, dependency-free runtime for the bundles `norm-export-bundle`
 * writes (manifest.json plus cubin/PTX/fatbin/HSACO files).
 *
 *  - Bundles are parsed without a GPU: norm_bundle_open() checks the manifest
 *    and the files it names.
 *  - The GPU driver (libcuda.so.1, or libamdhip64.so for AMD) is opened with
 *    dlopen() by norm_context_create(); nothing links against it, so the
 *    library builds and its argument checks run where neither exists.
 *  - norm_launch() checks every tensor against the kernel's signature before
 *    anything reaches the driver, then computes the grid and block from the
 *    manifest and launches on the given stream.
 *
 * Every function returns a norm_status_t. On failure, norm_last_error()
 * returns a message for the calling thread that names the offending argument
 * (or, for driver failures, the driver's error name). Nothing aborts.
 */

#ifndef NORM_RUNTIME_NORM_RUNTIME_H
#define NORM_RUNTIME_NORM_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define NORM_RUNTIME_API __declspec(dllexport)
#else
#define NORM_RUNTIME_API __attribute__((visibility("default")))
#endif

typedef enum norm_status {
  NORM_SUCCESS = 0,
  /* A null pointer or an out-of-range value (the message names it). */
  NORM_ERROR_INVALID_ARGUMENT = 1,
  /* Wrong number of tensors, or a tensor whose shape does not match the
     kernel's signature or the other tensors. */
  NORM_ERROR_SHAPE_MISMATCH = 2,
  /* A tensor's element type differs from the kernel's. */
  NORM_ERROR_DTYPE_MISMATCH = 3,
  /* A data pointer or row stride breaks the alignment the kernel's vector
     accesses need. */
  NORM_ERROR_MISALIGNED = 4,
  /* Strides the kernel cannot address (inner dimension not contiguous, rows
     overlapping, leading dimensions not collapsible into one row stride). */
  NORM_ERROR_BAD_STRIDES = 5,
  /* Sizes beyond what the launch can index (grid > 2^31 - 1 blocks, byte
     offsets beyond int64). */
  NORM_ERROR_TOO_LARGE = 6,
  /* The bundle directory or one of its files cannot be read. */
  NORM_ERROR_IO = 7,
  /* manifest.json is malformed, truncated or inconsistent. */
  NORM_ERROR_BAD_MANIFEST = 8,
  /* No kernel of that name in the bundle. */
  NORM_ERROR_NOT_FOUND = 9,
  /* The GPU driver library cannot be loaded or lacks a needed entry point. */
  NORM_ERROR_NO_DRIVER = 10,
  /* The driver loaded but reports no usable device with that ordinal. */
  NORM_ERROR_NO_DEVICE = 11,
  /* The bundle holds no binary this device can run. */
  NORM_ERROR_NO_COMPATIBLE_BINARY = 12,
  /* A driver call failed; the message holds the driver's error name. */
  NORM_ERROR_DRIVER = 13,
} norm_status_t;

typedef enum norm_dtype {
  NORM_DTYPE_F32 = 0,
  NORM_DTYPE_F16 = 1,
  NORM_DTYPE_BF16 = 2,
  NORM_DTYPE_F8E4M3FN = 3,
  NORM_DTYPE_F8E4M3FNUZ = 4,
  NORM_DTYPE_F8E5M2 = 5,
  NORM_DTYPE_I8 = 6,
} norm_dtype_t;

typedef enum norm_backend {
  NORM_BACKEND_AUTO = 0, /* CUDA if its driver loads, else HIP */
  NORM_BACKEND_CUDA = 1,
  NORM_BACKEND_HIP = 2,
} norm_backend_t;

#define NORM_MAX_RANK 8

/* A strided view of device memory. Strides are in elements. A row operand
 * ([..., H]) needs strides[rank-1] == 1 and leading dimensions that collapse
 * into one row stride; a per-column vector (gamma, smooth) is [H] contiguous;
 * a static scale is one f32 ([] or [1]); per-token scales are [rows] or
 * [rows, 1]; per-group scales [rows, H/G] (row_major) or [H/G, rows]
 * (col_major), where rows is the product of the leading dimensions. */
typedef struct norm_tensor {
  void *data;
  norm_dtype_t dtype;
  int32_t rank;
  int64_t shape[NORM_MAX_RANK];
  int64_t strides[NORM_MAX_RANK];
} norm_tensor_t;

typedef struct norm_bundle norm_bundle;   /* parsed manifest + binaries */
typedef struct norm_context norm_context; /* driver, device, loaded modules */

/* Message of the last failure on this thread ("" if none). Valid until the
 * next runtime call on this thread. */
NORM_RUNTIME_API const char *norm_last_error(void);
/* Name of a status code, e.g. "NORM_ERROR_MISALIGNED". */
NORM_RUNTIME_API const char *norm_status_name(norm_status_t status);
NORM_RUNTIME_API const char *norm_dtype_name(norm_dtype_t dtype);
NORM_RUNTIME_API size_t norm_dtype_size(norm_dtype_t dtype);

/*===--- Bundles (no GPU needed) ----------------------------------------===*/

/* Parses `directory`/manifest.json and reads every binary it lists. */
NORM_RUNTIME_API norm_status_t norm_bundle_open(const char *directory,
                                                norm_bundle **bundle);
NORM_RUNTIME_API void norm_bundle_close(norm_bundle *bundle);

NORM_RUNTIME_API size_t norm_bundle_num_kernels(const norm_bundle *bundle);
/* Name of kernel `index` (sorted by name), or NULL when out of range. */
NORM_RUNTIME_API const char *norm_bundle_kernel_name(const norm_bundle *bundle,
                                                     size_t index);
/* Launch-relevant facts about one kernel. */
typedef struct norm_kernel_info {
  const char *op;      /* "rmsnorm", "add_rmsnorm", "quantize", ... */
  int64_t num_tensors; /* tensors norm_launch expects */
  int64_t cols;        /* H, or -1 when the kernel takes any H */
  int64_t block_size;  /* threads per block */
  int64_t rows_per_block;
  int64_t threads_per_row;
  int64_t vector_width;
  int64_t dynamic_shared_memory; /* bytes */
  /* A run-time H must be a multiple of it: 1 when the kernel peels its rows
   * (reads the unaligned ends one element at a time). */
  int64_t cols_multiple;
  /* Blocks of one thread-block cluster that share each row (1: a row per
   * block or fewer); the grid has rows * blocks_per_row blocks. */
  int64_t blocks_per_row;
} norm_kernel_info_t;
NORM_RUNTIME_API norm_status_t norm_bundle_kernel_info(
    const norm_bundle *bundle, const char *kernel, norm_kernel_info_t *info);
typedef enum norm_tensor_role {
  NORM_ROLE_ROW = 0,    /* [..., H] rows with a row stride */
  NORM_ROLE_VECTOR = 1, /* [H] per-column values (gamma, smooth) */
  NORM_ROLE_SCALAR = 2, /* one f32 (static scale) */
  NORM_ROLE_SCALES = 3, /* dynamic scales written by the kernel */
} norm_tensor_role_t;

/* Name, element type, alignment (bytes) and role of tensor `index` of
 * `kernel`; any output pointer may be NULL. */
NORM_RUNTIME_API norm_status_t
norm_bundle_tensor_info(const norm_bundle *bundle, const char *kernel,
                        int64_t index, const char **name, norm_dtype_t *dtype,
                        int64_t *alignment, norm_tensor_role_t *role);

/* What a kernel computes (the manifest's "params"): for tools that check
 * results against a reference. */
typedef enum norm_quant_scheme {
  NORM_SCHEME_PER_TOKEN = 0,
  NORM_SCHEME_PER_GROUP = 1,
  NORM_SCHEME_STATIC = 2,
} norm_quant_scheme_t;

typedef struct norm_kernel_params {
  int normalize; /* rows are RMS-normalized */
  double epsilon;
  double weight_offset;
  int quantize; /* the output is quantized */
  norm_quant_scheme_t scheme;
  int64_t group_size;   /* per-group only */
  int scales_col_major; /* per-group only */
  int has_scale_ub;
  double scale_ub;
  int has_clip;
  double clip;
  double min_scale;
  /* Normalized values are rounded to this type before quantization. */
  int has_intermediate_type;
  norm_dtype_t intermediate_type;
  /* x / rms is rounded to this type before the multiply by gamma (the op's
   * normalized_type). */
  int has_normalized_type;
  norm_dtype_t normalized_type;
} norm_kernel_params_t;
NORM_RUNTIME_API norm_status_t
norm_bundle_kernel_params(const norm_bundle *bundle, const char *kernel,
                          norm_kernel_params_t *params);

/* Checks `tensors` against `kernel`'s signature exactly as norm_launch does,
 * without a GPU, and returns the grid size (blocks) the launch would use
 * (0 when there are no rows: norm_launch then launches nothing). For a
 * persistent kernel (the manifest's "persistent") this is the most it may
 * use: norm_launch spreads the rows over one wave of the device's SMs. */
NORM_RUNTIME_API norm_status_t norm_check_arguments(
    const norm_bundle *bundle, const char *kernel, const norm_tensor_t *tensors,
    int64_t num_tensors, int64_t *grid_blocks);

/*===--- Device ---------------------------------------------------------===*/

/* Opens the driver, selects device `ordinal`, makes its primary context
 * current on this thread. NORM_RUNTIME_CUDA_LIBRARY / NORM_RUNTIME_HIP_LIBRARY
 * override the driver library paths. */
NORM_RUNTIME_API norm_status_t norm_context_create(norm_backend_t backend,
                                                   int ordinal,
                                                   norm_context **context);
NORM_RUNTIME_API void norm_context_destroy(norm_context *context);
/* "sm_90", "gfx942", ... */
NORM_RUNTIME_API const char *norm_context_chip(const norm_context *context);
NORM_RUNTIME_API norm_backend_t
norm_context_backend(const norm_context *context);

/* Checks the arguments, loads the bundle's binary for this device on first
 * use (cubin for the exact chip, else fatbin, else the newest PTX the device
 * can JIT; HSACO for AMD), and launches `kernel` on `stream` (a CUstream or
 * hipStream_t; NULL is the default stream). Asynchronous. */
NORM_RUNTIME_API norm_status_t norm_launch(norm_context *context,
                                           norm_bundle *bundle,
                                           const char *kernel, void *stream,
                                           const norm_tensor_t *tensors,
                                           int64_t num_tensors);
/* The binary norm_launch picked (e.g. "norm_kernels.sm_90.cubin"), or an
 * error when none fits. */
NORM_RUNTIME_API norm_status_t norm_select_binary(norm_context *context,
                                                  norm_bundle *bundle,
                                                  const char **file);

/* Minimal memory and timing helpers so that tools need no driver headers. */
NORM_RUNTIME_API norm_status_t norm_malloc(norm_context *context, size_t bytes,
                                           void **pointer);
NORM_RUNTIME_API norm_status_t norm_free(norm_context *context, void *pointer);
NORM_RUNTIME_API norm_status_t norm_memcpy_to_device(norm_context *context,
                                                     void *device,
                                                     const void *host,
                                                     size_t bytes);
NORM_RUNTIME_API norm_status_t norm_memcpy_to_host(norm_context *context,
                                                   void *host,
                                                   const void *device,
                                                   size_t bytes);
NORM_RUNTIME_API norm_status_t norm_memcpy_device(norm_context *context,
                                                  void *destination,
                                                  const void *source,
                                                  size_t bytes, void *stream);
NORM_RUNTIME_API norm_status_t norm_memset(norm_context *context, void *device,
                                           uint8_t value, size_t bytes);
NORM_RUNTIME_API norm_status_t norm_synchronize(norm_context *context);

typedef struct norm_timer norm_timer; /* a pair of device events */
NORM_RUNTIME_API norm_status_t norm_timer_create(norm_context *context,
                                                 norm_timer **timer);
NORM_RUNTIME_API void norm_timer_destroy(norm_timer *timer);
NORM_RUNTIME_API norm_status_t norm_timer_start(norm_timer *timer,
                                                void *stream);
NORM_RUNTIME_API norm_status_t norm_timer_stop(norm_timer *timer, void *stream);
/* Waits for the stop event; milliseconds between start and stop. */
NORM_RUNTIME_API norm_status_t norm_timer_elapsed_ms(norm_timer *timer,
                                                     float *milliseconds);

#ifdef __cplusplus
}
#endif

#endif /* NORM_RUNTIME_NORM_RUNTIME_H */
