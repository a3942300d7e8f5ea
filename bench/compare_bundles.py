#!/usr/bin/env python3
"""A/B of bundle roots in one process: for each shape, one set of buffers
(rotated over >= 300 MB as in bench_suite.py, none for M <= 256), then each
root's fused kernel for OP and torch.compile timed in turn (bench_suite's
CUDA-graph timing, median of 20 replays), ROUNDS times interleaved. Prints
every round and the best. Every root's output is checked against the
PyTorch reference first (bench_suite.agreement).

A root is a folder of bundles as bench/build_bench.sh writes them
(h<H>_<type> and h<H>_<type>-unfused); bench/sweep_schedules.sh variants go
in one by renaming. TYPE is the input's: bf16 (the default), f16 or f32.
Usage (on the GPU machine):
  NORM_RUNTIME_LIBRARY=.../libnorm_runtime.so PYTHONPATH=python \\
    python3 bench/compare_bundles.py ROOT[,ROOT...] OP MxH[,MxH...] [ROUNDS]
                                     [TYPE]
"""

import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_suite as bs  # noqa: E402
from norm_mlir.runtime import Bundle, Context  # noqa: E402


DTYPES = {"bf16": torch.bfloat16, "f16": torch.float16, "f32": torch.float32}


def compare(ctx, roots, op, m, h, rounds, copy, type_name):
    dtype = DTYPES[type_name]
    name = f"h{h}_{type_name}"
    ops = {r: bs.NormOp(ctx, Bundle(f"{r}/{name}"),
                        Bundle(f"{r}/{name}-unfused"), op, h) for r in roots}
    w, buffers = bs.rotating_buffers(op, m, h, dtype, rotate=m > 256)
    for root, norm_op in ops.items():
        for key in ("output", "residual_out", "scales"):
            if key in buffers[0]:
                buffers[0][key].fill_(0)
        norm_op.launcher(buffers[0])()
        torch.cuda.synchronize()
        if not bs.agreement(op, buffers[0], w):
            sys.exit(f"{root}: {op} {m}x{h} disagrees with PyTorch")
    variants = {root: [norm_op.launcher(b) for b in buffers]
                for root, norm_op in ops.items()}
    variants["torch.compile"] = bs.compiled_launchers(op, h, dtype, buffers,
                                                      w)
    times = bs.best_of_rounds(variants, rounds)
    for root, t in times.items():
        best = min(t)
        gbs = bs.moved_bytes(op, m, h, dtype) / best / 1e3  # bytes/us/1e3
        rounds_us = " ".join(f"{x:.2f}" for x in t)
        print(f"{op} {m}x{h} {type_name} {root}: {rounds_us}"
              f"  best {best:.2f} us, {100 * gbs / copy:.1f}% of copy",
              flush=True)
    del variants, buffers
    torch.cuda.empty_cache()


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    roots, op = sys.argv[1].split(","), sys.argv[2]
    shapes = [tuple(map(int, s.split("x"))) for s in sys.argv[3].split(",")]
    rounds = sys.argv[4] if len(sys.argv) > 4 else "3"
    if not rounds.isdigit() or int(rounds) < 1:
        sys.exit(f"ROUNDS wants a whole number >= 1, not '{rounds}'")
    rounds = int(rounds)
    type_name = sys.argv[5] if len(sys.argv) > 5 else "bf16"
    if type_name not in DTYPES:
        sys.exit(f"TYPE must be one of {', '.join(DTYPES)}, got {type_name}")
    ctx = Context()
    copy = bs.copy_bandwidth(rounds)
    print(bs.device_line(ctx, copy), flush=True)
    for m, h in shapes:
        compare(ctx, roots, op, m, h, rounds, copy, type_name)


if __name__ == "__main__":
    main()
