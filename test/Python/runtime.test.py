"""Exercises norm_mlir.runtime without a GPU: bundle queries, the launch
checks, a launch through the fake CUDA driver, and errors as exceptions."""

import ctypes
import os
import sys

from norm_mlir.runtime import Bundle, Context, NormRuntimeError, TensorDesc

bundle = Bundle(sys.argv[1])
print("kernels:", " ".join(bundle.kernels()))
info = bundle.info("rms_rmsnorm")
print("rms:", info["op"], info["cols"], info["block_size"],
      [(t["name"], t["dtype"], t["role"]) for t in info["tensors"]],
      info["normalized_type"])
dyn = bundle.info("dynamic_rmsnorm")
print("dynamic:", dyn["cols"], dyn["vector_width"], dyn["cols_multiple"])
# H = 65536 is split over clusters of 2 blocks on sm_90.
print("blocks per row:", info["blocks_per_row"],
      bundle.info("long_rmsnorm")["blocks_per_row"])

fake = 1 << 32  # aligned, never dereferenced by the checks
x = TensorDesc(fake, "bf16", (7, 4096), (4096, 1))
w = TensorDesc(fake + (1 << 20), "bf16", (4096,), (1,))
y = TensorDesc(fake + (2 << 20), "bf16", (7, 4096), (4096, 1))
print("grid:", bundle.check("rms_rmsnorm", [x, w, y]))
try:
    bundle.check("rms_rmsnorm", [x, w, TensorDesc(fake, "f16", (7, 4096),
                                                 (4096, 1))])
except NormRuntimeError as error:
    print("error:", error.status, error.message)

os.environ["NORM_RUNTIME_CUDA_LIBRARY"] = "/nonexistent/libcuda.so.1"
os.environ["NORM_RUNTIME_HIP_LIBRARY"] = "/nonexistent/libamdhip64.so"
try:
    Context()
except NormRuntimeError as error:
    print("error:", error.status)

os.environ["NORM_RUNTIME_CUDA_LIBRARY"] = sys.argv[2]
ctx = Context(backend="cuda")
print("chip:", ctx.chip, "binary:", ctx.select_binary(bundle))
ctx.launch(bundle, "rms_rmsnorm", [x, w, y])
fake_cuda = ctypes.CDLL(sys.argv[2])
grid, block, shared = ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint()
params = (ctypes.c_uint64 * 7)()
fake_cuda.fake_cuda_last_launch.restype = ctypes.c_char_p
fake_cuda.fake_cuda_last_launch(ctypes.byref(grid), ctypes.byref(block),
                                ctypes.byref(shared), params, 7)
print("launch:", grid.value, block.value, [hex(p) for p in params[:3]],
      list(params[3:]))
