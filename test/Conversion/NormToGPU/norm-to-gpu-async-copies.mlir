// With async-copies, a row cached in shared memory by a block alone on its
// SM (more than half of shared-memory-per-block), which loads gamma with the
// row, is copied there with cp.async when its first pass reads the input
// alone: every 16-byte vector of the thread is issued before the one wait,
// then read back from shared memory (each thread reads only what it copied:
// no barrier). 2048 bf16 rows are 4 KiB: alone below 8 KiB.
// RUN: norm-opt %s -norm-to-gpu="async-copies=true shared-memory-per-block=6000" -split-input-file | FileCheck %s
// Two such blocks fit: loads into registers and stores, as without the option.
// RUN: norm-opt %s -norm-to-gpu="async-copies=true shared-memory-per-block=9000" -split-input-file | FileCheck %s --check-prefix=SYNC
// RUN: norm-opt %s -norm-to-gpu="shared-memory-per-block=6000" -split-input-file | FileCheck %s --check-prefix=SYNC

// 2048 bf16 over 64 threads of 8-wide vectors: 4 chunks per thread.
// CHECK-LABEL: gpu.func @cached_rmsnorm
// CHECK-SAME: (%[[X:[^:]*]]: !llvm.ptr<1>
// CHECK: %[[ROW:.*]] = llvm.mlir.addressof @norm_dynamic_shared_memory : !llvm.ptr<3>
// CHECK-COUNT-4: nvvm.cp.async.shared.global %{{.*}}, %{{.*}}, 16, cache = {{ *}}cg : !llvm.ptr<3>, !llvm.ptr<1>
// CHECK-NOT: nvvm.cp.async.shared.global
// CHECK: nvvm.cp.async.commit.group
// CHECK-NEXT: nvvm.cp.async.wait.group 0
// CHECK-NOT: llvm.store {{.*}} !llvm.ptr<3>
// CHECK-COUNT-4: llvm.load %{{.*}} {alignment = 16 : i64} : !llvm.ptr<3> -> vector<8xbf16>
// CHECK: gpu.barrier
// The scaling pass reads the row from shared memory again, never the input.
// CHECK-NOT: llvm.getelementptr %[[X]]
// CHECK-NOT: nvvm.cp.async
// CHECK: gpu.return

// SYNC-LABEL: gpu.func @cached_rmsnorm
// SYNC-NOT: nvvm.cp.async
// SYNC-COUNT-4: llvm.store %{{.*}} {alignment = 16 : i64} : vector<8xbf16>, !llvm.ptr<3>
// SYNC-NOT: nvvm.cp.async
// SYNC: gpu.return
func.func @cached(%x: memref<?x2048xbf16>, %w: memref<2048xbf16>, %y: memref<?x2048xbf16>) {
  norm.rmsnorm %x : memref<?x2048xbf16>, gamma %w : memref<2048xbf16> into %y : memref<?x2048xbf16> {schedule = #norm.schedule<threads_per_row = 64, rows_per_block = 1, vector_width = 8, row_storage = shared>}
  return
}

// -----

// 2000 columns leave the last chunk part-filled: lanes past H copy nothing
// (and read zeros back), so the fourth copy is guarded.
// CHECK-LABEL: gpu.func @ragged_rmsnorm_quantize
// CHECK-COUNT-3: nvvm.cp.async.shared.global
// CHECK: scf.if
// CHECK-NOT: }
// CHECK: nvvm.cp.async.shared.global
// CHECK-NEXT: }
// CHECK-NEXT: nvvm.cp.async.commit.group
// CHECK-NEXT: nvvm.cp.async.wait.group 0
// CHECK: gpu.return
func.func @ragged(%x: memref<?x2000xbf16>, %w: memref<2000xbf16>, %q: memref<?x2000xf8E4M3FN>, %s: memref<?x1xf32>) {
  norm.rmsnorm_quantize per_token %x : memref<?x2000xbf16> gamma %w : memref<2000xbf16> into %q : memref<?x2000xf8E4M3FN>, %s : memref<?x1xf32> {intermediate_type = bf16, schedule = #norm.schedule<threads_per_row = 64, rows_per_block = 1, vector_width = 8, row_storage = shared>}
  return
}

// -----

// Not copied: a residual add caches the rounded sum (computed, not copied);
// without gamma nothing else wants the registers; vectors narrower than 16
// bytes.
// CHECK-LABEL: gpu.func @residual_add_rmsnorm
// CHECK-NOT: nvvm.cp.async
// CHECK: gpu.return
// CHECK-LABEL: gpu.func @plain_quantize
// CHECK-NOT: nvvm.cp.async
// CHECK: gpu.return
// CHECK-LABEL: gpu.func @narrow_rmsnorm
// CHECK-NOT: nvvm.cp.async
// CHECK: gpu.return
func.func @residual(%x: memref<?x2048xbf16>, %r: memref<?x2048xbf16>, %w: memref<2048xbf16>, %y: memref<?x2048xbf16>) {
  norm.add_rmsnorm %x : memref<?x2048xbf16>, residual %r : memref<?x2048xbf16>, gamma %w : memref<2048xbf16> into %y : memref<?x2048xbf16>, %r : memref<?x2048xbf16> {schedule = #norm.schedule<threads_per_row = 64, rows_per_block = 1, vector_width = 8, row_storage = shared>}
  return
}
func.func @plain(%x: memref<?x2048xbf16>, %q: memref<?x2048xi8>, %s: memref<?x1xf32>) {
  norm.quantize per_token %x : memref<?x2048xbf16> into %q : memref<?x2048xi8>, %s : memref<?x1xf32> {schedule = #norm.schedule<threads_per_row = 64, rows_per_block = 1, vector_width = 8, row_storage = shared>}
  return
}
func.func @narrow(%x: memref<?x2048xbf16>, %w: memref<2048xbf16>, %y: memref<?x2048xbf16>) {
  norm.rmsnorm %x : memref<?x2048xbf16>, gamma %w : memref<2048xbf16> into %y : memref<?x2048xbf16> {schedule = #norm.schedule<threads_per_row = 64, rows_per_block = 1, vector_width = 4, row_storage = shared>}
  return
}
