// The norms of one decoder block as a front end writes them, unfused: the
// residual adds as bf16 linalg.generic ops, each RMSNorm decomposed into
// linalg on f32 (x.float(), pow(2).mean(-1, keepdim=True), + eps, rsqrt,
// * w.float(), .to(bf16)), and a norm.quantize for the FP8 GEMM after it.
// The pipelines raise and fuse each norm into one kernel: norm-raise gives
// norm.rmsnorm, norm-fuse norm.rmsnorm_quantize with the residual add and
// intermediate_type = bf16 (the quantizer sees the bf16 values it read
// before). The attention norm is spelled one op per step (torch-mlir), the
// MLP norm with its steps fused into two bodies (IREE after elementwise
// fusion).
//
//   norm-opt examples/decoder_block_fused.mlir --norm-raise --norm-fuse
//   norm-opt examples/decoder_block_fused.mlir \
//     --norm-to-nvvm="chip=sm_90 format=isa" --norm-export-bundle=dir=out

#map = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0, 0)>
#col = affine_map<(d0, d1) -> (d1)>
#vec = affine_map<(d0) -> (d0)>

func.func @decoder_block_fused(
    %hidden: tensor<?x4096xbf16>, %residual: tensor<?x4096xbf16>,
    %attn_out: tensor<?x4096xbf16>,
    %w_attn_norm: tensor<4096xbf16>, %w_mlp_norm: tensor<4096xbf16>)
    -> (tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>,
        tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>, tensor<?x4096xbf16>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.000000e+00 : f32
  %c2_i64 = arith.constant 2 : i64
  %c4096_i64 = arith.constant 4096 : i64
  %eps = arith.constant 1.0000000000000001E-5 : f64
  %tokens = tensor.dim %hidden, %c0 : tensor<?x4096xbf16>
  %bf16 = tensor.empty(%tokens) : tensor<?x4096xbf16>
  %f32 = tensor.empty(%tokens) : tensor<?x4096xf32>
  %rows = tensor.empty(%tokens) : tensor<?x1xf32>
  %zeros = linalg.fill ins(%zero : f32) outs(%rows : tensor<?x1xf32>) -> tensor<?x1xf32>
  %q0 = tensor.empty(%tokens) : tensor<?x4096xf8E4M3FN>
  %s0 = tensor.empty(%tokens) : tensor<?x1xf32>

  // Before attention: residual = residual + hidden.
  %res1 = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]} ins(%residual, %hidden : tensor<?x4096xbf16>, tensor<?x4096xbf16>) outs(%bf16 : tensor<?x4096xbf16>) {
  ^bb0(%a: bf16, %b: bf16, %o: bf16):
    %0 = arith.addf %a, %b : bf16
    linalg.yield %0 : bf16
  } -> tensor<?x4096xbf16>
  // xf = res1.float()
  %xf = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%res1 : tensor<?x4096xbf16>) outs(%f32 : tensor<?x4096xf32>) {
  ^bb0(%in: bf16, %o: f32):
    %0 = arith.extf %in : bf16 to f32
    linalg.yield %0 : f32
  } -> tensor<?x4096xf32>
  // xf.pow(2)
  %sq = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%xf : tensor<?x4096xf32>) outs(%f32 : tensor<?x4096xf32>) {
  ^bb0(%in: f32, %o: f32):
    %0 = arith.sitofp %c2_i64 : i64 to f32
    %1 = math.powf %in, %0 : f32
    linalg.yield %1 : f32
  } -> tensor<?x4096xf32>
  // .mean(-1, keepdim=True) = sum / 4096
  %sum = linalg.generic {indexing_maps = [#map, #row], iterator_types = ["parallel", "reduction"]} ins(%sq : tensor<?x4096xf32>) outs(%zeros : tensor<?x1xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %0 = arith.addf %in, %acc : f32
    linalg.yield %0 : f32
  } -> tensor<?x1xf32>
  %mean = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%sum : tensor<?x1xf32>) outs(%rows : tensor<?x1xf32>) {
  ^bb0(%in: f32, %o: f32):
    %0 = arith.sitofp %c4096_i64 : i64 to f32
    %1 = arith.divf %in, %0 : f32
    linalg.yield %1 : f32
  } -> tensor<?x1xf32>
  // torch.rsqrt(mean + eps)
  %var = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%mean : tensor<?x1xf32>) outs(%rows : tensor<?x1xf32>) {
  ^bb0(%in: f32, %o: f32):
    %0 = arith.truncf %eps : f64 to f32
    %1 = arith.addf %in, %0 : f32
    linalg.yield %1 : f32
  } -> tensor<?x1xf32>
  %inv = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%var : tensor<?x1xf32>) outs(%rows : tensor<?x1xf32>) {
  ^bb0(%in: f32, %o: f32):
    %0 = math.rsqrt %in : f32
    linalg.yield %0 : f32
  } -> tensor<?x1xf32>
  // xf * inv * w.float(), .to(bf16)
  %xn = linalg.generic {indexing_maps = [#map, #row, #map], iterator_types = ["parallel", "parallel"]} ins(%xf, %inv : tensor<?x4096xf32>, tensor<?x1xf32>) outs(%f32 : tensor<?x4096xf32>) {
  ^bb0(%in: f32, %r: f32, %o: f32):
    %0 = arith.mulf %in, %r : f32
    linalg.yield %0 : f32
  } -> tensor<?x4096xf32>
  %wf_init = tensor.empty() : tensor<4096xf32>
  %wf = linalg.generic {indexing_maps = [#vec, #vec], iterator_types = ["parallel"]} ins(%w_attn_norm : tensor<4096xbf16>) outs(%wf_init : tensor<4096xf32>) {
  ^bb0(%in: bf16, %o: f32):
    %0 = arith.extf %in : bf16 to f32
    linalg.yield %0 : f32
  } -> tensor<4096xf32>
  %xw = linalg.generic {indexing_maps = [#map, #col, #map], iterator_types = ["parallel", "parallel"]} ins(%xn, %wf : tensor<?x4096xf32>, tensor<4096xf32>) outs(%f32 : tensor<?x4096xf32>) {
  ^bb0(%in: f32, %w: f32, %o: f32):
    %0 = arith.mulf %in, %w : f32
    linalg.yield %0 : f32
  } -> tensor<?x4096xf32>
  %attn_in = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%xw : tensor<?x4096xf32>) outs(%bf16 : tensor<?x4096xbf16>) {
  ^bb0(%in: f32, %o: bf16):
    %0 = arith.truncf %in : f32 to bf16
    linalg.yield %0 : bf16
  } -> tensor<?x4096xbf16>
  %q_attn, %s_attn = norm.quantize per_token %attn_in : tensor<?x4096xbf16>
      into %q0 : tensor<?x4096xf8E4M3FN>, %s0 : tensor<?x1xf32>
      -> tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>

  // Before the MLP: residual = residual + attention output.
  %res2 = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]} ins(%res1, %attn_out : tensor<?x4096xbf16>, tensor<?x4096xbf16>) outs(%bf16 : tensor<?x4096xbf16>) {
  ^bb0(%a: bf16, %b: bf16, %o: bf16):
    %0 = arith.addf %a, %b : bf16
    linalg.yield %0 : bf16
  } -> tensor<?x4096xbf16>
  // The sum of squares, then everything else in one body.
  %sum2 = linalg.generic {indexing_maps = [#map, #row], iterator_types = ["parallel", "reduction"]} ins(%res2 : tensor<?x4096xbf16>) outs(%zeros : tensor<?x1xf32>) {
  ^bb0(%in: bf16, %acc: f32):
    %0 = arith.extf %in : bf16 to f32
    %1 = arith.mulf %0, %0 : f32
    %2 = arith.addf %1, %acc : f32
    linalg.yield %2 : f32
  } -> tensor<?x1xf32>
  %mlp_in = linalg.generic {indexing_maps = [#map, #row, #col, #map], iterator_types = ["parallel", "parallel"]} ins(%res2, %sum2, %w_mlp_norm : tensor<?x4096xbf16>, tensor<?x1xf32>, tensor<4096xbf16>) outs(%bf16 : tensor<?x4096xbf16>) {
  ^bb0(%in: bf16, %ss: f32, %w: bf16, %o: bf16):
    %inv_n = arith.constant 2.44140625E-4 : f32
    %eps32 = arith.constant 9.99999974E-6 : f32
    %0 = arith.mulf %ss, %inv_n : f32
    %1 = arith.addf %0, %eps32 : f32
    %2 = math.rsqrt %1 : f32
    %3 = arith.extf %in : bf16 to f32
    %4 = arith.mulf %3, %2 : f32
    %5 = arith.extf %w : bf16 to f32
    %6 = arith.mulf %4, %5 : f32
    %7 = arith.truncf %6 : f32 to bf16
    linalg.yield %7 : bf16
  } -> tensor<?x4096xbf16>
  %q_mlp, %s_mlp = norm.quantize per_token %mlp_in : tensor<?x4096xbf16>
      into %q0 : tensor<?x4096xf8E4M3FN>, %s0 : tensor<?x1xf32>
      -> tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>

  return %q_attn, %s_attn, %q_mlp, %s_mlp, %res2
      : tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>,
        tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>, tensor<?x4096xbf16>
}
