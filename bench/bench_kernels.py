#!/usr/bin/env python3
"""Times norm-mlir kernels from the matrix bundles (test/gpu/build_matrix.sh)
against PyTorch on the same inputs, with the device-to-device copy bandwidth
measured in the same run. Large shapes only (every buffer set is >= 256 MB, far
beyond the 50 MB L2, and sets are rotated anyway).

Usage: bench_kernels.py BUNDLES_DIR
"""

import json
import os
import sys

import cupy as cp
import numpy as np
import torch
import torch.nn.functional as F

SHAPES = [(32768, 4096), (16384, 8192), (4096, 16384), (1024, 65536)]
SETS = 3


def time_ms(fn, iters=50):
    for _ in range(5):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(iters):
        start = torch.cuda.Event(enable_timing=True)
        end = torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
    return float(np.median(times))


def copy_bandwidth():
    n = 1 << 30
    a = torch.empty(n, dtype=torch.uint8, device="cuda")
    b = torch.empty_like(a)
    ms = time_ms(lambda: b.copy_(a), 20)
    return 2 * n / ms / 1e6


def main():
    root = sys.argv[1]
    copy = copy_bandwidth()
    print(f"device-to-device copy: {copy:.0f} GB/s")
    rows_out = []
    for m, h in SHAPES:
        bundle = os.path.join(root, f"h{h}")
        manifest = json.load(open(os.path.join(bundle, "manifest.json")))
        module = cp.RawModule(path=os.path.join(bundle,
                                                manifest["objects"][0]["file"]))
        sets = []
        for _ in range(SETS):
            x = torch.randn(m, h, device="cuda", dtype=torch.bfloat16)
            r = torch.randn(m, h, device="cuda", dtype=torch.bfloat16)
            sets.append(dict(x=x, r=r, y=torch.empty_like(x),
                             ro=torch.empty_like(x),
                             q=torch.empty(m, h, device="cuda",
                                           dtype=torch.float8_e4m3fn),
                             s=torch.empty(m, 1, device="cuda"),
                             sg=torch.empty(m, h // 128, device="cuda")))
        w = torch.randn(h, device="cuda", dtype=torch.bfloat16)
        e = 2  # bytes per bf16 element

        def launcher(name, ptrs, strides, nbytes):
            kernel = manifest["kernels"][name]
            fn = module.get_function(name)
            grid = (m + kernel["rows_per_block"] - 1) // kernel["rows_per_block"]
            state = {"i": 0}

            def run():
                st = sets[state["i"] % SETS]
                state["i"] += 1
                args = [np.uint64(p(st).data_ptr()) for p in ptrs]
                args += [np.int64(m), np.int64(h)] + [np.int64(s) for s in strides]
                fn((grid,), (kernel["block_size"],), tuple(args))
            return run, nbytes

        cases = {
            "rmsnorm": (launcher("rms_bf16_rmsnorm",
                                 [lambda s: s["x"], lambda s: w, lambda s: s["y"]],
                                 [h, h], 2 * m * h * e),
                        lambda st: F.rms_norm(st["x"], (h,), w, 1e-5)),
            "add_rmsnorm": (launcher("add_bf16_add_rmsnorm",
                                     [lambda s: s["x"], lambda s: s["r"], lambda s: w,
                                      lambda s: s["y"], lambda s: s["ro"]],
                                     [h, h, h, h], 4 * m * h * e),
                            None),
            "quant_fp8_per_token": (launcher(
                "qpt_bf16_f8E4M3FN_quantize",
                [lambda s: s["x"], lambda s: s["q"], lambda s: s["s"]],
                [h, h, 1], m * h * (e + 1) + 4 * m), None),
            "quant_fp8_per_group128": (launcher(
                "qpg_bf16_row_major_quantize",
                [lambda s: s["x"], lambda s: s["q"], lambda s: s["sg"]],
                [h, h, h // 128], m * h * (e + 1) + 4 * m * h // 128), None),
        }
        for op, ((run, nbytes), torch_fn) in cases.items():
            ms = time_ms(run)
            gbs = nbytes / ms / 1e6
            line = (f"{op:24s} {m:6d}x{h:<6d} {ms * 1000:9.1f} us "
                    f"{gbs:7.0f} GB/s {100 * gbs / copy:5.1f}% of copy")
            if torch_fn:
                state = {"i": 0}

                def trun():
                    torch_fn(sets[state["i"] % SETS])
                    state["i"] += 1
                tms = time_ms(trun)
                line += f" | torch eager {tms * 1000:.1f} us (x{tms / ms:.2f})"
            print(line)
            rows_out.append(line)
    with open(os.path.join(os.environ.get("OUT", "/tmp"), "bench.txt"), "w") as f:
        f.write(f"copy {copy:.0f} GB/s\n" + "\n".join(rows_out) + "\n")


if __name__ == "__main__":
    main()
