// Hugging Face LlamaRMSNorm as torch-mlir emits it, one linalg.generic per
// aten op:
//   xf = x.float(); y = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps)
//   return weight * y.to(torch.bfloat16)
// The weight multiply is in bf16, after the cast.
#map = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0, 0)>
#col = affine_map<(d0, d1) -> (d1)>
func.func @hf_llama_rmsnorm(%x: tensor<?x4096xbf16>, %w: tensor<4096xbf16>) -> tensor<?x4096xbf16> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.000000e+00 : f32
  %n = arith.constant 4.096000e+03 : f32
  %eps = arith.constant 9.99999974E-6 : f32
  %dim = tensor.dim %x, %c0 : tensor<?x4096xbf16>
  %e = tensor.empty(%dim) : tensor<?x4096xf32>
  %xf = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<?x4096xbf16>) outs(%e : tensor<?x4096xf32>) {
  ^bb0(%in: bf16, %out: f32):
    %0 = arith.extf %in : bf16 to f32
    linalg.yield %0 : f32
  } -> tensor<?x4096xf32>
  %sq = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%xf : tensor<?x4096xf32>) outs(%e : tensor<?x4096xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.mulf %in, %in : f32
    linalg.yield %0 : f32
  } -> tensor<?x4096xf32>
  %rows = tensor.empty(%dim) : tensor<?x1xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%rows : tensor<?x1xf32>) -> tensor<?x1xf32>
  %sum = linalg.generic {indexing_maps = [#map, #row], iterator_types = ["parallel", "reduction"]} ins(%sq : tensor<?x4096xf32>) outs(%acc : tensor<?x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.addf %in, %out : f32
    linalg.yield %0 : f32
  } -> tensor<?x1xf32>
  %inv = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%sum : tensor<?x1xf32>) outs(%rows : tensor<?x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.divf %in, %n : f32
    %1 = arith.addf %0, %eps : f32
    %2 = math.rsqrt %1 : f32
    linalg.yield %2 : f32
  } -> tensor<?x1xf32>
  %normed = linalg.generic {indexing_maps = [#map, #row, #map], iterator_types = ["parallel", "parallel"]} ins(%xf, %inv : tensor<?x4096xf32>, tensor<?x1xf32>) outs(%e : tensor<?x4096xf32>) {
  ^bb0(%in: f32, %r: f32, %out: f32):
    %0 = arith.mulf %in, %r : f32
    linalg.yield %0 : f32
  } -> tensor<?x4096xf32>
  %eb = tensor.empty(%dim) : tensor<?x4096xbf16>
  %rounded = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%normed : tensor<?x4096xf32>) outs(%eb : tensor<?x4096xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %0 = arith.truncf %in : f32 to bf16
    linalg.yield %0 : bf16
  } -> tensor<?x4096xbf16>
  %y = linalg.generic {indexing_maps = [#col, #map, #map], iterator_types = ["parallel", "parallel"]} ins(%w, %rounded : tensor<4096xbf16>, tensor<?x4096xbf16>) outs(%eb : tensor<?x4096xbf16>) {
  ^bb0(%g: bf16, %in: bf16, %out: bf16):
    %0 = arith.mulf %g, %in : bf16
    linalg.yield %0 : bf16
  } -> tensor<?x4096xbf16>
  return %y : tensor<?x4096xbf16>
}
