"""ctypes binding of libnorm_runtime: load kernel bundles and launch them on
tensors that live on the GPU (torch tensors, or TensorDesc for anything
else), on any CUDA stream, including inside CUDA graph capture.

    from norm_mlir.runtime import Bundle, Context
    ctx = Context()
    bundle = Bundle("build/examples/decoder_block_norms/nvidia-sm_90")
    ctx.launch(bundle, "decoder_block_norms_rmsnorm_quantize",
               [x, r, w, q, s, r_out], stream=torch.cuda.current_stream())

The library is found through $NORM_RUNTIME_LIBRARY, else next to this
package's build tree, else by the dynamic loader (libnorm_runtime.so).
"""

import ctypes
import os
from collections import namedtuple

from . import _schema as schema

__all__ = ["Bundle", "Context", "NormRuntimeError", "TensorDesc", "load"]

MAX_RANK = 8

# Names indexed by norm_dtype_t, norm_tensor_role_t, norm_quant_scheme_t.
DTYPES = schema.DTYPES
ROLES = schema.ROLES
SCHEMES = schema.SCHEMES
# torch dtype spellings -> norm_dtype_t
_TORCH_DTYPES = {
    "torch.float32": DTYPES.index(schema.DTYPE_NAME_F32),
    "torch.float16": DTYPES.index(schema.DTYPE_NAME_F16),
    "torch.bfloat16": DTYPES.index(schema.DTYPE_NAME_BF16),
    "torch.float8_e4m3fn": DTYPES.index(schema.DTYPE_NAME_F8E4M3FN),
    "torch.float8_e4m3fnuz": DTYPES.index(schema.DTYPE_NAME_F8E4M3FNUZ),
    "torch.float8_e5m2": DTYPES.index(schema.DTYPE_NAME_F8E5M2),
    "torch.int8": DTYPES.index(schema.DTYPE_NAME_I8),
}

# A tensor given by hand: pointer, dtype name (DTYPES), shape and strides in
# elements.
TensorDesc = namedtuple("TensorDesc", "ptr dtype shape strides")


class NormRuntimeError(RuntimeError):
    """A runtime call failed; `status` is the norm_status_t name."""

    def __init__(self, status, message):
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


class _Tensor(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("dtype", ctypes.c_int),
                ("rank", ctypes.c_int32),
                ("shape", ctypes.c_int64 * MAX_RANK),
                ("strides", ctypes.c_int64 * MAX_RANK)]


class _KernelInfo(ctypes.Structure):
    _fields_ = [("op", ctypes.c_char_p), ("num_tensors", ctypes.c_int64),
                ("cols", ctypes.c_int64), ("block_size", ctypes.c_int64),
                ("rows_per_block", ctypes.c_int64),
                ("threads_per_row", ctypes.c_int64),
                ("vector_width", ctypes.c_int64),
                ("dynamic_shared_memory", ctypes.c_int64),
                ("cols_multiple", ctypes.c_int64),
                ("blocks_per_row", ctypes.c_int64)]


class _KernelParams(ctypes.Structure):
    _fields_ = [("normalize", ctypes.c_int), ("epsilon", ctypes.c_double),
                ("weight_offset", ctypes.c_double),
                ("quantize", ctypes.c_int), ("scheme", ctypes.c_int),
                ("group_size", ctypes.c_int64),
                ("scales_col_major", ctypes.c_int),
                ("has_scale_ub", ctypes.c_int), ("scale_ub", ctypes.c_double),
                ("has_clip", ctypes.c_int), ("clip", ctypes.c_double),
                ("min_scale", ctypes.c_double),
                ("has_intermediate_type", ctypes.c_int),
                ("intermediate_type", ctypes.c_int),
                ("has_normalized_type", ctypes.c_int),
                ("normalized_type", ctypes.c_int)]


_lib = None


def load(path=None):
    """Loads libnorm_runtime once (path, $NORM_RUNTIME_LIBRARY, the build
    tree, then the loader's search path)."""
    global _lib
    if _lib is not None:
        return _lib
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = [path, os.environ.get("NORM_RUNTIME_LIBRARY"),
                  os.path.join(here, "..", "..", "build", "runtime",
                               "libnorm_runtime.so"),
                  "libnorm_runtime.so"]
    errors = []
    for candidate in candidates:
        if not candidate:
            continue
        try:
            lib = ctypes.CDLL(candidate)
            break
        except OSError as error:
            errors.append(str(error))
    else:
        raise OSError("cannot load libnorm_runtime: " + "; ".join(errors))
    c = ctypes
    P = c.c_void_p
    sig = {
        "norm_last_error": (c.c_char_p, []),
        "norm_status_name": (c.c_char_p, [c.c_int]),
        "norm_bundle_open": (c.c_int, [c.c_char_p, c.POINTER(P)]),
        "norm_bundle_close": (None, [P]),
        "norm_bundle_num_kernels": (c.c_size_t, [P]),
        "norm_bundle_kernel_name": (c.c_char_p, [P, c.c_size_t]),
        "norm_bundle_kernel_info": (c.c_int, [P, c.c_char_p,
                                              c.POINTER(_KernelInfo)]),
        "norm_bundle_kernel_params": (c.c_int, [P, c.c_char_p,
                                                c.POINTER(_KernelParams)]),
        "norm_bundle_tensor_info": (c.c_int, [
            P, c.c_char_p, c.c_int64, c.POINTER(c.c_char_p),
            c.POINTER(c.c_int), c.POINTER(c.c_int64), c.POINTER(c.c_int)]),
        "norm_check_arguments": (c.c_int, [P, c.c_char_p, c.POINTER(_Tensor),
                                           c.c_int64, c.POINTER(c.c_int64)]),
        "norm_context_create": (c.c_int, [c.c_int, c.c_int, c.POINTER(P)]),
        "norm_context_destroy": (None, [P]),
        "norm_context_chip": (c.c_char_p, [P]),
        "norm_select_binary": (c.c_int, [P, P, c.POINTER(c.c_char_p)]),
        "norm_launch": (c.c_int, [P, P, c.c_char_p, P, c.POINTER(_Tensor),
                                  c.c_int64]),
        "norm_synchronize": (c.c_int, [P]),
    }
    for name, (restype, argtypes) in sig.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes
    _lib = lib
    return lib


def _check(status):
    if status != 0:
        lib = load()
        raise NormRuntimeError(lib.norm_status_name(status).decode(),
                               lib.norm_last_error().decode())


def _to_tensor(t):
    out = _Tensor()
    if isinstance(t, TensorDesc):
        ptr, dtype = t.ptr, DTYPES.index(t.dtype)
        shape, strides = list(t.shape), list(t.strides)
    else:  # torch-like: data_ptr(), dtype, shape, stride()
        ptr, shape, strides = t.data_ptr(), list(t.shape), list(t.stride())
        if str(t.dtype) not in _TORCH_DTYPES:
            raise TypeError(f"element type {t.dtype} has no norm kernel")
        dtype = _TORCH_DTYPES[str(t.dtype)]
    if len(shape) > MAX_RANK:
        raise ValueError(f"rank {len(shape)} exceeds {MAX_RANK}")
    out.data, out.dtype, out.rank = ptr, dtype, len(shape)
    for i, (size, stride) in enumerate(zip(shape, strides)):
        out.shape[i], out.strides[i] = size, stride
    return out


def _tensor_array(tensors):
    array = (_Tensor * max(1, len(tensors)))()
    for i, t in enumerate(tensors):
        array[i] = _to_tensor(t)
    return array


class Bundle:
    """A kernel bundle written by norm-export-bundle (no GPU needed)."""

    def __init__(self, directory):
        lib = load()
        handle = ctypes.c_void_p()
        _check(lib.norm_bundle_open(os.fsencode(directory),
                                    ctypes.byref(handle)))
        self._handle = handle
        self.directory = directory

    def __del__(self):
        if getattr(self, "_handle", None) and _lib is not None:
            _lib.norm_bundle_close(self._handle)
            self._handle = None

    def kernels(self):
        lib = load()
        return [lib.norm_bundle_kernel_name(self._handle, i).decode()
                for i in range(lib.norm_bundle_num_kernels(self._handle))]

    def info(self, kernel):
        """Launch facts and tensor signature of `kernel`."""
        lib = load()
        info = _KernelInfo()
        _check(lib.norm_bundle_kernel_info(self._handle, kernel.encode(),
                                           ctypes.byref(info)))
        tensors = []
        for i in range(info.num_tensors):
            name, dtype = ctypes.c_char_p(), ctypes.c_int()
            align, role = ctypes.c_int64(), ctypes.c_int()
            _check(lib.norm_bundle_tensor_info(
                self._handle, kernel.encode(), i, ctypes.byref(name),
                ctypes.byref(dtype), ctypes.byref(align), ctypes.byref(role)))
            tensors.append({schema.KEY_NAME: name.value.decode(),
                            "dtype": DTYPES[dtype.value],
                            schema.KEY_ALIGN: align.value,
                            schema.KEY_ROLE: ROLES[role.value]})
        params = _KernelParams()
        _check(lib.norm_bundle_kernel_params(self._handle, kernel.encode(),
                                             ctypes.byref(params)))
        # Keyed as in the manifest (but for "tensors").
        return {
            schema.KEY_OP: info.op.decode(),
            schema.KEY_COLS: info.cols,
            schema.KEY_BLOCK_SIZE: info.block_size,
            schema.KEY_ROWS_PER_BLOCK: info.rows_per_block,
            schema.KEY_THREADS_PER_ROW: info.threads_per_row,
            schema.KEY_VECTOR_WIDTH: info.vector_width,
            schema.KEY_COLS_MULTIPLE: info.cols_multiple,
            schema.KEY_BLOCKS_PER_ROW: info.blocks_per_row,
            schema.KEY_DYNAMIC_SHARED_MEMORY: info.dynamic_shared_memory,
            "tensors": tensors,
            schema.KEY_SCHEME: (SCHEMES[params.scheme] if params.quantize
                                else None),
            schema.KEY_EPSILON: params.epsilon if params.normalize else None,
            schema.KEY_INTERMEDIATE_TYPE: (
                DTYPES[params.intermediate_type]
                if params.has_intermediate_type else None),
            schema.KEY_NORMALIZED_TYPE: (
                DTYPES[params.normalized_type]
                if params.has_normalized_type else None),
        }

    def check(self, kernel, tensors):
        """Runs the launch checks without a GPU; returns the grid size."""
        lib = load()
        grid = ctypes.c_int64()
        array = _tensor_array(tensors)
        _check(lib.norm_check_arguments(self._handle, kernel.encode(), array,
                                        len(tensors), ctypes.byref(grid)))
        return grid.value


class Context:
    """The GPU driver and device (the device's primary context, which
    PyTorch and CuPy share)."""

    def __init__(self, backend="auto", device=0):
        lib = load()
        handle = ctypes.c_void_p()
        code = {"auto": 0, "cuda": 1, "hip": 2}[backend]
        _check(lib.norm_context_create(code, device, ctypes.byref(handle)))
        self._handle = handle

    def __del__(self):
        if getattr(self, "_handle", None) and _lib is not None:
            _lib.norm_context_destroy(self._handle)
            self._handle = None

    @property
    def chip(self):
        return load().norm_context_chip(self._handle).decode()

    def select_binary(self, bundle):
        file = ctypes.c_char_p()
        _check(load().norm_select_binary(self._handle, bundle._handle,
                                         ctypes.byref(file)))
        return file.value.decode()

    def launch(self, bundle, kernel, tensors, stream=None):
        """Launches asynchronously on `stream` (a torch.cuda.Stream, a raw
        CUstream handle, or None for the default stream)."""
        handle = getattr(stream, "cuda_stream", stream) or None
        array = _tensor_array(tensors)
        _check(load().norm_launch(self._handle, bundle._handle,
                                  kernel.encode(), handle, array,
                                  len(tensors)))

    def synchronize(self):
        _check(load().norm_synchronize(self._handle))
