// RUN: norm-opt %s -norm-fuse -split-input-file | FileCheck %s
// RUN: norm-opt %s -norm-fuse="residual-add=false" -split-input-file | FileCheck %s --check-prefix=NOADD
// RUN: norm-opt %s -norm-fuse="quantize=false" -split-input-file | FileCheck %s --check-prefix=NOQUANT
// RUN: norm-opt %s -norm-fuse="input-extf=false" -split-input-file | FileCheck %s --check-prefix=NOEXT

//===----------------------------------------------------------------------===//
// residual-add
//===----------------------------------------------------------------------===//

// arith.addf feeding the norm: the sum is also returned, and now comes from
// the fused op, written into a new tensor as the add's was.
// CHECK-LABEL: func @arith_add
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x4096xbf16>, %[[R:[^:]*]]: tensor<?x4096xbf16>, %[[W:[^:]*]]: tensor<4096xbf16>, %[[E:[^:]*]]: tensor<?x4096xbf16>)
// CHECK-NOT: arith.addf
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: %[[DIM:.*]] = tensor.dim %[[X]], %[[C0]]
// CHECK: %[[NEW:.*]] = tensor.empty(%[[DIM]]) : tensor<?x4096xbf16>
// CHECK: %[[F:.*]]:2 = norm.add_rmsnorm %[[X]] : tensor<?x4096xbf16>, residual %[[R]] : tensor<?x4096xbf16>, gamma %[[W]] : tensor<4096xbf16> into %[[E]] : tensor<?x4096xbf16>, %[[NEW]] : tensor<?x4096xbf16> {epsilon = 9.99999974E-6 : f32, weight_offset = 1.000000e+00 : f32}
// CHECK: return %[[F]]#0, %[[F]]#1
// NOADD-LABEL: func @arith_add
// NOADD: arith.addf
// NOADD: norm.rmsnorm
func.func @arith_add(%x: tensor<?x4096xbf16>, %r: tensor<?x4096xbf16>, %w: tensor<4096xbf16>, %e: tensor<?x4096xbf16>) -> (tensor<?x4096xbf16>, tensor<?x4096xbf16>) {
  %sum = arith.addf %x, %r : tensor<?x4096xbf16>
  %y = norm.rmsnorm %sum : tensor<?x4096xbf16>, gamma %w : tensor<4096xbf16> into %e : tensor<?x4096xbf16> {epsilon = 1.0e-05 : f32, weight_offset = 1.0 : f32} -> tensor<?x4096xbf16>
  return %y, %sum : tensor<?x4096xbf16>, tensor<?x4096xbf16>
}

// -----

// -----

// CHECK-LABEL: func @linalg_add
// CHECK-SAME: (%[[X:[^:]*]]: tensor<2x?x64xf16>, %[[R:[^:]*]]: tensor<2x?x64xf16>, %[[D:[^:]*]]: tensor<2x?x64xf16>, %[[E:[^:]*]]: tensor<2x?x64xf16>)
// CHECK-NOT: linalg.add
// CHECK: norm.add_rmsnorm %[[X]] : tensor<2x?x64xf16>, residual %[[R]] : tensor<2x?x64xf16> into %[[E]] : tensor<2x?x64xf16>, %[[D]] : tensor<2x?x64xf16> -> tensor<2x?x64xf16>, tensor<2x?x64xf16>
func.func @linalg_add(%x: tensor<2x?x64xf16>, %r: tensor<2x?x64xf16>, %d: tensor<2x?x64xf16>, %e: tensor<2x?x64xf16>) -> tensor<2x?x64xf16> {
  %sum = linalg.add ins(%x, %r : tensor<2x?x64xf16>, tensor<2x?x64xf16>) outs(%d : tensor<2x?x64xf16>) -> tensor<2x?x64xf16>
  %y = norm.rmsnorm %sum : tensor<2x?x64xf16> into %e : tensor<2x?x64xf16> -> tensor<2x?x64xf16>
  return %y : tensor<2x?x64xf16>
}

// -----

// The add as torch-mlir emits it, operands swapped in the body.
#map = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func @generic_add
// CHECK-NOT: linalg.generic
// CHECK: norm.add_rmsnorm
func.func @generic_add(%x: tensor<?x4096xbf16>, %r: tensor<?x4096xbf16>, %d: tensor<?x4096xbf16>, %e: tensor<?x4096xbf16>) -> tensor<?x4096xbf16> {
  %sum = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]} ins(%x, %r : tensor<?x4096xbf16>, tensor<?x4096xbf16>) outs(%d : tensor<?x4096xbf16>) {
  ^bb0(%a: bf16, %b: bf16, %out: bf16):
    %s = arith.addf %b, %a : bf16
    linalg.yield %s : bf16
  } -> tensor<?x4096xbf16>
  %y = norm.rmsnorm %sum : tensor<?x4096xbf16> into %e : tensor<?x4096xbf16> -> tensor<?x4096xbf16>
  return %y : tensor<?x4096xbf16>
}

// -----

// CHECK-LABEL: func @elementwise_add
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x64xf32>, %[[R:[^:]*]]: tensor<?x64xf32>, %[[D:[^:]*]]: tensor<?x64xf32>, %[[E:[^:]*]]: tensor<?x64xf32>)
// CHECK: norm.add_rmsnorm %[[X]] : tensor<?x64xf32>, residual %[[R]] : tensor<?x64xf32> into %[[E]] : tensor<?x64xf32>, %[[D]] : tensor<?x64xf32>
func.func @elementwise_add(%x: tensor<?x64xf32>, %r: tensor<?x64xf32>, %d: tensor<?x64xf32>, %e: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %sum = linalg.elementwise kind=#linalg.elementwise_kind<add> ins(%x, %r : tensor<?x64xf32>, tensor<?x64xf32>) outs(%d : tensor<?x64xf32>) -> tensor<?x64xf32>
  %y = norm.rmsnorm %sum : tensor<?x64xf32> into %e : tensor<?x64xf32> -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// -----

// A user of the sum between the add and the norm: the fused op goes where
// the add was, so that the user reads the updated residual.
// CHECK-LABEL: func @sum_used_before_norm
// CHECK: %[[F:.*]]:2 = norm.add_rmsnorm
// CHECK: %[[U:.*]] = arith.mulf %[[F]]#1, %[[F]]#1
// CHECK: return %[[F]]#0, %[[U]]
func.func @sum_used_before_norm(%x: tensor<8x64xf32>, %r: tensor<8x64xf32>, %e: tensor<8x64xf32>) -> (tensor<8x64xf32>, tensor<8x64xf32>) {
  %sum = arith.addf %x, %r : tensor<8x64xf32>
  %u = arith.mulf %sum, %sum : tensor<8x64xf32>
  %y = norm.rmsnorm %sum : tensor<8x64xf32> into %e : tensor<8x64xf32> -> tensor<8x64xf32>
  return %y, %u : tensor<8x64xf32>, tensor<8x64xf32>
}

// -----

// Two norms of one sum: one of them takes the add, the other one reads the
// updated residual.
// CHECK-LABEL: func @two_norms_of_one_sum
// CHECK: %[[F:.*]]:2 = norm.add_rmsnorm
// CHECK: norm.rmsnorm %[[F]]#1
// CHECK-NOT: arith.addf
func.func @two_norms_of_one_sum(%x: tensor<8x64xf32>, %r: tensor<8x64xf32>, %e: tensor<8x64xf32>, %e2: tensor<8x64xf32>) -> (tensor<8x64xf32>, tensor<8x64xf32>) {
  %sum = arith.addf %x, %r : tensor<8x64xf32>
  %u = norm.rmsnorm %sum : tensor<8x64xf32> into %e2 : tensor<8x64xf32> {epsilon = 1.0e-03 : f32} -> tensor<8x64xf32>
  %y = norm.rmsnorm %sum : tensor<8x64xf32> into %e : tensor<8x64xf32> -> tensor<8x64xf32>
  return %y, %u : tensor<8x64xf32>, tensor<8x64xf32>
}

// -----

// ... unless the norm's destination only exists after that user: no place
// dominates both, nothing is fused.
// CHECK-LABEL: func @no_dominating_place
// CHECK: arith.addf
// CHECK: arith.mulf
// CHECK: tensor.empty
// CHECK: norm.rmsnorm
// CHECK-NOT: norm.add_rmsnorm
func.func @no_dominating_place(%x: tensor<8x64xf32>, %r: tensor<8x64xf32>) -> (tensor<8x64xf32>, tensor<8x64xf32>) {
  %sum = arith.addf %x, %r : tensor<8x64xf32>
  %u = arith.mulf %sum, %sum : tensor<8x64xf32>
  %e = tensor.empty() : tensor<8x64xf32>
  %y = norm.rmsnorm %sum : tensor<8x64xf32> into %e : tensor<8x64xf32> -> tensor<8x64xf32>
  return %y, %u : tensor<8x64xf32>, tensor<8x64xf32>
}

// -----

// Broadcast (a [H] bias) is not a residual add.
#map = affine_map<(d0, d1) -> (d0, d1)>
#bcast = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func @broadcast_add
// CHECK: linalg.generic
// CHECK: norm.rmsnorm
// CHECK-NOT: norm.add_rmsnorm
func.func @broadcast_add(%x: tensor<?x64xf32>, %b: tensor<64xf32>, %d: tensor<?x64xf32>, %e: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %sum = linalg.generic {indexing_maps = [#map, #bcast, #map], iterator_types = ["parallel", "parallel"]} ins(%x, %b : tensor<?x64xf32>, tensor<64xf32>) outs(%d : tensor<?x64xf32>) {
  ^bb0(%a: f32, %c: f32, %out: f32):
    %s = arith.addf %a, %c : f32
    linalg.yield %s : f32
  } -> tensor<?x64xf32>
  %y = norm.rmsnorm %sum : tensor<?x64xf32> into %e : tensor<?x64xf32> -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// -----

// bf16 operands added in f32: the sum is not rounded to an operand's type,
// which norm.add_rmsnorm would do.
#map = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func @mixed_types
// CHECK: linalg.generic
// CHECK-NOT: norm.add_rmsnorm
func.func @mixed_types(%x: tensor<?x64xbf16>, %r: tensor<?x64xbf16>, %d: tensor<?x64xf32>, %e: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %sum = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]} ins(%x, %r : tensor<?x64xbf16>, tensor<?x64xbf16>) outs(%d : tensor<?x64xf32>) {
  ^bb0(%a: bf16, %c: bf16, %out: f32):
    %a32 = arith.extf %a : bf16 to f32
    %c32 = arith.extf %c : bf16 to f32
    %s = arith.addf %a32, %c32 : f32
    linalg.yield %s : f32
  } -> tensor<?x64xf32>
  %y = norm.rmsnorm %sum : tensor<?x64xf32> into %e : tensor<?x64xf32> -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// -----

// A dynamic operand next to a static result: the dims are not known to be
// the same from the types alone.
// CHECK-LABEL: func @dims_not_provably_equal
// CHECK: linalg.add
// CHECK-NOT: norm.add_rmsnorm
func.func @dims_not_provably_equal(%x: tensor<?x64xf32>, %r: tensor<8x64xf32>, %d: tensor<8x64xf32>, %e: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %sum = linalg.add ins(%x, %r : tensor<?x64xf32>, tensor<8x64xf32>) outs(%d : tensor<8x64xf32>) -> tensor<8x64xf32>
  %y = norm.rmsnorm %sum : tensor<8x64xf32> into %e : tensor<8x64xf32> -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}

// -----

// An accumulation into the destination is not a two-operand add.
#map = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func @reads_destination
// CHECK: linalg.generic
// CHECK-NOT: norm.add_rmsnorm
func.func @reads_destination(%x: tensor<8x64xf32>, %r: tensor<8x64xf32>, %d: tensor<8x64xf32>, %e: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %sum = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]} ins(%x, %r : tensor<8x64xf32>, tensor<8x64xf32>) outs(%d : tensor<8x64xf32>) {
  ^bb0(%a: f32, %c: f32, %out: f32):
    %s = arith.addf %a, %out : f32
    linalg.yield %s : f32
  } -> tensor<8x64xf32>
  %y = norm.rmsnorm %sum : tensor<8x64xf32> into %e : tensor<8x64xf32> -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}

// -----

// The norm inside a loop, the add outside: not fused into the loop.
// CHECK-LABEL: func @other_block
// CHECK: arith.addf
// CHECK: scf.for
// CHECK: norm.rmsnorm
// CHECK-NOT: norm.add_rmsnorm
func.func @other_block(%x: tensor<8x64xf32>, %r: tensor<8x64xf32>, %e: tensor<8x64xf32>, %n: index) -> tensor<8x64xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %sum = arith.addf %x, %r : tensor<8x64xf32>
  %out = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %e) -> tensor<8x64xf32> {
    %y = norm.rmsnorm %sum : tensor<8x64xf32> into %acc : tensor<8x64xf32> -> tensor<8x64xf32>
    scf.yield %y : tensor<8x64xf32>
  }
  return %out : tensor<8x64xf32>
}

// -----

// normalized_type (Hugging Face Llama's weight multiply in bf16) rounds the
// normalized sum as it rounded the normalized input: it carries over.
// CHECK-LABEL: func @residual_add_normalized_type
// CHECK: norm.add_rmsnorm %{{.*}} : tensor<?x4096xbf16>, residual %{{.*}} : tensor<?x4096xbf16>, gamma %{{.*}} : tensor<4096xbf16> into %{{.*}} : tensor<?x4096xbf16>, %{{.*}} : tensor<?x4096xbf16> {epsilon = 9.99999974E-6 : f32, normalized_type = bf16} -> tensor<?x4096xbf16>, tensor<?x4096xbf16>
func.func @residual_add_normalized_type(%x: tensor<?x4096xbf16>, %r: tensor<?x4096xbf16>, %w: tensor<4096xbf16>, %e: tensor<?x4096xbf16>) -> (tensor<?x4096xbf16>, tensor<?x4096xbf16>) {
  %sum = arith.addf %x, %r : tensor<?x4096xbf16>
  %y = norm.rmsnorm %sum : tensor<?x4096xbf16>, gamma %w : tensor<4096xbf16> into %e : tensor<?x4096xbf16> {epsilon = 1.0e-05 : f32, normalized_type = bf16} -> tensor<?x4096xbf16>
  return %y, %sum : tensor<?x4096xbf16>, tensor<?x4096xbf16>
}

// -----

//===----------------------------------------------------------------------===//
// quantize
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func @rmsnorm_per_token
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x4096xbf16>, %[[W:[^:]*]]: tensor<4096xbf16>, %[[E:[^:]*]]: tensor<?x4096xbf16>, %[[Q0:[^:]*]]: tensor<?x4096xf8E4M3FN>, %[[S0:[^:]*]]: tensor<?x1xf32>)
// CHECK-NEXT: %[[Q:.*]]:2 = norm.rmsnorm_quantize per_token %[[X]] : tensor<?x4096xbf16> gamma %[[W]] : tensor<4096xbf16> into %[[Q0]] : tensor<?x4096xf8E4M3FN>, %[[S0]] : tensor<?x1xf32> {epsilon = 9.99999974E-6 : f32, intermediate_type = bf16} -> tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>
// CHECK-NEXT: return %[[Q]]#0, %[[Q]]#1
// NOQUANT-LABEL: func @rmsnorm_per_token
// NOQUANT: norm.rmsnorm
// NOQUANT: norm.quantize
func.func @rmsnorm_per_token(%x: tensor<?x4096xbf16>, %w: tensor<4096xbf16>, %e: tensor<?x4096xbf16>, %q0: tensor<?x4096xf8E4M3FN>, %s0: tensor<?x1xf32>) -> (tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>) {
  %y = norm.rmsnorm %x : tensor<?x4096xbf16>, gamma %w : tensor<4096xbf16> into %e : tensor<?x4096xbf16> {epsilon = 1.0e-05 : f32} -> tensor<?x4096xbf16>
  %q, %s = norm.quantize per_token %y : tensor<?x4096xbf16> into %q0 : tensor<?x4096xf8E4M3FN>, %s0 : tensor<?x1xf32> -> tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>
  return %q, %s : tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>
}

// -----

// normalized_type carries over from norm.rmsnorm and, with the residual add
// fused first, from norm.add_rmsnorm (without quantize fusion, the add
// alone carries it).
// CHECK-LABEL: func @normalized_type_per_token
// CHECK: norm.rmsnorm_quantize per_token %{{.*}} : tensor<?x4096xbf16> gamma %{{.*}} : tensor<4096xbf16> into %{{.*}} : tensor<?x4096xf8E4M3FN>, %{{.*}} : tensor<?x1xf32> {epsilon = 9.99999974E-6 : f32, intermediate_type = bf16, normalized_type = bf16} -> tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>
// CHECK: norm.rmsnorm_quantize per_token %{{.*}} : tensor<?x4096xf16> residual %{{.*}} : tensor<?x4096xf16> gamma %{{.*}} : tensor<4096xf16> into %{{.*}} : tensor<?x4096xf8E4M3FN>, %{{.*}} : tensor<?x1xf32> residual_out %{{.*}} : tensor<?x4096xf16> {intermediate_type = f16, normalized_type = f16}
// NOQUANT-LABEL: func @normalized_type_per_token
// NOQUANT: norm.add_rmsnorm {{.*}} {normalized_type = f16}
// NOADD-LABEL: func @normalized_type_per_token
// NOADD: norm.rmsnorm_quantize per_token %{{.*}} : tensor<?x4096xf16> gamma %{{.*}} : tensor<4096xf16> into %{{.*}} : tensor<?x4096xf8E4M3FN>, %{{.*}} : tensor<?x1xf32> {intermediate_type = f16, normalized_type = f16}
func.func @normalized_type_per_token(%x: tensor<?x4096xbf16>, %w: tensor<4096xbf16>, %e: tensor<?x4096xbf16>, %q0: tensor<?x4096xf8E4M3FN>, %s0: tensor<?x1xf32>, %h: tensor<?x4096xf16>, %r: tensor<?x4096xf16>, %wh: tensor<4096xf16>, %eh: tensor<?x4096xf16>) -> (tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>, tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>, tensor<?x4096xf16>) {
  %y = norm.rmsnorm %x : tensor<?x4096xbf16>, gamma %w : tensor<4096xbf16> into %e : tensor<?x4096xbf16> {epsilon = 1.0e-05 : f32, normalized_type = bf16} -> tensor<?x4096xbf16>
  %q, %s = norm.quantize per_token %y : tensor<?x4096xbf16> into %q0 : tensor<?x4096xf8E4M3FN>, %s0 : tensor<?x1xf32> -> tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>
  %sum = arith.addf %h, %r : tensor<?x4096xf16>
  %yh = norm.rmsnorm %sum : tensor<?x4096xf16>, gamma %wh : tensor<4096xf16> into %eh : tensor<?x4096xf16> {normalized_type = f16} -> tensor<?x4096xf16>
  %qh, %sh = norm.quantize per_token %yh : tensor<?x4096xf16> into %q0 : tensor<?x4096xf8E4M3FN>, %s0 : tensor<?x1xf32> -> tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>
  return %q, %s, %qh, %sh, %sum : tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>, tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>, tensor<?x4096xf16>
}

// -----

// The normalized value and the residual are both returned: they become the
// fused op's residual_out and normalized_out.
// CHECK-LABEL: func @add_rmsnorm_keeps_normalized
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x4096xbf16>, %[[R:[^:]*]]: tensor<?x4096xbf16>, %[[E:[^:]*]]: tensor<?x4096xbf16>, %[[Q0:[^:]*]]: tensor<?x4096xf8E4M3FN>, %[[S0:[^:]*]]: tensor<?x1xf32>)
// CHECK: %[[F:.*]]:4 = norm.rmsnorm_quantize per_token %[[X]] : tensor<?x4096xbf16> residual %[[R]] : tensor<?x4096xbf16> into %[[Q0]] : tensor<?x4096xf8E4M3FN>, %[[S0]] : tensor<?x1xf32> residual_out %[[R]] : tensor<?x4096xbf16> normalized_out %[[E]] : tensor<?x4096xbf16> {intermediate_type = bf16}
// CHECK: return %[[F]]#0, %[[F]]#1, %[[F]]#2, %[[F]]#3
func.func @add_rmsnorm_keeps_normalized(%x: tensor<?x4096xbf16>, %r: tensor<?x4096xbf16>, %e: tensor<?x4096xbf16>, %q0: tensor<?x4096xf8E4M3FN>, %s0: tensor<?x1xf32>) -> (tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>, tensor<?x4096xbf16>, tensor<?x4096xbf16>) {
  %y, %rn = norm.add_rmsnorm %x : tensor<?x4096xbf16>, residual %r : tensor<?x4096xbf16> into %e : tensor<?x4096xbf16>, %r : tensor<?x4096xbf16> -> tensor<?x4096xbf16>, tensor<?x4096xbf16>
  %q, %s = norm.quantize per_token %y : tensor<?x4096xbf16> into %q0 : tensor<?x4096xf8E4M3FN>, %s0 : tensor<?x1xf32> -> tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>
  return %q, %s, %rn, %y : tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>, tensor<?x4096xbf16>, tensor<?x4096xbf16>
}

// -----

// Static scale, SmoothQuant and clipping are carried over; f32 normalized
// values are not rounded, intermediate_type records f32.
// CHECK-LABEL: func @static_smooth_clip
// CHECK: norm.rmsnorm_quantize static %{{.*}} : tensor<16x100xf32> scale %{{.*}} : tensor<1xf32> smooth %{{.*}} : tensor<100xf32> into %{{.*}} : tensor<16x100xi8> {clip = 3.000000e+00 : f32, intermediate_type = f32, weight_offset = 1.000000e+00 : f32} -> tensor<16x100xi8>
// CHECK-NOT: norm.quantize
func.func @static_smooth_clip(%x: tensor<16x100xf32>, %e: tensor<16x100xf32>, %sc: tensor<1xf32>, %sm: tensor<100xf32>, %q0: tensor<16x100xi8>) -> tensor<16x100xi8> {
  %y = norm.rmsnorm %x : tensor<16x100xf32> into %e : tensor<16x100xf32> {weight_offset = 1.0 : f32} -> tensor<16x100xf32>
  %q = norm.quantize static %y : tensor<16x100xf32> scale %sc : tensor<1xf32> smooth %sm : tensor<100xf32> into %q0 : tensor<16x100xi8> {clip = 3.0 : f32} -> tensor<16x100xi8>
  return %q : tensor<16x100xi8>
}

// -----

// CHECK-LABEL: func @per_group_col_major_options
// CHECK: norm.rmsnorm_quantize per_group(128, col_major) %{{.*}} : tensor<?x7168xbf16> into %{{.*}} : tensor<?x7168xf8E4M3FNUZ>, %{{.*}} : tensor<56x?xf32> {intermediate_type = f16, min_scale = 9.99999974E-6 : f32, scale_ub = 1.200000e+03 : f32}
func.func @per_group_col_major_options(%x: tensor<?x7168xbf16>, %e: tensor<?x7168xf16>, %q0: tensor<?x7168xf8E4M3FNUZ>, %s0: tensor<56x?xf32>) -> (tensor<?x7168xf8E4M3FNUZ>, tensor<56x?xf32>) {
  %y = norm.rmsnorm %x : tensor<?x7168xbf16> into %e : tensor<?x7168xf16> -> tensor<?x7168xf16>
  %q, %s = norm.quantize per_group(128, col_major) %y : tensor<?x7168xf16> into %q0 : tensor<?x7168xf8E4M3FNUZ>, %s0 : tensor<56x?xf32> {min_scale = 1.0e-05 : f32, scale_ub = 1200.0 : f32} -> tensor<?x7168xf8E4M3FNUZ>, tensor<56x?xf32>
  return %q, %s : tensor<?x7168xf8E4M3FNUZ>, tensor<56x?xf32>
}

// -----

// Both rules: add, norm and quantize become one op.
// CHECK-LABEL: func @add_norm_quantize
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x4096xbf16>, %[[R:[^:]*]]: tensor<?x4096xbf16>, %[[W:[^:]*]]: tensor<4096xbf16>,
// CHECK-NOT: arith.addf
// CHECK: %[[F:.*]]:3 = norm.rmsnorm_quantize per_token %[[X]] : tensor<?x4096xbf16> residual %[[R]] : tensor<?x4096xbf16> gamma %[[W]] : tensor<4096xbf16> into %{{.*}} : tensor<?x4096xf8E4M3FN>, %{{.*}} : tensor<?x1xf32> residual_out %{{.*}} : tensor<?x4096xbf16> {epsilon = 9.99999974E-6 : f32, intermediate_type = bf16}
// CHECK-NOT: norm.
// CHECK: return %[[F]]#0, %[[F]]#1, %[[F]]#2
// NOADD-LABEL: func @add_norm_quantize
// NOADD: arith.addf
// NOADD: norm.rmsnorm_quantize per_token
// NOQUANT-LABEL: func @add_norm_quantize
// NOQUANT: norm.add_rmsnorm
// NOQUANT: norm.quantize
func.func @add_norm_quantize(%x: tensor<?x4096xbf16>, %r: tensor<?x4096xbf16>, %w: tensor<4096xbf16>, %e: tensor<?x4096xbf16>, %q0: tensor<?x4096xf8E4M3FN>, %s0: tensor<?x1xf32>) -> (tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>, tensor<?x4096xbf16>) {
  %sum = arith.addf %x, %r : tensor<?x4096xbf16>
  %y = norm.rmsnorm %sum : tensor<?x4096xbf16>, gamma %w : tensor<4096xbf16> into %e : tensor<?x4096xbf16> {epsilon = 1.0e-05 : f32} -> tensor<?x4096xbf16>
  %q, %s = norm.quantize per_token %y : tensor<?x4096xbf16> into %q0 : tensor<?x4096xf8E4M3FN>, %s0 : tensor<?x1xf32> -> tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>
  return %q, %s, %sum : tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>, tensor<?x4096xbf16>
}

// -----

// Two quantizations of one normalized tensor: one of them fuses and keeps
// the normalized value as an output, which the other reads.
// CHECK-LABEL: func @two_quantizers
// CHECK: %[[F:.*]]:3 = norm.rmsnorm_quantize {{.*}} normalized_out
// CHECK: norm.quantize {{.*}} %[[F]]#2
func.func @two_quantizers(%x: tensor<8x64xf32>, %e: tensor<8x64xbf16>, %q0: tensor<8x64xi8>, %s0: tensor<8x1xf32>, %q1: tensor<8x64xf8E4M3FN>, %s1: tensor<8x2xf32>) -> (tensor<8x64xi8>, tensor<8x1xf32>, tensor<8x64xf8E4M3FN>, tensor<8x2xf32>) {
  %y = norm.rmsnorm %x : tensor<8x64xf32> into %e : tensor<8x64xbf16> -> tensor<8x64xbf16>
  %q, %s = norm.quantize per_token %y : tensor<8x64xbf16> into %q0 : tensor<8x64xi8>, %s0 : tensor<8x1xf32> -> tensor<8x64xi8>, tensor<8x1xf32>
  %p, %t = norm.quantize per_group(32) %y : tensor<8x64xbf16> into %q1 : tensor<8x64xf8E4M3FN>, %s1 : tensor<8x2xf32> -> tensor<8x64xf8E4M3FN>, tensor<8x2xf32>
  return %q, %s, %p, %t : tensor<8x64xi8>, tensor<8x1xf32>, tensor<8x64xf8E4M3FN>, tensor<8x2xf32>
}

// -----

// A user of the normalized value between the norm and the quantizer: the
// fused op goes where the norm was.
// CHECK-LABEL: func @normalized_used_before_quantize
// CHECK: %[[F:.*]]:3 = norm.rmsnorm_quantize
// CHECK: %[[U:.*]] = norm.rmsnorm %[[F]]#2
// CHECK: return %[[F]]#0, %[[F]]#1, %[[U]]
func.func @normalized_used_before_quantize(%x: tensor<8x64xf32>, %e: tensor<8x64xf32>, %e2: tensor<8x64xf32>, %q0: tensor<8x64xi8>, %s0: tensor<8x1xf32>) -> (tensor<8x64xi8>, tensor<8x1xf32>, tensor<8x64xf32>) {
  %y = norm.rmsnorm %x : tensor<8x64xf32> into %e : tensor<8x64xf32> -> tensor<8x64xf32>
  %u = norm.rmsnorm %y : tensor<8x64xf32> into %e2 : tensor<8x64xf32> -> tensor<8x64xf32>
  %q, %s = norm.quantize per_token %y : tensor<8x64xf32> into %q0 : tensor<8x64xi8>, %s0 : tensor<8x1xf32> -> tensor<8x64xi8>, tensor<8x1xf32>
  return %q, %s, %u : tensor<8x64xi8>, tensor<8x1xf32>, tensor<8x64xf32>
}

// -----

// Quantizing the updated residual is not quantizing the normalized value.
// CHECK-LABEL: func @quantize_residual
// CHECK: norm.add_rmsnorm
// CHECK: norm.quantize
// CHECK-NOT: norm.rmsnorm_quantize
func.func @quantize_residual(%x: tensor<8x64xf32>, %r: tensor<8x64xf32>, %e: tensor<8x64xf32>, %q0: tensor<8x64xi8>, %s0: tensor<8x1xf32>) -> (tensor<8x64xf32>, tensor<8x64xi8>, tensor<8x1xf32>) {
  %y, %rn = norm.add_rmsnorm %x : tensor<8x64xf32>, residual %r : tensor<8x64xf32> into %e : tensor<8x64xf32>, %r : tensor<8x64xf32> -> tensor<8x64xf32>, tensor<8x64xf32>
  %q, %s = norm.quantize per_token %rn : tensor<8x64xf32> into %q0 : tensor<8x64xi8>, %s0 : tensor<8x1xf32> -> tensor<8x64xi8>, tensor<8x1xf32>
  return %y, %q, %s : tensor<8x64xf32>, tensor<8x64xi8>, tensor<8x1xf32>
}

// -----

// The quantizer reads a slice of the normalized tensor, not the tensor.
// CHECK-LABEL: func @quantize_slice
// CHECK: norm.rmsnorm
// CHECK: tensor.extract_slice
// CHECK: norm.quantize
// CHECK-NOT: norm.rmsnorm_quantize
func.func @quantize_slice(%x: tensor<8x64xf32>, %e: tensor<8x64xf32>, %q0: tensor<4x64xi8>, %s0: tensor<4x1xf32>) -> (tensor<4x64xi8>, tensor<4x1xf32>) {
  %y = norm.rmsnorm %x : tensor<8x64xf32> into %e : tensor<8x64xf32> -> tensor<8x64xf32>
  %half = tensor.extract_slice %y[0, 0] [4, 64] [1, 1] : tensor<8x64xf32> to tensor<4x64xf32>
  %q, %s = norm.quantize per_token %half : tensor<4x64xf32> into %q0 : tensor<4x64xi8>, %s0 : tensor<4x1xf32> -> tensor<4x64xi8>, tensor<4x1xf32>
  return %q, %s : tensor<4x64xi8>, tensor<4x1xf32>
}

// -----

// The quantizer's destinations only exist after a user of the normalized
// value that sits between the two ops: no place dominates everything.
// CHECK-LABEL: func @quantize_no_dominating_place
// CHECK: norm.rmsnorm
// CHECK: norm.rmsnorm
// CHECK: norm.quantize
// CHECK-NOT: norm.rmsnorm_quantize
func.func @quantize_no_dominating_place(%x: tensor<8x64xf32>, %e: tensor<8x64xf32>, %e2: tensor<8x64xf32>, %s0: tensor<8x1xf32>) -> (tensor<8x64xi8>, tensor<8x1xf32>, tensor<8x64xf32>) {
  %y = norm.rmsnorm %x : tensor<8x64xf32> into %e : tensor<8x64xf32> -> tensor<8x64xf32>
  %u = norm.rmsnorm %y : tensor<8x64xf32> into %e2 : tensor<8x64xf32> -> tensor<8x64xf32>
  %q0 = tensor.empty() : tensor<8x64xi8>
  %q, %s = norm.quantize per_token %y : tensor<8x64xf32> into %q0 : tensor<8x64xi8>, %s0 : tensor<8x1xf32> -> tensor<8x64xi8>, tensor<8x1xf32>
  return %q, %s, %u : tensor<8x64xi8>, tensor<8x1xf32>, tensor<8x64xf32>
}

// -----

// Bufferized ops are left alone: fusing them would need aliasing analysis.
// CHECK-LABEL: func @memrefs
// CHECK: norm.rmsnorm
// CHECK: norm.quantize
// CHECK-NOT: norm.rmsnorm_quantize
func.func @memrefs(%x: memref<8x64xf32>, %y: memref<8x64xf32>, %q: memref<8x64xi8>, %s: memref<8x1xf32>) {
  norm.rmsnorm %x : memref<8x64xf32> into %y : memref<8x64xf32>
  norm.quantize per_token %y : memref<8x64xf32> into %q : memref<8x64xi8>, %s : memref<8x1xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// input-extf
//===----------------------------------------------------------------------===//

// The f32 extensions of the input and of gamma: the norm reads the bf16
// tensors (its kernel extends them to f32 itself).
// CHECK-LABEL: func @extf_into_rmsnorm
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x4096xbf16>, %[[W:[^:]*]]: tensor<4096xbf16>, %[[E:[^:]*]]: tensor<?x4096xf32>)
// CHECK-NOT: arith.extf
// CHECK: %[[Y:.*]] = norm.rmsnorm %[[X]] : tensor<?x4096xbf16>, gamma %[[W]] : tensor<4096xbf16> into %[[E]] : tensor<?x4096xf32> -> tensor<?x4096xf32>
// CHECK: return %[[Y]]
// NOEXT-LABEL: func @extf_into_rmsnorm
// NOEXT: arith.extf
// NOEXT: arith.extf
// NOEXT: norm.rmsnorm %{{.*}} : tensor<?x4096xf32>, gamma %{{.*}} : tensor<4096xf32>
func.func @extf_into_rmsnorm(%x: tensor<?x4096xbf16>, %w: tensor<4096xbf16>, %e: tensor<?x4096xf32>) -> tensor<?x4096xf32> {
  %xf = arith.extf %x : tensor<?x4096xbf16> to tensor<?x4096xf32>
  %wf = arith.extf %w : tensor<4096xbf16> to tensor<4096xf32>
  %y = norm.rmsnorm %xf : tensor<?x4096xf32>, gamma %wf : tensor<4096xf32> into %e : tensor<?x4096xf32> -> tensor<?x4096xf32>
  return %y : tensor<?x4096xf32>
}

// -----

// The extension as a linalg.generic, also returned: it stays for that user,
// the quantizer reads the f16 tensor.
#map = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func @generic_extf_with_other_user
// CHECK-SAME: (%[[X:[^:]*]]: tensor<8x128xf16>
// CHECK: %[[XF:.*]] = linalg.generic
// CHECK: %[[Q:.*]]:2 = norm.quantize per_token %[[X]] : tensor<8x128xf16>
// CHECK: return %[[Q]]#0, %[[XF]]
func.func @generic_extf_with_other_user(%x: tensor<8x128xf16>, %f: tensor<8x128xf32>, %q0: tensor<8x128xf8E4M3FN>, %s0: tensor<8x1xf32>) -> (tensor<8x128xf8E4M3FN>, tensor<8x128xf32>) {
  %xf = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<8x128xf16>) outs(%f : tensor<8x128xf32>) {
  ^bb0(%in: f16, %out: f32):
    %0 = arith.extf %in : f16 to f32
    linalg.yield %0 : f32
  } -> tensor<8x128xf32>
  %q, %s = norm.quantize per_token %xf : tensor<8x128xf32> into %q0 : tensor<8x128xf8E4M3FN>, %s0 : tensor<8x1xf32> -> tensor<8x128xf8E4M3FN>, tensor<8x1xf32>
  return %q, %xf : tensor<8x128xf8E4M3FN>, tensor<8x128xf32>
}

// -----

// norm.add_rmsnorm: the input's extension folds; the residual's does not,
// since the residual's type is the type the sum is rounded to.
// CHECK-LABEL: func @extf_into_add_rmsnorm
// CHECK-SAME: (%[[X:[^:]*]]: tensor<4x64xbf16>, %[[R:[^:]*]]: tensor<4x64xbf16>
// CHECK: %[[RF:.*]] = arith.extf %[[R]]
// CHECK: norm.add_rmsnorm %[[X]] : tensor<4x64xbf16>, residual %[[RF]] : tensor<4x64xf32>
func.func @extf_into_add_rmsnorm(%x: tensor<4x64xbf16>, %r: tensor<4x64xbf16>, %e0: tensor<4x64xf32>, %e1: tensor<4x64xf32>) -> (tensor<4x64xf32>, tensor<4x64xf32>) {
  %xf = arith.extf %x : tensor<4x64xbf16> to tensor<4x64xf32>
  %rf = arith.extf %r : tensor<4x64xbf16> to tensor<4x64xf32>
  %y, %s = norm.add_rmsnorm %xf : tensor<4x64xf32>, residual %rf : tensor<4x64xf32> into %e0 : tensor<4x64xf32>, %e1 : tensor<4x64xf32> -> tensor<4x64xf32>, tensor<4x64xf32>
  return %y, %s : tensor<4x64xf32>, tensor<4x64xf32>
}

// -----

// Other producers stay: a rounding (truncf), a scale by a constant and a
// bias add would have to be computed and rounded inside the kernel, which
// no norm op describes; fp8 is no norm input type.
// CHECK-LABEL: func @truncf_producer
// CHECK: %[[XB:.*]] = arith.truncf
// CHECK: norm.rmsnorm %[[XB]]
func.func @truncf_producer(%x: tensor<4x64xf32>, %e: tensor<4x64xbf16>) -> tensor<4x64xbf16> {
  %xb = arith.truncf %x : tensor<4x64xf32> to tensor<4x64xbf16>
  %y = norm.rmsnorm %xb : tensor<4x64xbf16> into %e : tensor<4x64xbf16> -> tensor<4x64xbf16>
  return %y : tensor<4x64xbf16>
}

// -----

// CHECK-LABEL: func @scaled_input
// CHECK: %[[XS:.*]] = arith.mulf
// CHECK: norm.rmsnorm %[[XS]]
func.func @scaled_input(%x: tensor<4x64xbf16>, %e: tensor<4x64xbf16>) -> tensor<4x64xbf16> {
  %c = arith.constant dense<2.0> : tensor<4x64xbf16>
  %xs = arith.mulf %x, %c : tensor<4x64xbf16>
  %y = norm.rmsnorm %xs : tensor<4x64xbf16> into %e : tensor<4x64xbf16> -> tensor<4x64xbf16>
  return %y : tensor<4x64xbf16>
}

// -----

#map = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func @bias_add
// CHECK: %[[XB:.*]] = linalg.generic
// CHECK: norm.rmsnorm %[[XB]]
func.func @bias_add(%x: tensor<4x64xbf16>, %b: tensor<64xbf16>, %e: tensor<4x64xbf16>) -> tensor<4x64xbf16> {
  %xb = linalg.generic {indexing_maps = [#map, #col, #map], iterator_types = ["parallel", "parallel"]} ins(%x, %b : tensor<4x64xbf16>, tensor<64xbf16>) outs(%e : tensor<4x64xbf16>) {
  ^bb0(%in: bf16, %bi: bf16, %out: bf16):
    %0 = arith.addf %in, %bi : bf16
    linalg.yield %0 : bf16
  } -> tensor<4x64xbf16>
  %y = norm.rmsnorm %xb : tensor<4x64xbf16> into %e : tensor<4x64xbf16> -> tensor<4x64xbf16>
  return %y : tensor<4x64xbf16>
}

// -----

// CHECK-LABEL: func @extf_from_fp8
// CHECK: %[[XF:.*]] = arith.extf
// CHECK: norm.rmsnorm %[[XF]]
func.func @extf_from_fp8(%x: tensor<4x64xf8E4M3FN>, %e: tensor<4x64xf32>) -> tensor<4x64xf32> {
  %xf = arith.extf %x : tensor<4x64xf8E4M3FN> to tensor<4x64xf32>
  %y = norm.rmsnorm %xf : tensor<4x64xf32> into %e : tensor<4x64xf32> -> tensor<4x64xf32>
  return %y : tensor<4x64xf32>
}
