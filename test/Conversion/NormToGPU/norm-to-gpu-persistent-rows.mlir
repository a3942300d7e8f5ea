// With persistent-rows (and async-copies), rmsnorm + per-token quantization
// of a row copied by cp.async into the shared memory of a block alone on its
// SM becomes a persistent kernel: gamma is loaded once, the block loops over
// rows with a grid stride, and its shared memory is a ring of chunk slots
// (shared-memory-per-block less 32 KiB). 24576 bf16 over 512 threads of
// 8-wide vectors: 6 chunks of 8 KiB per thread row; 88 KiB per block leaves
// the 48 KiB row alone on the SM and 56 KiB for the ring: 7 slots.
// RUN: norm-opt %s -norm-to-gpu="async-copies=true persistent-rows=true shared-memory-per-block=90112" -split-input-file | FileCheck %s
// The stream arithmetic, after canonicalization:
// RUN: norm-opt %s -norm-to-gpu="async-copies=true persistent-rows=true shared-memory-per-block=90112" -canonicalize -cse -split-input-file | FileCheck %s --check-prefix=RING
// cp.async is what fills the ring: none without async-copies.
// RUN: norm-opt %s -norm-to-gpu="persistent-rows=true shared-memory-per-block=90112" -split-input-file | FileCheck %s --check-prefix=NOCOPY
// Without the option, or with a ring no larger than a row (80 KiB: 48 KiB,
// 6 slots), one block per row and one wait.
// RUN: norm-opt %s -norm-to-gpu="async-copies=true shared-memory-per-block=90112" -split-input-file | FileCheck %s --check-prefix=ROW
// RUN: norm-opt %s -norm-to-gpu="async-copies=true persistent-rows=true shared-memory-per-block=81920" -split-input-file | FileCheck %s --check-prefix=ROW

// The manifest marks the kernel persistent with the ring's bytes; host code
// gives each block 8 rows.
// CHECK: norm.kernels = {ring_rmsnorm_quantize = {{{.*}}dynamic_shared_memory = 57344 : i64{{.*}}persistent = true
// CHECK: %[[BLOCKS:.*]] = arith.ceildivui %{{.*}}, %c8 : index
// CHECK: gpu.launch_func @norm_kernels::@ring_rmsnorm_quantize blocks in (%[[BLOCKS]], {{.*}} dynamic_shared_memory_size %c57344_i32
// CHECK-LABEL: gpu.func @ring_rmsnorm_quantize
// CHECK: gpu.grid_dim x
// Gamma once, before the loop, packed.
// CHECK-COUNT-6: llvm.load %{{.*}} {alignment = 16 : i64} : !llvm.ptr<1> -> vector<8xbf16>
// The block's first row alone (its 6 chunks), each chunk its own group.
// CHECK-COUNT-6: nvvm.cp.async.shared.global %{{.*}}, %{{.*}}, 16, cache = {{ *}}cg : !llvm.ptr<3>, !llvm.ptr<1>
// CHECK-NEXT: }
// CHECK-NEXT: nvvm.cp.async.commit.group
// CHECK-NOT: nvvm.cp.async
// CHECK: scf.for %[[I:.*]] = 
// CHECK: %[[I64:.*]] = arith.index_cast %[[I]] : index to i64
// CHECK: %[[FIRST:.*]] = arith.cmpi eq, %[[I64]], %{{.*}} : i64
// The first row is read chunk by chunk as it arrives (chunk c once at most
// 5 - c groups are pending); any later row once at most 7 - 6 groups (the
// next row's first chunk) are, before its first chunk.
// CHECK: scf.if %[[FIRST]] {
// CHECK-NEXT: nvvm.cp.async.wait.group 5
// CHECK-NEXT: } else {
// CHECK-NEXT: nvvm.cp.async.wait.group 1
// CHECK-NEXT: }
// CHECK: llvm.load %{{.*}} : !llvm.ptr<3> -> vector<8xbf16>
// CHECK: scf.if %[[FIRST]] {
// CHECK-NEXT: nvvm.cp.async.wait.group 4
// CHECK-NEXT: }
// CHECK: scf.if %[[FIRST]] {
// CHECK-NEXT: nvvm.cp.async.wait.group 3
// CHECK: scf.if %[[FIRST]] {
// CHECK-NEXT: nvvm.cp.async.wait.group 2
// CHECK: scf.if %[[FIRST]] {
// CHECK-NEXT: nvvm.cp.async.wait.group 1
// Once the first row is in, the stream's chunk 6 (the next row's first)
// is copied into the last slot, its own group.
// CHECK: scf.if %[[FIRST]] {
// CHECK-NEXT: nvvm.cp.async.wait.group 0
// CHECK: nvvm.cp.async.shared.global
// CHECK: nvvm.cp.async.commit.group
// CHECK-NEXT: }
// CHECK-NOT: nvvm.cp.async
// CHECK: gpu.barrier
// Gamma is widened in the loop, behind a move LLVM cannot hoist.
// CHECK: llvm.inline_asm "mov.b32 $0, $1;", "=r,r,l"
// CHECK: gpu.barrier
// The codes pass refills each slot it has read: 6 copies, 6 groups, and no
// global load of the row or gamma after the reductions.
// CHECK-NOT: llvm.load %{{.*}} : !llvm.ptr<1>
// CHECK-COUNT-6: nvvm.cp.async.commit.group
// CHECK-NOT: nvvm.cp.async
// CHECK: gpu.return

// Block b's rows are b, b + grid, ... (ceil((rows - b) / grid) of them);
// row i starts at slot 6i mod 7, a slot index wraps once; chunk c's slot is
// refilled with chunk c + 7 of the stream: chunk c + 1 of the next row for
// c < 5, chunk 0 of the row after it for c = 5.
// RING-LABEL: gpu.func @ring_rmsnorm_quantize
// RING: %[[BLOCK:.*]] = arith.index_cast %block_id_x : index to i64
// RING: %[[GRID:.*]] = arith.index_cast %grid_dim_x : index to i64
// RING: %[[LEFT:.*]] = arith.subi %arg4, %[[BLOCK]] : i64
// RING-NEXT: %[[GRID1:.*]] = arith.subi %[[GRID]], %c1_i64 : i64
// RING-NEXT: %[[ROUND:.*]] = arith.addi %[[LEFT]], %[[GRID1]] : i64
// RING-NEXT: %[[COUNT:.*]] = arith.divsi %[[ROUND]], %[[GRID]] : i64
// RING-NEXT: %[[SOME:.*]] = arith.maxsi %[[COUNT]], %c0_i64 : i64
// RING-NEXT: %[[UPPER:.*]] = arith.index_cast %[[SOME]] : i64 to index
// RING-NEXT: scf.for %[[I:.*]] = %c0 to %[[UPPER]] step %c1 {
// RING-NEXT: %[[I64:.*]] = arith.index_cast %[[I]] : index to i64
// RING-NEXT: %[[STRIDE:.*]] = arith.muli %[[I64]], %[[GRID]] : i64
// RING-NEXT: %[[CURRENT:.*]] = arith.addi %[[BLOCK]], %[[STRIDE]] : i64
// RING-NEXT: %[[FIRST:.*]] = arith.muli %[[I64]], %c6_i64 : i64
// RING-NEXT: %[[BASE:.*]] = arith.remui %[[FIRST]], %c7_i64 : i64
// RING-NEXT: %[[IS_FIRST:.*]] = arith.cmpi eq, %[[I64]], %c0_i64 : i64
// RING-NEXT: scf.if %[[IS_FIRST]] {
// RING-NEXT: nvvm.cp.async.wait.group 5
// RING-NEXT: } else {
// RING-NEXT: nvvm.cp.async.wait.group 1
// RING-NEXT: }
// RING-NEXT: %[[WRAPS:.*]] = arith.cmpi sge, %[[BASE]], %c7_i64 : i64
// RING-NEXT: %[[BACK:.*]] = arith.subi %[[BASE]], %c7_i64 : i64
// RING-NEXT: arith.select %[[WRAPS]], %[[BACK]], %[[BASE]] : i64
// RING: %[[NEXT:.*]] = arith.addi %[[CURRENT]], %[[GRID]] : i64
// RING-NEXT: %[[HAS_NEXT:.*]] = arith.cmpi slt, %[[NEXT]], %arg4 : i64
// RING-NEXT: scf.if %[[HAS_NEXT]] {
// RING-NEXT: arith.muli %[[NEXT]], %arg6 : i64
// RING: %[[TWO:.*]] = arith.muli %[[GRID]], %c2_i64 : i64
// RING-NEXT: %[[AFTER:.*]] = arith.addi %[[CURRENT]], %[[TWO]] : i64
// RING-NEXT: %[[HAS_AFTER:.*]] = arith.cmpi slt, %[[AFTER]], %arg4 : i64
// RING-NEXT: scf.if %[[HAS_AFTER]] {
// RING: gpu.return

// NOCOPY-LABEL: gpu.func @ring_rmsnorm_quantize
// NOCOPY-NOT: gpu.grid_dim
// NOCOPY-NOT: nvvm.cp.async
// NOCOPY: gpu.return

// ROW: norm.kernels = {ring_rmsnorm_quantize = {{{.*}}dynamic_shared_memory = 49152 : i64{{.*}}persistent = false
// ROW-LABEL: gpu.func @ring_rmsnorm_quantize
// ROW-NOT: gpu.grid_dim
// ROW-NOT: scf.for
// ROW: nvvm.cp.async.wait.group 0
// ROW-NOT: nvvm.cp.async
// ROW: gpu.return
func.func @ring(%x: memref<?x24576xbf16>, %w: memref<24576xbf16>, %q: memref<?x24576xf8E4M3FN>, %s: memref<?x1xf32>) {
  norm.rmsnorm_quantize per_token %x : memref<?x24576xbf16> gamma %w : memref<24576xbf16> into %q : memref<?x24576xf8E4M3FN>, %s : memref<?x1xf32> {intermediate_type = bf16, schedule = #norm.schedule<threads_per_row = 512, rows_per_block = 1, vector_width = 8, row_storage = shared>}
  return
}

// -----

// int8 codes where a finite row amax bounds every quotient: the low bytes of
// q + 1.5 * 2^23 (0x4B400000); a row with NaN or inf takes fptosi (cvt.rni
// after norm-lower-quantizer-conversions). Both branches refill the ring.
// CHECK-LABEL: gpu.func @codes_rmsnorm_quantize
// CHECK: %[[INF:.*]] = arith.constant 0x7F800000 : f32
// CHECK-NEXT: %[[FINITE:.*]] = arith.cmpf olt, %{{.*}}, %[[INF]] : f32
// CHECK-NEXT: scf.if %[[FINITE]] {
// CHECK-NOT: arith.fptosi
// CHECK: arith.constant 0x4B400000 : f32
// CHECK: arith.addf %{{.*}}, %{{.*}} : vector<8xf32>
// CHECK-NEXT: %[[WORDS:.*]] = arith.bitcast %{{.*}} : vector<8xf32> to vector<8xi32>
// CHECK-NEXT: arith.trunci %[[WORDS]] : vector<8xi32> to vector<8xi8>
// CHECK-COUNT-6: nvvm.cp.async.commit.group
// CHECK-NOT: arith.fptosi
// CHECK: } else {
// CHECK-NOT: 0x4B400000
// CHECK: arith.fptosi %{{.*}} : vector<8xf32> to vector<8xi8>
// CHECK-COUNT-6: nvvm.cp.async.commit.group
// CHECK: gpu.return
// A scale_ub may leave quotients past 127: fptosi alone.
// CHECK-LABEL: gpu.func @capped_rmsnorm_quantize
// CHECK: scf.for
// CHECK-NOT: 0x4B400000
// CHECK: gpu.return
func.func @codes(%x: memref<?x24576xbf16>, %w: memref<24576xbf16>, %q: memref<?x24576xi8>, %s: memref<?x1xf32>) {
  norm.rmsnorm_quantize per_token %x : memref<?x24576xbf16> gamma %w : memref<24576xbf16> into %q : memref<?x24576xi8>, %s : memref<?x1xf32> {intermediate_type = bf16, schedule = #norm.schedule<threads_per_row = 512, rows_per_block = 1, vector_width = 8, row_storage = shared>}
  return
}
func.func @capped(%x: memref<?x24576xbf16>, %w: memref<24576xbf16>, %q: memref<?x24576xi8>, %s: memref<?x1xf32>) {
  norm.rmsnorm_quantize per_token %x : memref<?x24576xbf16> gamma %w : memref<24576xbf16> into %q : memref<?x24576xi8>, %s : memref<?x1xf32> {intermediate_type = bf16, scale_ub = 0.5 : f32, schedule = #norm.schedule<threads_per_row = 512, rows_per_block = 1, vector_width = 8, row_storage = shared>}
  return
}

// -----

// Not persistent: a residual add (its rows are not copied), per-group
// scales, an f32 gamma (twice the registers to keep), f16 rows and gamma
// (not measured; they spilled), a row whose last chunk is partial (24000
// columns), rmsnorm without quantization, and two rows per block (two 24
// KiB rows, alone on the SM, 6 chunks each).
// CHECK-LABEL: gpu.func @residual_rmsnorm_quantize
// CHECK-NOT: gpu.grid_dim
// CHECK: gpu.return
// CHECK-LABEL: gpu.func @group_rmsnorm_quantize
// CHECK-NOT: gpu.grid_dim
// CHECK: gpu.return
// CHECK-LABEL: gpu.func @wide_gamma_rmsnorm_quantize
// CHECK-NOT: gpu.grid_dim
// CHECK: gpu.return
// CHECK-LABEL: gpu.func @half_rmsnorm_quantize
// CHECK-NOT: gpu.grid_dim
// CHECK: gpu.return
// CHECK-LABEL: gpu.func @partial_rmsnorm_quantize
// CHECK-NOT: gpu.grid_dim
// CHECK: gpu.return
// CHECK-LABEL: gpu.func @plain_rmsnorm
// CHECK-NOT: gpu.grid_dim
// CHECK: gpu.return
// CHECK-LABEL: gpu.func @two_rows_rmsnorm_quantize
// CHECK-NOT: gpu.grid_dim
// CHECK: gpu.return
func.func @residual(%x: memref<?x24576xbf16>, %r: memref<?x24576xbf16>, %w: memref<24576xbf16>, %q: memref<?x24576xf8E4M3FN>, %s: memref<?x1xf32>) {
  norm.rmsnorm_quantize per_token %x : memref<?x24576xbf16> residual %r : memref<?x24576xbf16> gamma %w : memref<24576xbf16> into %q : memref<?x24576xf8E4M3FN>, %s : memref<?x1xf32> residual_out %r : memref<?x24576xbf16> {intermediate_type = bf16, schedule = #norm.schedule<threads_per_row = 512, rows_per_block = 1, vector_width = 8, row_storage = shared>}
  return
}
func.func @group(%x: memref<?x24576xbf16>, %w: memref<24576xbf16>, %q: memref<?x24576xf8E4M3FN>, %s: memref<?x192xf32>) {
  norm.rmsnorm_quantize per_group(128, row_major) %x : memref<?x24576xbf16> gamma %w : memref<24576xbf16> into %q : memref<?x24576xf8E4M3FN>, %s : memref<?x192xf32> {intermediate_type = bf16, schedule = #norm.schedule<threads_per_row = 512, rows_per_block = 1, vector_width = 8, row_storage = shared>}
  return
}
func.func @wide_gamma(%x: memref<?x24576xbf16>, %w: memref<24576xf32>, %q: memref<?x24576xf8E4M3FN>, %s: memref<?x1xf32>) {
  norm.rmsnorm_quantize per_token %x : memref<?x24576xbf16> gamma %w : memref<24576xf32> into %q : memref<?x24576xf8E4M3FN>, %s : memref<?x1xf32> {intermediate_type = bf16, schedule = #norm.schedule<threads_per_row = 512, rows_per_block = 1, vector_width = 8, row_storage = shared>}
  return
}
func.func @half(%x: memref<?x24576xf16>, %w: memref<24576xf16>, %q: memref<?x24576xf8E4M3FN>, %s: memref<?x1xf32>) {
  norm.rmsnorm_quantize per_token %x : memref<?x24576xf16> gamma %w : memref<24576xf16> into %q : memref<?x24576xf8E4M3FN>, %s : memref<?x1xf32> {intermediate_type = f16, schedule = #norm.schedule<threads_per_row = 512, rows_per_block = 1, vector_width = 8, row_storage = shared>}
  return
}
func.func @partial(%x: memref<?x24000xbf16>, %w: memref<24000xbf16>, %q: memref<?x24000xf8E4M3FN>, %s: memref<?x1xf32>) {
  norm.rmsnorm_quantize per_token %x : memref<?x24000xbf16> gamma %w : memref<24000xbf16> into %q : memref<?x24000xf8E4M3FN>, %s : memref<?x1xf32> {intermediate_type = bf16, schedule = #norm.schedule<threads_per_row = 512, rows_per_block = 1, vector_width = 8, row_storage = shared>}
  return
}
func.func @plain(%x: memref<?x24576xbf16>, %w: memref<24576xbf16>, %y: memref<?x24576xbf16>) {
  norm.rmsnorm %x : memref<?x24576xbf16>, gamma %w : memref<24576xbf16> into %y : memref<?x24576xbf16> {schedule = #norm.schedule<threads_per_row = 512, rows_per_block = 1, vector_width = 8, row_storage = shared>}
  return
}
func.func @two_rows(%x: memref<?x12288xbf16>, %w: memref<12288xbf16>, %q: memref<?x12288xf8E4M3FN>, %s: memref<?x1xf32>) {
  norm.rmsnorm_quantize per_token %x : memref<?x12288xbf16> gamma %w : memref<12288xbf16> into %q : memref<?x12288xf8E4M3FN>, %s : memref<?x1xf32> {intermediate_type = bf16, schedule = #norm.schedule<threads_per_row = 256, rows_per_block = 2, vector_width = 8, row_storage = shared>}
  return
}
