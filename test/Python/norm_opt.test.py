import norm_mlir

VALID = """
func.func @f(%x: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %e = tensor.empty() : tensor<8x64xf32>
  %y = norm.rmsnorm %x : tensor<8x64xf32> into %e : tensor<8x64xf32> -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}
"""
print(norm_mlir.run_norm_opt(VALID, "-one-shot-bufferize=bufferize-function-boundaries"))
try:
    norm_mlir.run_norm_opt(VALID.replace(
        "-> tensor<8x64xf32>\n  return", "{epsilon = 0.0 : f32} -> tensor<8x64xf32>\n  return"))
    raise SystemExit("an invalid module was accepted")
except norm_mlir.NormOptError as error:
    print(error.diagnostics)
