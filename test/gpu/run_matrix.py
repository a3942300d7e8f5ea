#!/usr/bin/env python3
"""Runs every kernel of the matrix built by build_matrix.sh on the GPU and
checks it against a float64 reference of the numerics contract (DESIGN.md),
on fresh random data, with outputs poisoned before each run.

Each case runs twice with different poison bytes (0xFF, then 0x55): results
must be bit-identical (catches unwritten elements and races), and padding
between rows must keep its poison. Needs torch and cupy (the lent GPU
machines have both). Usage: run_matrix.py BUNDLES_DIR [--quick] [--only=h4096,h7]

Tolerances (error <= atol + rtol * |ref|): f32 out 2e-5/1e-5, f16 2e-3/1e-3,
bf16 1.6e-2/1e-2 (one rounding of the output plus f32 accumulation);
scales rel 1e-5; quantized codes: the reference replays the kernels' f32
arithmetic (DESIGN.md: accumulate in f32), so codes must be at most one step
away and at most 0.1% of them (or one) off by that step.
"""

import json
import math
import os
import sys

import cupy as cp
import numpy as np
import torch

TORCH = {"f32": torch.float32, "f16": torch.float16, "bf16": torch.bfloat16,
         "f8E4M3FN": torch.float8_e4m3fn, "f8E5M2": torch.float8_e5m2,
         "i8": torch.int8}
QMAX = {"f8E4M3FN": 448.0, "f8E5M2": 57344.0, "i8": 127.0}
# (mantissa bits, exponent bias) of the fp8 formats.
FP8_BITS = {"f8E4M3FN": (3, 7), "f8E5M2": (2, 15)}
TOL = {"f32": (2e-5, 1e-5), "f16": (2e-3, 1e-3), "bf16": (1.6e-2, 1e-2)}
ROWS = [1, 7, 256, 8192]
DYN_H = [7, 100, 384, 3000, 4096]
MAX_ELEMENTS = 8192 * 16384

gen = torch.Generator(device="cuda")
gen.manual_seed(int.from_bytes(os.urandom(4), "little"))
failures = []
results = []


def randn(rows, cols, scale=1.0):
    return torch.randn(rows, cols, generator=gen, device="cuda",
                       dtype=torch.float64) * scale


def make_input(rows, h, dt, magnitude):
    x = randn(rows, h, magnitude)
    if rows >= 3:
        x[0] = 0.0                      # all-zero row
        big = 100.0 if dt == "f16" else 1e4
        x[1] *= big                     # large magnitudes
    return x.to(TORCH[dt])


def padded(rows, h, dt, pad):
    """A [rows, h] view of a [rows, h + pad] buffer, poisoned later."""
    base = torch.empty(rows, h + pad, dtype=TORCH[dt], device="cuda")
    return base, base[:, :h]


def poison(buffers, byte):
    for b in buffers:
        b.view(torch.uint8).fill_(byte)


def ref_rms(x, gamma, eps, offset):
    y = x / torch.sqrt((x * x).mean(-1, keepdim=True) + eps)
    if gamma is not None:
        y = y * (gamma + offset)
    return y


def code_steps(got, ref, qt):
    """Per element distance in quantization steps between two code tensors."""
    if qt == "i8":
        return (got.to(torch.int32) - ref.to(torch.int32)).abs()
    g = got.view(torch.uint8).to(torch.int32)
    r = ref.view(torch.uint8).to(torch.int32)
    # Sign-magnitude: map to a monotonic integer line.
    def line(c):
        mag = c & 0x7F
        return torch.where(c & 0x80 != 0, -mag, mag)
    return (line(g) - line(r)).abs()


def check_close(label, got, ref, out_type):
    rtol, atol = TOL[out_type]
    got64 = got.to(torch.float64)
    err = (got64 - ref).abs()
    bad = ~(err <= atol + rtol * ref.abs())
    nan = torch.isnan(got64).any().item()
    rel_l2 = (torch.linalg.norm(got64 - ref) /
              max(torch.linalg.norm(ref).item(), 1e-300)).item()
    max_rel = (err / ref.abs().clamp_min(1e-30)).max().item() if ref.numel() else 0
    ok = not nan and not bad.any().item()
    results.append((label, err.max().item() if ref.numel() else 0.0, max_rel,
                    rel_l2, int(bad.sum().item()), ok))
    if not ok:
        failures.append(f"{label}: {int(bad.sum())} elements out of tolerance,"
                        f" max abs err {err.max().item():.3g}, nan={nan}")


def check_codes(label, got, ref, qt):
    steps = code_steps(got, ref, qt)
    off = int((steps > 0).sum().item())
    far = int((steps > 1).sum().item())
    ok = far == 0 and off <= max(1, got.numel() // 1000)
    results.append((label, float(steps.max().item()) if got.numel() else 0.0,
                    off / max(got.numel(), 1), 0.0, far, ok))
    if not ok:
        failures.append(f"{label}: {far} codes more than one step off, "
                        f"{off} off by one")


def round_to_fp8(v, qt):
    """Round-to-nearest-even of float64 values (within +-qmax) onto the fp8
    grid. torch's own float -> float8 cast does not round ties to even (seen
    on torch 2.11: 184.0 -> 176 in e4m3fn), so it only converts exact values
    here."""
    mbits, bias = FP8_BITS[qt]
    a = v.abs()
    _, e = torch.frexp(a)
    exponent = torch.clamp(e.to(torch.int64) - 1, min=1 - bias)
    # 2^(exponent - mbits) built from its bits: torch.pow on CUDA is not
    # exact for powers of two (2^-9 came out as 0.0019531249999999998).
    step = ((exponent - mbits + 1023) << 52).view(torch.float64)
    return torch.sign(v) * torch.round(a / step) * step


def quant_reference(x, case, qt, static_scale, smooth):
    """The quantizer in the kernels' own arithmetic: f32 smooth, clip, amax,
    scale and division (exact replicas of single f32 operations), then one
    round-to-nearest-even to the target type."""
    qmax = QMAX[qt]
    x = x.to(torch.float32)
    if smooth is not None:
        x = x * smooth.to(torch.float32)
    if "clip" in case:
        x = x.clamp(-case["clip"], case["clip"])
    scheme = case["scheme"]
    rows, h = x.shape
    if scheme == "static":
        scale = torch.tensor([[static_scale]], dtype=torch.float32,
                             device="cuda")
        full = scale
    else:
        g = h if scheme == "per_token" else case["group"]
        amax = x.abs().reshape(rows, h // g, g).amax(-1)
        if "scale_ub" in case:
            amax = amax.clamp_max(case["scale_ub"])
        # A tensor divisor: torch turns division by a Python scalar into a
        # multiplication by its reciprocal, which is not the f32 division.
        scale = torch.maximum(
            amax / torch.full_like(amax, qmax),
            torch.tensor(1.0 / (qmax * 512), dtype=torch.float32,
                         device="cuda"))
        full = scale.repeat_interleave(g, dim=1)
    q = x / full
    if qt == "i8":
        # Saturation is to the type's range, [-128, 127], after rounding.
        q = torch.round(q).clamp(-128, 127).to(torch.int8)
    else:
        q = q.clamp(-qmax, qmax)
        q = round_to_fp8(q.to(torch.float64), qt).to(TORCH[qt])
    return q, (None if scheme == "static" else scale.to(torch.float64))


def launch(fn, kernel, args, rows):
    rpb = kernel["rows_per_block"]
    grid = (rows + rpb - 1) // rpb
    fn((grid,), (kernel["block_size"],), tuple(args))
    torch.cuda.synchronize()


def arg_values(kernel, tensors, rows, h, strides):
    values = []
    for a in kernel["args"]:
        if a["kind"] == "ptr":
            t = tensors[a["name"]]
            assert t.data_ptr() % a["align"] == 0, (a, t.data_ptr())
            values.append(np.uint64(t.data_ptr()))
        elif a["name"] == "rows":
            values.append(np.int64(rows))
        elif a["name"] == "cols":
            values.append(np.int64(h))
        else:
            values.append(np.int64(strides[a["name"][len("stride_"):]]))
    return values


def run_case(fn, kernel, case, rows, h, pad):
    dt = case["dt"]
    label = f"{case['name']} H={h} rows={rows}{' strided' if pad else ''}"
    magnitude = float(np.random.choice([1.0, 1e-3, 30.0]))
    x = make_input(rows, h, dt, magnitude)
    xbuf, xv = padded(rows, h, dt, pad)
    xv.copy_(x)
    x64 = x.to(torch.float64)
    tensors = {"input": xv}
    strides = {"input": h + pad}
    outputs = []

    op = case["op"]
    if op in ("rmsnorm", "add_rmsnorm"):
        gamma = None
        if case.get("gamma"):
            gamma = (1.0 + 0.5 * randn(1, h)).to(TORCH[case["gamma"]])[0]
            tensors["gamma"] = gamma
        ybuf, yv = padded(rows, h, case["out"], pad)
        tensors["output"] = yv
        strides["output"] = h + pad
        outputs.append(("output", ybuf, yv, case["out"]))
        src = x64
        if op == "add_rmsnorm":
            r = make_input(rows, h, case["res"], magnitude)
            rbuf, rv = padded(rows, h, case["res"], pad)
            rv.copy_(r)
            robuf, rov = padded(rows, h, case["res"], pad)
            tensors.update(residual=rv, residual_out=rov)
            strides.update(residual=h + pad, residual_out=h + pad)
            outputs.append(("residual_out", robuf, rov, case["res"]))
            s = (x64 + r.to(torch.float64)).to(TORCH[case["res"]])
            src = s.to(torch.float64)
        g64 = gamma.to(torch.float64) if gamma is not None else None
        refs = {"output": ref_rms(src, g64, case["eps"], case["offset"])}
        if op == "add_rmsnorm":
            refs["residual_out"] = src
    else:
        qt = case["qt"]
        smooth = None
        if case.get("smooth"):
            smooth = 0.5 + 1.5 * torch.rand(h, generator=gen, device="cuda",
                                            dtype=torch.float64)
            tensors["smooth"] = smooth.to(torch.float32)
        static = None
        if case["scheme"] == "static":
            static = float(x64.abs().max().item()) / QMAX[qt] * 0.5 or 1.0
            static = float(np.float32(static))
            tensors["scale"] = torch.tensor([static], dtype=torch.float32,
                                            device="cuda")
        qbuf, qv = padded(rows, h, qt, pad)
        tensors["output"] = qv
        strides["output"] = h + pad
        outputs.append(("output", qbuf, qv, qt))
        q_ref, s_ref = quant_reference(x64, case, qt, static, smooth)
        refs = {"output": q_ref}
        if s_ref is not None:
            if case["scheme"] == "per_group" and case["layout"] == "col_major":
                sbuf = torch.empty(s_ref.shape[1], rows, dtype=torch.float32,
                                   device="cuda")
                strides["scales"] = rows
                refs["scales"] = s_ref.t()
            else:
                sbuf = torch.empty(rows, s_ref.shape[1], dtype=torch.float32,
                                   device="cuda")
                strides["scales"] = s_ref.shape[1]
                refs["scales"] = s_ref
            tensors["scales"] = sbuf
            outputs.append(("scales", sbuf, sbuf, "f32"))

    args = arg_values(kernel, tensors, rows, h, strides)
    runs = []
    for byte in (0xFF, 0x55):
        poison([o[1] for o in outputs], byte)
        launch(fn, kernel, args, rows)
        runs.append([o[2].contiguous().clone() for o in outputs])
    for (name, buf, view, otype), first, second in zip(outputs, *runs):
        if not torch.equal(first.view(torch.uint8), second.view(torch.uint8)):
            failures.append(f"{label}: {name} differs between two poisoned "
                            "runs (unwritten elements or a race)")
        if pad and buf.dim() == 2 and buf.shape[1] > h:
            width = buf.element_size()
            padding = buf.view(torch.uint8)[:, h * width:]
            if not bool((padding == 0x55).all()):
                failures.append(f"{label}: {name} wrote into row padding")
        got = view
        if name == "scales":
            rtol = 1e-5
            err = ((got.to(torch.float64) - refs[name]).abs() /
                   refs[name].abs()).max().item()
            ok = err <= rtol and not torch.isnan(got).any().item()
            results.append((f"{label} scales", err, err, 0.0, 0, ok))
            if not ok:
                failures.append(f"{label}: scales rel err {err:.3g}")
        elif otype in QMAX:
            check_codes(f"{label} {name}", got, refs[name], otype)
        else:
            check_close(f"{label} {name}", got, refs[name], otype)


def main():
    root = sys.argv[1]
    quick = "--quick" in sys.argv
    only = None
    for arg in sys.argv:
        if arg.startswith("--only="):
            only = arg[len("--only="):].split(",")
    cases = json.load(open(os.path.join(root, "cases.json")))
    for bundle, entry in cases.items():
        if only and bundle not in only:
            continue
        manifest = json.load(open(os.path.join(root, bundle, "manifest.json")))
        obj = manifest["objects"][0]
        module = cp.RawModule(path=os.path.join(root, bundle, obj["file"]))
        hs = DYN_H if entry["H"] == "dyn" else [entry["H"]]
        for case in entry["cases"]:
            kname = f"{case['name']}_{case['op']}"
            kernel = manifest["kernels"][kname]
            fn = module.get_function(kname)
            for h in hs:
                if case.get("group") and h % case["group"]:
                    continue
                for rows in ([7] if quick else ROWS):
                    if rows * h > MAX_ELEMENTS:
                        continue
                    run_case(fn, kernel, case, rows, h, pad=0)
                pad = kernel["vector_width"] * 2
                run_case(fn, kernel, case, 7, h, pad=pad)
    passed = sum(1 for r in results if r[5])
    with open(os.path.join(os.environ.get("OUT", "/tmp"), "matrix.tsv"), "w") as f:
        f.write("check\tmax_abs_or_steps\tmax_rel_or_frac_off\trel_l2\tbad\tok\n")
        for r in results:
            f.write("\t".join(str(v) for v in r) + "\n")
    print(f"{passed}/{len(results)} checks passed; {len(failures)} failures")
    for line in failures[:60]:
        print("FAIL", line)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
