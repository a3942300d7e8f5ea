// A row cached in shared memory loads gamma together with the row only when
// its block is alone on the SM (the cache takes more than half of
// shared-memory-per-block): there all warps wait on gamma at once, while
// elsewhere the registers would cost a second block. 64 KiB rows:
// RUN: norm-opt %s -norm-to-gpu="shared-memory-per-block=100000" | FileCheck %s --check-prefix=ALONE
// RUN: norm-opt %s -norm-to-gpu="shared-memory-per-block=232448" | FileCheck %s --check-prefix=SHARED

// ALONE: gpu.func @rows_rmsnorm_quantize(%{{[^:]*}}: !llvm.ptr<1> {{{[^}]*}}}, %[[W:[^:]*]]: !llvm.ptr<1>
// ALONE-COUNT-4: llvm.getelementptr %[[W]]
// ALONE: math.rsqrt
// ALONE-NOT: llvm.getelementptr %[[W]]
// ALONE: gpu.return

// SHARED: gpu.func @rows_rmsnorm_quantize(%{{[^:]*}}: !llvm.ptr<1> {{{[^}]*}}}, %[[W:[^:]*]]: !llvm.ptr<1>
// SHARED-NOT: llvm.getelementptr %[[W]]
// SHARED: math.rsqrt
// SHARED-COUNT-4: llvm.getelementptr %[[W]]
// SHARED: gpu.return
func.func @rows(%x: memref<?x32768xbf16>, %w: memref<32768xbf16>, %q: memref<?x32768xi8>, %s: memref<?x1xf32>) {
  norm.rmsnorm_quantize per_token %x : memref<?x32768xbf16> gamma %w : memref<32768xbf16> into %q : memref<?x32768xi8>, %s : memref<?x1xf32> {intermediate_type = bf16, schedule = #norm.schedule<threads_per_row = 1024, rows_per_block = 1, vector_width = 8, row_storage = shared>}
  return
}
