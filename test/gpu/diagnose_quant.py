#!/usr/bin/env python3
"""Prints the first mismatching codes of one quantize kernel against three
references (f64 division, torch f32 division, numpy f32 division on the CPU).
Usage: diagnose_quant.py BUNDLES_DIR BUNDLE CASE H ROWS"""
import json, os, sys
import numpy as np, torch
sys.path.insert(0, os.path.dirname(__file__))
import run_matrix as rm

root, bundle, name, h, rows = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
cases = json.load(open(os.path.join(root, "cases.json")))[bundle]["cases"]
case = [c for c in cases if c["name"] == name][0]
manifest = json.load(open(os.path.join(root, bundle, "manifest.json")))
import cupy as cp
mod = cp.RawModule(path=os.path.join(root, bundle, manifest["objects"][0]["file"]))
kname = f"{name}_quantize"
kernel = manifest["kernels"][kname]
fn = mod.get_function(kname)
qt = case["qt"]
x = rm.make_input(rows, h, case["dt"], 1.0)
x64 = x.to(torch.float64)
tensors = {"input": x}
strides = {"input": h, "output": h}
static = None
if case["scheme"] == "static":
    static = float(np.float32(float(x64.abs().max()) / rm.QMAX[qt] * 0.5))
    tensors["scale"] = torch.tensor([static], dtype=torch.float32, device="cuda")
q = torch.empty(rows, h, dtype=rm.TORCH[qt], device="cuda")
tensors["output"] = q
if case["scheme"] != "static":
    g = h if case["scheme"] == "per_token" else case["group"]
    s = torch.empty(rows, h // g, device="cuda")
    tensors["scales"] = s
    strides["scales"] = h // g
rm.launch(fn, kernel, rm.arg_values(kernel, tensors, rows, h, strides), rows)
qref, sref = rm.quant_reference(x64, case, qt, static, None)
steps = rm.code_steps(q, qref, qt)
idx = torch.nonzero(steps.reshape(-1)).reshape(-1)[:8].tolist()
print("mismatches", int((steps > 0).sum()), "of", steps.numel())
xf = x.to(torch.float32).reshape(-1).cpu().numpy()
if "clip" in case:
    xf = np.clip(xf, -case["clip"], case["clip"])
if case["scheme"] == "static":
    sc = np.full(xf.shape, np.float32(static), dtype=np.float32)
else:
    sk = tensors["scales"].cpu().numpy().astype(np.float32)
    sc = np.repeat(sk, g, axis=1).reshape(-1)
    print("kernel scales == ref scales:", bool(np.array_equal(sk, sref.to(torch.float32).cpu().numpy())))
for i in idx:
    qn = np.float32(xf[i]) / np.float32(sc[i])
    qt32 = (torch.tensor([xf[i]], device="cuda") / torch.tensor([sc[i]], device="cuda")).item()
    print(f"i={i} x={xf[i]!r} scale={sc[i]!r} np_f32={qn!r} torch_f32={qt32!r} f64={float(xf[i])/float(sc[i])!r} "
          f"kernel={q.reshape(-1)[i].view(torch.uint8).item() if qt!='i8' else q.reshape(-1)[i].item()} "
          f"ref={qref.reshape(-1)[i].view(torch.uint8).item() if qt!='i8' else qref.reshape(-1)[i].item()}")
v = torch.tensor([184.0, 108.0, 11.5, -184.0, 2.0**-10, 3 * 2.0**-10], dtype=torch.float64, device="cuda")
print("round_to_fp8:", rm.round_to_fp8(v, "f8E4M3FN").tolist())
print("as fp8 and back:", rm.round_to_fp8(v, "f8E4M3FN").to(torch.float8_e4m3fn).to(torch.float64).tolist())
