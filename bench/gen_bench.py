#!/usr/bin/env python3
"""Writes the benchmark suite's modules: one per (H, input type), each op
written the way a front end hands it over (separate rmsnorm / add_rmsnorm /
quantize ops on tensors), so that the default pipeline's norm-fuse makes the
fused kernels and `fuse=false` gives the unfused chain for comparison.
Usage: gen_bench.py OUT_DIR; prints the module names."""

import os
import sys

H_VALUES = [4096, 8192, 5120, 16384, 32768, 65536, 4095, 7168]
EPS = "1.0e-05 : f32"


def module(h, dt):
    x = f"tensor<?x{h}x{dt}>"
    w = f"tensor<{h}x{dt}>"
    funcs = []

    def func(name, args, results, body):
        sig = ", ".join(args)
        res = ", ".join(results)
        funcs.append(f"func.func @{name}({sig}) -> ({res}) {{\n"
                     f"  %c0 = arith.constant 0 : index\n"
                     f"  %m = tensor.dim %x, %c0 : {x}\n{body}}}\n")

    rms = (f"  %e = tensor.empty(%m) : {x}\n"
           f"  %y = norm.rmsnorm %x : {x}, gamma %w : {w} into %e : {x}"
           f" {{epsilon = {EPS}}} -> {x}\n")
    add = (f"  %e = tensor.empty(%m) : {x}\n"
           f"  %er = tensor.empty(%m) : {x}\n"
           f"  %y, %s = norm.add_rmsnorm %x : {x}, residual %r : {x}, "
           f"gamma %w : {w} into %e : {x}, %er : {x} {{epsilon = {EPS}}}"
           f" -> {x}, {x}\n")

    def quant(qt, scheme, scales):
        return (f"  %eq = tensor.empty(%m) : tensor<?x{h}x{qt}>\n"
                f"  %es = tensor.empty(%m) : {scales}\n"
                f"  %q, %sc = norm.quantize {scheme} %y : {x} into "
                f"%eq : tensor<?x{h}x{qt}>, %es : {scales} -> "
                f"tensor<?x{h}x{qt}>, {scales}\n")

    fp8 = f"tensor<?x{h}xf8E4M3FN>"
    i8 = f"tensor<?x{h}xi8>"
    tok = "tensor<?x1xf32>"
    xa, ra, wa = f"%x: {x}", f"%r: {x}", f"%w: {w}"
    func("rmsnorm", [xa, wa], [x], rms + f"  return %y : {x}\n")
    if dt != "bf16":
        return funcs
    func("add_rmsnorm", [xa, ra, wa], [x, x],
         add + f"  return %y, %s : {x}, {x}\n")
    func("rmsnorm_fp8", [xa, wa], [fp8, tok],
         rms + quant("f8E4M3FN", "per_token", tok)
         + f"  return %q, %sc : {fp8}, {tok}\n")
    func("add_rmsnorm_fp8", [xa, ra, wa], [fp8, tok, x],
         add + quant("f8E4M3FN", "per_token", tok)
         + f"  return %q, %sc, %s : {fp8}, {tok}, {x}\n")
    if h % 128 == 0:
        grp = f"tensor<?x{h // 128}xf32>"
        func("add_rmsnorm_fp8_g128", [xa, ra, wa], [fp8, grp, x],
             add + quant("f8E4M3FN", "per_group(128, row_major)", grp)
             + f"  return %q, %sc, %s : {fp8}, {grp}, {x}\n")
    func("rmsnorm_i8", [xa, wa], [i8, tok],
         rms + quant("i8", "per_token", tok)
         + f"  return %q, %sc : {i8}, {tok}\n")
    return funcs


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    names = []
    for h in H_VALUES:
        for dt in (["bf16", "f16", "f32"] if h == 8192 else ["bf16"]):
            name = f"h{h}_{dt}"
            with open(os.path.join(out, name + ".mlir"), "w") as f:
                f.write("\n".join(module(h, dt)))
            names.append(name)
    print(" ".join(names))


if __name__ == "__main__":
    main()
