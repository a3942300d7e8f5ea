// Rows of 65536 bf16 that norm-tile splits over a thread-block cluster on
// sm_90 and later (see nvvm-clusters.test).
func.func @long_rmsnorm(%x: memref<?x65536xbf16>, %w: memref<65536xbf16>, %y: memref<?x65536xbf16>) {
  norm.rmsnorm %x : memref<?x65536xbf16>, gamma %w : memref<65536xbf16> into %y : memref<?x65536xbf16>
  return
}

func.func @long_add_fp8(%x: memref<?x65536xbf16>, %r: memref<?x65536xbf16>, %w: memref<65536xbf16>, %q: memref<?x65536xf8E4M3FN>, %s: memref<?x1xf32>) {
  norm.rmsnorm_quantize per_token %x : memref<?x65536xbf16> residual %r : memref<?x65536xbf16> gamma %w : memref<65536xbf16> into %q : memref<?x65536xf8E4M3FN>, %s : memref<?x1xf32> residual_out %r : memref<?x65536xbf16> {intermediate_type = bf16}
  return
}

// Forced into 8 slices of 4096 columns kept in registers.
func.func @long_rmsnorm_8(%x: memref<?x32768xf32>, %y: memref<?x32768xf32>) {
  norm.rmsnorm %x : memref<?x32768xf32> into %y : memref<?x32768xf32> {schedule = #norm.schedule<threads_per_row = 256, rows_per_block = 1, vector_width = 4, row_storage = registers, blocks_per_row = 8>}
  return
}
