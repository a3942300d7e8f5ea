// RUN: norm-opt %s -norm-raise -split-input-file | FileCheck %s
// RUN: norm-opt %s -norm-raise -norm-fuse -split-input-file | FileCheck %s --check-prefix=FUSE

// Spellings of y = x * rsqrt(mean(x^2, -1) + eps) * w as front ends emit
// them, then near misses that must stay as they are.

#map = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0, 0)>
#col = affine_map<(d0, d1) -> (d1)>
#vec = affine_map<(d0) -> (d0)>

// torch-mlir, one linalg.generic per aten op, for
//   xf = x.float(); y = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps)
//   return (y * w.float()).to(torch.bfloat16)
// with the scalars as torch-mlir passes them (i64 exponent and size, f64
// epsilon).
// CHECK-LABEL: func @torch_mlir_generics
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x4096xbf16>, %[[W:[^:]*]]: tensor<4096xbf16>)
// CHECK: %[[Y:.*]] = norm.rmsnorm %[[X]] : tensor<?x4096xbf16>, gamma %[[W]] : tensor<4096xbf16> into %{{.*}} : tensor<?x4096xbf16> {epsilon = 9.99999974E-6 : f32} -> tensor<?x4096xbf16>
// CHECK-NOT: linalg.
// CHECK: return %[[Y]]
func.func @torch_mlir_generics(%arg0: tensor<?x4096xbf16>, %arg1: tensor<4096xbf16>) -> tensor<?x4096xbf16> {
  %c0 = arith.constant 0 : index
  %cst = arith.constant 0.000000e+00 : f32
  %c2_i64 = arith.constant 2 : i64
  %c4096_i64 = arith.constant 4096 : i64
  %cst_eps = arith.constant 1.0000000000000001E-5 : f64
  %dim = tensor.dim %arg0, %c0 : tensor<?x4096xbf16>
  %0 = tensor.empty(%dim) : tensor<?x4096xf32>
  %1 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%arg0 : tensor<?x4096xbf16>) outs(%0 : tensor<?x4096xf32>) {
  ^bb0(%in: bf16, %out: f32):
    %20 = arith.extf %in : bf16 to f32
    linalg.yield %20 : f32
  } -> tensor<?x4096xf32>
  %2 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%1 : tensor<?x4096xf32>) outs(%0 : tensor<?x4096xf32>) {
  ^bb0(%in: f32, %out: f32):
    %20 = arith.sitofp %c2_i64 : i64 to f32
    %21 = math.powf %in, %20 : f32
    linalg.yield %21 : f32
  } -> tensor<?x4096xf32>
  %3 = tensor.empty(%dim) : tensor<?x1xf32>
  %4 = linalg.fill ins(%cst : f32) outs(%3 : tensor<?x1xf32>) -> tensor<?x1xf32>
  %5 = linalg.generic {indexing_maps = [#map, #row], iterator_types = ["parallel", "reduction"]} ins(%2 : tensor<?x4096xf32>) outs(%4 : tensor<?x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %20 = arith.addf %in, %out : f32
    linalg.yield %20 : f32
  } -> tensor<?x1xf32>
  %6 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%5 : tensor<?x1xf32>) outs(%3 : tensor<?x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %20 = arith.sitofp %c4096_i64 : i64 to f32
    %21 = arith.divf %in, %20 : f32
    linalg.yield %21 : f32
  } -> tensor<?x1xf32>
  %7 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%6 : tensor<?x1xf32>) outs(%3 : tensor<?x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %20 = arith.truncf %cst_eps : f64 to f32
    %21 = arith.addf %in, %20 : f32
    linalg.yield %21 : f32
  } -> tensor<?x1xf32>
  %8 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%7 : tensor<?x1xf32>) outs(%3 : tensor<?x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %20 = math.rsqrt %in : f32
    linalg.yield %20 : f32
  } -> tensor<?x1xf32>
  %9 = linalg.generic {indexing_maps = [#map, #row, #map], iterator_types = ["parallel", "parallel"]} ins(%1, %8 : tensor<?x4096xf32>, tensor<?x1xf32>) outs(%0 : tensor<?x4096xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %20 = arith.mulf %in, %in_1 : f32
    linalg.yield %20 : f32
  } -> tensor<?x4096xf32>
  %10 = tensor.empty() : tensor<4096xf32>
  %11 = linalg.generic {indexing_maps = [#vec, #vec], iterator_types = ["parallel"]} ins(%arg1 : tensor<4096xbf16>) outs(%10 : tensor<4096xf32>) {
  ^bb0(%in: bf16, %out: f32):
    %20 = arith.extf %in : bf16 to f32
    linalg.yield %20 : f32
  } -> tensor<4096xf32>
  %12 = linalg.generic {indexing_maps = [#map, #col, #map], iterator_types = ["parallel", "parallel"]} ins(%9, %11 : tensor<?x4096xf32>, tensor<4096xf32>) outs(%0 : tensor<?x4096xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %20 = arith.mulf %in, %in_1 : f32
    linalg.yield %20 : f32
  } -> tensor<?x4096xf32>
  %13 = tensor.empty(%dim) : tensor<?x4096xbf16>
  %14 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%12 : tensor<?x4096xf32>) outs(%13 : tensor<?x4096xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %20 = arith.truncf %in : f32 to bf16
    linalg.yield %20 : bf16
  } -> tensor<?x4096xbf16>
  return %14 : tensor<?x4096xbf16>
}

// -----

// Hugging Face LlamaRMSNorm: `weight * hidden_states.to(input_dtype)`
// rounds to bf16 before the (bf16) weight multiply: normalized_type = bf16,
// whose f32 multiply rounded once to bf16 is the bf16 multiply (the product
// of two bf16 values is exact in f32).
#map = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0, 0)>
#col = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func @hf_llama_cast_before_weight
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x4096xbf16>, %[[W:[^:]*]]: tensor<4096xbf16>)
// CHECK: %[[Y:.*]] = norm.rmsnorm %[[X]] : tensor<?x4096xbf16>, gamma %[[W]] : tensor<4096xbf16> into %{{.*}} : tensor<?x4096xbf16> {epsilon = 9.99999974E-6 : f32, normalized_type = bf16} -> tensor<?x4096xbf16>
// CHECK-NOT: linalg.
// CHECK: return %[[Y]]
func.func @hf_llama_cast_before_weight(%arg0: tensor<?x4096xbf16>, %arg1: tensor<4096xbf16>) -> tensor<?x4096xbf16> {
  %c0 = arith.constant 0 : index
  %cst = arith.constant 0.000000e+00 : f32
  %cst_n = arith.constant 4.096000e+03 : f32
  %cst_eps = arith.constant 9.99999974E-6 : f32
  %dim = tensor.dim %arg0, %c0 : tensor<?x4096xbf16>
  %0 = tensor.empty(%dim) : tensor<?x4096xf32>
  %1 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%arg0 : tensor<?x4096xbf16>) outs(%0 : tensor<?x4096xf32>) {
  ^bb0(%in: bf16, %out: f32):
    %20 = arith.extf %in : bf16 to f32
    linalg.yield %20 : f32
  } -> tensor<?x4096xf32>
  %2 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%1 : tensor<?x4096xf32>) outs(%0 : tensor<?x4096xf32>) {
  ^bb0(%in: f32, %out: f32):
    %20 = arith.mulf %in, %in : f32
    linalg.yield %20 : f32
  } -> tensor<?x4096xf32>
  %3 = tensor.empty(%dim) : tensor<?x1xf32>
  %4 = linalg.fill ins(%cst : f32) outs(%3 : tensor<?x1xf32>) -> tensor<?x1xf32>
  %5 = linalg.generic {indexing_maps = [#map, #row], iterator_types = ["parallel", "reduction"]} ins(%2 : tensor<?x4096xf32>) outs(%4 : tensor<?x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %20 = arith.addf %in, %out : f32
    linalg.yield %20 : f32
  } -> tensor<?x1xf32>
  %6 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%5 : tensor<?x1xf32>) outs(%3 : tensor<?x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %20 = arith.divf %in, %cst_n : f32
    %21 = arith.addf %20, %cst_eps : f32
    %22 = math.rsqrt %21 : f32
    linalg.yield %22 : f32
  } -> tensor<?x1xf32>
  %7 = linalg.generic {indexing_maps = [#map, #row, #map], iterator_types = ["parallel", "parallel"]} ins(%1, %6 : tensor<?x4096xf32>, tensor<?x1xf32>) outs(%0 : tensor<?x4096xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %20 = arith.mulf %in, %in_1 : f32
    linalg.yield %20 : f32
  } -> tensor<?x4096xf32>
  %8 = tensor.empty(%dim) : tensor<?x4096xbf16>
  %9 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%7 : tensor<?x4096xf32>) outs(%8 : tensor<?x4096xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %20 = arith.truncf %in : f32 to bf16
    linalg.yield %20 : bf16
  } -> tensor<?x4096xbf16>
  %10 = linalg.generic {indexing_maps = [#col, #map, #map], iterator_types = ["parallel", "parallel"]} ins(%arg1, %9 : tensor<4096xbf16>, tensor<?x4096xbf16>) outs(%8 : tensor<?x4096xbf16>) {
  ^bb0(%in: bf16, %in_1: bf16, %out: bf16):
    %20 = arith.mulf %in, %in_1 : bf16
    linalg.yield %20 : bf16
  } -> tensor<?x4096xbf16>
  return %10 : tensor<?x4096xbf16>
}

// -----

// The Hugging Face form fused into one body (f16, normed * weight), after a
// reduction whose body squares the extended input.
#map = affine_map<(d0, d1) -> (d0, d1)>
#red = affine_map<(d0, d1) -> (d0)>
#col = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func @hf_llama_fused_body
// CHECK-SAME: (%[[X:[^:]*]]: tensor<8x2048xf16>, %[[W:[^:]*]]: tensor<2048xf16>
// CHECK: %[[Y:.*]] = norm.rmsnorm %[[X]] : tensor<8x2048xf16>, gamma %[[W]] : tensor<2048xf16> into %{{.*}} : tensor<8x2048xf16> {normalized_type = f16} -> tensor<8x2048xf16>
// CHECK-NOT: linalg.
// CHECK: return %[[Y]]
func.func @hf_llama_fused_body(%x: tensor<8x2048xf16>, %w: tensor<2048xf16>, %out: tensor<8x2048xf16>) -> tensor<8x2048xf16> {
  %zero = arith.constant 0.000000e+00 : f32
  %n = arith.constant 2.048000e+03 : f32
  %eps = arith.constant 9.99999997E-7 : f32
  %e = tensor.empty() : tensor<8xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %sum = linalg.generic {indexing_maps = [#map, #red], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<8x2048xf16>) outs(%acc : tensor<8xf32>) {
  ^bb0(%in: f16, %a: f32):
    %0 = arith.extf %in : f16 to f32
    %1 = arith.mulf %0, %0 : f32
    %2 = arith.addf %1, %a : f32
    linalg.yield %2 : f32
  } -> tensor<8xf32>
  %y = linalg.generic {indexing_maps = [#map, #red, #col, #map], iterator_types = ["parallel", "parallel"]} ins(%x, %sum, %w : tensor<8x2048xf16>, tensor<8xf32>, tensor<2048xf16>) outs(%out : tensor<8x2048xf16>) {
  ^bb0(%in: f16, %s: f32, %g: f16, %o: f16):
    %0 = arith.divf %s, %n : f32
    %1 = arith.addf %0, %eps : f32
    %2 = math.rsqrt %1 : f32
    %3 = arith.extf %in : f16 to f32
    %4 = arith.mulf %3, %2 : f32
    %5 = arith.truncf %4 : f32 to f16
    %6 = arith.mulf %5, %g : f16
    linalg.yield %6 : f16
  } -> tensor<8x2048xf16>
  return %y : tensor<8x2048xf16>
}

// -----

// arith on tensors: the rounded value extended back to f32 and multiplied
// by the f32 weight, then rounded to bf16: exactly normalized_type = bf16.
// CHECK-LABEL: func @rounded_then_f32_weight
// CHECK-SAME: (%[[X:[^:]*]]: tensor<4x512xbf16>, %[[W:[^:]*]]: tensor<512xf32>
// CHECK: %[[Y:.*]] = norm.rmsnorm %[[X]] : tensor<4x512xbf16>, gamma %[[W]] : tensor<512xf32> into %{{.*}} : tensor<4x512xbf16> {epsilon = 9.99999974E-6 : f32, normalized_type = bf16} -> tensor<4x512xbf16>
// CHECK-NOT: linalg.
// CHECK-NOT: arith.
// CHECK: return %[[Y]]
func.func @rounded_then_f32_weight(%x: tensor<4x512xbf16>, %w: tensor<512xf32>) -> tensor<4x512xbf16> {
  %zero = arith.constant 0.000000e+00 : f32
  %e = tensor.empty() : tensor<4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %xf = arith.extf %x : tensor<4x512xbf16> to tensor<4x512xf32>
  %sq = arith.mulf %xf, %xf : tensor<4x512xf32>
  %sum = linalg.reduce ins(%sq : tensor<4x512xf32>) outs(%acc : tensor<4xf32>) dimensions = [1]
    (%in: f32, %a: f32) {
      %0 = arith.addf %in, %a : f32
      linalg.yield %0 : f32
    }
  %n = arith.constant dense<5.120000e+02> : tensor<4xf32>
  %eps = arith.constant dense<9.99999974E-6> : tensor<4xf32>
  %mean = arith.divf %sum, %n : tensor<4xf32>
  %me = arith.addf %mean, %eps : tensor<4xf32>
  %inv = math.rsqrt %me : tensor<4xf32>
  %full = tensor.empty() : tensor<4x512xf32>
  %invb = linalg.broadcast ins(%inv : tensor<4xf32>) outs(%full : tensor<4x512xf32>) dimensions = [1]
  %normed = arith.mulf %xf, %invb : tensor<4x512xf32>
  %rounded = arith.truncf %normed : tensor<4x512xf32> to tensor<4x512xbf16>
  %back = arith.extf %rounded : tensor<4x512xbf16> to tensor<4x512xf32>
  %wb = linalg.broadcast ins(%w : tensor<512xf32>) outs(%full : tensor<4x512xf32>) dimensions = [0]
  %y = arith.mulf %wb, %back : tensor<4x512xf32>
  %yt = arith.truncf %y : tensor<4x512xf32> to tensor<4x512xbf16>
  return %yt : tensor<4x512xbf16>
}

// -----

// IREE after elementwise fusion: the square and the cast live in the
// reduction's body, everything after it in one body; the statistic has no
// unit dim. Gemma's (1 + w) becomes weight_offset = 1; the batch and
// sequence dims are rows.
#in3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#red3 = affine_map<(d0, d1, d2) -> (d0, d1)>
#col3 = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-LABEL: func @iree_fused_gemma
// CHECK-SAME: (%[[X:[^:]*]]: tensor<2x?x3072xbf16>, %[[W:[^:]*]]: tensor<3072xbf16>
// CHECK: norm.rmsnorm %[[X]] : tensor<2x?x3072xbf16>, gamma %[[W]] : tensor<3072xbf16> into %{{.*}} : tensor<2x?x3072xbf16> {weight_offset = 1.000000e+00 : f32} -> tensor<2x?x3072xbf16>
// CHECK-NOT: linalg.generic
func.func @iree_fused_gemma(%x: tensor<2x?x3072xbf16>, %w: tensor<3072xbf16>, %out: tensor<2x?x3072xbf16>) -> tensor<2x?x3072xbf16> {
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.000000e+00 : f32
  %s = tensor.dim %x, %c1 : tensor<2x?x3072xbf16>
  %e = tensor.empty(%s) : tensor<2x?xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<2x?xf32>) -> tensor<2x?xf32>
  %sumsq = linalg.generic {indexing_maps = [#in3, #red3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x : tensor<2x?x3072xbf16>) outs(%acc : tensor<2x?xf32>) {
  ^bb0(%in: bf16, %a: f32):
    %0 = arith.extf %in : bf16 to f32
    %1 = arith.mulf %0, %0 : f32
    %2 = arith.addf %1, %a : f32
    linalg.yield %2 : f32
  } -> tensor<2x?xf32>
  %y = linalg.generic {indexing_maps = [#in3, #red3, #col3, #in3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %sumsq, %w : tensor<2x?x3072xbf16>, tensor<2x?xf32>, tensor<3072xbf16>) outs(%out : tensor<2x?x3072xbf16>) {
  ^bb0(%in: bf16, %ss: f32, %wi: bf16, %o: bf16):
    %cn = arith.constant 3.072000e+03 : f32
    %ce = arith.constant 9.99999997E-7 : f32
    %c1f = arith.constant 1.000000e+00 : f32
    %0 = arith.divf %ss, %cn : f32
    %1 = arith.addf %0, %ce : f32
    %2 = math.rsqrt %1 : f32
    %3 = arith.extf %in : bf16 to f32
    %4 = arith.mulf %3, %2 : f32
    %5 = arith.extf %wi : bf16 to f32
    %6 = arith.addf %c1f, %5 : f32
    %7 = arith.mulf %4, %6 : f32
    %8 = arith.truncf %7 : f32 to bf16
    linalg.yield %8 : bf16
  } -> tensor<2x?x3072xbf16>
  return %y : tensor<2x?x3072xbf16>
}

// -----

// Named linalg ops on f32 (no casts): linalg.square, linalg.reduce,
// linalg.div / linalg.add by constant vectors, linalg.rsqrt,
// linalg.broadcast and linalg.mul; the weight multiply comes first.
// CHECK-LABEL: func @named_ops
// CHECK-SAME: (%[[X:[^:]*]]: tensor<8x4096xf32>, %[[W:[^:]*]]: tensor<4096xf32>)
// CHECK: norm.rmsnorm %[[X]] : tensor<8x4096xf32>, gamma %[[W]] : tensor<4096xf32> into %{{.*}} : tensor<8x4096xf32> {epsilon = 9.99999974E-6 : f32} -> tensor<8x4096xf32>
// CHECK-NOT: linalg.
func.func @named_ops(%x: tensor<8x4096xf32>, %w: tensor<4096xf32>) -> tensor<8x4096xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %n = arith.constant dense<4.096000e+03> : tensor<8xf32>
  %eps = arith.constant dense<9.99999974E-6> : tensor<8xf32>
  %full = tensor.empty() : tensor<8x4096xf32>
  %rows = tensor.empty() : tensor<8xf32>
  %sq = linalg.square ins(%x : tensor<8x4096xf32>) outs(%full : tensor<8x4096xf32>) -> tensor<8x4096xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%rows : tensor<8xf32>) -> tensor<8xf32>
  %sum = linalg.reduce ins(%sq : tensor<8x4096xf32>) outs(%acc : tensor<8xf32>) dimensions = [1]
    (%in: f32, %init: f32) {
      %0 = arith.addf %in, %init : f32
      linalg.yield %0 : f32
    }
  %mean = linalg.div ins(%sum, %n : tensor<8xf32>, tensor<8xf32>) outs(%rows : tensor<8xf32>) -> tensor<8xf32>
  %var = linalg.add ins(%mean, %eps : tensor<8xf32>, tensor<8xf32>) outs(%rows : tensor<8xf32>) -> tensor<8xf32>
  %inv = linalg.rsqrt ins(%var : tensor<8xf32>) outs(%rows : tensor<8xf32>) -> tensor<8xf32>
  %invb = linalg.broadcast ins(%inv : tensor<8xf32>) outs(%full : tensor<8x4096xf32>) dimensions = [1]
  %wb = linalg.broadcast ins(%w : tensor<4096xf32>) outs(%full : tensor<8x4096xf32>) dimensions = [0]
  %xn = linalg.mul ins(%x, %invb : tensor<8x4096xf32>, tensor<8x4096xf32>) outs(%full : tensor<8x4096xf32>) -> tensor<8x4096xf32>
  %y = linalg.mul ins(%wb, %xn : tensor<8x4096xf32>, tensor<8x4096xf32>) outs(%full : tensor<8x4096xf32>) -> tensor<8x4096xf32>
  return %y : tensor<8x4096xf32>
}

// -----

// x / sqrt(mean + eps) with arith/math on tensors and the statistic
// expanded to [rows, 1], mean as sum * (1 / H); no weight.
#map = affine_map<(d0, d1) -> (d0, d1)>
#red = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func @sqrt_div_reciprocal_mean
// CHECK-SAME: (%[[X:[^:]*]]: tensor<16x5120xf32>)
// CHECK: %[[Y:.*]] = norm.rmsnorm %[[X]] : tensor<16x5120xf32> into %{{.*}} : tensor<16x5120xf32> {epsilon = 9.99999974E-6 : f32} -> tensor<16x5120xf32>
// CHECK: return %[[Y]]
func.func @sqrt_div_reciprocal_mean(%x: tensor<16x5120xf32>) -> tensor<16x5120xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %inv_n = arith.constant dense<1.95312503E-4> : tensor<16x1xf32>
  %eps = arith.constant dense<9.99999974E-6> : tensor<16x1xf32>
  %sq = arith.mulf %x, %x : tensor<16x5120xf32>
  %e = tensor.empty() : tensor<16xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<16xf32>) -> tensor<16xf32>
  %sum = linalg.generic {indexing_maps = [#map, #red], iterator_types = ["parallel", "reduction"]} ins(%sq : tensor<16x5120xf32>) outs(%acc : tensor<16xf32>) {
  ^bb0(%in: f32, %a: f32):
    %0 = arith.addf %a, %in : f32
    linalg.yield %0 : f32
  } -> tensor<16xf32>
  %sum2 = tensor.expand_shape %sum [[0, 1]] output_shape [16, 1] : tensor<16xf32> into tensor<16x1xf32>
  %mean = arith.mulf %sum2, %inv_n : tensor<16x1xf32>
  %var = arith.addf %mean, %eps : tensor<16x1xf32>
  %rms = math.sqrt %var : tensor<16x1xf32>
  %full = tensor.empty() : tensor<16x5120xf32>
  %rmsb = linalg.broadcast ins(%sum : tensor<16xf32>) outs(%full : tensor<16x5120xf32>) dimensions = [1]
  %rmsb2 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, 0)>, #map], iterator_types = ["parallel", "parallel"]} ins(%rms : tensor<16x1xf32>) outs(%full : tensor<16x5120xf32>) {
  ^bb0(%in: f32, %o: f32):
    linalg.yield %in : f32
  } -> tensor<16x5120xf32>
  %y = arith.divf %x, %rmsb2 : tensor<16x5120xf32>
  return %y : tensor<16x5120xf32>
}

// -----

// Dynamic H: the mean divides by the run-time size of x's last dim;
// 1 / sqrt as a reciprocal, x * it; the square as fpowi.
#map = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func @dynamic_h
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x?xf16>
// CHECK: norm.rmsnorm %[[X]] : tensor<?x?xf16> into %{{.*}} : tensor<?x?xf32> {epsilon = 9.99999974E-6 : f32} -> tensor<?x?xf32>
// CHECK-NOT: linalg.generic
func.func @dynamic_h(%x: tensor<?x?xf16>, %full: tensor<?x?xf32>, %rows: tensor<?x1xf32>) -> tensor<?x?xf32> {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : i32
  %zero = arith.constant 0.000000e+00 : f32
  %one = arith.constant 1.000000e+00 : f32
  %eps = arith.constant 1.000000e-05 : f32
  %h = tensor.dim %x, %c1 : tensor<?x?xf16>
  %hi = arith.index_cast %h : index to i64
  %hf = arith.sitofp %hi : i64 to f32
  %acc = linalg.fill ins(%zero : f32) outs(%rows : tensor<?x1xf32>) -> tensor<?x1xf32>
  %sum = linalg.generic {indexing_maps = [#map, #row], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<?x?xf16>) outs(%acc : tensor<?x1xf32>) {
  ^bb0(%in: f16, %a: f32):
    %0 = arith.extf %in : f16 to f32
    %1 = math.fpowi %0, %c2 : f32, i32
    %2 = arith.addf %a, %1 : f32
    linalg.yield %2 : f32
  } -> tensor<?x1xf32>
  %y = linalg.generic {indexing_maps = [#map, #row, #map], iterator_types = ["parallel", "parallel"]} ins(%x, %sum : tensor<?x?xf16>, tensor<?x1xf32>) outs(%full : tensor<?x?xf32>) {
  ^bb0(%in: f16, %s: f32, %o: f32):
    %0 = arith.divf %s, %hf : f32
    %1 = arith.addf %eps, %0 : f32
    %2 = math.sqrt %1 : f32
    %3 = arith.divf %one, %2 : f32
    %4 = arith.extf %in : f16 to f32
    %5 = arith.mulf %3, %4 : f32
    linalg.yield %5 : f32
  } -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}

// -----

// The residual add before the norm, as a bf16 generic: norm-raise gives
// norm.rmsnorm of the sum, norm-fuse then norm.add_rmsnorm.
#map = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0, 0)>
#col = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func @residual_add_then_norm
// CHECK: %[[SUM:.*]] = linalg.generic
// CHECK: norm.rmsnorm %[[SUM]] : tensor<?x4096xbf16>, gamma %{{.*}} : tensor<4096xf32>
// FUSE-LABEL: func @residual_add_then_norm
// FUSE-SAME: (%[[H:[^:]*]]: tensor<?x4096xbf16>, %[[R:[^:]*]]: tensor<?x4096xbf16>, %[[W:[^:]*]]: tensor<4096xf32>, %[[OUT:[^:]*]]: tensor<?x4096xbf16>
// FUSE: %[[F:.*]]:2 = norm.add_rmsnorm %[[H]] : tensor<?x4096xbf16>, residual %[[R]] : tensor<?x4096xbf16>, gamma %[[W]] : tensor<4096xf32> into %[[OUT]] : tensor<?x4096xbf16>, %[[OUT]] : tensor<?x4096xbf16> {epsilon = 9.99999974E-6 : f32}
// FUSE-NOT: linalg.generic
// FUSE: return %[[F]]#0, %[[F]]#1
func.func @residual_add_then_norm(%h: tensor<?x4096xbf16>, %r: tensor<?x4096xbf16>, %w: tensor<4096xf32>, %out: tensor<?x4096xbf16>, %rows: tensor<?x1xf32>) -> (tensor<?x4096xbf16>, tensor<?x4096xbf16>) {
  %zero = arith.constant 0.000000e+00 : f32
  %sum = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]} ins(%h, %r : tensor<?x4096xbf16>, tensor<?x4096xbf16>) outs(%out : tensor<?x4096xbf16>) {
  ^bb0(%a: bf16, %b: bf16, %o: bf16):
    %0 = arith.addf %a, %b : bf16
    linalg.yield %0 : bf16
  } -> tensor<?x4096xbf16>
  %acc = linalg.fill ins(%zero : f32) outs(%rows : tensor<?x1xf32>) -> tensor<?x1xf32>
  %ss = linalg.generic {indexing_maps = [#map, #row], iterator_types = ["parallel", "reduction"]} ins(%sum : tensor<?x4096xbf16>) outs(%acc : tensor<?x1xf32>) {
  ^bb0(%in: bf16, %a: f32):
    %0 = arith.extf %in : bf16 to f32
    %1 = arith.mulf %0, %0 : f32
    %2 = arith.addf %1, %a : f32
    linalg.yield %2 : f32
  } -> tensor<?x1xf32>
  %y = linalg.generic {indexing_maps = [#map, #row, #col, #map], iterator_types = ["parallel", "parallel"]} ins(%sum, %ss, %w : tensor<?x4096xbf16>, tensor<?x1xf32>, tensor<4096xf32>) outs(%out : tensor<?x4096xbf16>) {
  ^bb0(%in: bf16, %s: f32, %wi: f32, %o: bf16):
    %cn = arith.constant 2.44140625E-4 : f32
    %ce = arith.constant 9.99999974E-6 : f32
    %0 = arith.mulf %s, %cn : f32
    %1 = arith.addf %0, %ce : f32
    %2 = math.rsqrt %1 : f32
    %3 = arith.extf %in : bf16 to f32
    %4 = arith.mulf %3, %2 : f32
    %5 = arith.mulf %4, %wi : f32
    %6 = arith.truncf %5 : f32 to bf16
    linalg.yield %6 : bf16
  } -> tensor<?x4096xbf16>
  return %y, %sum : tensor<?x4096xbf16>, tensor<?x4096xbf16>
}

// -----

// linalg.map (short and long form), linalg.reduce with a short body, the
// normalization and the weight in one map, bf16 result.
// CHECK-LABEL: func @map_spelling
// CHECK-SAME: (%[[X:[^:]*]]: tensor<4x256xf32>, %[[W:[^:]*]]: tensor<256xf32>)
// CHECK: norm.rmsnorm %[[X]] : tensor<4x256xf32>, gamma %[[W]] : tensor<256xf32> into %{{.*}} : tensor<4x256xbf16> -> tensor<4x256xbf16>
// CHECK-NOT: linalg.
func.func @map_spelling(%x: tensor<4x256xf32>, %w: tensor<256xf32>) -> tensor<4x256xbf16> {
  %zero = arith.constant 0.000000e+00 : f32
  %full = tensor.empty() : tensor<4x256xf32>
  %rows = tensor.empty() : tensor<4xf32>
  %sq = linalg.map { arith.mulf } ins(%x, %x : tensor<4x256xf32>, tensor<4x256xf32>) outs(%full : tensor<4x256xf32>)
  %acc = linalg.fill ins(%zero : f32) outs(%rows : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.reduce { arith.addf } ins(%sq : tensor<4x256xf32>) outs(%acc : tensor<4xf32>) dimensions = [1]
  %mean = linalg.map ins(%sum : tensor<4xf32>) outs(%rows : tensor<4xf32>)
    (%s: f32, %o: f32) {
      %n = arith.constant 2.560000e+02 : f32
      %e = arith.constant 9.99999997E-7 : f32
      %0 = arith.divf %s, %n : f32
      %1 = arith.addf %0, %e : f32
      %2 = math.rsqrt %1 : f32
      linalg.yield %2 : f32
    }
  %invb = linalg.broadcast ins(%mean : tensor<4xf32>) outs(%full : tensor<4x256xf32>) dimensions = [1]
  %wb = linalg.broadcast ins(%w : tensor<256xf32>) outs(%full : tensor<4x256xf32>) dimensions = [0]
  %out = tensor.empty() : tensor<4x256xbf16>
  %y = linalg.map ins(%x, %invb, %wb : tensor<4x256xf32>, tensor<4x256xf32>, tensor<4x256xf32>) outs(%out : tensor<4x256xbf16>)
    (%a: f32, %b: f32, %c: f32, %o: bf16) {
      %0 = arith.mulf %a, %b : f32
      %1 = arith.mulf %0, %c : f32
      %2 = arith.truncf %1 : f32 to bf16
      linalg.yield %2 : bf16
    }
  return %y : tensor<4x256xbf16>
}

// -----

//===----------------------------------------------------------------------===//
// Near misses: nothing is raised.
//===----------------------------------------------------------------------===//

// The sum of squares runs over the rows (dim 0), not the last dim.
#map = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0, 0)>
#first = affine_map<(d0, d1) -> (0, d1)>
// CHECK-LABEL: func @reduction_over_rows
// CHECK-NOT: norm.rmsnorm
// CHECK: return
func.func @reduction_over_rows(%x: tensor<8x64xf32>, %full: tensor<8x64xf32>, %cols: tensor<1x64xf32>) -> tensor<8x64xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %acc = linalg.fill ins(%zero : f32) outs(%cols : tensor<1x64xf32>) -> tensor<1x64xf32>
  %sum = linalg.generic {indexing_maps = [#map, #first], iterator_types = ["reduction", "parallel"]} ins(%x : tensor<8x64xf32>) outs(%acc : tensor<1x64xf32>) {
  ^bb0(%in: f32, %a: f32):
    %0 = arith.mulf %in, %in : f32
    %1 = arith.addf %0, %a : f32
    linalg.yield %1 : f32
  } -> tensor<1x64xf32>
  %y = linalg.generic {indexing_maps = [#map, #first, #map], iterator_types = ["parallel", "parallel"]} ins(%x, %sum : tensor<8x64xf32>, tensor<1x64xf32>) outs(%full : tensor<8x64xf32>) {
  ^bb0(%in: f32, %s: f32, %o: f32):
    %cn = arith.constant 8.000000e+00 : f32
    %ce = arith.constant 9.99999974E-6 : f32
    %0 = arith.divf %s, %cn : f32
    %1 = arith.addf %0, %ce : f32
    %2 = math.rsqrt %1 : f32
    %3 = arith.mulf %in, %2 : f32
    linalg.yield %3 : f32
  } -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}

// -----

// The body of the four spellings below: sumsq -> rsqrt(sumsq / H + eps)
// with one step changed.
#map = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func @mean_without_epsilon
// CHECK-NOT: norm.rmsnorm
// CHECK: return
func.func @mean_without_epsilon(%x: tensor<8x64xf32>, %full: tensor<8x64xf32>, %rows: tensor<8x1xf32>) -> tensor<8x64xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %acc = linalg.fill ins(%zero : f32) outs(%rows : tensor<8x1xf32>) -> tensor<8x1xf32>
  %sum = linalg.generic {indexing_maps = [#map, #row], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<8x64xf32>) outs(%acc : tensor<8x1xf32>) {
  ^bb0(%in: f32, %a: f32):
    %0 = arith.mulf %in, %in : f32
    %1 = arith.addf %0, %a : f32
    linalg.yield %1 : f32
  } -> tensor<8x1xf32>
  %y = linalg.generic {indexing_maps = [#map, #row, #map], iterator_types = ["parallel", "parallel"]} ins(%x, %sum : tensor<8x64xf32>, tensor<8x1xf32>) outs(%full : tensor<8x64xf32>) {
  ^bb0(%in: f32, %s: f32, %o: f32):
    %cn = arith.constant 6.400000e+01 : f32
    %0 = arith.divf %s, %cn : f32
    %2 = math.rsqrt %0 : f32
    %3 = arith.mulf %in, %2 : f32
    linalg.yield %3 : f32
  } -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}

// -----

#map = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func @epsilon_after_sqrt
// CHECK-NOT: norm.rmsnorm
// CHECK: return
func.func @epsilon_after_sqrt(%x: tensor<8x64xf32>, %full: tensor<8x64xf32>, %rows: tensor<8x1xf32>) -> tensor<8x64xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %acc = linalg.fill ins(%zero : f32) outs(%rows : tensor<8x1xf32>) -> tensor<8x1xf32>
  %sum = linalg.generic {indexing_maps = [#map, #row], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<8x64xf32>) outs(%acc : tensor<8x1xf32>) {
  ^bb0(%in: f32, %a: f32):
    %0 = arith.mulf %in, %in : f32
    %1 = arith.addf %0, %a : f32
    linalg.yield %1 : f32
  } -> tensor<8x1xf32>
  %y = linalg.generic {indexing_maps = [#map, #row, #map], iterator_types = ["parallel", "parallel"]} ins(%x, %sum : tensor<8x64xf32>, tensor<8x1xf32>) outs(%full : tensor<8x64xf32>) {
  ^bb0(%in: f32, %s: f32, %o: f32):
    %cn = arith.constant 6.400000e+01 : f32
    %ce = arith.constant 9.99999974E-6 : f32
    %0 = arith.divf %s, %cn : f32
    %1 = math.sqrt %0 : f32
    %2 = arith.addf %1, %ce : f32
    %3 = arith.divf %in, %2 : f32
    linalg.yield %3 : f32
  } -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}

// -----

#map = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func @wrong_divisor
// CHECK-NOT: norm.rmsnorm
// CHECK: return
func.func @wrong_divisor(%x: tensor<8x64xf32>, %full: tensor<8x64xf32>, %rows: tensor<8x1xf32>) -> tensor<8x64xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %acc = linalg.fill ins(%zero : f32) outs(%rows : tensor<8x1xf32>) -> tensor<8x1xf32>
  %sum = linalg.generic {indexing_maps = [#map, #row], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<8x64xf32>) outs(%acc : tensor<8x1xf32>) {
  ^bb0(%in: f32, %a: f32):
    %0 = arith.mulf %in, %in : f32
    %1 = arith.addf %0, %a : f32
    linalg.yield %1 : f32
  } -> tensor<8x1xf32>
  %y = linalg.generic {indexing_maps = [#map, #row, #map], iterator_types = ["parallel", "parallel"]} ins(%x, %sum : tensor<8x64xf32>, tensor<8x1xf32>) outs(%full : tensor<8x64xf32>) {
  ^bb0(%in: f32, %s: f32, %o: f32):
    %cn = arith.constant 6.300000e+01 : f32
    %ce = arith.constant 9.99999974E-6 : f32
    %0 = arith.divf %s, %cn : f32
    %1 = arith.addf %0, %ce : f32
    %2 = math.rsqrt %1 : f32
    %3 = arith.mulf %in, %2 : f32
    linalg.yield %3 : f32
  } -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}

// -----

// The statistic of x normalizes another tensor.
#map = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func @other_tensor_scaled
// CHECK-NOT: norm.rmsnorm
// CHECK: return
func.func @other_tensor_scaled(%x: tensor<8x64xf32>, %z: tensor<8x64xf32>, %full: tensor<8x64xf32>, %rows: tensor<8x1xf32>) -> tensor<8x64xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %acc = linalg.fill ins(%zero : f32) outs(%rows : tensor<8x1xf32>) -> tensor<8x1xf32>
  %sum = linalg.generic {indexing_maps = [#map, #row], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<8x64xf32>) outs(%acc : tensor<8x1xf32>) {
  ^bb0(%in: f32, %a: f32):
    %0 = arith.mulf %in, %in : f32
    %1 = arith.addf %0, %a : f32
    linalg.yield %1 : f32
  } -> tensor<8x1xf32>
  %y = linalg.generic {indexing_maps = [#map, #row, #map], iterator_types = ["parallel", "parallel"]} ins(%z, %sum : tensor<8x64xf32>, tensor<8x1xf32>) outs(%full : tensor<8x64xf32>) {
  ^bb0(%in: f32, %s: f32, %o: f32):
    %cn = arith.constant 6.400000e+01 : f32
    %ce = arith.constant 9.99999974E-6 : f32
    %0 = arith.divf %s, %cn : f32
    %1 = arith.addf %0, %ce : f32
    %2 = math.rsqrt %1 : f32
    %3 = arith.mulf %in, %2 : f32
    linalg.yield %3 : f32
  } -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}

// -----

// Squares of x, normalizing x, but the mean is taken of x * z.
#map = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func @not_a_square
// CHECK-NOT: norm.rmsnorm
// CHECK: return
func.func @not_a_square(%x: tensor<8x64xf32>, %z: tensor<8x64xf32>, %full: tensor<8x64xf32>, %rows: tensor<8x1xf32>) -> tensor<8x64xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %acc = linalg.fill ins(%zero : f32) outs(%rows : tensor<8x1xf32>) -> tensor<8x1xf32>
  %sum = linalg.generic {indexing_maps = [#map, #map, #row], iterator_types = ["parallel", "reduction"]} ins(%x, %z : tensor<8x64xf32>, tensor<8x64xf32>) outs(%acc : tensor<8x1xf32>) {
  ^bb0(%in: f32, %in2: f32, %a: f32):
    %0 = arith.mulf %in, %in2 : f32
    %1 = arith.addf %0, %a : f32
    linalg.yield %1 : f32
  } -> tensor<8x1xf32>
  %y = linalg.generic {indexing_maps = [#map, #row, #map], iterator_types = ["parallel", "parallel"]} ins(%x, %sum : tensor<8x64xf32>, tensor<8x1xf32>) outs(%full : tensor<8x64xf32>) {
  ^bb0(%in: f32, %s: f32, %o: f32):
    %cn = arith.constant 6.400000e+01 : f32
    %ce = arith.constant 9.99999974E-6 : f32
    %0 = arith.divf %s, %cn : f32
    %1 = arith.addf %0, %ce : f32
    %2 = math.rsqrt %1 : f32
    %3 = arith.mulf %in, %2 : f32
    linalg.yield %3 : f32
  } -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}

// -----

// Arithmetic in bf16 (no f32 casts): the kernel would accumulate in f32
// and change the results.
#map = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func @bf16_arithmetic
// CHECK-NOT: norm.rmsnorm
// CHECK: return
func.func @bf16_arithmetic(%x: tensor<8x64xbf16>, %full: tensor<8x64xbf16>, %rows: tensor<8x1xbf16>) -> tensor<8x64xbf16> {
  %zero = arith.constant 0.000000e+00 : bf16
  %acc = linalg.fill ins(%zero : bf16) outs(%rows : tensor<8x1xbf16>) -> tensor<8x1xbf16>
  %sum = linalg.generic {indexing_maps = [#map, #row], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<8x64xbf16>) outs(%acc : tensor<8x1xbf16>) {
  ^bb0(%in: bf16, %a: bf16):
    %0 = arith.mulf %in, %in : bf16
    %1 = arith.addf %0, %a : bf16
    linalg.yield %1 : bf16
  } -> tensor<8x1xbf16>
  %y = linalg.generic {indexing_maps = [#map, #row, #map], iterator_types = ["parallel", "parallel"]} ins(%x, %sum : tensor<8x64xbf16>, tensor<8x1xbf16>) outs(%full : tensor<8x64xbf16>) {
  ^bb0(%in: bf16, %s: bf16, %o: bf16):
    %cn = arith.constant 6.400000e+01 : bf16
    %ce = arith.constant 1.000000e-05 : bf16
    %0 = arith.divf %s, %cn : bf16
    %1 = arith.addf %0, %ce : bf16
    %2 = math.rsqrt %1 : bf16
    %3 = arith.mulf %in, %2 : bf16
    linalg.yield %3 : bf16
  } -> tensor<8x64xbf16>
  return %y : tensor<8x64xbf16>
}

// -----

// The accumulator starts at 1, not 0.
#map = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func @accumulator_not_zero
// CHECK-NOT: norm.rmsnorm
// CHECK: return
func.func @accumulator_not_zero(%x: tensor<8x64xf32>, %full: tensor<8x64xf32>, %rows: tensor<8x1xf32>) -> tensor<8x64xf32> {
  %one = arith.constant 1.000000e+00 : f32
  %acc = linalg.fill ins(%one : f32) outs(%rows : tensor<8x1xf32>) -> tensor<8x1xf32>
  %sum = linalg.generic {indexing_maps = [#map, #row], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<8x64xf32>) outs(%acc : tensor<8x1xf32>) {
  ^bb0(%in: f32, %a: f32):
    %0 = arith.mulf %in, %in : f32
    %1 = arith.addf %0, %a : f32
    linalg.yield %1 : f32
  } -> tensor<8x1xf32>
  %y = linalg.generic {indexing_maps = [#map, #row, #map], iterator_types = ["parallel", "parallel"]} ins(%x, %sum : tensor<8x64xf32>, tensor<8x1xf32>) outs(%full : tensor<8x64xf32>) {
  ^bb0(%in: f32, %s: f32, %o: f32):
    %cn = arith.constant 6.400000e+01 : f32
    %ce = arith.constant 9.99999974E-6 : f32
    %0 = arith.divf %s, %cn : f32
    %1 = arith.addf %0, %ce : f32
    %2 = math.rsqrt %1 : f32
    %3 = arith.mulf %in, %2 : f32
    linalg.yield %3 : f32
  } -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}

// -----

// Mean by a reciprocal that is not 1 / H (1 / 63 with H = 64).
#map = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func @wrong_reciprocal
// CHECK-NOT: norm.rmsnorm
// CHECK: return
func.func @wrong_reciprocal(%x: tensor<8x64xf32>, %full: tensor<8x64xf32>, %rows: tensor<8x1xf32>) -> tensor<8x64xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %acc = linalg.fill ins(%zero : f32) outs(%rows : tensor<8x1xf32>) -> tensor<8x1xf32>
  %sum = linalg.generic {indexing_maps = [#map, #row], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<8x64xf32>) outs(%acc : tensor<8x1xf32>) {
  ^bb0(%in: f32, %a: f32):
    %0 = arith.mulf %in, %in : f32
    %1 = arith.addf %0, %a : f32
    linalg.yield %1 : f32
  } -> tensor<8x1xf32>
  %y = linalg.generic {indexing_maps = [#map, #row, #map], iterator_types = ["parallel", "parallel"]} ins(%x, %sum : tensor<8x64xf32>, tensor<8x1xf32>) outs(%full : tensor<8x64xf32>) {
  ^bb0(%in: f32, %s: f32, %o: f32):
    %cn = arith.constant 0.0158730168 : f32
    %ce = arith.constant 9.99999974E-6 : f32
    %0 = arith.mulf %s, %cn : f32
    %1 = arith.addf %0, %ce : f32
    %2 = math.rsqrt %1 : f32
    %3 = arith.mulf %in, %2 : f32
    linalg.yield %3 : f32
  } -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}

// -----

// Dynamic H, but the mean divides by the size of another tensor's dim.
#map = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func @divisor_of_other_tensor
// CHECK-NOT: norm.rmsnorm
// CHECK: return
func.func @divisor_of_other_tensor(%x: tensor<?x?xf32>, %other: tensor<?x?xf32>, %full: tensor<?x?xf32>, %rows: tensor<?x1xf32>) -> tensor<?x?xf32> {
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.000000e+00 : f32
  %eps = arith.constant 1.000000e-05 : f32
  %h = tensor.dim %other, %c1 : tensor<?x?xf32>
  %hi = arith.index_cast %h : index to i64
  %hf = arith.sitofp %hi : i64 to f32
  %acc = linalg.fill ins(%zero : f32) outs(%rows : tensor<?x1xf32>) -> tensor<?x1xf32>
  %sum = linalg.generic {indexing_maps = [#map, #row], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<?x?xf32>) outs(%acc : tensor<?x1xf32>) {
  ^bb0(%in: f32, %a: f32):
    %0 = arith.mulf %in, %in : f32
    %1 = arith.addf %a, %0 : f32
    linalg.yield %1 : f32
  } -> tensor<?x1xf32>
  %y = linalg.generic {indexing_maps = [#map, #row, #map], iterator_types = ["parallel", "parallel"]} ins(%x, %sum : tensor<?x?xf32>, tensor<?x1xf32>) outs(%full : tensor<?x?xf32>) {
  ^bb0(%in: f32, %s: f32, %o: f32):
    %0 = arith.divf %s, %hf : f32
    %1 = arith.addf %0, %eps : f32
    %2 = math.rsqrt %1 : f32
    %3 = arith.mulf %in, %2 : f32
    linalg.yield %3 : f32
  } -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}

// -----

// The rounded value multiplied in bf16 by a full tensor, not a column
// vector: the normalization is raised, the multiply stays.
#map = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func @narrow_multiply_by_full_tensor
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x256xbf16>, %[[Z:[^:]*]]: tensor<?x256xbf16>
// CHECK: %[[N:.*]] = norm.rmsnorm %[[X]] : tensor<?x256xbf16> into %{{.*}} : tensor<?x256xbf16> {epsilon = 9.99999974E-6 : f32} -> tensor<?x256xbf16>
// CHECK: arith.mulf %[[N]], %[[Z]] : tensor<?x256xbf16>
func.func @narrow_multiply_by_full_tensor(%x: tensor<?x256xbf16>, %z: tensor<?x256xbf16>, %full: tensor<?x256xf32>, %rows: tensor<?x1xf32>) -> tensor<?x256xbf16> {
  %zero = arith.constant 0.000000e+00 : f32
  %n = arith.constant 2.560000e+02 : f32
  %eps = arith.constant 9.99999974E-6 : f32
  %xf = arith.extf %x : tensor<?x256xbf16> to tensor<?x256xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%rows : tensor<?x1xf32>) -> tensor<?x1xf32>
  %sum = linalg.generic {indexing_maps = [#map, #row], iterator_types = ["parallel", "reduction"]} ins(%xf : tensor<?x256xf32>) outs(%acc : tensor<?x1xf32>) {
  ^bb0(%in: f32, %a: f32):
    %0 = arith.mulf %in, %in : f32
    %1 = arith.addf %a, %0 : f32
    linalg.yield %1 : f32
  } -> tensor<?x1xf32>
  %normed = linalg.generic {indexing_maps = [#map, #row, #map], iterator_types = ["parallel", "parallel"]} ins(%xf, %sum : tensor<?x256xf32>, tensor<?x1xf32>) outs(%full : tensor<?x256xf32>) {
  ^bb0(%in: f32, %s: f32, %o: f32):
    %0 = arith.divf %s, %n : f32
    %1 = arith.addf %0, %eps : f32
    %2 = math.rsqrt %1 : f32
    %3 = arith.mulf %in, %2 : f32
    linalg.yield %3 : f32
  } -> tensor<?x256xf32>
  %rounded = arith.truncf %normed : tensor<?x256xf32> to tensor<?x256xbf16>
  %y = arith.mulf %rounded, %z : tensor<?x256xbf16>
  return %y : tensor<?x256xbf16>
}

// -----

// Gemma's (1 + w) computed in bf16 in the body of the weight multiply: not
// a plain weight, so nothing is raised (normalized_type takes no offset).
#map = affine_map<(d0, d1) -> (d0, d1)>
#red = affine_map<(d0, d1) -> (d0)>
#col = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func @narrow_gemma_offset
// CHECK-NOT: norm.rmsnorm
// CHECK: return
func.func @narrow_gemma_offset(%x: tensor<8x2048xbf16>, %w: tensor<2048xbf16>, %out: tensor<8x2048xbf16>) -> tensor<8x2048xbf16> {
  %zero = arith.constant 0.000000e+00 : f32
  %n = arith.constant 2.048000e+03 : f32
  %eps = arith.constant 9.99999997E-7 : f32
  %one = arith.constant 1.000000e+00 : bf16
  %e = tensor.empty() : tensor<8xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %sum = linalg.generic {indexing_maps = [#map, #red], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<8x2048xbf16>) outs(%acc : tensor<8xf32>) {
  ^bb0(%in: bf16, %a: f32):
    %0 = arith.extf %in : bf16 to f32
    %1 = arith.mulf %0, %0 : f32
    %2 = arith.addf %1, %a : f32
    linalg.yield %2 : f32
  } -> tensor<8xf32>
  %y = linalg.generic {indexing_maps = [#map, #red, #col, #map], iterator_types = ["parallel", "parallel"]} ins(%x, %sum, %w : tensor<8x2048xbf16>, tensor<8xf32>, tensor<2048xbf16>) outs(%out : tensor<8x2048xbf16>) {
  ^bb0(%in: bf16, %s: f32, %g: bf16, %o: bf16):
    %0 = arith.divf %s, %n : f32
    %1 = arith.addf %0, %eps : f32
    %2 = math.rsqrt %1 : f32
    %3 = arith.extf %in : bf16 to f32
    %4 = arith.mulf %3, %2 : f32
    %5 = arith.truncf %4 : f32 to bf16
    %6 = arith.addf %one, %g : bf16
    %7 = arith.mulf %5, %6 : bf16
    linalg.yield %7 : bf16
  } -> tensor<8x2048xbf16>
  return %y : tensor<8x2048xbf16>
}

// -----

// A per-row factor in bf16 (shape [rows, 1]) is not a column vector.
#map = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func @narrow_multiply_by_row_vector
// CHECK-NOT: gamma
// CHECK: linalg.generic
// CHECK: arith.mulf %{{.*}}, %{{.*}} : bf16
// CHECK: return
func.func @narrow_multiply_by_row_vector(%x: tensor<16x256xbf16>, %t: tensor<16x1xbf16>, %out: tensor<16x256xbf16>) -> tensor<16x256xbf16> {
  %zero = arith.constant 0.000000e+00 : f32
  %n = arith.constant 2.560000e+02 : f32
  %eps = arith.constant 9.99999974E-6 : f32
  %rows = tensor.empty() : tensor<16x1xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%rows : tensor<16x1xf32>) -> tensor<16x1xf32>
  %sum = linalg.generic {indexing_maps = [#map, #row], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<16x256xbf16>) outs(%acc : tensor<16x1xf32>) {
  ^bb0(%in: bf16, %a: f32):
    %0 = arith.extf %in : bf16 to f32
    %1 = arith.mulf %0, %0 : f32
    %2 = arith.addf %a, %1 : f32
    linalg.yield %2 : f32
  } -> tensor<16x1xf32>
  %y = linalg.generic {indexing_maps = [#map, #row, #row, #map], iterator_types = ["parallel", "parallel"]} ins(%x, %sum, %t : tensor<16x256xbf16>, tensor<16x1xf32>, tensor<16x1xbf16>) outs(%out : tensor<16x256xbf16>) {
  ^bb0(%in: bf16, %s: f32, %g: bf16, %o: bf16):
    %0 = arith.divf %s, %n : f32
    %1 = arith.addf %0, %eps : f32
    %2 = math.rsqrt %1 : f32
    %3 = arith.extf %in : bf16 to f32
    %4 = arith.mulf %3, %2 : f32
    %5 = arith.truncf %4 : f32 to bf16
    %6 = arith.mulf %g, %5 : bf16
    linalg.yield %6 : bf16
  } -> tensor<16x256xbf16>
  return %y : tensor<16x256xbf16>
}
