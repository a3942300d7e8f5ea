#!/usr/bin/env python3
"""The performance suite of issue #6 in one run: norm-mlir kernels (launched
through libnorm_runtime on PyTorch's stream), eager PyTorch (F.rms_norm) and
torch.compile of the obvious PyTorch code, on the same inputs, checked
against each other, with the device-to-device copy bandwidth of the same run.

Every time is per launch inside a CUDA graph (as triton's
do_bench_cudagraph): large shapes replay a graph that rotates over buffer
sets spanning >= 300 MB (6x the 50 MB L2) so the cache cannot hold them;
decode shapes are timed as latency in a graph without rotation. Each case
times its variants (norm-mlir, torch.compile, eager, the unfused chain) in
turn, ROUNDS times (3 unless --rounds says), one graph alive at a time,
and reports each one's best median of 20 replays: every variant gets as
many chances spread over the same period, so a moment when the GPU runs
slow (a clock dip, a neighbour) costs one round, not the case. The copy
bandwidth is the best of as many rounds. The progress lines give
norm-mlir's median of every round.

Usage (on the GPU machine; bundles from bench/build_bench.sh):
  NORM_RUNTIME_LIBRARY=.../libnorm_runtime.so PYTHONPATH=python \\
    python3 bench/bench_suite.py BUNDLES [--large] [--decode] [--only=op,...]
                                 [--shapes=MxH,...] [--rounds=N]
"""

import math
import os
import sys
import time

import torch
import torch.nn.functional as F

from norm_mlir.runtime import Bundle, Context

EPS = 1e-5
LARGE = [(32768, 4096), (16384, 8192), (8192, 5120), (4096, 16384),
         (1024, 65536), (16384, 4095)]
DECODE = [(1, 4096), (1, 7168), (32, 4096), (256, 4096)]
OPS = ["rmsnorm", "add_rmsnorm", "rmsnorm_fp8", "add_rmsnorm_fp8",
       "add_rmsnorm_fp8_g128", "rmsnorm_i8"]
ROTATE_BYTES = 300 << 20
FP8 = torch.float8_e4m3fn


# --- PyTorch references: the obvious code (BASELINES-H100.md) -------------

def t_norm(x, w):
    xf = x.float()
    return xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + EPS) * w.float()


def t_rmsnorm(x, w):
    return t_norm(x, w).to(x.dtype)


def t_add_rmsnorm(x, r, w):
    s = x + r
    return t_rmsnorm(s, w), s


def t_quant(y, qmax, dtype):
    scale = y.abs().amax(-1, keepdim=True) / qmax
    q = y / scale
    if dtype == torch.int8:
        q = q.round()
    return q.clamp(-qmax - (dtype == torch.int8), qmax).to(dtype), scale


def t_rmsnorm_fp8(x, w):
    return t_quant(t_norm(x, w), 448.0, FP8)


def t_add_rmsnorm_fp8(x, r, w):
    s = x + r
    q, scale = t_quant(t_norm(s, w), 448.0, FP8)
    return q, scale, s


def t_add_rmsnorm_fp8_g128(x, r, w):
    s = x + r
    y = t_norm(s, w)
    m, h = y.shape
    q, scale = t_quant(y.view(m, h // 128, 128), 448.0, FP8)
    return q.view(m, h), scale.view(m, h // 128), s


def t_rmsnorm_i8(x, w):
    return t_quant(t_norm(x, w), 127.0, torch.int8)


TORCH = {"rmsnorm": t_rmsnorm, "add_rmsnorm": t_add_rmsnorm,
         "rmsnorm_fp8": t_rmsnorm_fp8, "add_rmsnorm_fp8": t_add_rmsnorm_fp8,
         "add_rmsnorm_fp8_g128": t_add_rmsnorm_fp8_g128,
         "rmsnorm_i8": t_rmsnorm_i8}
HAS_RESIDUAL = {"add_rmsnorm", "add_rmsnorm_fp8", "add_rmsnorm_fp8_g128"}


def eager_fn(op):
    """PyTorch's own kernel where one exists."""
    if op == "rmsnorm":
        return lambda x, w: F.rms_norm(x, (x.shape[-1],), w, EPS)
    if op == "add_rmsnorm":
        def f(x, r, w):
            s = x + r
            return F.rms_norm(s, (s.shape[-1],), w, EPS), s
        return f
    return None


_compiled = (None, None)


def compiled_fn(op, h, dtype):
    """torch.compile of the op for one H and dtype (rows dynamic). Dynamo
    caches per code object: without the reset, a later H would recompile
    the same function with H dynamic too, and time a generic kernel
    (1024 x 65536 rmsnorm + fp8: 240 us after the other shapes, 172 alone)."""
    global _compiled
    key = (op, h, dtype)
    if _compiled[0] != key:
        torch._dynamo.reset()
        _compiled = (key, torch.compile(TORCH[op]))
    return _compiled[1]


# --- timing ----------------------------------------------------------------

def graph_time_us(launches, reps=20):
    """Per-launch time of `launches` (callables, one per buffer set): the
    median of `reps` replays of a CUDA graph of at least 16 launches (a
    replay's start spread over them), captured after a warm-up on a side
    stream. The graph is freed on return: on one H100 (RESULTS.md,
    thirteenth round) a graph left alive, eager F.rms_norm's, slowed
    norm-mlir's streaming kernels by 3-4% and nothing else."""
    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):
        for fn in launches * 2:
            fn()
    torch.cuda.current_stream().wait_stream(stream)
    torch.cuda.synchronize()
    per_graph = max(len(launches), 16 // len(launches) * len(launches))
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        for i in range(per_graph):
            launches[i % len(launches)]()
    graph.replay()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        start = torch.cuda.Event(enable_timing=True)
        end = torch.cuda.Event(enable_timing=True)
        start.record()
        graph.replay()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end) * 1000 / per_graph)
    times.sort()
    return times[len(times) // 2]


def best_of_rounds(variants, rounds):
    """Each variant's (name -> launches) graph timed in turn, `rounds`
    times: every variant gets as many chances spread over the same period,
    so a slow moment of the GPU costs one round. Returns each one's medians
    in round order."""
    medians = {name: [] for name in variants}
    for _ in range(rounds):
        for name, launches in variants.items():
            medians[name].append(graph_time_us(launches))
    return medians


def device_line(ctx, copy):
    """Names the GPU for the tables: the UUID tells lent GPUs of one model
    apart (their SMs fall into GPCs differently, and so do the split
    kernels' times)."""
    props = torch.cuda.get_device_properties(torch.cuda.current_device())
    return (f"device {props.name} ({ctx.chip}, {props.multi_processor_count}"
            f" SMs, GPU-{props.uuid}), torch {torch.__version__}; "
            f"device-to-device copy {copy:.0f} GB/s")


def copy_bandwidth(rounds):
    """GB/s of a device-to-device copy, its best median over `rounds` as
    for the kernels it is compared with."""
    n = 1 << 30
    src = [torch.empty(n // 4, dtype=torch.uint8, device="cuda")
           for _ in range(2)]
    dst = [torch.empty_like(s) for s in src]
    copies = [lambda i=i: dst[i].copy_(src[i]) for i in range(2)]
    us = min(best_of_rounds({"copy": copies}, rounds)["copy"])
    return 2 * (n // 4) / us / 1e3


# --- norm-mlir launches ----------------------------------------------------

class NormOp:
    """One op of the suite compiled into a bundle: the fused kernel, and the
    unfused chain (fuse=false) for the quantizing ops."""

    def __init__(self, ctx, bundles, unfused, op, h):
        self.ctx, self.op = ctx, op
        self.bundle = bundles
        suffixes = ("rmsnorm", "add_rmsnorm", "rmsnorm_quantize")
        fused = [k for k in bundles.kernels()
                 if k.startswith(op + "_") and k[len(op) + 1:] in suffixes]
        assert len(fused) == 1, (op, bundles.kernels())
        self.kernel = fused[0]
        self.info = bundles.info(self.kernel)
        self.unfused = unfused
        self.chain = []
        if self.info["op"] == "rmsnorm_quantize":
            self.chain = [k for k in unfused.kernels()
                          if k.startswith(op + "_") and k[len(op) + 1:] in
                          ("rmsnorm", "add_rmsnorm", "quantize")]
            assert len(self.chain) == 2, (op, unfused.kernels())

    def tensors_for(self, info, buffers):
        return [buffers[t["name"]] for t in info["tensors"]]

    def launcher(self, buffers):
        args = self.tensors_for(self.info, buffers)
        ctx, bundle, kernel = self.ctx, self.bundle, self.kernel
        return lambda: ctx.launch(bundle, kernel, args,
                                  torch.cuda.current_stream())

    def chain_launcher(self, buffers):
        """The unfused chain: the norm kernel writes the normalized row, the
        quantize kernel reads it back."""
        steps = []
        for kernel in sorted(self.chain, key=lambda k: k.endswith("quantize")):
            info = self.unfused.info(kernel)
            names = {t["name"]: t for t in info["tensors"]}
            args = []
            for t in info["tensors"]:
                name = t["name"]
                if kernel.endswith("quantize") and name == "input":
                    name = "normalized"
                if not kernel.endswith("quantize") and name == "output":
                    name = "normalized"
                args.append(buffers[name])
            steps.append((kernel, args))
        ctx, bundle = self.ctx, self.unfused

        def run():
            for kernel, args in steps:
                ctx.launch(bundle, kernel, args, torch.cuda.current_stream())
        return run


def make_buffers(op, m, h, dtype):
    x = torch.randn(m, h, device="cuda", dtype=dtype)
    r = torch.randn(m, h, device="cuda", dtype=dtype)
    b = dict(input=x, residual=r,
             residual_out=torch.empty_like(x),
             normalized=torch.empty_like(x))
    if op in ("rmsnorm", "add_rmsnorm"):
        b["output"] = torch.empty_like(x)
    elif op == "rmsnorm_i8":
        b["output"] = torch.empty(m, h, device="cuda", dtype=torch.int8)
        b["scales"] = torch.empty(m, 1, device="cuda")
    else:
        b["output"] = torch.empty(m, h, device="cuda", dtype=FP8)
        groups = h // 128 if op.endswith("g128") else 1
        b["scales"] = torch.empty(m, groups, device="cuda")
    return b


def moved_bytes(op, m, h, dtype):
    e = torch.tensor([], dtype=dtype).element_size()
    n = m * h
    reads = n * e * (2 if op in HAS_RESIDUAL else 1) + h * e
    if op in ("rmsnorm", "add_rmsnorm"):
        writes = n * e
    else:
        groups = h // 128 if op.endswith("g128") else 1
        writes = n + 4 * m * groups
    if op in HAS_RESIDUAL:
        writes += n * e
    return reads + writes


def rel_l2(a, b):
    a, b = a.double(), b.double()
    return ((a - b).norm() / b.norm().clamp_min(1e-30)).item()


def agreement(op, b, w):
    """Our outputs against the PyTorch reference on buffer set `b`."""
    x, r = b["input"], b["residual"]
    if op == "rmsnorm":
        return rel_l2(b["output"], t_norm(x, w)) < 8e-3
    if op == "add_rmsnorm":
        s = x + r
        return (torch.equal(b["residual_out"], s)
                and rel_l2(b["output"], t_norm(s, w)) < 8e-3)
    s = x + r if op in HAS_RESIDUAL else x
    y = t_norm(s, w)
    m, h = y.shape
    q, sc = b["output"].float(), b["scales"]
    deq = (q.view(m, sc.shape[1], -1) * sc.unsqueeze(-1)).view(m, h)
    ok = rel_l2(deq, y) < (0.06 if q.dtype != torch.int8 else 0.02)
    if op in HAS_RESIDUAL:
        ok = ok and torch.equal(b["residual_out"], s)
    return ok


def torch_args(op, b, w):
    """The PyTorch functions' arguments on buffer set `b`."""
    if op in HAS_RESIDUAL:
        return b["input"], b["residual"], w
    return b["input"], w


def rotating_buffers(op, m, h, dtype, rotate):
    """Gamma and the buffer sets of one case: as many as span ROTATE_BYTES
    (2 to 8) with `rotate`, else one."""
    set_bytes = moved_bytes(op, m, h, dtype) * 2  # + normalized buffers
    sets = max(2, min(8, math.ceil(ROTATE_BYTES / set_bytes))) if rotate else 1
    w = torch.randn(h, device="cuda", dtype=dtype) * 0.5 + 1
    buffers = [make_buffers(op, m, h, dtype) for _ in range(sets)]
    for b in buffers:
        b["gamma"] = w
    return w, buffers


def compiled_launchers(op, h, dtype, buffers, w):
    """torch.compile of `op` for H with the rows dynamic, compiled on the
    first buffer set: one launcher per set."""
    fn = compiled_fn(op, h, dtype)
    first = buffers[0]
    if first["input"].shape[0] > 1:
        torch._dynamo.mark_dynamic(first["input"], 0)
        if op in HAS_RESIDUAL:
            torch._dynamo.mark_dynamic(first["residual"], 0)
    fn(*torch_args(op, first, w))
    return [lambda b=b: fn(*torch_args(op, b, w)) for b in buffers]


def bench_op(ctx, bundles, op, m, h, dtype, copy, rotate, rounds):
    fused, unfused = bundles
    norm_op = NormOp(ctx, fused, unfused, op, h)
    w, buffers = rotating_buffers(op, m, h, dtype, rotate)
    launches = [norm_op.launcher(b) for b in buffers]
    launches[0]()
    torch.cuda.synchronize()
    agree = agreement(op, buffers[0], w)
    variants = {"ours": launches,
                "compile": compiled_launchers(op, h, dtype, buffers, w)}
    eager = eager_fn(op)
    if eager:
        variants["eager"] = [lambda b=b: eager(*torch_args(op, b, w))
                             for b in buffers]
    if norm_op.chain:
        variants["unfused"] = [norm_op.chain_launcher(b) for b in buffers]
    medians = best_of_rounds(variants, rounds)
    row = {name: min(times) for name, times in medians.items()}
    row.update(op=op, m=m, h=h, dtype=str(dtype).split(".")[1], agree=agree,
               ours_rounds=medians["ours"],
               gbs=moved_bytes(op, m, h, dtype) / row["ours"] / 1e3)
    row["pct"] = 100 * row["gbs"] / copy
    del variants, launches, buffers
    torch.cuda.empty_cache()
    return row


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    root = sys.argv[1]
    def listed(option):
        return [a.split("=", 1)[1].split(",") for a in sys.argv[2:]
                if a.startswith(option + "=")]
    flags = set(a for a in sys.argv[2:] if "=" not in a)
    def known(arg):
        name, _, value = arg.partition("=")
        return (arg in ("--large", "--decode") or
                name in ("--only", "--shapes", "--rounds") and value != "")
    unknown = [a for a in sys.argv[2:] if not known(a)]
    if unknown:
        sys.exit(f"unknown arguments {unknown}\n{__doc__}")
    only = listed("--only")
    ops = only[0] if only else OPS
    picked = listed("--shapes")
    rounds = listed("--rounds")[0][0] if listed("--rounds") else "3"
    if not rounds.isdigit() or int(rounds) < 1:
        sys.exit(f"--rounds wants a whole number >= 1, not '{rounds}'")
    rounds = int(rounds)
    shapes = []
    if "--large" in flags or not flags:
        shapes += [(m, h, True) for m, h in LARGE]
    if "--decode" in flags or not flags:
        shapes += [(m, h, False) for m, h in DECODE]
    ctx = Context()
    copy = copy_bandwidth(rounds)
    print(device_line(ctx, copy), flush=True)
    if picked:
        shapes = [s for s in shapes if f"{s[0]}x{s[1]}" in picked[0]]
    cases = [(op, m, h, torch.bfloat16, rotate) for m, h, rotate in shapes
             for op in ops if not (op.endswith("g128") and h % 128)]
    if ("--large" in flags or not flags) and not picked:
        cases += [("rmsnorm", 16384, 8192, dt, True)
                  for dt in (torch.float16, torch.float32)]
    rows = []
    start = time.time()
    for op, m, h, dtype, rotate in cases:
        short = {torch.bfloat16: "bf16", torch.float16: "f16",
                 torch.float32: "f32"}[dtype]
        name = f"h{h}_{short}"
        bundles = (Bundle(os.path.join(root, name)),
                   Bundle(os.path.join(root, name + "-unfused")))
        row = bench_op(ctx, bundles, op, m, h, dtype, copy, rotate, rounds)
        row["rotate"] = rotate
        rows.append(row)
        print(format_row(row), flush=True)
    print(f"\n{len(rows)} cases in {time.time() - start:.0f} s, best of "
          f"{rounds} rounds each; copy {copy:.0f} GB/s\n")
    print(table(rows))


def format_row(r):
    rounds = "/".join(f"{t:.2f}" for t in r["ours_rounds"])
    s = (f"{r['op']:22s} {r['m']:6d}x{r['h']:<6d} {r['dtype']:9s} "
         f"{r['ours']:9.2f} us (rounds {rounds}) {r['gbs']:7.0f} GB/s "
         f"{r['pct']:5.1f}% | "
         f"compile {r['compile']:8.2f} us x{r['compile'] / r['ours']:.2f}")
    if "eager" in r:
        s += f" | eager {r['eager']:8.2f} us x{r['eager'] / r['ours']:.2f}"
    if "unfused" in r:
        s += f" | unfused {r['unfused']:8.2f} us x{r['unfused'] / r['ours']:.2f}"
    return s + ("" if r["agree"] else "  MISMATCH")


def table(rows):
    out = ["| op | M x H | input | norm-mlir | GB/s | % of copy | "
           "torch.compile (speed-up) | eager (speed-up) | unfused chain "
           "(speed-up) | agrees |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        eager = (f"{r['eager']:.2f} us ({r['eager'] / r['ours']:.2f}x)"
                 if "eager" in r else "")
        unfused = (f"{r['unfused']:.2f} us ({r['unfused'] / r['ours']:.2f}x)"
                   if "unfused" in r else "")
        pct = f"{r['pct']:.1f}%" if r["rotate"] else "(latency)"
        gbs = f"{r['gbs']:.0f}" if r["rotate"] else ""
        out.append(f"| {r['op']} | {r['m']} x {r['h']} | {r['dtype']} | "
                   f"{r['ours']:.2f} us | {gbs} | {pct} | "
                   f"{r['compile']:.2f} us ({r['compile'] / r['ours']:.2f}x) | "
                   f"{eager} | {unfused} | {'yes' if r['agree'] else 'NO'} |")
    return "\n".join(out)


if __name__ == "__main__":
    main()
