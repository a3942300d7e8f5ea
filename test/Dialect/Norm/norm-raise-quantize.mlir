// RUN: norm-opt %s -norm-raise -split-input-file | FileCheck %s
// RUN: norm-opt %s -norm-raise -norm-fuse -split-input-file | FileCheck %s --check-prefix=FUSE

// norm-raise of dynamic per-token quantization: spellings that compute
// exactly what norm.quantize per_token computes, then near misses that must
// stay as they are.

// torch-mlir, one linalg.generic per aten op, for
//   yf = y.float(); amax = yf.abs().amax(-1, keepdim=True).clamp(max=ub)
//   scale = (amax / 448).clamp(min=1 / (448 * 512))
//   q = (yf / scale).clamp(-448, 448).to(torch.float8_e4m3fn)
// with the scalars as f64 constants truncated to f32, the scales [rows, 1]
// and returned.
#map = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func @torch_mlir_generics_e4m3fn
// CHECK-SAME: (%[[Y:[^:]*]]: tensor<?x4096xbf16>)
// CHECK: %[[Q:.*]]:2 = norm.quantize per_token %[[Y]] : tensor<?x4096xbf16> into %{{.*}} : tensor<?x4096xf8E4M3FN>, %{{.*}} : tensor<?x1xf32> {min_scale = 4.35965421E-6 : f32, scale_ub = 1.200000e+03 : f32} -> tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>
// CHECK-NOT: linalg.
// CHECK: return %[[Q]]#0, %[[Q]]#1
// FUSE-LABEL: func @torch_mlir_generics_e4m3fn
// FUSE: norm.quantize per_token
func.func @torch_mlir_generics_e4m3fn(%y: tensor<?x4096xbf16>) -> (tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>) {
  %c0 = arith.constant 0 : index
  %ninf = arith.constant 0xFF800000 : f32
  %ub64 = arith.constant 1.200000e+03 : f64
  %qmax64 = arith.constant 4.480000e+02 : f64
  %min64 = arith.constant 4.3596540178571429E-6 : f64
  %lo64 = arith.constant -4.480000e+02 : f64
  %dim = tensor.dim %y, %c0 : tensor<?x4096xbf16>
  %full = tensor.empty(%dim) : tensor<?x4096xf32>
  %rows = tensor.empty(%dim) : tensor<?x1xf32>
  %yf = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%y : tensor<?x4096xbf16>) outs(%full : tensor<?x4096xf32>) {
  ^bb0(%in: bf16, %out: f32):
    %0 = arith.extf %in : bf16 to f32
    linalg.yield %0 : f32
  } -> tensor<?x4096xf32>
  %abs = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%yf : tensor<?x4096xf32>) outs(%full : tensor<?x4096xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = math.absf %in : f32
    linalg.yield %0 : f32
  } -> tensor<?x4096xf32>
  %acc = linalg.fill ins(%ninf : f32) outs(%rows : tensor<?x1xf32>) -> tensor<?x1xf32>
  %amax = linalg.generic {indexing_maps = [#map, #row], iterator_types = ["parallel", "reduction"]} ins(%abs : tensor<?x4096xf32>) outs(%acc : tensor<?x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.maximumf %in, %out : f32
    linalg.yield %0 : f32
  } -> tensor<?x1xf32>
  %bounded = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%amax : tensor<?x1xf32>) outs(%rows : tensor<?x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.truncf %ub64 : f64 to f32
    %1 = arith.minimumf %in, %0 : f32
    linalg.yield %1 : f32
  } -> tensor<?x1xf32>
  %div = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%bounded : tensor<?x1xf32>) outs(%rows : tensor<?x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.truncf %qmax64 : f64 to f32
    %1 = arith.divf %in, %0 : f32
    linalg.yield %1 : f32
  } -> tensor<?x1xf32>
  %scale = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%div : tensor<?x1xf32>) outs(%rows : tensor<?x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.truncf %min64 : f64 to f32
    %1 = arith.maximumf %in, %0 : f32
    linalg.yield %1 : f32
  } -> tensor<?x1xf32>
  %quot = linalg.generic {indexing_maps = [#map, #row, #map], iterator_types = ["parallel", "parallel"]} ins(%yf, %scale : tensor<?x4096xf32>, tensor<?x1xf32>) outs(%full : tensor<?x4096xf32>) {
  ^bb0(%in: f32, %s: f32, %out: f32):
    %0 = arith.divf %in, %s : f32
    linalg.yield %0 : f32
  } -> tensor<?x4096xf32>
  %clamped = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%quot : tensor<?x4096xf32>) outs(%full : tensor<?x4096xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.truncf %lo64 : f64 to f32
    %1 = arith.truncf %qmax64 : f64 to f32
    %2 = arith.maximumf %in, %0 : f32
    %3 = arith.minimumf %2, %1 : f32
    linalg.yield %3 : f32
  } -> tensor<?x4096xf32>
  %qe = tensor.empty(%dim) : tensor<?x4096xf8E4M3FN>
  %q = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%clamped : tensor<?x4096xf32>) outs(%qe : tensor<?x4096xf8E4M3FN>) {
  ^bb0(%in: f32, %out: f8E4M3FN):
    %0 = arith.truncf %in : f32 to f8E4M3FN
    linalg.yield %0 : f8E4M3FN
  } -> tensor<?x4096xf8E4M3FN>
  return %q, %scale : tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>
}

// -----

// IREE after elementwise fusion: |extf(y)| in the reduction's body (from 0,
// a [rows] statistic), the scale computed in the quantizer's body, f8E5M2; the
// scales are not used.
#in3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#red3 = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func @iree_fused_e5m2
// CHECK-SAME: (%[[Y:[^:]*]]: tensor<2x?x1024xf16>, %[[OUT:[^:]*]]: tensor<2x?x1024xf8E5M2>)
// CHECK: %[[Q:.*]]:2 = norm.quantize per_token %[[Y]] : tensor<2x?x1024xf16> into %[[OUT]] : tensor<2x?x1024xf8E5M2>, %{{.*}} : tensor<2x?x1xf32> {min_scale = 1.000000e-10 : f32}
// CHECK-NOT: linalg.generic
// CHECK: return %[[Q]]#0
func.func @iree_fused_e5m2(%y: tensor<2x?x1024xf16>, %out: tensor<2x?x1024xf8E5M2>) -> tensor<2x?x1024xf8E5M2> {
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.000000e+00 : f32
  %s = tensor.dim %y, %c1 : tensor<2x?x1024xf16>
  %e = tensor.empty(%s) : tensor<2x?xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<2x?xf32>) -> tensor<2x?xf32>
  %amax = linalg.generic {indexing_maps = [#in3, #red3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%y : tensor<2x?x1024xf16>) outs(%acc : tensor<2x?xf32>) {
  ^bb0(%in: f16, %a: f32):
    %0 = arith.extf %in : f16 to f32
    %1 = math.absf %0 : f32
    %2 = arith.maximumf %a, %1 : f32
    linalg.yield %2 : f32
  } -> tensor<2x?xf32>
  %q = linalg.generic {indexing_maps = [#in3, #red3, #in3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%y, %amax : tensor<2x?x1024xf16>, tensor<2x?xf32>) outs(%out : tensor<2x?x1024xf8E5M2>) {
  ^bb0(%in: f16, %am: f32, %o: f8E5M2):
    %qmax = arith.constant 5.734400e+04 : f32
    %nqmax = arith.constant -5.734400e+04 : f32
    %min = arith.constant 1.000000e-10 : f32
    %0 = arith.divf %am, %qmax : f32
    %1 = arith.maximumf %min, %0 : f32
    %2 = arith.extf %in : f16 to f32
    %3 = arith.divf %2, %1 : f32
    %4 = arith.minimumf %3, %qmax : f32
    %5 = arith.maximumf %nqmax, %4 : f32
    %6 = arith.truncf %5 : f32 to f8E5M2
    linalg.yield %6 : f8E5M2
  } -> tensor<2x?x1024xf8E5M2>
  return %q : tensor<2x?x1024xf8E5M2>
}

// -----

// int8 as vLLM's reference writes it, with torch's `amax.clamp(min=1e-12)`
// on amax: the floor becomes min_scale = fl(1e-12 / 127) (division by 127
// is monotonic), and roundeven before the clamp.
#map = affine_map<(d0, d1) -> (d0, d1)>
#red = affine_map<(d0, d1) -> (d0)>
#vec = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func @int8_round_then_clamp
// CHECK-SAME: (%[[Y:[^:]*]]: tensor<16x256xf32>)
// CHECK: %[[Q:.*]]:2 = norm.quantize per_token %[[Y]] : tensor<16x256xf32> into %{{.*}} : tensor<16x256xi8>, %{{.*}} : tensor<16x1xf32> {min_scale = 7.87401574E-15 : f32}
// CHECK: %[[S:.*]] = tensor.collapse_shape %[[Q]]#1
// CHECK: return %[[Q]]#0, %[[S]]
func.func @int8_round_then_clamp(%y: tensor<16x256xf32>) -> (tensor<16x256xi8>, tensor<16xf32>) {
  %zero = arith.constant 0.000000e+00 : f32
  %e = tensor.empty() : tensor<16xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<16xf32>) -> tensor<16xf32>
  %amax = linalg.generic {indexing_maps = [#map, #red], iterator_types = ["parallel", "reduction"]} ins(%y : tensor<16x256xf32>) outs(%acc : tensor<16xf32>) {
  ^bb0(%in: f32, %a: f32):
    %0 = math.absf %in : f32
    %1 = arith.maximumf %0, %a : f32
    linalg.yield %1 : f32
  } -> tensor<16xf32>
  %scale = linalg.generic {indexing_maps = [#vec, #vec], iterator_types = ["parallel"]} ins(%amax : tensor<16xf32>) outs(%e : tensor<16xf32>) {
  ^bb0(%in: f32, %o: f32):
    %m = arith.constant 9.99999996E-13 : f32
    %qmax = arith.constant 1.270000e+02 : f32
    %0 = arith.maximumf %in, %m : f32
    %1 = arith.divf %0, %qmax : f32
    linalg.yield %1 : f32
  } -> tensor<16xf32>
  %qe = tensor.empty() : tensor<16x256xi8>
  %q = linalg.generic {indexing_maps = [#map, #red, #map], iterator_types = ["parallel", "parallel"]} ins(%y, %scale : tensor<16x256xf32>, tensor<16xf32>) outs(%qe : tensor<16x256xi8>) {
  ^bb0(%in: f32, %s: f32, %o: i8):
    %lo = arith.constant -1.280000e+02 : f32
    %hi = arith.constant 1.270000e+02 : f32
    %0 = arith.divf %in, %s : f32
    %1 = math.roundeven %0 : f32
    %2 = arith.maximumf %1, %lo : f32
    %3 = arith.minimumf %2, %hi : f32
    %4 = arith.fptosi %3 : f32 to i8
    linalg.yield %4 : i8
  } -> tensor<16x256xi8>
  return %q, %scale : tensor<16x256xi8>, tensor<16xf32>
}

// -----

// int8 clamped before rounding (min first), on tensors; the scale floor on
// the scale; the scales also read before the quantized tensor exists keep
// their computation there.
// CHECK-LABEL: func @int8_clamp_then_round
// CHECK: %[[SCALE:.*]] = arith.maximumf %{{.*}}, %{{.*}} : tensor<4xf32>
// CHECK: call @use(%[[SCALE]])
// CHECK: %[[Q:.*]]:2 = norm.quantize per_token %{{.*}} : tensor<4x128xbf16> into %{{.*}} : tensor<4x128xi8>, %{{.*}} : tensor<4x1xf32> {min_scale = 3.05175781E-5 : f32}
// CHECK: %[[S:.*]] = tensor.collapse_shape %[[Q]]#1
// CHECK: return %[[Q]]#0, %[[S]]
func.func private @use(tensor<4xf32>)
func.func @int8_clamp_then_round(%y: tensor<4x128xbf16>) -> (tensor<4x128xi8>, tensor<4xf32>) {
  %zero = arith.constant 0.000000e+00 : f32
  %qmax = arith.constant dense<1.270000e+02> : tensor<4xf32>
  %min = arith.constant dense<3.05175781E-5> : tensor<4xf32>
  %lo = arith.constant dense<-1.280000e+02> : tensor<4x128xf32>
  %hi = arith.constant dense<1.270000e+02> : tensor<4x128xf32>
  %yf = arith.extf %y : tensor<4x128xbf16> to tensor<4x128xf32>
  %abs = math.absf %yf : tensor<4x128xf32>
  %e = tensor.empty() : tensor<4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %amax = linalg.reduce ins(%abs : tensor<4x128xf32>) outs(%acc : tensor<4xf32>) dimensions = [1]
    (%in: f32, %init: f32) {
      %0 = arith.maximumf %in, %init : f32
      linalg.yield %0 : f32
    }
  %s0 = arith.divf %amax, %qmax : tensor<4xf32>
  %s = arith.maximumf %s0, %min : tensor<4xf32>
  call @use(%s) : (tensor<4xf32>) -> ()
  %full = tensor.empty() : tensor<4x128xf32>
  %sb = linalg.broadcast ins(%s : tensor<4xf32>) outs(%full : tensor<4x128xf32>) dimensions = [1]
  %d = arith.divf %yf, %sb : tensor<4x128xf32>
  %c0 = arith.minimumf %d, %hi : tensor<4x128xf32>
  %c1 = arith.maximumf %c0, %lo : tensor<4x128xf32>
  %r = math.roundeven %c1 : tensor<4x128xf32>
  %q = arith.fptosi %r : tensor<4x128xf32> to tensor<4x128xi8>
  return %q, %s : tensor<4x128xi8>, tensor<4xf32>
}

// -----

// arith/math on tensors, linalg.reduce and linalg.broadcast; the scales
// without the unit dim, returned through a collapse of the op's.
// CHECK-LABEL: func @tensor_ops_e4m3fnuz
// CHECK-SAME: (%[[Y:[^:]*]]: tensor<8x64xbf16>)
// CHECK: %[[Q:.*]]:2 = norm.quantize per_token %[[Y]] : tensor<8x64xbf16> into %{{.*}} : tensor<8x64xf8E4M3FNUZ>, %{{.*}} : tensor<8x1xf32> {min_scale = 9.99999997E-7 : f32}
// CHECK: %[[S:.*]] = tensor.collapse_shape %[[Q]]#1 {{\[}}[0, 1]] : tensor<8x1xf32> into tensor<8xf32>
// CHECK-NOT: linalg.
// CHECK: return %[[Q]]#0, %[[S]]
func.func @tensor_ops_e4m3fnuz(%y: tensor<8x64xbf16>) -> (tensor<8x64xf8E4M3FNUZ>, tensor<8xf32>) {
  %init = arith.constant 0xFF800000 : f32
  %qmax = arith.constant dense<240.0> : tensor<8xf32>
  %mins = arith.constant dense<1.0e-06> : tensor<8xf32>
  %lo = arith.constant dense<-240.0> : tensor<8x64xf32>
  %hi = arith.constant dense<240.0> : tensor<8x64xf32>
  %yf = arith.extf %y : tensor<8x64xbf16> to tensor<8x64xf32>
  %abs = math.absf %yf : tensor<8x64xf32>
  %e = tensor.empty() : tensor<8xf32>
  %acc = linalg.fill ins(%init : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %amax = linalg.reduce { arith.maximumf } ins(%abs : tensor<8x64xf32>) outs(%acc : tensor<8xf32>) dimensions = [1]
  %s0 = arith.divf %amax, %qmax : tensor<8xf32>
  %s = arith.maximumf %s0, %mins : tensor<8xf32>
  %full = tensor.empty() : tensor<8x64xf32>
  %sb = linalg.broadcast ins(%s : tensor<8xf32>) outs(%full : tensor<8x64xf32>) dimensions = [1]
  %d = arith.divf %yf, %sb : tensor<8x64xf32>
  %c0 = arith.maximumf %d, %lo : tensor<8x64xf32>
  %c1 = arith.minimumf %c0, %hi : tensor<8x64xf32>
  %q = arith.truncf %c1 : tensor<8x64xf32> to tensor<8x64xf8E4M3FNUZ>
  return %q, %s : tensor<8x64xf8E4M3FNUZ>, tensor<8xf32>
}

// -----

// min(max(amax, m), ub) with m <= ub is the op's max(min(amax, ub), m):
// scale_ub = ub, min_scale = max(fl(m / 448), 1e-6) = fl(1e-3 / 448).
// CHECK-LABEL: func @ub_outside_floor
// CHECK: norm.quantize per_token %{{.*}} : tensor<8x64xbf16> into %{{.*}} : tensor<8x64xf8E4M3FN>, %{{.*}} : tensor<8x1xf32> {min_scale = 2.23214306E-6 : f32, scale_ub = 1.200000e+03 : f32}
func.func @ub_outside_floor(%y: tensor<8x64xbf16>) -> (tensor<8x64xf8E4M3FN>, tensor<8xf32>) {
  %init = arith.constant 0xFF800000 : f32
  %qmax = arith.constant dense<448.0> : tensor<8xf32>
  %mins = arith.constant dense<1.0e-06> : tensor<8xf32>
  %lo = arith.constant dense<-448.0> : tensor<8x64xf32>
  %hi = arith.constant dense<448.0> : tensor<8x64xf32>
  %yf = arith.extf %y : tensor<8x64xbf16> to tensor<8x64xf32>
  %abs = math.absf %yf : tensor<8x64xf32>
  %e = tensor.empty() : tensor<8xf32>
  %acc = linalg.fill ins(%init : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %amax = linalg.reduce { arith.maximumf } ins(%abs : tensor<8x64xf32>) outs(%acc : tensor<8xf32>) dimensions = [1]
  %m = arith.constant dense<1.0e-03> : tensor<8xf32>
  %ub = arith.constant dense<1.2e+03> : tensor<8xf32>
  %a0 = arith.maximumf %amax, %m : tensor<8xf32>
  %a1 = arith.minimumf %a0, %ub : tensor<8xf32>
  %s0 = arith.divf %a1, %qmax : tensor<8xf32>
  %s = arith.maximumf %s0, %mins : tensor<8xf32>
  %full = tensor.empty() : tensor<8x64xf32>
  %sb = linalg.broadcast ins(%s : tensor<8xf32>) outs(%full : tensor<8x64xf32>) dimensions = [1]
  %d = arith.divf %yf, %sb : tensor<8x64xf32>
  %c0 = arith.maximumf %d, %lo : tensor<8x64xf32>
  %c1 = arith.minimumf %c0, %hi : tensor<8x64xf32>
  %q = arith.truncf %c1 : tensor<8x64xf32> to tensor<8x64xf8E4M3FN>
  return %q, %s : tensor<8x64xf8E4M3FN>, tensor<8xf32>
}

// -----

// RMSNorm with its bf16 output quantized per token to fp8, all in linalg
// (the decoder's pre-GEMM step): norm-raise gives norm.rmsnorm and
// norm.quantize, norm-fuse one norm.rmsnorm_quantize that rounds the
// normalized value to bf16 as the chain stored it.
#map = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0, 0)>
#col = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func @rmsnorm_then_per_token_fp8
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x4096xbf16>, %[[W:[^:]*]]: tensor<4096xbf16>)
// CHECK: %[[N:.*]] = norm.rmsnorm %[[X]] : tensor<?x4096xbf16>, gamma %[[W]] : tensor<4096xbf16> into %{{.*}} : tensor<?x4096xbf16> {epsilon = 9.99999974E-6 : f32}
// CHECK: %[[Q:.*]]:2 = norm.quantize per_token %[[N]] : tensor<?x4096xbf16> into %{{.*}} : tensor<?x4096xf8E4M3FN>, %{{.*}} : tensor<?x1xf32> {min_scale = 4.35965421E-6 : f32}
// CHECK-NOT: linalg.generic
// CHECK: return %[[Q]]#0, %[[Q]]#1
// FUSE-LABEL: func @rmsnorm_then_per_token_fp8
// FUSE-SAME: (%[[X:[^:]*]]: tensor<?x4096xbf16>, %[[W:[^:]*]]: tensor<4096xbf16>)
// FUSE: %[[F:.*]]:2 = norm.rmsnorm_quantize per_token %[[X]] : tensor<?x4096xbf16> gamma %[[W]] : tensor<4096xbf16> into %{{.*}} : tensor<?x4096xf8E4M3FN>, %{{.*}} : tensor<?x1xf32> {epsilon = 9.99999974E-6 : f32, intermediate_type = bf16, min_scale = 4.35965421E-6 : f32}
// FUSE-NOT: norm.rmsnorm
// FUSE-NOT: norm.quantize
// FUSE-NOT: linalg.generic
// FUSE: return %[[F]]#0, %[[F]]#1
func.func @rmsnorm_then_per_token_fp8(%x: tensor<?x4096xbf16>, %w: tensor<4096xbf16>) -> (tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.000000e+00 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %dim = tensor.dim %x, %c0 : tensor<?x4096xbf16>
  %full = tensor.empty(%dim) : tensor<?x4096xf32>
  %rows = tensor.empty(%dim) : tensor<?x1xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%rows : tensor<?x1xf32>) -> tensor<?x1xf32>
  %sumsq = linalg.generic {indexing_maps = [#map, #row], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<?x4096xbf16>) outs(%acc : tensor<?x1xf32>) {
  ^bb0(%in: bf16, %a: f32):
    %0 = arith.extf %in : bf16 to f32
    %1 = arith.mulf %0, %0 : f32
    %2 = arith.addf %a, %1 : f32
    linalg.yield %2 : f32
  } -> tensor<?x1xf32>
  %ye = tensor.empty(%dim) : tensor<?x4096xbf16>
  %y = linalg.generic {indexing_maps = [#map, #row, #col, #map], iterator_types = ["parallel", "parallel"]} ins(%x, %sumsq, %w : tensor<?x4096xbf16>, tensor<?x1xf32>, tensor<4096xbf16>) outs(%ye : tensor<?x4096xbf16>) {
  ^bb0(%in: bf16, %ss: f32, %wi: bf16, %o: bf16):
    %n = arith.constant 4.096000e+03 : f32
    %eps = arith.constant 9.99999974E-6 : f32
    %0 = arith.divf %ss, %n : f32
    %1 = arith.addf %0, %eps : f32
    %2 = math.rsqrt %1 : f32
    %3 = arith.extf %in : bf16 to f32
    %4 = arith.mulf %3, %2 : f32
    %5 = arith.extf %wi : bf16 to f32
    %6 = arith.mulf %4, %5 : f32
    %7 = arith.truncf %6 : f32 to bf16
    linalg.yield %7 : bf16
  } -> tensor<?x4096xbf16>
  %amaxacc = linalg.fill ins(%ninf : f32) outs(%rows : tensor<?x1xf32>) -> tensor<?x1xf32>
  %amax = linalg.generic {indexing_maps = [#map, #row], iterator_types = ["parallel", "reduction"]} ins(%y : tensor<?x4096xbf16>) outs(%amaxacc : tensor<?x1xf32>) {
  ^bb0(%in: bf16, %a: f32):
    %0 = arith.extf %in : bf16 to f32
    %1 = math.absf %0 : f32
    %2 = arith.maximumf %a, %1 : f32
    linalg.yield %2 : f32
  } -> tensor<?x1xf32>
  %scale = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%amax : tensor<?x1xf32>) outs(%rows : tensor<?x1xf32>) {
  ^bb0(%in: f32, %o: f32):
    %qmax = arith.constant 4.480000e+02 : f32
    %min = arith.constant 4.35965421E-6 : f32
    %0 = arith.divf %in, %qmax : f32
    %1 = arith.maximumf %0, %min : f32
    linalg.yield %1 : f32
  } -> tensor<?x1xf32>
  %qe = tensor.empty(%dim) : tensor<?x4096xf8E4M3FN>
  %q = linalg.generic {indexing_maps = [#map, #row, #map], iterator_types = ["parallel", "parallel"]} ins(%y, %scale : tensor<?x4096xbf16>, tensor<?x1xf32>) outs(%qe : tensor<?x4096xf8E4M3FN>) {
  ^bb0(%in: bf16, %s: f32, %o: f8E4M3FN):
    %lo = arith.constant -4.480000e+02 : f32
    %hi = arith.constant 4.480000e+02 : f32
    %0 = arith.extf %in : bf16 to f32
    %1 = arith.divf %0, %s : f32
    %2 = arith.maximumf %1, %lo : f32
    %3 = arith.minimumf %2, %hi : f32
    %4 = arith.truncf %3 : f32 to f8E4M3FN
    linalg.yield %4 : f8E4M3FN
  } -> tensor<?x4096xf8E4M3FN>
  return %q, %scale : tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Near misses: nothing is raised.
//===----------------------------------------------------------------------===//

// min(max(amax, m), ub) with m > ub: the op applies the floor last.
// CHECK-LABEL: func @floor_above_ub_outside
// CHECK-NOT: norm.quantize
// CHECK: return
func.func @floor_above_ub_outside(%y: tensor<8x64xbf16>) -> (tensor<8x64xf8E4M3FN>, tensor<8xf32>) {
  %init = arith.constant 0xFF800000 : f32
  %qmax = arith.constant dense<448.0> : tensor<8xf32>
  %mins = arith.constant dense<1.0e-06> : tensor<8xf32>
  %lo = arith.constant dense<-448.0> : tensor<8x64xf32>
  %hi = arith.constant dense<448.0> : tensor<8x64xf32>
  %yf = arith.extf %y : tensor<8x64xbf16> to tensor<8x64xf32>
  %abs = math.absf %yf : tensor<8x64xf32>
  %e = tensor.empty() : tensor<8xf32>
  %acc = linalg.fill ins(%init : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %amax = linalg.reduce { arith.maximumf } ins(%abs : tensor<8x64xf32>) outs(%acc : tensor<8xf32>) dimensions = [1]
  %m = arith.constant dense<2.0e+03> : tensor<8xf32>
  %ub = arith.constant dense<1.2e+03> : tensor<8xf32>
  %a0 = arith.maximumf %amax, %m : tensor<8xf32>
  %a1 = arith.minimumf %a0, %ub : tensor<8xf32>
  %s0 = arith.divf %a1, %qmax : tensor<8xf32>
  %s = arith.maximumf %s0, %mins : tensor<8xf32>
  %full = tensor.empty() : tensor<8x64xf32>
  %sb = linalg.broadcast ins(%s : tensor<8xf32>) outs(%full : tensor<8x64xf32>) dimensions = [1]
  %d = arith.divf %yf, %sb : tensor<8x64xf32>
  %c0 = arith.maximumf %d, %lo : tensor<8x64xf32>
  %c1 = arith.minimumf %c0, %hi : tensor<8x64xf32>
  %q = arith.truncf %c1 : tensor<8x64xf32> to tensor<8x64xf8E4M3FN>
  return %q, %s : tensor<8x64xf8E4M3FN>, tensor<8xf32>
}

// -----

// 448 is the qmax of f8E4M3FN, not of f8E4M3FNUZ.
// CHECK-LABEL: func @qmax_of_another_type
// CHECK-NOT: norm.quantize
// CHECK: return
func.func @qmax_of_another_type(%y: tensor<8x64xbf16>) -> (tensor<8x64xf8E4M3FNUZ>, tensor<8xf32>) {
  %init = arith.constant 0xFF800000 : f32
  %qmax = arith.constant dense<448.0> : tensor<8xf32>
  %mins = arith.constant dense<1.0e-06> : tensor<8xf32>
  %lo = arith.constant dense<-448.0> : tensor<8x64xf32>
  %hi = arith.constant dense<448.0> : tensor<8x64xf32>
  %yf = arith.extf %y : tensor<8x64xbf16> to tensor<8x64xf32>
  %abs = math.absf %yf : tensor<8x64xf32>
  %e = tensor.empty() : tensor<8xf32>
  %acc = linalg.fill ins(%init : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %amax = linalg.reduce { arith.maximumf } ins(%abs : tensor<8x64xf32>) outs(%acc : tensor<8xf32>) dimensions = [1]
  %s0 = arith.divf %amax, %qmax : tensor<8xf32>
  %s = arith.maximumf %s0, %mins : tensor<8xf32>
  %full = tensor.empty() : tensor<8x64xf32>
  %sb = linalg.broadcast ins(%s : tensor<8xf32>) outs(%full : tensor<8x64xf32>) dimensions = [1]
  %d = arith.divf %yf, %sb : tensor<8x64xf32>
  %c0 = arith.maximumf %d, %lo : tensor<8x64xf32>
  %c1 = arith.minimumf %c0, %hi : tensor<8x64xf32>
  %q = arith.truncf %c1 : tensor<8x64xf32> to tensor<8x64xf8E4M3FNUZ>
  return %q, %s : tensor<8x64xf8E4M3FNUZ>, tensor<8xf32>
}

// -----

// truncf without the clamp to [-qmax, qmax]: fp8 truncf does not saturate.
// CHECK-LABEL: func @fp8_without_clamp
// CHECK-NOT: norm.quantize
// CHECK: return
func.func @fp8_without_clamp(%y: tensor<8x64xbf16>) -> (tensor<8x64xf8E4M3FN>, tensor<8xf32>) {
  %init = arith.constant 0xFF800000 : f32
  %qmax = arith.constant dense<448.0> : tensor<8xf32>
  %mins = arith.constant dense<1.0e-06> : tensor<8xf32>
  %lo = arith.constant dense<-448.0> : tensor<8x64xf32>
  %hi = arith.constant dense<448.0> : tensor<8x64xf32>
  %yf = arith.extf %y : tensor<8x64xbf16> to tensor<8x64xf32>
  %abs = math.absf %yf : tensor<8x64xf32>
  %e = tensor.empty() : tensor<8xf32>
  %acc = linalg.fill ins(%init : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %amax = linalg.reduce { arith.maximumf } ins(%abs : tensor<8x64xf32>) outs(%acc : tensor<8xf32>) dimensions = [1]
  %s0 = arith.divf %amax, %qmax : tensor<8xf32>
  %s = arith.maximumf %s0, %mins : tensor<8xf32>
  %full = tensor.empty() : tensor<8x64xf32>
  %sb = linalg.broadcast ins(%s : tensor<8xf32>) outs(%full : tensor<8x64xf32>) dimensions = [1]
  %d = arith.divf %yf, %sb : tensor<8x64xf32>
  %q = arith.truncf %d : tensor<8x64xf32> to tensor<8x64xf8E4M3FN>
  return %q, %s : tensor<8x64xf8E4M3FN>, tensor<8xf32>
}

// -----

// fptosi(roundeven(y / scale)) without the clamp to [-128, 127].
// CHECK-LABEL: func @int8_without_clamp
// CHECK-NOT: norm.quantize
// CHECK: return
func.func @int8_without_clamp(%y: tensor<8x64xbf16>) -> (tensor<8x64xi8>, tensor<8xf32>) {
  %init = arith.constant 0xFF800000 : f32
  %qmax = arith.constant dense<127.0> : tensor<8xf32>
  %mins = arith.constant dense<1.0e-06> : tensor<8xf32>
  %lo = arith.constant dense<-128.0> : tensor<8x64xf32>
  %hi = arith.constant dense<127.0> : tensor<8x64xf32>
  %yf = arith.extf %y : tensor<8x64xbf16> to tensor<8x64xf32>
  %abs = math.absf %yf : tensor<8x64xf32>
  %e = tensor.empty() : tensor<8xf32>
  %acc = linalg.fill ins(%init : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %amax = linalg.reduce { arith.maximumf } ins(%abs : tensor<8x64xf32>) outs(%acc : tensor<8xf32>) dimensions = [1]
  %s0 = arith.divf %amax, %qmax : tensor<8xf32>
  %s = arith.maximumf %s0, %mins : tensor<8xf32>
  %full = tensor.empty() : tensor<8x64xf32>
  %sb = linalg.broadcast ins(%s : tensor<8xf32>) outs(%full : tensor<8x64xf32>) dimensions = [1]
  %d = arith.divf %yf, %sb : tensor<8x64xf32>
  %r = math.roundeven %d : tensor<8x64xf32>
  %q = arith.fptosi %r : tensor<8x64xf32> to tensor<8x64xi8>
  return %q, %s : tensor<8x64xi8>, tensor<8xf32>
}

// -----

// i8 clamped to [-127, 127]: the op saturates to [-128, 127].
// CHECK-LABEL: func @int8_symmetric_clamp
// CHECK-NOT: norm.quantize
// CHECK: return
func.func @int8_symmetric_clamp(%y: tensor<8x64xbf16>) -> (tensor<8x64xi8>, tensor<8xf32>) {
  %init = arith.constant 0xFF800000 : f32
  %qmax = arith.constant dense<127.0> : tensor<8xf32>
  %mins = arith.constant dense<1.0e-06> : tensor<8xf32>
  %lo = arith.constant dense<-127.0> : tensor<8x64xf32>
  %hi = arith.constant dense<127.0> : tensor<8x64xf32>
  %yf = arith.extf %y : tensor<8x64xbf16> to tensor<8x64xf32>
  %abs = math.absf %yf : tensor<8x64xf32>
  %e = tensor.empty() : tensor<8xf32>
  %acc = linalg.fill ins(%init : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %amax = linalg.reduce { arith.maximumf } ins(%abs : tensor<8x64xf32>) outs(%acc : tensor<8xf32>) dimensions = [1]
  %s0 = arith.divf %amax, %qmax : tensor<8xf32>
  %s = arith.maximumf %s0, %mins : tensor<8xf32>
  %full = tensor.empty() : tensor<8x64xf32>
  %sb = linalg.broadcast ins(%s : tensor<8xf32>) outs(%full : tensor<8x64xf32>) dimensions = [1]
  %d = arith.divf %yf, %sb : tensor<8x64xf32>
  %r = math.roundeven %d : tensor<8x64xf32>
  %c0 = arith.maximumf %r, %lo : tensor<8x64xf32>
  %c1 = arith.minimumf %c0, %hi : tensor<8x64xf32>
  %q = arith.fptosi %c1 : tensor<8x64xf32> to tensor<8x64xi8>
  return %q, %s : tensor<8x64xi8>, tensor<8xf32>
}

// -----

// amax by maxnumf drops NaN; the op's amax (as its kernel's) propagates it.
// CHECK-LABEL: func @maxnumf_amax
// CHECK-NOT: norm.quantize
// CHECK: return
func.func @maxnumf_amax(%y: tensor<8x64xbf16>) -> (tensor<8x64xf8E4M3FN>, tensor<8xf32>) {
  %init = arith.constant 0xFF800000 : f32
  %qmax = arith.constant dense<448.0> : tensor<8xf32>
  %mins = arith.constant dense<1.0e-06> : tensor<8xf32>
  %lo = arith.constant dense<-448.0> : tensor<8x64xf32>
  %hi = arith.constant dense<448.0> : tensor<8x64xf32>
  %yf = arith.extf %y : tensor<8x64xbf16> to tensor<8x64xf32>
  %abs = math.absf %yf : tensor<8x64xf32>
  %e = tensor.empty() : tensor<8xf32>
  %acc = linalg.fill ins(%init : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %amax = linalg.reduce { arith.maxnumf } ins(%abs : tensor<8x64xf32>) outs(%acc : tensor<8xf32>) dimensions = [1]
  %s0 = arith.divf %amax, %qmax : tensor<8xf32>
  %s = arith.maximumf %s0, %mins : tensor<8xf32>
  %full = tensor.empty() : tensor<8x64xf32>
  %sb = linalg.broadcast ins(%s : tensor<8xf32>) outs(%full : tensor<8x64xf32>) dimensions = [1]
  %d = arith.divf %yf, %sb : tensor<8x64xf32>
  %c0 = arith.maximumf %d, %lo : tensor<8x64xf32>
  %c1 = arith.minimumf %c0, %hi : tensor<8x64xf32>
  %q = arith.truncf %c1 : tensor<8x64xf32> to tensor<8x64xf8E4M3FN>
  return %q, %s : tensor<8x64xf8E4M3FN>, tensor<8xf32>
}

// -----

// The amax reduction starts from 1, not from a value <= 0.
// CHECK-LABEL: func @positive_init
// CHECK-NOT: norm.quantize
// CHECK: return
func.func @positive_init(%y: tensor<8x64xbf16>) -> (tensor<8x64xf8E4M3FN>, tensor<8xf32>) {
  %init = arith.constant 1.000000e+00 : f32
  %qmax = arith.constant dense<448.0> : tensor<8xf32>
  %mins = arith.constant dense<1.0e-06> : tensor<8xf32>
  %lo = arith.constant dense<-448.0> : tensor<8x64xf32>
  %hi = arith.constant dense<448.0> : tensor<8x64xf32>
  %yf = arith.extf %y : tensor<8x64xbf16> to tensor<8x64xf32>
  %abs = math.absf %yf : tensor<8x64xf32>
  %e = tensor.empty() : tensor<8xf32>
  %acc = linalg.fill ins(%init : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %amax = linalg.reduce { arith.maximumf } ins(%abs : tensor<8x64xf32>) outs(%acc : tensor<8xf32>) dimensions = [1]
  %s0 = arith.divf %amax, %qmax : tensor<8xf32>
  %s = arith.maximumf %s0, %mins : tensor<8xf32>
  %full = tensor.empty() : tensor<8x64xf32>
  %sb = linalg.broadcast ins(%s : tensor<8xf32>) outs(%full : tensor<8x64xf32>) dimensions = [1]
  %d = arith.divf %yf, %sb : tensor<8x64xf32>
  %c0 = arith.maximumf %d, %lo : tensor<8x64xf32>
  %c1 = arith.minimumf %c0, %hi : tensor<8x64xf32>
  %q = arith.truncf %c1 : tensor<8x64xf32> to tensor<8x64xf8E4M3FN>
  return %q, %s : tensor<8x64xf8E4M3FN>, tensor<8xf32>
}

// -----

// amax * (1 / 448) rounds differently from amax / 448.
// CHECK-LABEL: func @reciprocal_of_qmax
// CHECK-NOT: norm.quantize
// CHECK: return
func.func @reciprocal_of_qmax(%y: tensor<8x64xbf16>) -> (tensor<8x64xf8E4M3FN>, tensor<8xf32>) {
  %init = arith.constant 0xFF800000 : f32
  %qmax = arith.constant dense<448.0> : tensor<8xf32>
  %mins = arith.constant dense<1.0e-06> : tensor<8xf32>
  %lo = arith.constant dense<-448.0> : tensor<8x64xf32>
  %hi = arith.constant dense<448.0> : tensor<8x64xf32>
  %yf = arith.extf %y : tensor<8x64xbf16> to tensor<8x64xf32>
  %abs = math.absf %yf : tensor<8x64xf32>
  %e = tensor.empty() : tensor<8xf32>
  %acc = linalg.fill ins(%init : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %amax = linalg.reduce { arith.maximumf } ins(%abs : tensor<8x64xf32>) outs(%acc : tensor<8xf32>) dimensions = [1]
  %rq = arith.constant dense<0.00223214296> : tensor<8xf32>
  %s0 = arith.mulf %amax, %rq : tensor<8xf32>
  %s = arith.maximumf %s0, %mins : tensor<8xf32>
  %full = tensor.empty() : tensor<8x64xf32>
  %sb = linalg.broadcast ins(%s : tensor<8xf32>) outs(%full : tensor<8x64xf32>) dimensions = [1]
  %d = arith.divf %yf, %sb : tensor<8x64xf32>
  %c0 = arith.maximumf %d, %lo : tensor<8x64xf32>
  %c1 = arith.minimumf %c0, %hi : tensor<8x64xf32>
  %q = arith.truncf %c1 : tensor<8x64xf32> to tensor<8x64xf8E4M3FN>
  return %q, %s : tensor<8x64xf8E4M3FN>, tensor<8xf32>
}

// -----

// y * (1 / scale) rounds differently from y / scale.
// CHECK-LABEL: func @reciprocal_of_scale
// CHECK-NOT: norm.quantize
// CHECK: return
func.func @reciprocal_of_scale(%y: tensor<8x64xbf16>) -> (tensor<8x64xf8E4M3FN>, tensor<8xf32>) {
  %init = arith.constant 0xFF800000 : f32
  %qmax = arith.constant dense<448.0> : tensor<8xf32>
  %mins = arith.constant dense<1.0e-06> : tensor<8xf32>
  %lo = arith.constant dense<-448.0> : tensor<8x64xf32>
  %hi = arith.constant dense<448.0> : tensor<8x64xf32>
  %yf = arith.extf %y : tensor<8x64xbf16> to tensor<8x64xf32>
  %abs = math.absf %yf : tensor<8x64xf32>
  %e = tensor.empty() : tensor<8xf32>
  %acc = linalg.fill ins(%init : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %amax = linalg.reduce { arith.maximumf } ins(%abs : tensor<8x64xf32>) outs(%acc : tensor<8xf32>) dimensions = [1]
  %s0 = arith.divf %amax, %qmax : tensor<8xf32>
  %s = arith.maximumf %s0, %mins : tensor<8xf32>
  %full = tensor.empty() : tensor<8x64xf32>
  %sb = linalg.broadcast ins(%s : tensor<8xf32>) outs(%full : tensor<8x64xf32>) dimensions = [1]
  %one = arith.constant dense<1.0> : tensor<8x64xf32>
  %rs = arith.divf %one, %sb : tensor<8x64xf32>
  %d = arith.mulf %yf, %rs : tensor<8x64xf32>
  %c0 = arith.maximumf %d, %lo : tensor<8x64xf32>
  %c1 = arith.minimumf %c0, %hi : tensor<8x64xf32>
  %q = arith.truncf %c1 : tensor<8x64xf32> to tensor<8x64xf8E4M3FN>
  return %q, %s : tensor<8x64xf8E4M3FN>, tensor<8xf32>
}

// -----

// No minimum scale: an all-zero row gives NaN codes and a zero scale.
// CHECK-LABEL: func @no_minimum_scale
// CHECK-NOT: norm.quantize
// CHECK: return
func.func @no_minimum_scale(%y: tensor<8x64xbf16>) -> (tensor<8x64xf8E4M3FN>, tensor<8xf32>) {
  %init = arith.constant 0xFF800000 : f32
  %qmax = arith.constant dense<448.0> : tensor<8xf32>
  %mins = arith.constant dense<1.0e-06> : tensor<8xf32>
  %lo = arith.constant dense<-448.0> : tensor<8x64xf32>
  %hi = arith.constant dense<448.0> : tensor<8x64xf32>
  %yf = arith.extf %y : tensor<8x64xbf16> to tensor<8x64xf32>
  %abs = math.absf %yf : tensor<8x64xf32>
  %e = tensor.empty() : tensor<8xf32>
  %acc = linalg.fill ins(%init : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %amax = linalg.reduce { arith.maximumf } ins(%abs : tensor<8x64xf32>) outs(%acc : tensor<8xf32>) dimensions = [1]
  %s0 = arith.divf %amax, %qmax : tensor<8xf32>
  %full = tensor.empty() : tensor<8x64xf32>
  %sb = linalg.broadcast ins(%s0 : tensor<8xf32>) outs(%full : tensor<8x64xf32>) dimensions = [1]
  %d = arith.divf %yf, %sb : tensor<8x64xf32>
  %c0 = arith.maximumf %d, %lo : tensor<8x64xf32>
  %c1 = arith.minimumf %c0, %hi : tensor<8x64xf32>
  %q = arith.truncf %c1 : tensor<8x64xf32> to tensor<8x64xf8E4M3FN>
  return %q, %s0 : tensor<8x64xf8E4M3FN>, tensor<8xf32>
}

// -----

// The amax of z scales y.
// CHECK-LABEL: func @amax_of_other_tensor
// CHECK-NOT: norm.quantize
// CHECK: return
func.func @amax_of_other_tensor(%y: tensor<8x64xbf16>, %z: tensor<8x64xbf16>) -> (tensor<8x64xf8E4M3FN>, tensor<8xf32>) {
  %init = arith.constant 0xFF800000 : f32
  %qmax = arith.constant dense<448.0> : tensor<8xf32>
  %mins = arith.constant dense<1.0e-06> : tensor<8xf32>
  %lo = arith.constant dense<-448.0> : tensor<8x64xf32>
  %hi = arith.constant dense<448.0> : tensor<8x64xf32>
  %yf = arith.extf %y : tensor<8x64xbf16> to tensor<8x64xf32>
  %zf = arith.extf %z : tensor<8x64xbf16> to tensor<8x64xf32>
  %abs = math.absf %zf : tensor<8x64xf32>
  %e = tensor.empty() : tensor<8xf32>
  %acc = linalg.fill ins(%init : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %amax = linalg.reduce { arith.maximumf } ins(%abs : tensor<8x64xf32>) outs(%acc : tensor<8xf32>) dimensions = [1]
  %s0 = arith.divf %amax, %qmax : tensor<8xf32>
  %s = arith.maximumf %s0, %mins : tensor<8xf32>
  %full = tensor.empty() : tensor<8x64xf32>
  %sb = linalg.broadcast ins(%s : tensor<8xf32>) outs(%full : tensor<8x64xf32>) dimensions = [1]
  %d = arith.divf %yf, %sb : tensor<8x64xf32>
  %c0 = arith.maximumf %d, %lo : tensor<8x64xf32>
  %c1 = arith.minimumf %c0, %hi : tensor<8x64xf32>
  %q = arith.truncf %c1 : tensor<8x64xf32> to tensor<8x64xf8E4M3FN>
  return %q, %s : tensor<8x64xf8E4M3FN>, tensor<8xf32>
}


// -----

// The amax runs over the rows (dim 0), not the last dim.
// CHECK-LABEL: func @amax_over_rows
// CHECK-NOT: norm.quantize
// CHECK: return
func.func @amax_over_rows(%y: tensor<8x64xf32>) -> (tensor<8x64xf8E4M3FN>, tensor<64xf32>) {
  %zero = arith.constant 0.000000e+00 : f32
  %qmax = arith.constant dense<448.0> : tensor<64xf32>
  %mins = arith.constant dense<1.0e-06> : tensor<64xf32>
  %lo = arith.constant dense<-448.0> : tensor<8x64xf32>
  %hi = arith.constant dense<448.0> : tensor<8x64xf32>
  %abs = math.absf %y : tensor<8x64xf32>
  %e = tensor.empty() : tensor<64xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<64xf32>) -> tensor<64xf32>
  %amax = linalg.reduce { arith.maximumf } ins(%abs : tensor<8x64xf32>) outs(%acc : tensor<64xf32>) dimensions = [0]
  %s0 = arith.divf %amax, %qmax : tensor<64xf32>
  %s = arith.maximumf %s0, %mins : tensor<64xf32>
  %full = tensor.empty() : tensor<8x64xf32>
  %sb = linalg.broadcast ins(%s : tensor<64xf32>) outs(%full : tensor<8x64xf32>) dimensions = [0]
  %d = arith.divf %y, %sb : tensor<8x64xf32>
  %c0 = arith.maximumf %d, %lo : tensor<8x64xf32>
  %c1 = arith.minimumf %c0, %hi : tensor<8x64xf32>
  %q = arith.truncf %c1 : tensor<8x64xf32> to tensor<8x64xf8E4M3FN>
  return %q, %s : tensor<8x64xf8E4M3FN>, tensor<64xf32>
}

// -----

// The quotient and clamp in bf16: the op divides in f32.
// CHECK-LABEL: func @bf16_quotient
// CHECK-NOT: norm.quantize
// CHECK: return
func.func @bf16_quotient(%y: tensor<8x64xbf16>) -> (tensor<8x64xf8E4M3FN>, tensor<8xf32>) {
  %zero = arith.constant 0.000000e+00 : f32
  %qmax = arith.constant dense<448.0> : tensor<8xf32>
  %mins = arith.constant dense<1.0e-06> : tensor<8xf32>
  %lo = arith.constant dense<-448.0> : tensor<8x64xbf16>
  %hi = arith.constant dense<448.0> : tensor<8x64xbf16>
  %yf = arith.extf %y : tensor<8x64xbf16> to tensor<8x64xf32>
  %abs = math.absf %yf : tensor<8x64xf32>
  %e = tensor.empty() : tensor<8xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %amax = linalg.reduce { arith.maximumf } ins(%abs : tensor<8x64xf32>) outs(%acc : tensor<8xf32>) dimensions = [1]
  %s0 = arith.divf %amax, %qmax : tensor<8xf32>
  %s = arith.maximumf %s0, %mins : tensor<8xf32>
  %sh = arith.truncf %s : tensor<8xf32> to tensor<8xbf16>
  %full = tensor.empty() : tensor<8x64xbf16>
  %sb = linalg.broadcast ins(%sh : tensor<8xbf16>) outs(%full : tensor<8x64xbf16>) dimensions = [1]
  %d = arith.divf %y, %sb : tensor<8x64xbf16>
  %c0 = arith.maximumf %d, %lo : tensor<8x64xbf16>
  %c1 = arith.minimumf %c0, %hi : tensor<8x64xbf16>
  %q = arith.truncf %c1 : tensor<8x64xbf16> to tensor<8x64xf8E4M3FN>
  return %q, %s : tensor<8x64xf8E4M3FN>, tensor<8xf32>
}
