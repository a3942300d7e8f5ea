// Every op and quantization scheme, memref form, shared by the target tests.
func.func @rms(%x: memref<?x4096xbf16>, %w: memref<4096xbf16>, %y: memref<?x4096xbf16>) {
  norm.rmsnorm %x : memref<?x4096xbf16>, gamma %w : memref<4096xbf16> into %y : memref<?x4096xbf16> {epsilon = 1.0e-05 : f32}
  return
}
func.func @add(%x: memref<?x4096xbf16>, %r: memref<?x4096xbf16>, %w: memref<4096xbf16>, %y: memref<?x4096xbf16>) {
  norm.add_rmsnorm %x : memref<?x4096xbf16>, residual %r : memref<?x4096xbf16>, gamma %w : memref<4096xbf16> into %y : memref<?x4096xbf16>, %r : memref<?x4096xbf16>
  return
}
func.func @per_token_e4m3(%x: memref<?x4096xbf16>, %q: memref<?x4096xf8E4M3FN>, %s: memref<?x1xf32>) {
  norm.quantize per_token %x : memref<?x4096xbf16> into %q : memref<?x4096xf8E4M3FN>, %s : memref<?x1xf32>
  return
}
func.func @per_token_e5m2(%x: memref<?x4096xf16>, %q: memref<?x4096xf8E5M2>, %s: memref<?x1xf32>) {
  norm.quantize per_token %x : memref<?x4096xf16> into %q : memref<?x4096xf8E5M2>, %s : memref<?x1xf32>
  return
}
func.func @per_token_fnuz(%x: memref<?x4096xbf16>, %q: memref<?x4096xf8E4M3FNUZ>, %s: memref<?x1xf32>) {
  norm.quantize per_token %x : memref<?x4096xbf16> into %q : memref<?x4096xf8E4M3FNUZ>, %s : memref<?x1xf32>
  return
}
func.func @per_group(%x: memref<?x4096xbf16>, %q: memref<?x4096xf8E4M3FN>, %s: memref<32x?xf32>) {
  norm.quantize per_group(128, col_major) %x : memref<?x4096xbf16> into %q : memref<?x4096xf8E4M3FN>, %s : memref<32x?xf32>
  return
}
func.func @static_i8(%x: memref<?x100xf32>, %sc: memref<1xf32>, %sm: memref<100xf32>, %q: memref<?x100xi8>) {
  norm.quantize static %x : memref<?x100xf32> scale %sc : memref<1xf32> smooth %sm : memref<100xf32> into %q : memref<?x100xi8> {clip = 3.0 : f32}
  return
}
func.func @dynamic(%x: memref<?x?xf16>, %y: memref<?x?xf16>) {
  norm.rmsnorm %x : memref<?x?xf16> into %y : memref<?x?xf16>
  return
}
func.func @fused(%x: memref<?x4096xbf16>, %r: memref<?x4096xbf16>, %w: memref<4096xbf16>, %q: memref<?x4096xf8E4M3FN>, %s: memref<?x1xf32>, %y: memref<?x4096xbf16>) {
  norm.rmsnorm_quantize per_token %x : memref<?x4096xbf16> residual %r : memref<?x4096xbf16> gamma %w : memref<4096xbf16> into %q : memref<?x4096xf8E4M3FN>, %s : memref<?x1xf32> residual_out %r : memref<?x4096xbf16> normalized_out %y : memref<?x4096xbf16> {epsilon = 1.0e-05 : f32, intermediate_type = bf16}
  return
}
// Rows past the register budget: cached in dynamic shared memory where the
// chip has room (128 KiB: sm_80, sm_90, sm_100; read again on sm_89 and AMD).
func.func @long(%x: memref<?x65536xbf16>, %w: memref<65536xbf16>, %y: memref<?x65536xbf16>) {
  norm.rmsnorm %x : memref<?x65536xbf16>, gamma %w : memref<65536xbf16> into %y : memref<?x65536xbf16>
  return
}
// 56 KiB of shared memory on every chip, with a partial last chunk.
func.func @mid_add(%x: memref<?x28672xf16>, %r: memref<?x28672xf16>, %y: memref<?x28672xf16>) {
  norm.add_rmsnorm %x : memref<?x28672xf16>, residual %r : memref<?x28672xf16> into %y : memref<?x28672xf16>, %r : memref<?x28672xf16>
  return
}
