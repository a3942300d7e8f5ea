func.func @"my-model.layer(0) é"(%x: memref<?x4096xbf16>, %y: memref<?x4096xbf16>) {
  norm.rmsnorm %x : memref<?x4096xbf16> into %y : memref<?x4096xbf16>
  return
}
