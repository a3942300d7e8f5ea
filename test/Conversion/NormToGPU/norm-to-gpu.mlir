// RUN: norm-opt %s -norm-to-gpu="max-blocks-per-row=8" -canonicalize -cse -split-input-file | FileCheck %s
// (max-blocks-per-row only admits the split schedule of @split_rows; the
// other cases choose the same kernels with or without it.)

// H = 4096 bf16: 16-byte vectors, 256 threads per row, the row read once into
// registers (2 vector loads of the input, no re-read) together with gamma
// (4 chunks or fewer), a warp shuffle tree and a shared-memory block
// reduction.
// CHECK: module attributes {gpu.container_module, norm.kernels = {rmsnorm_bf16_rmsnorm = {args = [{align = 16 : i64, kind = "ptr", name = "input", role = "row", type = "bf16"}, {align = 16 : i64, kind = "ptr", name = "gamma", role = "vector", type = "bf16"}, {align = 16 : i64, kind = "ptr", name = "output", role = "row", type = "bf16"}, {kind = "i64", name = "rows"}, {kind = "i64", name = "cols"}, {kind = "i64", name = "stride_input"}, {kind = "i64", name = "stride_output"}], block_size = 256 : i64, blocks_per_row = 1 : i64, cols = 4096 : i64, cols_multiple = 8 : i64, dynamic_shared_memory = 0 : i64, op = "rmsnorm", params = {epsilon = 9.9999997473787516E-6 : f64, normalize = true, quantize = false, weight_offset = 0.000000e+00 : f64}, persistent = false, row_cached = true, row_storage = "registers", rows_per_block = 1 : i64, threads_per_row = 256 : i64, vector_width = 8 : i64}}}
// CHECK-LABEL: func.func @rmsnorm_bf16
// CHECK: %[[ROWS:.*]] = arith.index_cast %sizes#0 : index to i64
// CHECK: scf.if
// CHECK: gpu.launch_func @norm_kernels::@rmsnorm_bf16_rmsnorm blocks in (%{{.*}}, %{{.*}}, %{{.*}}) threads in (%{{.*}}, %{{.*}}, %{{.*}}) args(%{{.*}} : !llvm.ptr<1>, %{{.*}} : !llvm.ptr<1>, %{{.*}} : !llvm.ptr<1>, %[[ROWS]] : i64
// CHECK: gpu.func @rmsnorm_bf16_rmsnorm(%[[X:[^:]*]]: !llvm.ptr<1> {llvm.align = 16 : i64}, %[[W:[^:]*]]: !llvm.ptr<1> {llvm.align = 16 : i64}, %[[Y:[^:]*]]: !llvm.ptr<1> {llvm.align = 16 : i64}, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i64) workgroup(%[[SMEM:.*]] : memref<8xf32, #gpu.address_space<workgroup>>) kernel attributes {known_block_size = array<i32: 256, 1, 1>}
// CHECK-COUNT-2: llvm.getelementptr %[[W]]
// CHECK: gpu.shuffle xor %{{.*}}, %c16_i32, %c32_i32 : f32
// CHECK: gpu.shuffle xor %{{.*}}, %c1_i32, %c32_i32 : f32
// CHECK: memref.store %{{.*}}, %[[SMEM]]
// CHECK: gpu.barrier
// CHECK: math.rsqrt
// The scaling reads neither the input nor gamma again.
// CHECK-NOT: llvm.getelementptr %[[X]]
// CHECK-NOT: llvm.getelementptr %[[W]]
// CHECK: llvm.store %{{.*}}, %{{.*}} {alignment = 16 : i64} : vector<8xbf16>, !llvm.ptr<1>
// CHECK-NOT: llvm.getelementptr %[[X]]
// CHECK-NOT: llvm.getelementptr %[[W]]
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
// CHECK: %[[BACK:.*]] = arith.extf %[[ROUNDED]] : vector<8xbf16> to vector<8xf32>
// The sum of squares is one fma per element.
// CHECK: %[[X0:.*]] = vector.extract %[[BACK]][0] : f32 from vector<8xf32>
// CHECK: %[[SQ:.*]] = arith.mulf %[[X0]], %[[X0]] : f32
// CHECK: %[[X1:.*]] = vector.extract %[[BACK]][1] : f32 from vector<8xf32>
// CHECK: math.fma %[[X1]], %[[X1]], %[[SQ]] : f32
// The residual_out stores of a row kept in registers follow all of its loads
// (ptxas keeps a load behind any earlier store).
// CHECK-NOT: llvm.store
// CHECK: llvm.store %[[ROUNDED]]
// CHECK-NOT: llvm.load
// CHECK: gpu.shuffle xor
func.func @add_rmsnorm(%x: memref<?x4096xbf16>, %r: memref<?x4096xbf16>, %y: memref<?x4096xbf16>) {
  norm.add_rmsnorm %x : memref<?x4096xbf16>, residual %r : memref<?x4096xbf16> into %y : memref<?x4096xbf16>, %r : memref<?x4096xbf16>
  return
}

// -----

// So do those of a row cached in shared memory (4 unrolled chunks here):
// each chunk goes to shared memory as it arrives, to residual_out after
// the last chunk's loads.
// CHECK-LABEL: gpu.func @add_rmsnorm_shared
// CHECK-NOT: vector<8xbf16>, !llvm.ptr<1>
// CHECK-COUNT-2: !llvm.ptr<1> -> vector<8xbf16>
// CHECK: vector<8xbf16>, !llvm.ptr<3>
// CHECK-NOT: vector<8xbf16>, !llvm.ptr<1>
// CHECK-COUNT-2: !llvm.ptr<1> -> vector<8xbf16>
// CHECK: vector<8xbf16>, !llvm.ptr<3>
// CHECK-NOT: vector<8xbf16>, !llvm.ptr<1>
// CHECK-COUNT-2: !llvm.ptr<1> -> vector<8xbf16>
// CHECK: vector<8xbf16>, !llvm.ptr<3>
// CHECK-NOT: vector<8xbf16>, !llvm.ptr<1>
// CHECK-COUNT-2: !llvm.ptr<1> -> vector<8xbf16>
// CHECK: vector<8xbf16>, !llvm.ptr<3>
// CHECK-NOT: !llvm.ptr<1> -> vector<8xbf16>
// CHECK-COUNT-4: vector<8xbf16>, !llvm.ptr<1>
// CHECK: gpu.shuffle xor
func.func @add_rmsnorm_shared(%x: memref<?x8192xbf16>, %r: memref<?x8192xbf16>, %y: memref<?x8192xbf16>) {
  norm.add_rmsnorm %x : memref<?x8192xbf16>, residual %r : memref<?x8192xbf16> into %y : memref<?x8192xbf16>, %r : memref<?x8192xbf16> {schedule = #norm.schedule<threads_per_row = 256, rows_per_block = 1, vector_width = 8, row_storage = shared>}
  return
}

// -----

// Per-token fp8: the amax reduction, then the scaled values saturated to
// +-448 before the conversion; the scale is written once per row.
// CHECK-LABEL: gpu.func @quantize_per_token
// CHECK: vector.reduction <maximumf>
// CHECK: gpu.shuffle xor
// CHECK: gpu.barrier
// The scale amax / 448 and the quotients x / scale are correctly rounded
// without a division per element: a product with the reciprocal, then one
// fma correction.
// CHECK: %[[Q0:.*]] = arith.mulf %[[AMAX:.*]], %{{.*}} : f32
// CHECK: math.fma %{{.*}}, %{{.*}}, %[[AMAX]] : f32
// CHECK: %[[SCALE:.*]] = arith.maximumf
// CHECK: %[[RCP:.*]] = arith.divf %{{.*}}, %[[SCALE]] : f32
// CHECK: llvm.store %[[SCALE]], %{{.*}} {alignment = 4 : i64} : f32, !llvm.ptr<1>
// CHECK-NOT: arith.divf
// The scale bounds |x| * (1 / scale) by 448 (amax is over these x): the
// product is not clamped before the correction.
// CHECK: %[[Q:.*]] = arith.mulf %{{.*}} : vector<8xf32>
// CHECK-NEXT: %[[NEG:.*]] = arith.negf %[[Q]]
// CHECK-NEXT: %[[REM:.*]] = math.fma %[[NEG]]
// CHECK-NEXT: %[[QUOT:.*]] = math.fma %[[REM]], %{{.*}}, %[[Q]]
// CHECK-NEXT: arith.maximumf %[[QUOT]]
// CHECK-NEXT: arith.minimumf
// CHECK-NEXT: arith.truncf %{{.*}} : vector<8xf32> to vector<8xf8E4M3FN>
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

// -----

// Residual add + RMSNorm + per-token fp8 in one kernel: the row is read once
// (2 vector loads each of input and residual), normalized, rounded to bf16
// as the unfused chain stored it, written as the normalized output, and the
// amax and the codes come from that cached rounded row: the input and the
// residual are never read again.
// CHECK: module attributes {gpu.container_module, norm.kernels = {fused_add_fp8_rmsnorm_quantize = {args = [{align = 16 : i64, kind = "ptr", name = "input", role = "row", type = "bf16"}, {align = 16 : i64, kind = "ptr", name = "residual", role = "row", type = "bf16"}, {align = 16 : i64, kind = "ptr", name = "gamma", role = "vector", type = "bf16"}, {align = 8 : i64, kind = "ptr", name = "output", role = "row", type = "f8E4M3FN"}, {align = 4 : i64, kind = "ptr", name = "scales", role = "scales", type = "f32"}, {align = 16 : i64, kind = "ptr", name = "residual_out", role = "row", type = "bf16"}, {align = 16 : i64, kind = "ptr", name = "normalized", role = "row", type = "bf16"}, {kind = "i64", name = "rows"}, {kind = "i64", name = "cols"}, {kind = "i64", name = "stride_input"}, {kind = "i64", name = "stride_residual"}, {kind = "i64", name = "stride_output"}, {kind = "i64", name = "stride_scales"}, {kind = "i64", name = "stride_residual_out"}, {kind = "i64", name = "stride_normalized"}], block_size = 256 : i64, blocks_per_row = 1 : i64, cols = 4096 : i64, cols_multiple = 8 : i64, dynamic_shared_memory = 0 : i64, op = "rmsnorm_quantize", params = {epsilon = 9.9999997473787516E-6 : f64, intermediate_type = "bf16", min_scale = 4.3596540178571426E-6 : f64, normalize = true, quantize = true, scheme = "per_token", weight_offset = 0.000000e+00 : f64}, persistent = false, row_cached = true, row_storage = "registers", rows_per_block = 1 : i64, threads_per_row = 256 : i64, vector_width = 8 : i64}}}
// CHECK-LABEL: func.func @fused_add_fp8
// CHECK: gpu.launch_func @norm_kernels::@fused_add_fp8_rmsnorm_quantize {{.*}} args(%{{.*}} : !llvm.ptr<1>, %{{.*}} : !llvm.ptr<1>, %{{.*}} : !llvm.ptr<1>, %{{.*}} : !llvm.ptr<1>, %{{.*}} : !llvm.ptr<1>, %{{.*}} : !llvm.ptr<1>, %{{.*}} : !llvm.ptr<1>, %{{.*}} : i64, %{{.*}} : i64, %{{.*}} : i64, %{{.*}} : i64, %{{.*}} : i64, %{{.*}} : i64, %{{.*}} : i64, %{{.*}} : i64)
// CHECK: gpu.func @fused_add_fp8_rmsnorm_quantize(%[[X:[^:]*]]: !llvm.ptr<1> {{{.*}}}, %[[R:[^:]*]]: !llvm.ptr<1> {{{.*}}}, %{{[^:]*}}: !llvm.ptr<1> {{{.*}}}, %{{[^:]*}}: !llvm.ptr<1> {{{.*}}}, %{{[^:]*}}: !llvm.ptr<1> {{{.*}}}, %[[ROUT:[^:]*]]: !llvm.ptr<1> {{{.*}}}, %[[Y:[^:]*]]: !llvm.ptr<1> {{{.*}}}
// CHECK-COUNT-2: llvm.getelementptr %[[R]]
// CHECK: math.rsqrt
// CHECK-NOT: llvm.getelementptr %[[X]]
// CHECK-NOT: llvm.getelementptr %[[R]]
// CHECK-NOT: llvm.getelementptr %[[ROUT]]
// CHECK: %[[YB:.*]] = arith.truncf %{{.*}} : vector<8xf32> to vector<8xbf16>
// CHECK: llvm.getelementptr %[[Y]]
// CHECK-NEXT: llvm.store %[[YB]]
// CHECK: %[[YQ:.*]] = arith.extf %[[YB]] : vector<8xbf16> to vector<8xf32>
// CHECK: math.absf %[[YQ]]
// CHECK: vector.reduction <maximumf>
// CHECK: gpu.barrier
// CHECK: arith.mulf %[[YQ]], %{{.*}} : vector<8xf32>
// CHECK: math.fma %{{.*}}, %{{.*}}, %[[YQ]] : vector<8xf32>
// CHECK: arith.truncf %{{.*}} : vector<8xf32> to vector<8xf8E4M3FN>
// CHECK-NOT: llvm.getelementptr %[[X]]
// CHECK-NOT: llvm.getelementptr %[[R]]
// CHECK-NOT: llvm.getelementptr %[[ROUT]]
// CHECK: gpu.return
func.func @fused_add_fp8(%x: memref<?x4096xbf16>, %r: memref<?x4096xbf16>, %w: memref<4096xbf16>, %q: memref<?x4096xf8E4M3FN>, %s: memref<?x1xf32>, %y: memref<?x4096xbf16>) {
  norm.rmsnorm_quantize per_token %x : memref<?x4096xbf16> residual %r : memref<?x4096xbf16> gamma %w : memref<4096xbf16> into %q : memref<?x4096xf8E4M3FN>, %s : memref<?x1xf32> residual_out %r : memref<?x4096xbf16> normalized_out %y : memref<?x4096xbf16> {epsilon = 1.0e-05 : f32, intermediate_type = bf16}
  return
}

// -----

// Per-group int8 with SmoothQuant and clipping: the normalized value is
// rounded to f16, then smoothed and clipped, as norm.quantize does it to the
// stored f16 tensor.
// CHECK-LABEL: gpu.func @fused_per_group_smooth_rmsnorm_quantize
// CHECK: math.rsqrt
// CHECK: %[[YH:.*]] = arith.truncf %{{.*}} : vector<8xf32> to vector<8xf16>
// CHECK: %[[YQ:.*]] = arith.extf %[[YH]] : vector<8xf16> to vector<8xf32>
// CHECK: %[[SM:.*]] = llvm.load %{{.*}} {alignment = 16 : i64} : !llvm.ptr<1> -> vector<8xf32>
// CHECK: %[[XS:.*]] = arith.mulf %[[YQ]], %[[SM]] : vector<8xf32>
// CHECK: %[[LO:.*]] = arith.maximumf %[[XS]], %{{.*}} : vector<8xf32>
// CHECK: arith.minimumf %[[LO]], %{{.*}} : vector<8xf32>
// CHECK: math.roundeven
func.func @fused_per_group_smooth(%x: memref<?x4096xf16>, %sm: memref<4096xf32>, %q: memref<?x4096xi8>, %s: memref<?x32xf32>) {
  norm.rmsnorm_quantize per_group(128) %x : memref<?x4096xf16> smooth %sm : memref<4096xf32> into %q : memref<?x4096xi8>, %s : memref<?x32xf32> {clip = 8.0 : f32, intermediate_type = f16}
  return
}

// -----

// Without intermediate_type the quantizer takes the f32 normalized value.
// CHECK: params = {epsilon = 9.9999999747524271E-7 : f64, min_scale = 4.3596540178571426E-6 : f64, normalize = true, quantize = true, scheme = "static", weight_offset = 0.000000e+00 : f64}
// CHECK-LABEL: gpu.func @fused_no_rounding_rmsnorm_quantize
// CHECK: math.rsqrt
// CHECK-NOT: arith.truncf %{{.*}} : vector<4xf32> to vector<4xf16>
// CHECK: arith.truncf %{{.*}} : vector<4xf32> to vector<4xf8E4M3FN>
func.func @fused_no_rounding(%x: memref<?x100xf16>, %sc: memref<1xf32>, %q: memref<?x100xf8E4M3FN>) {
  norm.rmsnorm_quantize static %x : memref<?x100xf16> scale %sc : memref<1xf32> into %q : memref<?x100xf8E4M3FN>
  return
}

// -----

// Dynamic H: the row does not stay in registers; the passes after the
// first read back the residual the kernel stored, never the input again.
// The rows are peeled; the same holds for rows one element per lane.
// CHECK: row_cached = false
// CHECK-LABEL: gpu.func @fused_dynamic_h_rmsnorm_quantize
// CHECK-SAME: (%[[X:[^:]*]]: !llvm.ptr<1>
// CHECK: scf.for
// CHECK: llvm.getelementptr %[[X]]
// CHECK-NEXT: llvm.load {{.*}} -> vector<8xbf16>
// CHECK: gpu.barrier
// CHECK-NOT: llvm.getelementptr %[[X]]
// CHECK: gpu.thread_id x
// CHECK: scf.for
// CHECK: llvm.getelementptr %[[X]]
// CHECK-NEXT: llvm.load {{.*}} -> vector<1xbf16>
// CHECK: gpu.barrier
// CHECK-NOT: llvm.getelementptr %[[X]]
// CHECK: gpu.return
func.func @fused_dynamic_h(%x: memref<?x?xbf16>, %r: memref<?x?xbf16>, %q: memref<?x?xf8E4M3FN>, %s: memref<?x1xf32>) {
  norm.rmsnorm_quantize per_token %x : memref<?x?xbf16> residual %r : memref<?x?xbf16> into %q : memref<?x?xf8E4M3FN>, %s : memref<?x1xf32> residual_out %r : memref<?x?xbf16> {intermediate_type = bf16}
  return
}

// -----

// row_storage = shared: the row (bf16, 128 KiB) is cached in dynamic shared
// memory on the first pass and read back from there for the scaling, never
// from memory again. The launch and the manifest carry the bytes.
// CHECK: long_shared_rmsnorm = {{{.*}}block_size = 1024 : i64, blocks_per_row = 1 : i64, cols = 65536 : i64, cols_multiple = 8 : i64, dynamic_shared_memory = 131072 : i64, {{.*}}row_cached = true, row_storage = "shared", rows_per_block = 1 : i64, threads_per_row = 1024 : i64, vector_width = 8 : i64}
// CHECK-LABEL: func.func @long_shared
// CHECK: %[[BYTES:.*]] = arith.constant 131072 : i32
// CHECK: gpu.launch_func @norm_kernels::@long_shared_rmsnorm blocks in ({{.*}}) threads in ({{.*}}) dynamic_shared_memory_size %[[BYTES]] args(
// Dynamic shared memory is an external zero-sized array, which assemblers
// place after every static shared buffer.
// CHECK: llvm.mlir.global external @norm_dynamic_shared_memory() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<0 x i8>
// CHECK: gpu.func @long_shared_rmsnorm(%[[X:[^:]*]]: !llvm.ptr<1>
// CHECK-SAME: known_block_size = array<i32: 1024, 1, 1>
// CHECK: %[[ROW:.*]] = llvm.mlir.addressof @norm_dynamic_shared_memory : !llvm.ptr<3>
// CHECK-COUNT-8: llvm.store %{{.*}}, %{{.*}} {alignment = 16 : i64} : vector<8xbf16>, !llvm.ptr<3>
// CHECK: gpu.barrier
// CHECK: math.rsqrt
// CHECK-NOT: llvm.getelementptr %[[X]]
// CHECK-COUNT-8: llvm.load %{{.*}} {alignment = 16 : i64} : !llvm.ptr<3> -> vector<8xbf16>
// CHECK-NOT: llvm.getelementptr %[[X]]
// CHECK: gpu.return
func.func @long_shared(%x: memref<?x65536xbf16>, %w: memref<65536xbf16>, %y: memref<?x65536xbf16>) {
  norm.rmsnorm %x : memref<?x65536xbf16>, gamma %w : memref<65536xbf16> into %y : memref<?x65536xbf16> {schedule = #norm.schedule<threads_per_row = 1024, rows_per_block = 1, vector_width = 8, row_storage = shared>}
  return
}

// -----

// Residual add + per-token fp8 with the row in shared memory: the rounded
// sum (the residual's type, f32 here: 4 rows of 2048) is cached, and both
// later passes (amax, codes) read it from there, not from residual_out.
// CHECK: dynamic_shared_memory = 32768 : i64
// CHECK-SAME: row_storage = "shared", rows_per_block = 4 : i64, threads_per_row = 64 : i64, vector_width = 4 : i64
// CHECK-LABEL: gpu.func @fused_shared_rmsnorm_quantize
// CHECK-SAME: (%{{[^:]*}}: !llvm.ptr<1> {{{.*}}}, %{{[^:]*}}: !llvm.ptr<1> {{{.*}}}, %{{[^:]*}}: !llvm.ptr<1> {{{.*}}}, %{{[^:]*}}: !llvm.ptr<1> {{{.*}}}, %[[ROUT:[^:]*]]: !llvm.ptr<1>
// CHECK: llvm.mlir.addressof @norm_dynamic_shared_memory : !llvm.ptr<3>
// CHECK: llvm.store {{.*}} : vector<4xf32>, !llvm.ptr<3>
// CHECK: math.rsqrt
// CHECK-NOT: llvm.getelementptr %[[ROUT]]
// CHECK: llvm.load {{.*}} : !llvm.ptr<3> -> vector<4xf32>
// CHECK: vector.reduction <maximumf>
// CHECK: llvm.load {{.*}} : !llvm.ptr<3> -> vector<4xf32>
// CHECK: arith.truncf %{{.*}} : vector<4xf32> to vector<4xf8E4M3FN>
// CHECK-NOT: llvm.getelementptr %[[ROUT]]
// CHECK: gpu.return
func.func @fused_shared(%x: memref<?x2048xbf16>, %r: memref<?x2048xf32>, %q: memref<?x2048xf8E4M3FN>, %s: memref<?x1xf32>) {
  norm.rmsnorm_quantize per_token %x : memref<?x2048xbf16> residual %r : memref<?x2048xf32> into %q : memref<?x2048xf8E4M3FN>, %s : memref<?x1xf32> residual_out %r : memref<?x2048xf32> {schedule = #norm.schedule<threads_per_row = 64, rows_per_block = 4, vector_width = 4, row_storage = shared>}
  return
}

// -----

// A schedule other than the default (256 threads per row, 8-wide vectors):
// 2 rows of 64 threads per block, 4-wide vectors, the row in registers. Each
// row's two warps meet in shared memory at their own slots.
// CHECK: block_size = 128 : i64, {{.*}}row_storage = "registers", rows_per_block = 2 : i64, threads_per_row = 64 : i64, vector_width = 4 : i64
// CHECK-LABEL: gpu.func @user_schedule_rmsnorm
// CHECK-SAME: workgroup(%[[SMEM:.*]] : memref<4xf32, #gpu.address_space<workgroup>>)
// CHECK-SAME: known_block_size = array<i32: 128, 1, 1>
// CHECK-COUNT-16: llvm.load %{{.*}} {alignment = 8 : i64} : !llvm.ptr<1> -> vector<4xbf16>
// CHECK: gpu.shuffle xor %{{.*}}, %c16_i32, %c32_i32 : f32
// CHECK: memref.store %{{.*}}, %[[SMEM]]
// CHECK: gpu.barrier
// CHECK: %[[FIRST:.*]] = arith.muli %{{.*}}, %c2 : index
// CHECK: memref.load %[[SMEM]][%[[FIRST]]]
// CHECK: %[[SECOND:.*]] = arith.addi %[[FIRST]], %c1 : index
// CHECK: memref.load %[[SMEM]][%[[SECOND]]]
// CHECK: math.rsqrt
// CHECK-COUNT-16: llvm.store %{{.*}}, %{{.*}} {alignment = 8 : i64} : vector<4xbf16>, !llvm.ptr<1>
func.func @user_schedule(%x: memref<?x4096xbf16>, %y: memref<?x4096xbf16>) {
  norm.rmsnorm %x : memref<?x4096xbf16> into %y : memref<?x4096xbf16> {schedule = #norm.schedule<threads_per_row = 64, rows_per_block = 2, vector_width = 4, row_storage = registers>}
  return
}

// -----

// row_storage = stream with a static H: the row is read again for the
// scaling; 64 chunks per thread become a loop instead of being unrolled.
// CHECK: row_cached = false, row_storage = "stream"
// CHECK-LABEL: gpu.func @stream_rmsnorm
// CHECK-SAME: (%[[X:[^:]*]]: !llvm.ptr<1>
// CHECK: scf.for
// CHECK: llvm.getelementptr %[[X]]
// CHECK: gpu.barrier
// CHECK: math.rsqrt
// CHECK: scf.for
// CHECK: llvm.getelementptr %[[X]]
// CHECK: gpu.return
func.func @stream(%x: memref<?x65536xbf16>, %y: memref<?x65536xbf16>) {
  norm.rmsnorm %x : memref<?x65536xbf16> into %y : memref<?x65536xbf16> {schedule = #norm.schedule<threads_per_row = 128, rows_per_block = 1, vector_width = 8, row_storage = stream>}
  return
}

// -----

// H = 4095 (odd): peeled rows. When both row operands are 16-byte aligned and
// share the stride, each row reads its head up to the first aligned column
// and its tail one element per lane, and the whole vectors between them
// aligned; gamma is read from the head on, so only element-aligned.
// Otherwise the kernel runs the row one element per lane. Only element
// alignment is asked of the caller, and H needs no multiple.
// CHECK: peeled_rmsnorm = {args = [{align = 2 : i64, kind = "ptr", name = "input", role = "row", type = "bf16"}, {align = 2 : i64, kind = "ptr", name = "gamma", role = "vector", type = "bf16"}, {align = 2 : i64, kind = "ptr", name = "output", role = "row", type = "bf16"}, {{.*}}cols = 4095 : i64, cols_multiple = 1 : i64, {{.*}}vector_width = 8 : i64}
// CHECK-LABEL: gpu.func @peeled_rmsnorm
// CHECK-SAME: (%[[X:[^:]*]]: !llvm.ptr<1> {llvm.align = 2 : i64}, %[[W:[^:]*]]: !llvm.ptr<1> {llvm.align = 2 : i64}, %[[Y:[^:]*]]: !llvm.ptr<1> {llvm.align = 2 : i64}, %{{[^:]*}}: i64, %{{[^:]*}}: i64, %[[SX:[^:]*]]: i64, %[[SY:[^:]*]]: i64)
// CHECK: %[[XA:.*]] = llvm.ptrtoint %[[X]]
// CHECK: arith.andi %[[XA]], %c15_i64
// CHECK: %[[YA:.*]] = llvm.ptrtoint %[[Y]]
// CHECK: arith.andi %[[YA]], %c15_i64
// CHECK: arith.cmpi eq, %[[SY]], %[[SX]]
// CHECK: scf.if
// CHECK: %[[START:.*]] = arith.muli %{{.*}}, %[[SX]] : i64
// CHECK: %[[MIS:.*]] = arith.andi %[[START]], %c7_i64
// CHECK: %[[HEAD8:.*]] = arith.subi %c8_i64, %[[MIS]]
// CHECK: %[[HEAD7:.*]] = arith.andi %[[HEAD8]], %c7_i64
// CHECK: %[[HEAD:.*]] = arith.minsi %[[HEAD7]], %c4095_i64
// CHECK-COUNT-2: llvm.load %{{.*}} {alignment = 16 : i64} : !llvm.ptr<1> -> vector<8xbf16>
// CHECK: arith.cmpi slt, %{{.*}}, %[[HEAD]]
// CHECK: llvm.load %{{.*}} {alignment = 2 : i64} : !llvm.ptr<1> -> vector<1xbf16>
// CHECK: gpu.barrier
// CHECK: math.rsqrt
// Gamma one element at a time would cost a register each: read after the
// reduction.
// CHECK: llvm.getelementptr %[[W]]
// CHECK-NEXT: llvm.load %{{.*}} {alignment = 2 : i64} : !llvm.ptr<1> -> vector<8xbf16>
// CHECK: llvm.store %{{.*}}, %{{.*}} {alignment = 16 : i64} : vector<8xbf16>, !llvm.ptr<1>
// CHECK: llvm.store %{{.*}}, %{{.*}} {alignment = 2 : i64} : vector<1xbf16>, !llvm.ptr<1>
// CHECK: gpu.thread_id x
// CHECK-NOT: vector<8xbf16>
// CHECK: llvm.load %{{.*}} {alignment = 2 : i64} : !llvm.ptr<1> -> vector<1xbf16>
// CHECK-NOT: vector<8xbf16>
// CHECK: gpu.return
func.func @peeled(%x: memref<?x4095xbf16>, %w: memref<4095xbf16>, %y: memref<?x4095xbf16>) {
  norm.rmsnorm %x : memref<?x4095xbf16>, gamma %w : memref<4095xbf16> into %y : memref<?x4095xbf16>
  return
}

// -----

// normalized_type = bf16: x * invRms is rounded to bf16 and extended back
// before the f32 multiply by gamma; the f32 product is stored as is. The
// manifest records the type.
// CHECK: params = {epsilon = 9.9999999747524271E-7 : f64, normalize = true, normalized_type = "bf16", quantize = false, weight_offset = 0.000000e+00 : f64}
// CHECK-LABEL: func.func @normalized_type
// CHECK: gpu.func @normalized_type_rmsnorm
// CHECK: %[[INV:.*]] = vector.broadcast %{{.*}} : f32 to vector<4xf32>
// CHECK: %[[N:.*]] = arith.mulf %{{.*}}, %[[INV]] : vector<4xf32>
// CHECK-NEXT: %[[R:.*]] = arith.truncf %[[N]] : vector<4xf32> to vector<4xbf16>
// CHECK-NEXT: %[[E:.*]] = arith.extf %[[R]] : vector<4xbf16> to vector<4xf32>
// CHECK: %[[Y:.*]] = arith.mulf %[[E]], %{{.*}} : vector<4xf32>
// CHECK: llvm.store %[[Y]], %{{.*}} : vector<4xf32>, !llvm.ptr<1>
func.func @normalized_type(%x: memref<?x4096xbf16>, %w: memref<4096xbf16>, %y: memref<?x4096xf32>) {
  norm.rmsnorm %x : memref<?x4096xbf16>, gamma %w : memref<4096xbf16> into %y : memref<?x4096xf32> {normalized_type = bf16}
  return
}

// -----

// A row split over a cluster of 2 blocks (blocks_per_row = 2): the grid has
// rows * 2 blocks in clusters of 2, the kernel carries the cluster shape,
// block b works on columns [(b % 2) * 32768, ...) of row b / 2, and the
// blocks exchange their sums of squares and then their amax through
// distributed shared memory between cluster barriers, combining them in rank
// order. The mean divides by the whole H. Only rank 0 stores the scale, and
// the final barrier's wait keeps each block's slots alive until the other
// has read them.
// CHECK: split_rows_rmsnorm_quantize = {{{.*}}block_size = 1024 : i64, blocks_per_row = 2 : i64, cols = 65536 : i64, {{.*}}dynamic_shared_memory = 65536 : i64
// CHECK-LABEL: func.func @split_rows
// CHECK: %[[GRID:.*]] = arith.muli %{{.*}}, %c2 : index
// CHECK: gpu.launch_func @norm_kernels::@split_rows_rmsnorm_quantize clusters in (%c2, %c1, %c1) blocks in (%[[GRID]], %c1, %c1) threads in (%c1024, %c1, %c1) dynamic_shared_memory_size %c65536_i32
// Two slots per exchange.
// CHECK: llvm.mlir.global internal @norm_cluster_partials() {addr_space = 3 : i32, alignment = 4 : i64} : !llvm.array<4 x f32>
// CHECK: gpu.func @split_rows_rmsnorm_quantize(
// CHECK-SAME: known_block_size = array<i32: 1024, 1, 1>, known_cluster_size = array<i32: 2, 1, 1>, nvvm.cluster_dim = array<i32: 2, 1, 1>
// CHECK-DAG: %[[H:.*]] = arith.constant 6.553600e+04 : f32
// CHECK: %[[BLOCK:.*]] = arith.index_cast %block_id_x : index to i64
// CHECK: %[[RANK:.*]] = arith.remui %[[BLOCK]], %c2_i64 : i64
// CHECK: %[[START:.*]] = arith.muli %[[RANK]], %c32768_i64 : i64
// CHECK: arith.divui %[[BLOCK]], %c2_i64 : i64
// CHECK: %[[SUMSLOT:.*]] = llvm.getelementptr %{{.*}}[0, 0] : (!llvm.ptr<3>) -> !llvm.ptr<3>, !llvm.array<4 x f32>
// CHECK: llvm.store %{{.*}}, %[[SUMSLOT]] {alignment = 4 : i64} : f32, !llvm.ptr<3>
// CHECK-NEXT: }
// CHECK-NEXT: nvvm.cluster.arrive {aligned}
// CHECK-NEXT: nvvm.cluster.wait {aligned}
// CHECK-NEXT: %[[R0:.*]] = nvvm.mapa %[[SUMSLOT]], %c0_i32 : !llvm.ptr<3> -> !llvm.ptr<7>
// CHECK-NEXT: %[[S0:.*]] = llvm.load %[[R0]] {alignment = 4 : i64} : !llvm.ptr<7> -> f32
// CHECK-NEXT: %[[R1:.*]] = nvvm.mapa %[[SUMSLOT]], %c1_i32 : !llvm.ptr<3> -> !llvm.ptr<7>
// CHECK-NEXT: %[[S1:.*]] = llvm.load %[[R1]] {alignment = 4 : i64} : !llvm.ptr<7> -> f32
// CHECK-NEXT: %[[SUM:.*]] = arith.addf %[[S0]], %[[S1]] : f32
// CHECK-NEXT: arith.divf %[[SUM]], %[[H]] : f32
// CHECK: %[[FIRST:.*]] = arith.cmpi eq, %[[RANK]], %c0_i64 : i64
// CHECK: %[[LEADER:.*]] = arith.andi %{{.*}}, %[[FIRST]] : i1
// CHECK: %[[MAXSLOT:.*]] = llvm.getelementptr %{{.*}}[0, 2] : (!llvm.ptr<3>) -> !llvm.ptr<3>, !llvm.array<4 x f32>
// CHECK: nvvm.cluster.arrive {aligned}
// CHECK-NEXT: nvvm.cluster.wait {aligned}
// CHECK-NEXT: nvvm.mapa %[[MAXSLOT]], %c0_i32
// CHECK: nvvm.mapa %[[MAXSLOT]], %c1_i32
// CHECK: arith.maximumf
// CHECK-NEXT: nvvm.cluster.arrive {aligned}
// CHECK: %[[STORES:.*]] = arith.andi %[[LEADER]], %{{.*}} : i1
// CHECK: scf.if %[[STORES]] {
// CHECK: llvm.store %{{.*}}, %{{.*}} {alignment = 4 : i64} : f32, !llvm.ptr<1>
// CHECK: nvvm.cluster.wait {aligned}
// CHECK-NEXT: gpu.return
func.func @split_rows(%x: memref<?x65536xbf16>, %r: memref<?x65536xbf16>, %w: memref<65536xbf16>, %q: memref<?x65536xf8E4M3FN>, %s: memref<?x1xf32>) {
  norm.rmsnorm_quantize per_token %x : memref<?x65536xbf16> residual %r : memref<?x65536xbf16> gamma %w : memref<65536xbf16> into %q : memref<?x65536xf8E4M3FN>, %s : memref<?x1xf32> residual_out %r : memref<?x65536xbf16> {schedule = #norm.schedule<threads_per_row = 1024, rows_per_block = 1, vector_width = 8, row_storage = shared, blocks_per_row = 2>}
  return
}

// -----

// A split row quantized per token after rounding to an intermediate type
// (bf16) takes its amax from the first pass where that is exact: once the
// row is in, each thread reads its slice back (volatile: not kept in
// registers) with gamma for max |x * gamma| and max |gamma| (a gamma over
// 2^32 makes the estimate NaN); one exchange carries the sum of squares and
// that maximum. E = max * invRms gives the amax r(E) when E is in [2^-32,
// FLT_MAX] and r(E - 16 ulps) == r(E + 16 ulps); only otherwise do the amax
// pass and its exchange run.
// CHECK-LABEL: gpu.func @split_estimate_rmsnorm_quantize(
// CHECK-DAG: %[[MIN:.*]] = arith.constant 2.32830644E-10 : f32
// CHECK-DAG: %[[FLTMAX:.*]] = arith.constant 3.40282347E+38 : f32
// CHECK-DAG: %[[NAN:.*]] = arith.constant 0x7FC00000 : f32
// CHECK-DAG: %[[GMAX:.*]] = arith.constant 4.2949673E+9 : f32
// CHECK-COUNT-4: llvm.store {{.*}} : vector<8xbf16>, !llvm.ptr<1>
// CHECK: %[[G:.*]] = arith.extf %{{.*}} : vector<8xbf16> to vector<8xf32>
// CHECK: %[[S:.*]] = llvm.load volatile %{{.*}} : !llvm.ptr<3> -> vector<8xbf16>
// CHECK: %[[SF:.*]] = arith.extf %[[S]]
// CHECK: %[[P:.*]] = arith.mulf %[[SF]], %[[G]] : vector<8xf32>
// CHECK: %[[PA:.*]] = math.absf %[[P]]
// CHECK: vector.reduction <maximumf>, %[[PA]]
// CHECK: %[[GA:.*]] = math.absf %[[G]]
// CHECK: vector.reduction <maximumf>, %[[GA]]
// CHECK: %[[BOUNDED:.*]] = arith.cmpf ole, %{{.*}}, %[[GMAX]] : f32
// CHECK: arith.select %[[BOUNDED]], %{{.*}}, %[[NAN]] : f32
// CHECK: %[[SLOT0:.*]] = llvm.getelementptr %{{.*}}[0, 0] : (!llvm.ptr<3>) -> !llvm.ptr<3>, !llvm.array<4 x f32>
// CHECK: %[[SLOT1:.*]] = llvm.getelementptr %{{.*}}[0, 1] : (!llvm.ptr<3>) -> !llvm.ptr<3>, !llvm.array<4 x f32>
// CHECK: llvm.store %{{.*}}, %[[SLOT0]]
// CHECK-NEXT: llvm.store %{{.*}}, %[[SLOT1]]
// CHECK: nvvm.cluster.arrive {aligned}
// CHECK-NEXT: nvvm.cluster.wait {aligned}
// CHECK: nvvm.mapa %[[SLOT1]], %c7_i32
// CHECK: %[[INVRMS:.*]] = math.rsqrt
// CHECK: %[[E:.*]] = arith.mulf %{{.*}}, %[[INVRMS]] : f32
// CHECK: %[[BITS:.*]] = arith.bitcast %[[E]] : f32 to i32
// CHECK: arith.addi %[[BITS]], %c-16_i32 : i32
// CHECK: arith.truncf %{{.*}} : f32 to bf16
// CHECK: arith.addi %[[BITS]], %c16_i32 : i32
// CHECK: arith.truncf %{{.*}} : f32 to bf16
// CHECK-DAG: %[[FINITE:.*]] = arith.cmpf ole, %[[E]], %[[FLTMAX]] : f32
// CHECK-DAG: %[[LARGE:.*]] = arith.cmpf oge, %[[E]], %[[MIN]] : f32
// CHECK-DAG: %[[SAME:.*]] = arith.cmpf oeq
// CHECK-DAG: %[[BOUNDS:.*]] = arith.andi %[[LARGE]], %[[FINITE]] : i1
// CHECK: %[[EXACT:.*]] = arith.andi %[[BOUNDS]], %[[SAME]] : i1
// CHECK: %[[RE:.*]] = arith.truncf %[[E]] : f32 to bf16
// CHECK: %[[AMAXE:.*]] = arith.extf %[[RE]] : bf16 to f32
// CHECK: %[[AMAX:.*]] = scf.if %[[EXACT]] -> (f32) {
// CHECK-NEXT: nvvm.cluster.arrive {aligned}
// CHECK-NEXT: scf.yield %[[AMAXE]] : f32
// CHECK-NEXT: } else {
// CHECK: vector.reduction <maximumf>
// CHECK: llvm.getelementptr %{{.*}}[0, 2] : (!llvm.ptr<3>) -> !llvm.ptr<3>, !llvm.array<4 x f32>
// CHECK: nvvm.cluster.arrive {aligned}
// CHECK-NEXT: nvvm.cluster.wait {aligned}
// CHECK: nvvm.cluster.arrive {aligned}
// CHECK-NEXT: scf.yield
// CHECK: arith.mulf %[[AMAX]]
// CHECK: nvvm.cluster.wait {aligned}
// CHECK-NEXT: gpu.return
func.func @split_estimate(%x: memref<?x65536xbf16>, %r: memref<?x65536xbf16>, %w: memref<65536xbf16>, %q: memref<?x65536xf8E4M3FN>, %s: memref<?x1xf32>) {
  norm.rmsnorm_quantize per_token %x : memref<?x65536xbf16> residual %r : memref<?x65536xbf16> gamma %w : memref<65536xbf16> into %q : memref<?x65536xf8E4M3FN>, %s : memref<?x1xf32> residual_out %r : memref<?x65536xbf16> {intermediate_type = bf16, schedule = #norm.schedule<threads_per_row = 256, rows_per_block = 1, vector_width = 8, row_storage = shared, blocks_per_row = 8>}
  return
}

// -----

// A split row kept in registers estimates too: the first pass's values are
// read again from registers, and the amax pass in the fallback computes the
// quantizer's input afresh (nothing it computes is used after the branch).
// CHECK-LABEL: gpu.func @split_estimate_registers_rmsnorm_quantize(
// CHECK-NOT: llvm.load volatile
// CHECK: arith.bitcast %{{.*}} : f32 to i32
// CHECK: scf.if %{{.*}} -> (f32) {
// CHECK: gpu.return
func.func @split_estimate_registers(%x: memref<?x65536xbf16>, %r: memref<?x65536xbf16>, %w: memref<65536xbf16>, %q: memref<?x65536xf8E4M3FN>, %s: memref<?x1xf32>) {
  norm.rmsnorm_quantize per_token %x : memref<?x65536xbf16> residual %r : memref<?x65536xbf16> gamma %w : memref<65536xbf16> into %q : memref<?x65536xf8E4M3FN>, %s : memref<?x1xf32> residual_out %r : memref<?x65536xbf16> {intermediate_type = bf16, schedule = #norm.schedule<threads_per_row = 256, rows_per_block = 1, vector_width = 8, row_storage = registers, blocks_per_row = 8>}
  return
}

// -----

// Nor a streamed row, which the first pass cannot read again.
// CHECK-LABEL: gpu.func @split_streamed_rmsnorm_quantize(
// CHECK-NOT: arith.bitcast %{{.*}} : f32 to i32
// CHECK: gpu.return
func.func @split_streamed(%x: memref<?x65536xbf16>, %r: memref<?x65536xbf16>, %w: memref<65536xbf16>, %q: memref<?x65536xf8E4M3FN>, %s: memref<?x1xf32>) {
  norm.rmsnorm_quantize per_token %x : memref<?x65536xbf16> residual %r : memref<?x65536xbf16> gamma %w : memref<65536xbf16> into %q : memref<?x65536xf8E4M3FN>, %s : memref<?x1xf32> residual_out %r : memref<?x65536xbf16> {intermediate_type = bf16, schedule = #norm.schedule<threads_per_row = 256, rows_per_block = 1, vector_width = 8, row_storage = stream, blocks_per_row = 8>}
  return
}

// -----

// Not where the quantizer's input is clipped (nor smoothed, nor stored as
// normalized_out): one value per exchange, the amax pass always.
// CHECK-LABEL: gpu.func @split_clipped_rmsnorm_quantize(
// CHECK-NOT: arith.bitcast %{{.*}} : f32 to i32
// CHECK: llvm.getelementptr %{{.*}}[0, 2] : (!llvm.ptr<3>) -> !llvm.ptr<3>, !llvm.array<4 x f32>
// CHECK-NOT: arith.bitcast %{{.*}} : f32 to i32
// CHECK: gpu.return
func.func @split_clipped(%x: memref<?x65536xbf16>, %r: memref<?x65536xbf16>, %w: memref<65536xbf16>, %q: memref<?x65536xf8E4M3FN>, %s: memref<?x1xf32>) {
  norm.rmsnorm_quantize per_token %x : memref<?x65536xbf16> residual %r : memref<?x65536xbf16> gamma %w : memref<65536xbf16> into %q : memref<?x65536xf8E4M3FN>, %s : memref<?x1xf32> residual_out %r : memref<?x65536xbf16> {clip = 100.0 : f32, intermediate_type = bf16, schedule = #norm.schedule<threads_per_row = 256, rows_per_block = 1, vector_width = 8, row_storage = shared, blocks_per_row = 8>}
  return
}

// -----

// Per-token quantization of a whole row cached in shared memory whose type
// holds the rounded quantizer input exactly (bf16 here, the intermediate
// type): the amax pass writes that value over the cached row, so the codes
// pass reads it back and never normalizes again or reads gamma again. (Not
// for split rows, where it measured slower.)
// CHECK-LABEL: func.func @shared_rounded
// The block is alone on its SM (128 KiB of the 48 KiB target), so gamma is
// loaded with the row, before the reduction.
// CHECK: gpu.func @shared_rounded_rmsnorm_quantize(%{{[^:]*}}: !llvm.ptr<1> {{{[^}]*}}}, %[[W:[^:]*]]: !llvm.ptr<1>
// CHECK-COUNT-8: llvm.getelementptr %[[W]]
// CHECK: math.rsqrt
// CHECK-NOT: llvm.getelementptr %[[W]]
// CHECK: arith.truncf %{{.*}} : vector<8xf32> to vector<8xbf16>
// CHECK: llvm.store %{{.*}}, %{{.*}} {alignment = 16 : i64} : vector<8xbf16>, !llvm.ptr<3>
// CHECK: vector.reduction <maximumf>
// CHECK-NOT: llvm.getelementptr %[[W]]
// CHECK: llvm.load %{{.*}} {alignment = 16 : i64} : !llvm.ptr<3> -> vector<8xbf16>
// CHECK-NOT: llvm.getelementptr %[[W]]
// CHECK: arith.truncf %{{.*}} : vector<8xf32> to vector<8xf8E4M3FN>
// CHECK-NOT: llvm.getelementptr %[[W]]
// CHECK: gpu.return
func.func @shared_rounded(%x: memref<?x65536xbf16>, %w: memref<65536xbf16>, %q: memref<?x65536xf8E4M3FN>, %s: memref<?x1xf32>) {
  norm.rmsnorm_quantize per_token %x : memref<?x65536xbf16> gamma %w : memref<65536xbf16> into %q : memref<?x65536xf8E4M3FN>, %s : memref<?x1xf32> {intermediate_type = bf16, schedule = #norm.schedule<threads_per_row = 1024, rows_per_block = 1, vector_width = 8, row_storage = shared>}
  return
}
