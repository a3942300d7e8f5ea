// Per-token quantizers for test/Target/nvvm-quantizers.test: scales that do
// and do not bound x / scale, amaxes that are and are not packed.
func.func @bf16_fp8(%x: memref<?x4096xbf16>, %w: memref<4096xbf16>, %q: memref<?x4096xf8E4M3FN>, %s: memref<?x1xf32>) {
  norm.rmsnorm_quantize per_token %x : memref<?x4096xbf16> gamma %w : memref<4096xbf16> into %q : memref<?x4096xf8E4M3FN>, %s : memref<?x1xf32> {epsilon = 1.0e-05 : f32, intermediate_type = bf16}
  return
}
func.func @f16_i8(%x: memref<?x4096xf16>, %w: memref<4096xf16>, %q: memref<?x4096xi8>, %s: memref<?x1xf32>) {
  norm.rmsnorm_quantize per_token %x : memref<?x4096xf16> gamma %w : memref<4096xf16> into %q : memref<?x4096xi8>, %s : memref<?x1xf32> {epsilon = 1.0e-05 : f32, intermediate_type = f16}
  return
}
func.func @i8_scale_ub(%x: memref<?x4096xbf16>, %q: memref<?x4096xi8>, %s: memref<?x1xf32>) {
  norm.quantize per_token %x : memref<?x4096xbf16> into %q : memref<?x4096xi8>, %s : memref<?x1xf32> {scale_ub = 1200.0 : f32}
  return
}
func.func @bf16_fp8_smooth(%x: memref<?x4096xbf16>, %w: memref<4096xbf16>, %sm: memref<4096xf32>, %q: memref<?x4096xf8E4M3FN>, %s: memref<?x1xf32>) {
  norm.rmsnorm_quantize per_token %x : memref<?x4096xbf16> gamma %w : memref<4096xbf16> smooth %sm : memref<4096xf32> into %q : memref<?x4096xf8E4M3FN>, %s : memref<?x1xf32> {epsilon = 1.0e-05 : f32, intermediate_type = bf16}
  return
}
