// nontemporal-rows=true marks the input loads and the row stores of kernels
// that read every row once into registers, whose H times the element size
// is a multiple of 128 bytes, without a residual. Gamma (read by every
// row) and the scales are not marked.
// RUN: norm-opt %s -norm-to-gpu="nontemporal-rows=true max-blocks-per-row=8" | FileCheck %s --implicit-check-not=norm.row_cache_policy
// RUN: norm-opt %s -norm-to-gpu="max-blocks-per-row=8" | FileCheck %s --check-prefix=OFF
// evict-last-row-loads=true: of these kernels, rmsnorm without a quantizer
// whose threads each take whole vectors marks its loads only, and says so.
// RUN: norm-opt %s -norm-to-gpu="nontemporal-rows=true evict-last-row-loads=true max-blocks-per-row=8" | FileCheck %s --check-prefix=EVICT
// RUN: norm-opt %s -norm-to-gpu="evict-last-row-loads=true max-blocks-per-row=8" | FileCheck %s --check-prefix=OFF

// OFF-NOT: nontemporal
// OFF-NOT: norm.row_cache_policy

// 4096 bf16 on 256 threads: 2 vectors of 8 each.
// EVICT-LABEL: gpu.func @streamed_rmsnorm(
// EVICT-SAME: norm.row_cache_policy = "evict_last_loads"
// EVICT-COUNT-2: llvm.load %{{.*}} {alignment = 16 : i64, nontemporal} : !llvm.ptr<1> -> vector<8xbf16>
// EVICT-NOT: nontemporal
// EVICT: gpu.return
// EVICT-LABEL: gpu.func @quantized_rmsnorm_quantize(
// EVICT-NOT: norm.row_cache_policy
// EVICT: llvm.store %{{.*}} {alignment = 8 : i64, nontemporal} : vector<8xi8>, !llvm.ptr<1>
// EVICT: gpu.return
// EVICT-LABEL: gpu.func @with_normalized_rmsnorm_quantize(
// EVICT-NOT: norm.row_cache_policy
// EVICT: llvm.store %{{.*}} {alignment = 16 : i64, nontemporal} : vector<8xbf16>, !llvm.ptr<1>
// EVICT: gpu.return
// EVICT-LABEL: gpu.func @f32_rows_rmsnorm(
// EVICT-SAME: norm.row_cache_policy = "evict_last_loads"
// EVICT-COUNT-2: llvm.load %{{.*}} {alignment = 16 : i64, nontemporal} : !llvm.ptr<1> -> vector<4xf32>
// EVICT-NOT: nontemporal
// EVICT: gpu.return
// 5120 bf16 on 256 threads: 640 vectors, the last 128 to half the threads.
// EVICT-LABEL: gpu.func @uneven_rmsnorm(
// EVICT-NOT: norm.row_cache_policy
// EVICT: llvm.store %{{.*}} {alignment = 16 : i64, nontemporal} : vector<8xbf16>, !llvm.ptr<1>
// EVICT: gpu.return
// Kernels that are not streamed at all stay unmarked.
// EVICT-LABEL: gpu.func @with_residual_add_rmsnorm(
// EVICT-NOT: norm.row_cache_policy
// EVICT: gpu.return
// EVICT-LABEL: gpu.func @peeled_rmsnorm(
// EVICT-NOT: norm.row_cache_policy
// EVICT: gpu.return
// EVICT-LABEL: gpu.func @partial_line_rmsnorm(
// EVICT-NOT: norm.row_cache_policy
// EVICT: gpu.return
// EVICT-LABEL: gpu.func @shared_row_rmsnorm(
// EVICT-NOT: norm.row_cache_policy
// EVICT: gpu.return
// EVICT-LABEL: gpu.func @dynamic_rmsnorm(
// EVICT-NOT: norm.row_cache_policy
// EVICT: gpu.return
// A row split over a cluster is streamed but not marked.
// EVICT-LABEL: gpu.func @split_rmsnorm(
// EVICT-NOT: norm.row_cache_policy
// EVICT: llvm.store %{{.*}} {alignment = 16 : i64, nontemporal} : vector<8xbf16>, !llvm.ptr<1>
// EVICT: gpu.return
// Marked: 4 rows per block of 32 threads each, 5120 on 128 threads (5
// vectors each), f16 rows.
// EVICT-LABEL: gpu.func @multi_rows_rmsnorm(
// EVICT-SAME: known_block_size = array<i32: 128, 1, 1>, norm.row_cache_policy = "evict_last_loads"
// EVICT-NOT: llvm.store {{.*}}nontemporal
// EVICT: gpu.return
// EVICT-LABEL: gpu.func @even_5120_rmsnorm(
// EVICT-SAME: norm.row_cache_policy = "evict_last_loads"
// EVICT-COUNT-5: llvm.load %{{.*}} {alignment = 16 : i64, nontemporal} : !llvm.ptr<1> -> vector<8xbf16>
// EVICT-NOT: llvm.store {{.*}}nontemporal
// EVICT: gpu.return
// EVICT-LABEL: gpu.func @f16_rows_rmsnorm(
// EVICT-SAME: norm.row_cache_policy = "evict_last_loads"
// EVICT: llvm.load %{{.*}} {alignment = 16 : i64, nontemporal} : !llvm.ptr<1> -> vector<8xf16>
// EVICT-NOT: llvm.store {{.*}}nontemporal
// EVICT: gpu.return

// CHECK-LABEL: gpu.func @streamed_rmsnorm(
// CHECK-SAME: %[[X:[^:]*]]: !llvm.ptr<1> {{{[^}]*}}}, %[[W:[^:]*]]: !llvm.ptr<1> {{{[^}]*}}}, %[[Y:[^:]*]]: !llvm.ptr<1>
// CHECK: %[[XP:.*]] = llvm.getelementptr %[[X]]
// CHECK-NEXT: llvm.load %[[XP]] {alignment = 16 : i64, nontemporal} : !llvm.ptr<1> -> vector<8xbf16>
// CHECK: %[[WP:.*]] = llvm.getelementptr %[[W]]
// CHECK-NEXT: llvm.load %[[WP]] {alignment = 16 : i64} : !llvm.ptr<1> -> vector<8xbf16>
// CHECK: %[[YP:.*]] = llvm.getelementptr %[[Y]]
// CHECK: llvm.store %{{.*}}, %[[YP]] {alignment = 16 : i64, nontemporal} : vector<8xbf16>, !llvm.ptr<1>
// CHECK: gpu.return
func.func @streamed(%x: memref<?x4096xbf16>, %w: memref<4096xbf16>, %y: memref<?x4096xbf16>) {
  norm.rmsnorm %x : memref<?x4096xbf16>, gamma %w : memref<4096xbf16> into %y : memref<?x4096xbf16>
  return
}

// The int8 codes are stored 8 bytes at a time; the scale is not marked.
// CHECK-LABEL: gpu.func @quantized_rmsnorm_quantize(
// CHECK: llvm.load %{{.*}} {alignment = 16 : i64, nontemporal} : !llvm.ptr<1> -> vector<8xbf16>
// CHECK: llvm.store %{{.*}} {alignment = 4 : i64} : f32, !llvm.ptr<1>
// CHECK: llvm.store %{{.*}} {alignment = 8 : i64, nontemporal} : vector<8xi8>, !llvm.ptr<1>
// CHECK: gpu.return
func.func @quantized(%x: memref<?x4096xbf16>, %w: memref<4096xbf16>, %q: memref<?x4096xi8>, %s: memref<?x1xf32>) {
  norm.rmsnorm_quantize per_token %x : memref<?x4096xbf16> gamma %w : memref<4096xbf16> into %q : memref<?x4096xi8>, %s : memref<?x1xf32>
  return
}

// Every row result is marked: the normalized row as well as the codes.
// CHECK-LABEL: gpu.func @with_normalized_rmsnorm_quantize(
// CHECK-SAME: %[[X:[^:]*]]: !llvm.ptr<1> {{{[^}]*}}}, %[[W:[^:]*]]: !llvm.ptr<1> {{{[^}]*}}}, %[[Q:[^:]*]]: !llvm.ptr<1> {{{[^}]*}}}, %[[S:[^:]*]]: !llvm.ptr<1> {{{[^}]*}}}, %[[Y:[^:]*]]: !llvm.ptr<1>
// CHECK: %[[YP:.*]] = llvm.getelementptr %[[Y]]
// CHECK: llvm.store %{{.*}}, %[[YP]] {alignment = 16 : i64, nontemporal} : vector<8xbf16>, !llvm.ptr<1>
// CHECK: %[[QP:.*]] = llvm.getelementptr %[[Q]]
// CHECK: llvm.store %{{.*}}, %[[QP]] {alignment = 8 : i64, nontemporal} : vector<8xi8>, !llvm.ptr<1>
// CHECK: gpu.return
func.func @with_normalized(%x: memref<?x4096xbf16>, %w: memref<4096xbf16>, %q: memref<?x4096xf8E4M3FN>, %s: memref<?x1xf32>, %y: memref<?x4096xbf16>) {
  norm.rmsnorm_quantize per_token %x : memref<?x4096xbf16> gamma %w : memref<4096xbf16> into %q : memref<?x4096xf8E4M3FN>, %s : memref<?x1xf32> normalized_out %y : memref<?x4096xbf16> {intermediate_type = bf16}
  return
}

// f32 rows: 4-element vectors.
// CHECK-LABEL: gpu.func @f32_rows_rmsnorm(
// CHECK: llvm.load %{{.*}} {alignment = 16 : i64, nontemporal} : !llvm.ptr<1> -> vector<4xf32>
// CHECK: llvm.store %{{.*}} {alignment = 16 : i64, nontemporal} : vector<4xf32>, !llvm.ptr<1>
// CHECK: gpu.return
func.func @f32_rows(%x: memref<?x4096xf32>, %y: memref<?x4096xf32>) {
  norm.rmsnorm %x : memref<?x4096xf32> into %y : memref<?x4096xf32>
  return
}

// Streamed; its rows split unevenly among the threads.
// CHECK-LABEL: gpu.func @uneven_rmsnorm(
// CHECK: llvm.load %{{.*}} {alignment = 16 : i64, nontemporal} : !llvm.ptr<1> -> vector<8xbf16>
// CHECK: llvm.store %{{.*}} {alignment = 16 : i64, nontemporal} : vector<8xbf16>, !llvm.ptr<1>
// CHECK: gpu.return
func.func @uneven(%x: memref<?x5120xbf16>, %y: memref<?x5120xbf16>) {
  norm.rmsnorm %x : memref<?x5120xbf16> into %y : memref<?x5120xbf16>
  return
}

// Not marked: a residual kernel, a peeled row (it shares lines with its
// neighbours; the 128-byte rule excludes it too), a row of whole vectors but
// not whole lines (4104 bf16 = 8208 bytes), a row cached in shared memory,
// and a dynamic H (streamed twice, which excludes it as well).
// CHECK-LABEL: gpu.func @with_residual_add_rmsnorm(
// CHECK-NOT: nontemporal
// CHECK: gpu.return
func.func @with_residual(%x: memref<?x4096xbf16>, %r: memref<?x4096xbf16>, %y: memref<?x4096xbf16>, %ro: memref<?x4096xbf16>) {
  norm.add_rmsnorm %x : memref<?x4096xbf16>, residual %r : memref<?x4096xbf16> into %y : memref<?x4096xbf16>, %ro : memref<?x4096xbf16>
  return
}

// CHECK-LABEL: gpu.func @peeled_rmsnorm(
// CHECK-NOT: nontemporal
// CHECK: gpu.return
func.func @peeled(%x: memref<?x4095xbf16>, %y: memref<?x4095xbf16>) {
  norm.rmsnorm %x : memref<?x4095xbf16> into %y : memref<?x4095xbf16>
  return
}

// CHECK-LABEL: gpu.func @partial_line_rmsnorm(
// CHECK-NOT: nontemporal
// CHECK: gpu.return
func.func @partial_line(%x: memref<?x4104xbf16>, %y: memref<?x4104xbf16>) {
  norm.rmsnorm %x : memref<?x4104xbf16> into %y : memref<?x4104xbf16>
  return
}

// CHECK-LABEL: gpu.func @shared_row_rmsnorm(
// CHECK-NOT: nontemporal
// CHECK: gpu.return
func.func @shared_row(%x: memref<?x16384xbf16>, %y: memref<?x16384xbf16>) {
  norm.rmsnorm %x : memref<?x16384xbf16> into %y : memref<?x16384xbf16> {schedule = #norm.schedule<threads_per_row = 512, rows_per_block = 1, vector_width = 8, row_storage = shared>}
  return
}

// CHECK-LABEL: gpu.func @dynamic_rmsnorm(
// CHECK-NOT: nontemporal
// CHECK: gpu.return
func.func @dynamic(%x: memref<?x?xbf16>, %y: memref<?x?xbf16>) {
  norm.rmsnorm %x : memref<?x?xbf16> into %y : memref<?x?xbf16>
  return
}

// Streamed without the option: a row split over 2 blocks of a cluster.
// CHECK-LABEL: gpu.func @split_rmsnorm(
// CHECK: llvm.store %{{.*}} {alignment = 16 : i64, nontemporal} : vector<8xbf16>, !llvm.ptr<1>
// CHECK: gpu.return
func.func @split(%x: memref<?x16384xbf16>, %y: memref<?x16384xbf16>) {
  norm.rmsnorm %x : memref<?x16384xbf16> into %y : memref<?x16384xbf16> {schedule = #norm.schedule<threads_per_row = 512, rows_per_block = 1, vector_width = 8, row_storage = registers, blocks_per_row = 2>}
  return
}

// CHECK-LABEL: gpu.func @multi_rows_rmsnorm(
// CHECK: llvm.store %{{.*}} {alignment = 16 : i64, nontemporal} : vector<8xbf16>, !llvm.ptr<1>
func.func @multi_rows(%x: memref<?x1024xbf16>, %y: memref<?x1024xbf16>) {
  norm.rmsnorm %x : memref<?x1024xbf16> into %y : memref<?x1024xbf16> {schedule = #norm.schedule<threads_per_row = 32, rows_per_block = 4, vector_width = 8, row_storage = registers>}
  return
}

// CHECK-LABEL: gpu.func @even_5120_rmsnorm(
// CHECK: llvm.store %{{.*}} {alignment = 16 : i64, nontemporal} : vector<8xbf16>, !llvm.ptr<1>
func.func @even_5120(%x: memref<?x5120xbf16>, %y: memref<?x5120xbf16>) {
  norm.rmsnorm %x : memref<?x5120xbf16> into %y : memref<?x5120xbf16> {schedule = #norm.schedule<threads_per_row = 128, rows_per_block = 1, vector_width = 8, row_storage = registers>}
  return
}

// CHECK-LABEL: gpu.func @f16_rows_rmsnorm(
// CHECK: llvm.store %{{.*}} {alignment = 16 : i64, nontemporal} : vector<8xf16>, !llvm.ptr<1>
func.func @f16_rows(%x: memref<?x4096xf16>, %y: memref<?x4096xf16>) {
  norm.rmsnorm %x : memref<?x4096xf16> into %y : memref<?x4096xf16>
  return
}
