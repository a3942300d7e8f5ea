// Rows of 65536 bf16 (128 KiB) cached in shared memory by a block alone on
// its SM (see nvvm-async-copies.test).
func.func @long_fp8(%x: memref<?x65536xbf16>, %w: memref<65536xbf16>, %q: memref<?x65536xf8E4M3FN>, %s: memref<?x1xf32>) {
  norm.rmsnorm_quantize per_token %x : memref<?x65536xbf16> gamma %w : memref<65536xbf16> into %q : memref<?x65536xf8E4M3FN>, %s : memref<?x1xf32> {intermediate_type = bf16}
  return
}

func.func @long_quantize(%x: memref<?x65536xbf16>, %q: memref<?x65536xi8>, %s: memref<?x1xf32>) {
  norm.quantize per_token %x : memref<?x65536xbf16> into %q : memref<?x65536xi8>, %s : memref<?x1xf32>
  return
}

func.func @long_i8(%x: memref<?x65536xbf16>, %w: memref<65536xbf16>, %q: memref<?x65536xi8>, %s: memref<?x1xf32>) {
  norm.rmsnorm_quantize per_token %x : memref<?x65536xbf16> gamma %w : memref<65536xbf16> into %q : memref<?x65536xi8>, %s : memref<?x1xf32> {intermediate_type = bf16}
  return
}
