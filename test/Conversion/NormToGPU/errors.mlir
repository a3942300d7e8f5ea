// RUN: norm-opt %s -norm-to-gpu -split-input-file -verify-diagnostics

func.func @tensor_form(%x: tensor<8x64xf32>, %e: tensor<8x64xf32>) -> tensor<8x64xf32> {
  // expected-error @below {{cannot lower to GPU in tensor form: run one-shot-bufferize first}}
  %y = norm.rmsnorm %x : tensor<8x64xf32> into %e : tensor<8x64xf32> -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}

// -----

func.func @group_too_wide(%x: memref<?x1024xf32>, %q: memref<?x1024xi8>, %s: memref<?x2xf32>) {
  // expected-error @below {{cannot lower to GPU: group size 512 needs a power-of-two number (at most the warp size 32) of lanes; it would take 128 lanes of 4 elements}}
  norm.quantize per_group(512) %x : memref<?x1024xf32> into %q : memref<?x1024xi8>, %s : memref<?x2xf32>
  return
}

// -----

func.func @dynamic_inner_stride(%x: memref<?x64xf32, strided<[?, ?]>>, %y: memref<?x64xf32>) {
  // expected-error @below {{cannot lower to GPU: 'input' must have a static unit innermost stride, but has type 'memref<?x64xf32, strided<[?, ?]>>'}}
  norm.rmsnorm %x : memref<?x64xf32, strided<[?, ?]>> into %y : memref<?x64xf32>
  return
}

// -----

func.func @leading_dims_not_contiguous(%x: memref<2x3x64xf32, strided<[512, 128, 1]>>, %y: memref<2x3x64xf32>) {
  // expected-error @below {{cannot lower to GPU: the leading dimensions of 'input' must be contiguous to collapse into rows, but it has type 'memref<2x3x64xf32, strided<[512, 128, 1]>>'}}
  norm.rmsnorm %x : memref<2x3x64xf32, strided<[512, 128, 1]>> into %y : memref<2x3x64xf32>
  return
}

// -----

func.func @group_wider_than_warp(%x: memref<?x4096xbf16>, %q: memref<?x4096xi8>, %s: memref<?x32xf32>) {
  // The schedule is valid on its own (128 lanes <= 256 threads per row), but
  // a group must fit in one warp of the target.
  // expected-error @below {{cannot lower to GPU: a group of 128 columns takes 128 lanes of 1 elements, more than the warp size 32}}
  norm.quantize per_group(128) %x : memref<?x4096xbf16> into %q : memref<?x4096xi8>, %s : memref<?x32xf32> {schedule = #norm.schedule<threads_per_row = 256, rows_per_block = 1, vector_width = 1, row_storage = stream>}
  return
}

// -----

func.func @split_without_clusters(%x: memref<?x65536xbf16>, %y: memref<?x65536xbf16>) {
  // expected-error @below {{cannot lower to GPU: blocks_per_row = 2 needs thread-block clusters of that many blocks, but the target allows 1 (max-blocks-per-row; NVIDIA sm_90 and later have clusters of up to 8)}}
  norm.rmsnorm %x : memref<?x65536xbf16> into %y : memref<?x65536xbf16> {schedule = #norm.schedule<threads_per_row = 1024, rows_per_block = 1, vector_width = 8, row_storage = shared, blocks_per_row = 2>}
  return
}
