// norm-tile's split of long rows over thread-block clusters (the rest of
// its choice is in norm-tile.mlir).
// RUN: norm-opt %s -norm-tile="shared-memory-per-block=232448" -split-input-file | FileCheck %s --check-prefix=H100
// RUN: norm-opt %s -norm-tile="shared-memory-per-block=232448 max-blocks-per-row=8" -split-input-file | FileCheck %s --check-prefix=CLUSTER
// RUN: norm-opt %s -norm-tile="max-blocks-per-row=8" -split-input-file | FileCheck %s --check-prefix=CLUSTER48K
// RUN: norm-opt %s -norm-tile="shared-memory-per-block=232448 max-blocks-per-row=4" -split-input-file | FileCheck %s --check-prefix=CLUSTER4
// The dynamic-H chunk fails; the others' output and its error are checked.
// RUN: not norm-opt %s -norm-tile="max-blocks-per-row=8 blocks-per-row=8" -split-input-file 2>/dev/null | FileCheck %s --check-prefix=FORCE8
// RUN: not norm-opt %s -norm-tile="max-blocks-per-row=8 blocks-per-row=8" -split-input-file 2>&1 >/dev/null | FileCheck %s --check-prefix=FORCE8ERR
// RUN: not norm-opt %s -norm-tile="max-blocks-per-row=3" 2>&1 | FileCheck %s --check-prefix=BADMAXBLOCKS
// RUN: not norm-opt %s -norm-tile="blocks-per-row=2" 2>&1 | FileCheck %s --check-prefix=NOCLUSTERS

// Rows read twice that leave a single block per SM (cached in more than half
// the shared memory, or read twice from memory) are split over a
// thread-block cluster where the target has clusters (max-blocks-per-row):
// the fewest blocks whose slices do not. Without clusters (the default), one
// block per row.
// H100-LABEL: func @split_rows
// H100: norm.rmsnorm {{.*}}#norm.schedule<threads_per_row = 1024, rows_per_block = 1, vector_width = 8, row_storage = shared>}
// CLUSTER-LABEL: func @split_rows
// H = 65536 bf16: two slices of 32768 columns, each cached in 64 KiB of
// shared memory.
// CLUSTER: norm.rmsnorm {{.*}}#norm.schedule<threads_per_row = 1024, rows_per_block = 1, vector_width = 8, row_storage = shared, blocks_per_row = 2>}
// With a residual: enough blocks of 256 threads that each caches at most 4
// vectors of its slice in shared memory (8 slices of 8192 columns).
// CLUSTER: norm.add_rmsnorm {{.*}}#norm.schedule<threads_per_row = 256, rows_per_block = 1, vector_width = 8, row_storage = shared, blocks_per_row = 8>}
// rmsnorm + per-token quantization without a residual stays whole (two
// exchanges per row cost more than they save).
// CLUSTER: norm.rmsnorm_quantize per_token {{.*}}#norm.schedule<threads_per_row = 1024, rows_per_block = 1, vector_width = 8, row_storage = shared>}
// CLUSTER: norm.rmsnorm_quantize per_token {{.*}}residual{{.*}}#norm.schedule<threads_per_row = 256, rows_per_block = 1, vector_width = 8, row_storage = shared, blocks_per_row = 8>}
// H = 32768: a 64 KiB row leaves two blocks per SM; it stays whole.
// CLUSTER: norm.rmsnorm {{.*}}#norm.schedule<threads_per_row = 1024, rows_per_block = 1, vector_width = 8, row_storage = shared>} -> tensor<?x32768xbf16>
// Single-pass quantization needs no row storage: never split.
// CLUSTER: norm.quantize per_group(128) {{.*}}#norm.schedule<threads_per_row = 1024, rows_per_block = 1, vector_width = 8, row_storage = stream>}
// With 48 KiB of shared memory a half row does not fit: four slices in
// registers.
// CLUSTER48K-LABEL: func @split_rows
// CLUSTER48K: norm.rmsnorm {{.*}}#norm.schedule<threads_per_row = 1024, rows_per_block = 1, vector_width = 8, row_storage = registers, blocks_per_row = 4>}
// A residual row's 16 KiB slices fit.
// CLUSTER48K: norm.add_rmsnorm {{.*}}#norm.schedule<threads_per_row = 256, rows_per_block = 1, vector_width = 8, row_storage = shared, blocks_per_row = 8>}
// A cluster of at most 4 blocks cannot give a residual row 8 slices: it is
// split like the others.
// CLUSTER4-LABEL: func @split_rows
// CLUSTER4: norm.add_rmsnorm {{.*}}#norm.schedule<threads_per_row = 1024, rows_per_block = 1, vector_width = 8, row_storage = shared, blocks_per_row = 2>}
// CLUSTER4: norm.rmsnorm_quantize per_token {{.*}}residual{{.*}}#norm.schedule<threads_per_row = 1024, rows_per_block = 1, vector_width = 8, row_storage = shared, blocks_per_row = 2>}
// Forced: every static row is split in 8, the fields chosen for a slice.
// FORCE8-LABEL: func @split_rows
// FORCE8: norm.rmsnorm {{.*}}#norm.schedule<threads_per_row = 512, rows_per_block = 1, vector_width = 8, row_storage = registers, blocks_per_row = 8>} -> tensor<?x65536xbf16>
// BADMAXBLOCKS: norm-tile: 'max-blocks-per-row' must be a power of two in [1, 8], got 3
// NOCLUSTERS: 'norm.rmsnorm' op norm-tile: the forced schedule fields do not fit: blocks_per_row = 2 needs thread-block clusters of that many blocks, but the target allows 1 (max-blocks-per-row; NVIDIA sm_90 and later have clusters of up to 8)
func.func @split_rows(%x: tensor<?x65536xbf16>, %r: tensor<?x65536xbf16>, %w: tensor<65536xbf16>, %q0: tensor<?x65536xf8E4M3FN>, %s0: tensor<?x1xf32>, %g0: tensor<?x512xf32>, %m: tensor<?x32768xbf16>) -> (tensor<?x65536xbf16>, tensor<?x65536xbf16>, tensor<?x65536xbf16>, tensor<?x65536xf8E4M3FN>, tensor<?x65536xf8E4M3FN>, tensor<?x32768xbf16>, tensor<?x65536xf8E4M3FN>) {
  %a = norm.rmsnorm %x : tensor<?x65536xbf16> into %x : tensor<?x65536xbf16> -> tensor<?x65536xbf16>
  %y, %ro = norm.add_rmsnorm %x : tensor<?x65536xbf16>, residual %r : tensor<?x65536xbf16>, gamma %w : tensor<65536xbf16> into %x : tensor<?x65536xbf16>, %r : tensor<?x65536xbf16> -> tensor<?x65536xbf16>, tensor<?x65536xbf16>
  %q1, %s1 = norm.rmsnorm_quantize per_token %x : tensor<?x65536xbf16> gamma %w : tensor<65536xbf16> into %q0 : tensor<?x65536xf8E4M3FN>, %s0 : tensor<?x1xf32> -> tensor<?x65536xf8E4M3FN>, tensor<?x1xf32>
  %q2, %s2, %r2 = norm.rmsnorm_quantize per_token %x : tensor<?x65536xbf16> residual %r : tensor<?x65536xbf16> gamma %w : tensor<65536xbf16> into %q0 : tensor<?x65536xf8E4M3FN>, %s0 : tensor<?x1xf32> residual_out %r : tensor<?x65536xbf16> -> tensor<?x65536xf8E4M3FN>, tensor<?x1xf32>, tensor<?x65536xbf16>
  %b = norm.rmsnorm %m : tensor<?x32768xbf16> into %m : tensor<?x32768xbf16> -> tensor<?x32768xbf16>
  %q3, %s3 = norm.quantize per_group(128) %x : tensor<?x65536xbf16> into %q0 : tensor<?x65536xf8E4M3FN>, %g0 : tensor<?x512xf32> -> tensor<?x65536xf8E4M3FN>, tensor<?x512xf32>
  return %a, %y, %ro, %q1, %q2, %b, %q3 : tensor<?x65536xbf16>, tensor<?x65536xbf16>, tensor<?x65536xbf16>, tensor<?x65536xf8E4M3FN>, tensor<?x65536xf8E4M3FN>, tensor<?x32768xbf16>, tensor<?x65536xf8E4M3FN>
}

// -----

// A dynamic H is never split, and cannot be forced to.
// CLUSTER-LABEL: func @dynamic_h
// CLUSTER: norm.rmsnorm {{.*}}#norm.schedule<threads_per_row = 256, rows_per_block = 1, vector_width = 8, row_storage = stream>} -> tensor<?x?xbf16>
// FORCE8ERR: error: 'norm.rmsnorm' op norm-tile: the forced schedule fields do not fit: blocks_per_row = 8 needs a static innermost dimension (the slices are fixed at compile time)
func.func @dynamic_h(%d: tensor<?x?xbf16>) -> tensor<?x?xbf16> {
  %c = norm.rmsnorm %d : tensor<?x?xbf16> into %d : tensor<?x?xbf16> -> tensor<?x?xbf16>
  return %c : tensor<?x?xbf16>
}

// -----

// Short rows forced to split: each slice gets a block of at least a warp.
// FORCE8-LABEL: func @short_forced
// FORCE8: #norm.schedule<threads_per_row = 32, rows_per_block = 1, vector_width = 8, row_storage = registers, blocks_per_row = 8>
func.func @short_forced(%x: tensor<?x4096xbf16>) -> tensor<?x4096xbf16> {
  %y = norm.rmsnorm %x : tensor<?x4096xbf16> into %x : tensor<?x4096xbf16> -> tensor<?x4096xbf16>
  return %y : tensor<?x4096xbf16>
}
