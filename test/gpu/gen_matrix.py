#!/usr/bin/env python3
"""Generates the GPU correctness matrix: one .mlir module per H holding a
function per (op, scheme, element types), and cases.json listing them.
run_matrix.sh runs the compiled bundles through norm-run, which reads what
each kernel computes from its manifest. Usage: gen_matrix.py OUT_DIR"""

import json
import os
import sys

H_VALUES = [1, 7, 64, 100, 3000, 4094, 4095, 4096, 8192, 16384, 65535, 65536, "dyn"]
DTYPES = ["f32", "f16", "bf16"]


def row_type(h, dt):
    return f"memref<?x{'?' if h == 'dyn' else h}x{dt}>"


def vec_type(h, dt):
    return f"memref<{'?' if h == 'dyn' else h}x{dt}>"


def scale_type(h, scheme, group, layout):
    if scheme == "per_token":
        return "memref<?x1xf32>"
    groups = "?" if h == "dyn" else h // group
    if layout == "col_major":
        return f"memref<{groups}x?xf32>"
    return f"memref<?x{groups}xf32>"


def cases_for(h):
    cases = []
    for dt in DTYPES:
        cases.append(dict(name=f"rms_{dt}", op="rmsnorm", dt=dt, out=dt,
                          gamma=dt, eps=1e-5, offset=0.0))
        cases.append(dict(name=f"rms_{dt}_gemma_f32out", op="rmsnorm", dt=dt,
                          out="f32", gamma="f32", eps=1e-6, offset=1.0))
        cases.append(dict(name=f"rms_{dt}_nogamma", op="rmsnorm", dt=dt,
                          out=dt, gamma=None, eps=1e-6, offset=0.0))
        cases.append(dict(name=f"add_{dt}", op="add_rmsnorm", dt=dt, out=dt,
                          res=dt, gamma=dt, eps=1e-5, offset=0.0))
        if dt != "f32":
            # Hugging Face Llama: x / rms rounded to the input type before
            # the weight multiply (normalized_type).
            cases.append(dict(name=f"rms_{dt}_hf", op="rmsnorm", dt=dt,
                              out=dt, gamma=dt, eps=1e-6, offset=0.0,
                              normalized=dt))
            cases.append(dict(name=f"add_{dt}_hf", op="add_rmsnorm", dt=dt,
                              out=dt, res=dt, gamma=dt, eps=1e-6,
                              offset=0.0, normalized=dt))
            cases.append(dict(name=f"fused_{dt}_hf_add_e4m3", op="fused",
                              dt=dt, qt="f8E4M3FN", scheme="per_token",
                              residual=True, inter=dt, normalized=dt))
        if dt == "bf16":
            cases.append(dict(name="add_bf16_f32res", op="add_rmsnorm",
                              dt=dt, out=dt, res="f32", gamma=dt, eps=1e-5,
                              offset=0.0))
        for qt in ["f8E4M3FN", "f8E5M2", "i8"]:
            cases.append(dict(name=f"qpt_{dt}_{qt}", op="quantize", dt=dt,
                              qt=qt, scheme="per_token"))
        cases.append(dict(name=f"qpt_{dt}_smooth_ub", op="quantize", dt=dt,
                          qt="f8E4M3FN", scheme="per_token", smooth=True,
                          scale_ub=2.0))
        cases.append(dict(name=f"qst_{dt}_i8_clip", op="quantize", dt=dt,
                          qt="i8", scheme="static", clip=1.5))
        cases.append(dict(name=f"qst_{dt}_e4m3", op="quantize", dt=dt,
                          qt="f8E4M3FN", scheme="static"))
        # Fused [add +] rmsnorm + quantize, as norm-fuse produces it.
        cases.append(dict(name=f"fused_{dt}_add_e4m3", op="fused", dt=dt,
                          qt="f8E4M3FN", scheme="per_token", residual=True,
                          inter=dt))
        cases.append(dict(name=f"fused_{dt}_i8_keep", op="fused", dt=dt,
                          qt="i8", scheme="per_token", keep=True, inter=dt))
        # Without a residual (at H = 65536 on sm_90, persistent kernels):
        # fp8 as the benchmark has it; fp8 and int8 whose scale_ub and clip
        # leave quotients unbounded (int8 then converts every row); int8
        # with a weight offset (gamma + 1 in the loop) and a minimum scale.
        cases.append(dict(name=f"fused_{dt}_e4m3", op="fused", dt=dt,
                          qt="f8E4M3FN", scheme="per_token", inter=dt))
        cases.append(dict(name=f"fused_{dt}_e5m2_ub_clip", op="fused", dt=dt,
                          qt="f8E5M2", scheme="per_token", inter=dt,
                          scale_ub=2.0, clip=3.0))
        cases.append(dict(name=f"fused_{dt}_i8_ub", op="fused", dt=dt,
                          qt="i8", scheme="per_token", inter=dt,
                          scale_ub=0.02))
        cases.append(dict(name=f"fused_{dt}_i8_gemma_min", op="fused", dt=dt,
                          qt="i8", scheme="per_token", inter=dt,
                          weight_offset=1.0, min_scale=0.01))
        group = 128 if h != "dyn" and h % 128 == 0 else (
            64 if h != "dyn" and h % 64 == 0 else None)
        if h == "dyn":
            group = 128
        if group:
            for layout in ["row_major", "col_major"]:
                cases.append(dict(name=f"qpg_{dt}_{layout}", op="quantize",
                                  dt=dt, qt="f8E4M3FN", scheme="per_group",
                                  group=group, layout=layout))
    return cases


def normalized(case):
    """The normalized_type attribute, after a comma, if the case has one."""
    return f", normalized_type = {case['normalized']}" if "normalized" in case else ""


def mlir_for(h, case):
    dt = case["dt"]
    x = row_type(h, dt)
    name = case["name"]
    if case["op"] == "rmsnorm":
        args = [f"%x: {x}"]
        gamma = ""
        if case["gamma"]:
            args.append(f"%w: {vec_type(h, case['gamma'])}")
            gamma = f", gamma %w : {vec_type(h, case['gamma'])}"
        args.append(f"%y: {row_type(h, case['out'])}")
        body = (f"norm.rmsnorm %x : {x}{gamma} into %y : "
                f"{row_type(h, case['out'])} {{epsilon = {case['eps']:e} : f32, "
                f"weight_offset = {case['offset']:e} : f32{normalized(case)}}}")
    elif case["op"] == "add_rmsnorm":
        r = row_type(h, case["res"])
        w = vec_type(h, case["gamma"])
        y = row_type(h, case["out"])
        args = [f"%x: {x}", f"%r: {r}", f"%w: {w}", f"%y: {y}", f"%ro: {r}"]
        body = (f"norm.add_rmsnorm %x : {x}, residual %r : {r}, gamma %w : {w}"
                f" into %y : {y}, %ro : {r} {{epsilon = {case['eps']:e} : f32"
                f"{normalized(case)}}}")
    elif case["op"] == "fused":
        q = row_type(h, case["qt"])
        w = vec_type(h, dt)
        s = scale_type(h, "per_token", None, None)
        args = [f"%x: {x}"]
        operands = f"norm.rmsnorm_quantize per_token %x : {x}"
        if case.get("residual"):
            args.append(f"%r: {x}")
            operands += f" residual %r : {x}"
        args += [f"%w: {w}", f"%q: {q}", f"%s: {s}"]
        operands += f" gamma %w : {w} into %q : {q}, %s : {s}"
        if case.get("residual"):
            args.append(f"%ro: {x}")
            operands += f" residual_out %ro : {x}"
        if case.get("keep"):
            args.append(f"%y: {x}")
            operands += f" normalized_out %y : {x}"
        attrs = "".join(f", {key} = {case[key]:e} : f32"
                        for key in ["clip", "scale_ub", "min_scale",
                                    "weight_offset"] if key in case)
        body = (f"{operands} {{epsilon = 1.0e-05 : f32, "
                f"intermediate_type = {case['inter']}{normalized(case)}"
                f"{attrs}}}")
    else:
        q = row_type(h, case["qt"])
        args = [f"%x: {x}"]
        extra = ""
        attrs = []
        scheme = case["scheme"]
        if scheme == "static":
            args.append("%sc: memref<1xf32>")
            extra += " scale %sc : memref<1xf32>"
        if case.get("smooth"):
            args.append(f"%sm: {vec_type(h, 'f32')}")
            extra += f" smooth %sm : {vec_type(h, 'f32')}"
        args.append(f"%q: {q}")
        into = f"%q : {q}"
        if scheme != "static":
            s = scale_type(h, scheme, case.get("group"), case.get("layout"))
            args.append(f"%s: {s}")
            into += f", %s : {s}"
        for key in ["clip", "scale_ub"]:
            if key in case:
                attrs.append(f"{key} = {case[key]:e} : f32")
        spelled = scheme
        if scheme == "per_group":
            spelled = f"per_group({case['group']}, {case['layout']})"
        body = (f"norm.quantize {spelled} %x : {x}{extra} into {into}"
                + (f" {{{', '.join(attrs)}}}" if attrs else ""))
    return (f"func.func @{name}({', '.join(args)}) {{\n  {body}\n  return\n}}\n")


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    all_cases = {}
    for h in H_VALUES:
        cases = cases_for(h)
        with open(os.path.join(out, f"h{h}.mlir"), "w") as f:
            for case in cases:
                f.write(mlir_for(h, case))
        all_cases[f"h{h}"] = {"H": h, "cases": cases}
    with open(os.path.join(out, "cases.json"), "w") as f:
        json.dump(all_cases, f, indent=1)


if __name__ == "__main__":
    main()
