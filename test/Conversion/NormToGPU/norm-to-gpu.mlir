// RUN: norm-opt %s -norm-to-gpu -canonicalize -cse -split-input-file | FileCheck %s

// H = 4096 bf16: 16-byte vectors, 128 threads per row, the row read once into
// registers (4 vector loads of the input, no re-read), a warp shuffle tree
// and a shared-memory block reduction.
// CHECK: module attributes {gpu.container_module, norm.kernels = {rmsnorm_bf16_rmsnorm = {args = [{align = 16 : i64, kind = "ptr", name = "input", role = "row", type = "bf16"}, {align = 16 : i64, kind = "ptr", name = "gamma", role = "vector", type = "bf16"}, {align = 16 : i64, kind = "ptr", name = "output", role = "row", type = "bf16"}, {kind = "i64", name = "rows"}, {kind = "i64", name = "cols"}, {kind = "i64", name = "stride_input"}, {kind = "i64", name = "stride_output"}], block_size = 128 : i64, cols = 4096 : i64, dynamic_shared_memory = 0 : i64, op = "rmsnorm", params = {epsilon = 9.9999997473787516E-6 : f64, normalize = true, quantize = false, weight_offset = 0.000000e+00 : f64}, row_cached = true, rows_per_block = 1 : i64, threads_per_row = 128 : i64, vector_width = 8 : i64}}}
// CHECK-LABEL: func.func @rmsnorm_bf16
// CHECK: %[[ROWS:.*]] = arith.index_cast %sizes#0 : index to i64
// CHECK: scf.if
// CHECK: gpu.launch_func @norm_kernels::@rmsnorm_bf16_rmsnorm blocks in (%{{.*}}, %{{.*}}, %{{.*}}) threads in (%{{.*}}, %{{.*}}, %{{.*}}) args(%{{.*}} : !llvm.ptr<1>, %{{.*}} : !llvm.ptr<1>, %{{.*}} : !llvm.ptr<1>, %[[ROWS]] : i64
// CHECK: gpu.func @rmsnorm_bf16_rmsnorm(%[[X:.*]]: !llvm.ptr<1> {llvm.align = 16 : i64}, %{{.*}}: !llvm.ptr<1> {llvm.align = 16 : i64}, %[[Y:.*]]: !llvm.ptr<1> {llvm.align = 16 : i64}, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64) workgroup(%[[SMEM:.*]] : memref<4xf32, #gpu.address_space<workgroup>>) kernel attributes {known_block_size = array<i32: 128, 1, 1>}
// CHECK-COUNT-4: llvm.load %{{.*}} {alignment = 16 : i64} : !llvm.ptr<1> -> vector<8xbf16>
// CHECK: gpu.shuffle xor %{{.*}}, %c16_i32, %c32_i32 : f32
// CHECK: gpu.shuffle xor %{{.*}}, %c1_i32, %c32_i32 : f32
// CHECK: memref.store %{{.*}}, %[[SMEM]]
// CHECK: gpu.barrier
// CHECK: math.rsqrt
// The scaling reads gamma, never the input again.
// CHECK-NOT: llvm.getelementptr %[[X]]
// CHECK: llvm.store %{{.*}}, %{{.*}} {alignment = 16 : i64} : vector<8xbf16>, !llvm.ptr<1>
// CHECK-NOT: llvm.getelementptr %[[X]]
// CHECK: gpu.return
func.func @rmsnorm_bf16(%x: memref<?x4096xbf16>, %w: memref<4096xbf16>, %y: memref<?x4096xbf16>) {
  norm.rmsnorm %x : memref<?x4096xbf16>, gamma %w : memref<4096xbf16> into %y : memref<?x4096xbf16> {epsilon = 1.0e-05 : f32}
  return
}

// -----

// Short rows: 2 threads per row, 64 rows per block, sub-warp shuffles only.
// Odd H = 7 gives scalar accesses and a guarded tail.
// CHECK-LABEL: func.func @short_odd_rows
// CHECK: gpu.func @short_odd_rows_rmsnorm
// CHECK-SAME: known_block_size = array<i32: 128, 1, 1>
// CHECK-NOT: gpu.barrier
// CHECK: llvm.load %{{.*}} {alignment = 4 : i64} : !llvm.ptr<1> -> vector<1xf32>
// CHECK: gpu.shuffle xor %{{.*}}, %c1_i32, %c32_i32 : f32
// CHECK-NOT: gpu.shuffle
// CHECK-NOT: gpu.barrier
// CHECK: gpu.return
func.func @short_odd_rows(%x: memref<?x7xf32>, %y: memref<?x7xf32>) {
  norm.rmsnorm %x : memref<?x7xf32> into %y : memref<?x7xf32>
  return
}

// -----

// add_rmsnorm stores the rounded sum and normalizes from it.
// CHECK-LABEL: gpu.func @add_rmsnorm
// CHECK: %[[SUM:.*]] = arith.addf %{{.*}}, %{{.*}} : vector<8xf32>
// CHECK: %[[ROUNDED:.*]] = arith.truncf %[[SUM]] : vector<8xf32> to vector<8xbf16>
// CHECK: llvm.store %[[ROUNDED]]
// CHECK: %[[BACK:.*]] = arith.extf %[[ROUNDED]] : vector<8xbf16> to vector<8xf32>
// CHECK: arith.mulf %[[BACK]], %[[BACK]]
func.func @add_rmsnorm(%x: memref<?x4096xbf16>, %r: memref<?x4096xbf16>, %y: memref<?x4096xbf16>) {
  norm.add_rmsnorm %x : memref<?x4096xbf16>, residual %r : memref<?x4096xbf16> into %y : memref<?x4096xbf16>, %r : memref<?x4096xbf16>
  return
}

// -----

// Per-token fp8: the amax reduction, then the scaled values saturated to
// +-448 before the conversion; the scale is written once per row.
// CHECK-LABEL: gpu.func @quantize_per_token
// CHECK: vector.reduction <maximumf>
// CHECK: gpu.shuffle xor
// CHECK: gpu.barrier
// CHECK: arith.divf %{{.*}}, %cst{{.*}} : f32
// CHECK: llvm.store %{{.*}}, %{{.*}} {alignment = 4 : i64} : f32, !llvm.ptr<1>
// CHECK: arith.divf %{{.*}} : vector<8xf32>
// CHECK: arith.maximumf
// CHECK: arith.minimumf
// CHECK: arith.truncf %{{.*}} : vector<8xf32> to vector<8xf8E4M3FN>
// CHECK: arith.bitcast %{{.*}} : vector<8xf8E4M3FN> to vector<8xi8>
// CHECK: llvm.store %{{.*}}, %{{.*}} {alignment = 8 : i64} : vector<8xi8>, !llvm.ptr<1>
func.func @quantize_per_token(%x: memref<?x4096xbf16>, %q: memref<?x4096xf8E4M3FN>, %s: memref<?x1xf32>) {
  norm.quantize per_token %x : memref<?x4096xbf16> into %q : memref<?x4096xf8E4M3FN>, %s : memref<?x1xf32>
  return
}

// -----

// Per-group: the group of 128 = 16 lanes x 8 elements is reduced with four
// shuffles, no shared memory.
// CHECK-LABEL: gpu.func @quantize_per_group
// CHECK-NOT: workgroup
// CHECK: gpu.shuffle xor %{{.*}}, %c8_i32, %c32_i32 : f32
// CHECK: gpu.shuffle xor %{{.*}}, %c4_i32, %c32_i32 : f32
// CHECK: gpu.shuffle xor %{{.*}}, %c2_i32, %c32_i32 : f32
// CHECK: gpu.shuffle xor %{{.*}}, %c1_i32, %c32_i32 : f32
// CHECK-NOT: gpu.barrier
// CHECK: gpu.return
func.func @quantize_per_group(%x: memref<?x4096xbf16>, %q: memref<?x4096xf8E4M3FN>, %s: memref<32x?xf32>) {
  norm.quantize per_group(128, col_major) %x : memref<?x4096xbf16> into %q : memref<?x4096xf8E4M3FN>, %s : memref<32x?xf32>
  return
}

// -----

// int8: round to nearest even, saturate to [-128, 127], NaN to 0.
// CHECK-LABEL: gpu.func @quantize_static_i8
// CHECK: math.roundeven
// CHECK: arith.maximumf %{{.*}}, %cst{{.*}} : vector<4xf32>
// CHECK: arith.minimumf
// CHECK: arith.cmpf uno
// CHECK: arith.select
// CHECK: arith.fptosi %{{.*}} : vector<4xf32> to vector<4xi8>
func.func @quantize_static_i8(%x: memref<?x100xf16>, %sc: memref<1xf32>, %q: memref<?x100xi8>) {
  norm.quantize static %x : memref<?x100xf16> scale %sc : memref<1xf32> into %q : memref<?x100xi8>
  return
}

// -----

// Dynamic H: a block per row streaming over it twice (sum of squares, then
// scaling), with a loop over the run-time chunk count.
// CHECK-LABEL: gpu.func @dynamic_h_rmsnorm
// CHECK-SAME: known_block_size = array<i32: 256, 1, 1>
// CHECK: scf.for
// CHECK: gpu.barrier
// CHECK: scf.for
func.func @dynamic_h(%x: memref<?x?xf32>, %y: memref<?x?xf32>) {
  norm.rmsnorm %x : memref<?x?xf32> into %y : memref<?x?xf32>
  return
}

// -----

// Host buffers of a launching function move to the device.
// CHECK-LABEL: func.func @allocations
// CHECK: %[[OUT:.*]] = gpu.alloc () : memref<8x64xf32>
// CHECK: gpu.launch_func
// CHECK: gpu.dealloc %[[OUT]]
func.func @allocations(%x: memref<8x64xf32>) {
  %y = memref.alloc() : memref<8x64xf32>
  norm.rmsnorm %x : memref<8x64xf32> into %y : memref<8x64xf32>
  memref.dealloc %y : memref<8x64xf32>
  return
}
