"""The kernel bundle's schema: manifest keys, names and the format version.

A mirror of runtime/include/norm-runtime/norm_bundle_schema.h, which the
bundle writer (norm-export-bundle), libnorm_runtime and norm-run include:
each NORM_<NAME> there is <NAME> here. test/Python/schema.test checks that
the two agree.
"""

# The bundle format.
BUNDLE_FORMAT_VERSION = 1
BUNDLE_MANIFEST_FILE = "manifest.json"

# Manifest keys.
KEY_FORMAT_VERSION = "format_version"
KEY_KERNELS = "kernels"
KEY_OBJECTS = "objects"
KEY_BINARY = "binary"
KEY_CHIP = "chip"
KEY_FORMAT = "format"
KEY_FILE = "file"
KEY_OP = "op"
KEY_PARAMS = "params"
KEY_ARGS = "args"
KEY_BLOCK_SIZE = "block_size"
KEY_ROWS_PER_BLOCK = "rows_per_block"
KEY_THREADS_PER_ROW = "threads_per_row"
KEY_BLOCKS_PER_ROW = "blocks_per_row"
KEY_VECTOR_WIDTH = "vector_width"
KEY_COLS = "cols"
KEY_COLS_MULTIPLE = "cols_multiple"
KEY_ROW_CACHED = "row_cached"
KEY_ROW_STORAGE = "row_storage"
KEY_DYNAMIC_SHARED_MEMORY = "dynamic_shared_memory"
KEY_PERSISTENT = "persistent"
KEY_NAME = "name"
KEY_KIND = "kind"
KEY_ROLE = "role"
KEY_TYPE = "type"
KEY_ALIGN = "align"
KEY_NORMALIZE = "normalize"
KEY_EPSILON = "epsilon"
KEY_WEIGHT_OFFSET = "weight_offset"
KEY_NORMALIZED_TYPE = "normalized_type"
KEY_INTERMEDIATE_TYPE = "intermediate_type"
KEY_QUANTIZE = "quantize"
KEY_SCHEME = "scheme"
KEY_GROUP_SIZE = "group_size"
KEY_SCALE_LAYOUT = "scale_layout"
KEY_SCALE_UB = "scale_ub"
KEY_CLIP = "clip"
KEY_MIN_SCALE = "min_scale"

# Argument kinds and the i64 arguments.
ARG_KIND_PTR = "ptr"
ARG_KIND_I64 = "i64"
ARG_ROWS = "rows"
ARG_COLS = "cols"
ARG_STRIDE_PREFIX = "stride_"

# Tensor roles, in norm_tensor_role_t order.
ROLE_NAME_ROW = "row"
ROLE_NAME_VECTOR = "vector"
ROLE_NAME_SCALAR = "scalar"
ROLE_NAME_SCALES = "scales"

# Element types, in norm_dtype_t order.
DTYPE_NAME_F32 = "f32"
DTYPE_NAME_F16 = "f16"
DTYPE_NAME_BF16 = "bf16"
DTYPE_NAME_F8E4M3FN = "f8E4M3FN"
DTYPE_NAME_F8E4M3FNUZ = "f8E4M3FNUZ"
DTYPE_NAME_F8E5M2 = "f8E5M2"
DTYPE_NAME_I8 = "i8"

# Quantization schemes, in norm_quant_scheme_t order.
SCHEME_NAME_PER_TOKEN = "per_token"
SCHEME_NAME_PER_GROUP = "per_group"
SCHEME_NAME_STATIC = "static"

# Scale layouts of per-group scales.
SCALE_LAYOUT_ROW_MAJOR = "row_major"
SCALE_LAYOUT_COL_MAJOR = "col_major"

# Row storage (informational).
ROW_STORAGE_REGISTERS = "registers"
ROW_STORAGE_SHARED = "shared"
ROW_STORAGE_STREAM = "stream"

# Binary formats (file extensions).
BINARY_FORMAT_CUBIN = "cubin"
BINARY_FORMAT_FATBIN = "fatbin"
BINARY_FORMAT_PTX = "ptx"
BINARY_FORMAT_HSACO = "hsaco"
BINARY_FORMAT_AMDGCN_ASSEMBLY = "s"

# Indexed by the C enums' values.
DTYPES = [DTYPE_NAME_F32, DTYPE_NAME_F16, DTYPE_NAME_BF16, DTYPE_NAME_F8E4M3FN,
          DTYPE_NAME_F8E4M3FNUZ, DTYPE_NAME_F8E5M2, DTYPE_NAME_I8]
ROLES = [ROLE_NAME_ROW, ROLE_NAME_VECTOR, ROLE_NAME_SCALAR, ROLE_NAME_SCALES]
SCHEMES = [SCHEME_NAME_PER_TOKEN, SCHEME_NAME_PER_GROUP, SCHEME_NAME_STATIC]
