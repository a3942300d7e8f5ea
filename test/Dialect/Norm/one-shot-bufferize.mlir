// The tensor form of every op bufferizes to its memref form.
// RUN: norm-opt %s -one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" -split-input-file | FileCheck %s

// CHECK-LABEL: func @rmsnorm_dynamic_rows
// CHECK-SAME: (%[[X:.*]]: memref<?x4096xbf16>, %[[W:.*]]: memref<4096xbf16>)
// CHECK: %[[DIM:.*]] = memref.dim %[[X]]
// CHECK: %[[OUT:.*]] = memref.alloc(%[[DIM]]) {{.*}} : memref<?x4096xbf16>
// CHECK: norm.rmsnorm %[[X]] : memref<?x4096xbf16>, gamma %[[W]] : memref<4096xbf16> into %[[OUT]] : memref<?x4096xbf16> {epsilon = 9.99999974E-6 : f32}
// CHECK: return %[[OUT]]
func.func @rmsnorm_dynamic_rows(%x: tensor<?x4096xbf16>, %w: tensor<4096xbf16>) -> tensor<?x4096xbf16> {
  %c0 = arith.constant 0 : index
  %d = tensor.dim %x, %c0 : tensor<?x4096xbf16>
  %e = tensor.empty(%d) : tensor<?x4096xbf16>
  %y = norm.rmsnorm %x : tensor<?x4096xbf16>, gamma %w : tensor<4096xbf16> into %e : tensor<?x4096xbf16> {epsilon = 1.0e-05 : f32} -> tensor<?x4096xbf16>
  return %y : tensor<?x4096xbf16>
}

// -----

// The normalized output depends on whole rows, so it is not written over its
// own input; the destination is never read, so nothing is copied into it.
// CHECK-LABEL: func @rmsnorm_into_own_input
// CHECK-SAME: (%[[X:.*]]: memref<8x64xf32>)
// CHECK: %[[OUT:.*]] = memref.alloc() {{.*}} : memref<8x64xf32>
// CHECK-NOT: memref.copy
// CHECK: norm.rmsnorm %[[X]] : memref<8x64xf32> into %[[OUT]] : memref<8x64xf32>
// CHECK: return %[[OUT]]
func.func @rmsnorm_into_own_input(%x: tensor<8x64xf32> {bufferization.writable = true}) -> tensor<8x64xf32> {
  %y = norm.rmsnorm %x : tensor<8x64xf32> into %x : tensor<8x64xf32> -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}

// -----

// The updated residual is elementwise in input and residual: it is written
// in place over a writable residual.
// CHECK-LABEL: func @add_rmsnorm_in_place_residual
// CHECK-SAME: (%[[X:.*]]: memref<8x64xbf16>, %[[R:.*]]: memref<8x64xbf16>)
// CHECK: %[[OUT:.*]] = memref.alloc() {{.*}} : memref<8x64xbf16>
// CHECK-NOT: memref.copy
// CHECK: norm.add_rmsnorm %[[X]] : memref<8x64xbf16>, residual %[[R]] : memref<8x64xbf16> into %[[OUT]] : memref<8x64xbf16>, %[[R]] : memref<8x64xbf16>
// CHECK: return %[[OUT]], %[[R]]
func.func @add_rmsnorm_in_place_residual(%x: tensor<8x64xbf16>, %r: tensor<8x64xbf16> {bufferization.writable = true}) -> (tensor<8x64xbf16>, tensor<8x64xbf16>) {
  %e = tensor.empty() : tensor<8x64xbf16>
  %y, %rn = norm.add_rmsnorm %x : tensor<8x64xbf16>, residual %r : tensor<8x64xbf16> into %e : tensor<8x64xbf16>, %r : tensor<8x64xbf16> -> tensor<8x64xbf16>, tensor<8x64xbf16>
  return %y, %rn : tensor<8x64xbf16>, tensor<8x64xbf16>
}

// -----

// A read-only residual is not overwritten.
// CHECK-LABEL: func @add_rmsnorm_read_only_residual
// CHECK-SAME: (%[[X:.*]]: memref<8x64xbf16>, %[[R:.*]]: memref<8x64xbf16>)
// CHECK-DAG: %[[OUT:.*]] = memref.alloc() {{.*}} : memref<8x64xbf16>
// CHECK-DAG: %[[NEWR:.*]] = memref.alloc() {{.*}} : memref<8x64xbf16>
// CHECK: norm.add_rmsnorm %[[X]] : memref<8x64xbf16>, residual %[[R]] : memref<8x64xbf16> into %{{.*}} : memref<8x64xbf16>, %{{.*}} : memref<8x64xbf16>
func.func @add_rmsnorm_read_only_residual(%x: tensor<8x64xbf16>, %r: tensor<8x64xbf16> {bufferization.writable = false}) -> (tensor<8x64xbf16>, tensor<8x64xbf16>) {
  %e = tensor.empty() : tensor<8x64xbf16>
  %y, %rn = norm.add_rmsnorm %x : tensor<8x64xbf16>, residual %r : tensor<8x64xbf16> into %e : tensor<8x64xbf16>, %r : tensor<8x64xbf16> -> tensor<8x64xbf16>, tensor<8x64xbf16>
  return %y, %rn : tensor<8x64xbf16>, tensor<8x64xbf16>
}

// -----

// CHECK-LABEL: func @quantize_per_group_col_major
// CHECK: %[[Q:.*]] = memref.alloc() {{.*}} : memref<8x256xf8E4M3FN>
// CHECK: %[[S:.*]] = memref.alloc() {{.*}} : memref<2x8xf32>
// CHECK: norm.quantize per_group(128, col_major) %{{.*}} : memref<8x256xbf16> into %[[Q]] : memref<8x256xf8E4M3FN>, %[[S]] : memref<2x8xf32> {scale_ub = 1.000000e+03 : f32}
// CHECK: return %[[Q]], %[[S]]
func.func @quantize_per_group_col_major(%x: tensor<8x256xbf16>) -> (tensor<8x256xf8E4M3FN>, tensor<2x8xf32>) {
  %q0 = tensor.empty() : tensor<8x256xf8E4M3FN>
  %s0 = tensor.empty() : tensor<2x8xf32>
  %q, %s = norm.quantize per_group(128, col_major) %x : tensor<8x256xbf16> into %q0 : tensor<8x256xf8E4M3FN>, %s0 : tensor<2x8xf32> {scale_ub = 1000.0 : f32} -> tensor<8x256xf8E4M3FN>, tensor<2x8xf32>
  return %q, %s : tensor<8x256xf8E4M3FN>, tensor<2x8xf32>
}

// -----

// CHECK-LABEL: func @quantize_static_smooth
// CHECK-SAME: (%[[X:.*]]: memref<8x64xf16>, %[[SC:.*]]: memref<1xf32>, %[[SM:.*]]: memref<64xf32>)
// CHECK: %[[Q:.*]] = memref.alloc() {{.*}} : memref<8x64xi8>
// CHECK: norm.quantize static %[[X]] : memref<8x64xf16> scale %[[SC]] : memref<1xf32> smooth %[[SM]] : memref<64xf32> into %[[Q]] : memref<8x64xi8>{{$}}
func.func @quantize_static_smooth(%x: tensor<8x64xf16>, %sc: tensor<1xf32>, %sm: tensor<64xf32>) -> tensor<8x64xi8> {
  %q0 = tensor.empty() : tensor<8x64xi8>
  %q = norm.quantize static %x : tensor<8x64xf16> scale %sc : tensor<1xf32> smooth %sm : tensor<64xf32> into %q0 : tensor<8x64xi8> -> tensor<8x64xi8>
  return %q : tensor<8x64xi8>
}

// -----

// The fused op updates the residual in place like norm.add_rmsnorm; the
// quantized output, the scales and the normalized value get buffers.
// CHECK-LABEL: func @rmsnorm_quantize_in_place_residual
// CHECK-SAME: (%[[X:.*]]: memref<8x64xbf16>, %[[R:.*]]: memref<8x64xbf16>)
// CHECK-DAG: %[[Q:.*]] = memref.alloc() {{.*}} : memref<8x64xf8E4M3FN>
// CHECK-DAG: %[[S:.*]] = memref.alloc() {{.*}} : memref<8x1xf32>
// CHECK-DAG: %[[Y:.*]] = memref.alloc() {{.*}} : memref<8x64xbf16>
// CHECK-NOT: memref.copy
// CHECK: norm.rmsnorm_quantize per_token %[[X]] : memref<8x64xbf16> residual %[[R]] : memref<8x64xbf16> into %[[Q]] : memref<8x64xf8E4M3FN>, %[[S]] : memref<8x1xf32> residual_out %[[R]] : memref<8x64xbf16> normalized_out %[[Y]] : memref<8x64xbf16> {intermediate_type = bf16}
// CHECK: return %[[Q]], %[[S]], %[[R]], %[[Y]]
func.func @rmsnorm_quantize_in_place_residual(%x: tensor<8x64xbf16>, %r: tensor<8x64xbf16> {bufferization.writable = true}) -> (tensor<8x64xf8E4M3FN>, tensor<8x1xf32>, tensor<8x64xbf16>, tensor<8x64xbf16>) {
  %q0 = tensor.empty() : tensor<8x64xf8E4M3FN>
  %s0 = tensor.empty() : tensor<8x1xf32>
  %y0 = tensor.empty() : tensor<8x64xbf16>
  %q, %s, %rn, %y = norm.rmsnorm_quantize per_token %x : tensor<8x64xbf16> residual %r : tensor<8x64xbf16> into %q0 : tensor<8x64xf8E4M3FN>, %s0 : tensor<8x1xf32> residual_out %r : tensor<8x64xbf16> normalized_out %y0 : tensor<8x64xbf16> {intermediate_type = bf16} -> tensor<8x64xf8E4M3FN>, tensor<8x1xf32>, tensor<8x64xbf16>, tensor<8x64xbf16>
  return %q, %s, %rn, %y : tensor<8x64xf8E4M3FN>, tensor<8x1xf32>, tensor<8x64xbf16>, tensor<8x64xbf16>
}

// -----

// The normalized value depends on whole rows: it is not written over its own
// input, as for norm.rmsnorm.
// CHECK-LABEL: func @rmsnorm_quantize_normalized_over_input
// CHECK-SAME: (%[[X:.*]]: memref<8x64xbf16>, %[[SC:.*]]: memref<f32>)
// CHECK-DAG: %[[Q:.*]] = memref.alloc() {{.*}} : memref<8x64xi8>
// CHECK-DAG: %[[Y:.*]] = memref.alloc() {{.*}} : memref<8x64xbf16>
// CHECK-NOT: memref.copy
// CHECK: norm.rmsnorm_quantize static %[[X]] : memref<8x64xbf16> scale %[[SC]] : memref<f32> into %[[Q]] : memref<8x64xi8> normalized_out %[[Y]] : memref<8x64xbf16>{{$}}
// CHECK: return %[[Q]], %[[Y]]
func.func @rmsnorm_quantize_normalized_over_input(%x: tensor<8x64xbf16> {bufferization.writable = true}, %sc: tensor<f32>) -> (tensor<8x64xi8>, tensor<8x64xbf16>) {
  %q0 = tensor.empty() : tensor<8x64xi8>
  %q, %y = norm.rmsnorm_quantize static %x : tensor<8x64xbf16> scale %sc : tensor<f32> into %q0 : tensor<8x64xi8> normalized_out %x : tensor<8x64xbf16> -> tensor<8x64xi8>, tensor<8x64xbf16>
  return %q, %y : tensor<8x64xi8>, tensor<8x64xbf16>
}
