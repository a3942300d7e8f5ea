// The tensor form has no side effects; the memref form writes its destinations.
// RUN: norm-opt %s -canonicalize | FileCheck %s

// CHECK-LABEL: func @dead_tensor_ops
// CHECK-NOT: norm.
// CHECK: return
func.func @dead_tensor_ops(%x: tensor<8x64xf32>, %e: tensor<8x64xf32>, %q0: tensor<8x64xi8>, %s0: tensor<8x1xf32>) {
  %y = norm.rmsnorm %x : tensor<8x64xf32> into %e : tensor<8x64xf32> -> tensor<8x64xf32>
  %a, %b = norm.add_rmsnorm %x : tensor<8x64xf32>, residual %x : tensor<8x64xf32> into %e : tensor<8x64xf32>, %e : tensor<8x64xf32> -> tensor<8x64xf32>, tensor<8x64xf32>
  %q, %s = norm.quantize per_token %x : tensor<8x64xf32> into %q0 : tensor<8x64xi8>, %s0 : tensor<8x1xf32> -> tensor<8x64xi8>, tensor<8x1xf32>
  %fq, %fs = norm.rmsnorm_quantize per_token %x : tensor<8x64xf32> into %q0 : tensor<8x64xi8>, %s0 : tensor<8x1xf32> -> tensor<8x64xi8>, tensor<8x1xf32>
  return
}

// CHECK-LABEL: func @memref_ops_stay
// CHECK: norm.rmsnorm
// CHECK: norm.add_rmsnorm
// CHECK: norm.quantize
// CHECK: norm.rmsnorm_quantize
func.func @memref_ops_stay(%x: memref<8x64xf32>, %o: memref<8x64xf32>, %q: memref<8x64xi8>, %s: memref<8x1xf32>) {
  norm.rmsnorm %x : memref<8x64xf32> into %o : memref<8x64xf32>
  norm.add_rmsnorm %x : memref<8x64xf32>, residual %x : memref<8x64xf32> into %o : memref<8x64xf32>, %x : memref<8x64xf32>
  norm.quantize per_token %x : memref<8x64xf32> into %q : memref<8x64xi8>, %s : memref<8x1xf32>
  norm.rmsnorm_quantize per_token %x : memref<8x64xf32> into %q : memref<8x64xi8>, %s : memref<8x1xf32>
  return
}
