#!/usr/bin/env python3
"""Fusing must not change a quantizer's codes or scales: on the GPU, every
quantizing op of the benchmark bundles (bench/build_bench.sh) runs fused and
as its unfused chain (the norm kernel stores the normalized row, the quantize
kernel reads it back) on the same inputs, and the two must agree bit for bit
(codes, scales and residual_out) wherever the chain's norm kernel sums the
row in the same order as the fused kernel. This is tighter than norm-run's
float64 check, which lets a scale move by one step of the intermediate type;
it checks, for instance, the amax that split rows take from their first
pass.

Inputs, each on ROWS rows: normal rows and gamma around 1; large rows and
normal gamma; tiny rows (their sums of squares underflow); a few huge gamma
elements; an infinite and a NaN gamma element; integer-valued rows (ties);
and rows of zeros, NaN, +-inf and a single spike.

Usage (on the GPU machine):
  NORM_RUNTIME_LIBRARY=.../libnorm_runtime.so PYTHONPATH=python \\
    python3 test/gpu/check_fused_exact.py ROOT H[,H...] [ROWS]
Exits 1 on any difference that is required not to be.
"""

import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "bench"))
import bench_suite as bs  # noqa: E402
from norm_mlir.runtime import Bundle, Context  # noqa: E402

QUANTIZING = ["rmsnorm_fp8", "add_rmsnorm_fp8", "add_rmsnorm_fp8_g128",
              "rmsnorm_i8"]


def inputs(kind, m, h, gen):
    """x, r, gamma (float32, rounded to bf16 later) of one input kind."""
    def randn(*shape):
        return torch.randn(*shape, device="cuda", generator=gen)
    x, r = randn(m, h), randn(m, h)
    w = 1 + 0.1 * randn(h)
    if kind == "large":
        x, r, w = x * 1000, r * 300, randn(h)
    elif kind == "tiny":
        x, r = x * 1e-25, r * 1e-25
    elif kind == "huge_gamma":
        w[torch.randint(0, h, (4,), device="cuda", generator=gen)] = 1e12
    elif kind == "nonfinite_gamma":
        # Every row's estimate is infinite or NaN: the amax pass runs.
        w[3], w[h - 5] = float("inf"), float("nan")
    elif kind == "integers":
        x, r = torch.round(x * 2), torch.round(r * 2)
    elif kind == "special":
        x[0], r[0] = 0, 0
        x[1, 5] = float("nan")
        x[2, 7] = float("inf")
        x[3, 9] = float("-inf")
        x[4], r[4] = 0, 0
        x[4, h // 2] = 3.0
    return x, r, w


def reduction_order(info):
    """What fixes the order in which a kernel sums a row's squares."""
    return tuple(info[k] for k in ("threads_per_row", "vector_width",
                                   "blocks_per_row"))


def check(ctx, root, op, h, m, kind, gen):
    name = f"h{h}_bf16"
    norm_op = bs.NormOp(ctx, Bundle(f"{root}/{name}"),
                        Bundle(f"{root}/{name}-unfused"), op, h)
    # The chain's norm kernel may sum the squares in another order (its own
    # schedule): then its 1 / rms, hence a few codes, may differ in the last
    # bit, and the comparison is reported but not required.
    chain_norm = [k for k in norm_op.chain if not k.endswith("quantize")][0]
    comparable = (reduction_order(norm_op.info) ==
                  reduction_order(norm_op.unfused.info(chain_norm)))
    # A split row's amax may come from its first pass: never left unchecked.
    split = norm_op.info["blocks_per_row"] > 1
    x, r, w = inputs(kind, m, h, gen)
    fused = bs.make_buffers(op, m, h, torch.bfloat16)
    fused["input"].copy_(x)
    fused["residual"].copy_(r)
    fused["gamma"] = w.to(torch.bfloat16)
    chain = {k: v.clone() for k, v in fused.items()}
    for b, poison in ((fused, 0x55), (chain, 0xAA)):
        for key in ("output", "scales", "residual_out", "normalized"):
            b[key].view(torch.uint8).fill_(poison)
    norm_op.launcher(fused)()
    norm_op.chain_launcher(chain)()
    torch.cuda.synchronize()
    keys = ["output", "scales"]
    if op in bs.HAS_RESIDUAL:
        keys.append("residual_out")
    bad = []
    for key in keys:
        a = fused[key].view(torch.uint8)
        b = chain[key].view(torch.uint8)
        if not torch.equal(a, b):
            rows = (a != b).view(m, -1).any(dim=1).nonzero().flatten()
            bad.append(f"{key} differs in {rows.numel()} rows "
                       f"(first {rows[:4].tolist()})")
    status = "; ".join(bad) if bad else "identical"
    if not comparable:
        status += (" (FAILED: a split kernel must sum as its chain does)"
                   if split else
                   " (not required: the chain sums in another order)")
    print(f"{op} {m}x{h} {kind}: {status}", flush=True)
    return not bad if comparable else not split


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    root = sys.argv[1]
    heights = [int(h) for h in sys.argv[2].split(",")]
    m = int(sys.argv[3]) if len(sys.argv) > 3 else 2048
    ctx = Context()
    gen = torch.Generator(device="cuda")
    gen.manual_seed(7)
    ok = True
    for h in heights:
        for op in QUANTIZING:
            if op.endswith("g128") and h % 128:
                continue
            for kind in ("normal", "large", "tiny", "huge_gamma",
                         "nonfinite_gamma", "integers", "special"):
                ok &= check(ctx, root, op, h, m, kind, gen)
    print("every required comparison identical" if ok else
          "FAILED: fused and unfused differ")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
