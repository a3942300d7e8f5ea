/*===- norm_bundle_schema.h - names of the kernel bundle format ---*- C -*-===*\
|*                                                                            *|
|* Part of norm-mlir. See README.md for license information.                  *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/
/*
 * The one spelling of the kernel ABI that `norm-export-bundle` writes into a
 * bundle's manifest.json and that libnorm_runtime, norm-run and the Python
 * binding read: the format version, every manifest key, and the names of
 * argument kinds, tensor roles, element types, quantization schemes, scale
 * layouts and binary formats.
 *
 * Plain C (string and integer literals only, no declarations), so that C, C++
 * and the compiler (which links no runtime library) include it alike, and so
 * that test/Python/schema.test can parse it: every definition is one line of
 * the form `#define NORM_<NAME> <"string" or integer>`. Python mirrors each
 * of them in python/norm_mlir/_schema.py as <NAME> (without "NORM_").
 *
 * A manifest looks like
 *
 *   { "format_version": 1,
 *     "kernels": { "<kernel>": { "op": ..., "params": {...},
 *                                "args": [ {"name", "kind", "role", "type",
 *                                           "align"}, ... ],
 *                                "block_size": ..., ... }, ... },
 *     "objects": [ { "binary", "chip", "format", "file" }, ... ] }
 */

#ifndef NORM_RUNTIME_NORM_BUNDLE_SCHEMA_H
#define NORM_RUNTIME_NORM_BUNDLE_SCHEMA_H

/* The manifest's "format_version": a runtime reads only its own version. */
#define NORM_BUNDLE_FORMAT_VERSION 1
/* The manifest's file name inside a bundle directory. */
#define NORM_BUNDLE_MANIFEST_FILE "manifest.json"

/*===--- Keys of the manifest's top-level object --------------------------===*/

#define NORM_KEY_FORMAT_VERSION "format_version"
#define NORM_KEY_KERNELS "kernels" /* kernel name -> kernel object */
#define NORM_KEY_OBJECTS "objects" /* array of binary objects */

/*===--- Keys of an "objects" entry (one compiled binary) -----------------===*/

#define NORM_KEY_BINARY "binary" /* gpu.module symbol */
#define NORM_KEY_CHIP "chip"     /* "sm_90", "gfx942", ... */
#define NORM_KEY_FORMAT "format" /* one of NORM_BINARY_FORMAT_* */
#define NORM_KEY_FILE "file"     /* file name inside the bundle */

/*===--- Keys of a kernel object ------------------------------------------===*/

#define NORM_KEY_OP "op"         /* "rmsnorm", "add_rmsnorm", "quantize", ... */
#define NORM_KEY_PARAMS "params" /* what the kernel computes */
#define NORM_KEY_ARGS "args"     /* the kernel's arguments, in order */
#define NORM_KEY_BLOCK_SIZE "block_size"
#define NORM_KEY_ROWS_PER_BLOCK "rows_per_block"
#define NORM_KEY_THREADS_PER_ROW "threads_per_row"
#define NORM_KEY_BLOCKS_PER_ROW "blocks_per_row"
#define NORM_KEY_VECTOR_WIDTH "vector_width"
#define NORM_KEY_COLS "cols" /* H, negative for any H */
#define NORM_KEY_COLS_MULTIPLE "cols_multiple"
#define NORM_KEY_ROW_CACHED "row_cached"
#define NORM_KEY_ROW_STORAGE "row_storage"
#define NORM_KEY_DYNAMIC_SHARED_MEMORY "dynamic_shared_memory"
#define NORM_KEY_PERSISTENT "persistent"

/*===--- Keys of an "args" entry ------------------------------------------===*/

#define NORM_KEY_NAME "name"
#define NORM_KEY_KIND "kind"   /* one of NORM_ARG_KIND_* */
#define NORM_KEY_ROLE "role"   /* pointers only: one of NORM_ROLE_NAME_* */
#define NORM_KEY_TYPE "type"   /* pointers only: one of NORM_DTYPE_NAME_* */
#define NORM_KEY_ALIGN "align" /* pointers only: bytes */

/*===--- Keys of "params" -------------------------------------------------===*/

#define NORM_KEY_NORMALIZE "normalize"
#define NORM_KEY_EPSILON "epsilon"
#define NORM_KEY_WEIGHT_OFFSET "weight_offset"
#define NORM_KEY_NORMALIZED_TYPE "normalized_type"
#define NORM_KEY_INTERMEDIATE_TYPE "intermediate_type"
#define NORM_KEY_QUANTIZE "quantize"
#define NORM_KEY_SCHEME "scheme" /* one of NORM_SCHEME_NAME_* */
#define NORM_KEY_GROUP_SIZE "group_size"
#define NORM_KEY_SCALE_LAYOUT "scale_layout" /* one of NORM_SCALE_LAYOUT_* */
#define NORM_KEY_SCALE_UB "scale_ub"
#define NORM_KEY_CLIP "clip"
#define NORM_KEY_MIN_SCALE "min_scale"

/*===--- Values -----------------------------------------------------------===*/

/* An argument's "kind": a tensor's device pointer or a 64-bit integer. */
#define NORM_ARG_KIND_PTR "ptr"
#define NORM_ARG_KIND_I64 "i64"

/* The i64 arguments follow the pointers: rows, cols, then
 * NORM_ARG_STRIDE_PREFIX + <tensor name> for each row and scales tensor. */
#define NORM_ARG_ROWS "rows"
#define NORM_ARG_COLS "cols"
#define NORM_ARG_STRIDE_PREFIX "stride_"

/* A tensor's "role", in the order of norm_tensor_role_t. */
#define NORM_ROLE_NAME_ROW "row"
#define NORM_ROLE_NAME_VECTOR "vector"
#define NORM_ROLE_NAME_SCALAR "scalar"
#define NORM_ROLE_NAME_SCALES "scales"

/* Element types (MLIR's spelling), in the order of norm_dtype_t: the
 * "type" of a tensor and params' normalized_type and intermediate_type. */
#define NORM_DTYPE_NAME_F32 "f32"
#define NORM_DTYPE_NAME_F16 "f16"
#define NORM_DTYPE_NAME_BF16 "bf16"
#define NORM_DTYPE_NAME_F8E4M3FN "f8E4M3FN"
#define NORM_DTYPE_NAME_F8E4M3FNUZ "f8E4M3FNUZ"
#define NORM_DTYPE_NAME_F8E5M2 "f8E5M2"
#define NORM_DTYPE_NAME_I8 "i8"

/* params' "scheme", in the order of norm_quant_scheme_t (the norm dialect's
 * quant_scheme spelling). */
#define NORM_SCHEME_NAME_PER_TOKEN "per_token"
#define NORM_SCHEME_NAME_PER_GROUP "per_group"
#define NORM_SCHEME_NAME_STATIC "static"

/* params' "scale_layout" of per-group scales (the dialect's spelling). */
#define NORM_SCALE_LAYOUT_ROW_MAJOR "row_major"
#define NORM_SCALE_LAYOUT_COL_MAJOR "col_major"

/* A kernel's "row_storage": where a row lives between its reduction and its
 * scaling (the dialect's spelling; informational, the runtime ignores it). */
#define NORM_ROW_STORAGE_REGISTERS "registers"
#define NORM_ROW_STORAGE_SHARED "shared"
#define NORM_ROW_STORAGE_STREAM "stream"

/* An object's "format", which is also its file's extension. The runtime
 * loads all but AMD assembly. */
#define NORM_BINARY_FORMAT_CUBIN "cubin"
#define NORM_BINARY_FORMAT_FATBIN "fatbin"
#define NORM_BINARY_FORMAT_PTX "ptx"
#define NORM_BINARY_FORMAT_HSACO "hsaco"
#define NORM_BINARY_FORMAT_AMDGCN_ASSEMBLY "s"

#endif /* NORM_RUNTIME_NORM_BUNDLE_SCHEMA_H */
