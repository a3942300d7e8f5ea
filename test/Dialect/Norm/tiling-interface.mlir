// TilingInterface of the norm ops, through the transform dialect: the
// iteration domain is the rows, a tile is the same op on whole rows.
// RUN: norm-opt %s -transform-interpreter -canonicalize -split-input-file | FileCheck %s

// Dynamic rows: a partial last tile; gamma is read whole; attributes (the
// schedule too: H is unchanged) carry over.
// CHECK-LABEL: func @rmsnorm
// CHECK-SAME: (%[[X:.*]]: tensor<?x4096xbf16>, %[[W:.*]]: tensor<4096xbf16>, %[[E:.*]]: tensor<?x4096xbf16>)
// CHECK: %[[ROWS:.*]] = tensor.dim %[[X]], %c0
// CHECK: %[[R:.*]] = scf.for %[[I:.*]] = %c0 to %[[ROWS]] step %c16 iter_args(%[[ACC:.*]] = %[[E]])
// CHECK: %[[N:.*]] = affine.min #{{.*}}(%[[I]])[%[[ROWS]]]
// CHECK: %[[XS:.*]] = tensor.extract_slice %[[X]][%[[I]], 0] [%[[N]], 4096] [1, 1] : tensor<?x4096xbf16> to tensor<?x4096xbf16>
// CHECK: %[[ES:.*]] = tensor.extract_slice %[[ACC]][%[[I]], 0] [%[[N]], 4096] [1, 1]
// CHECK: %[[Y:.*]] = norm.rmsnorm %[[XS]] : tensor<?x4096xbf16>, gamma %[[W]] : tensor<4096xbf16> into %[[ES]] : tensor<?x4096xbf16> {epsilon = 9.99999974E-6 : f32, schedule = #norm.schedule<threads_per_row = 128, rows_per_block = 1, vector_width = 8, row_storage = registers>}
// CHECK: %[[INS:.*]] = tensor.insert_slice %[[Y]] into %[[ACC]][%[[I]], 0] [%[[N]], 4096] [1, 1]
// CHECK: scf.yield %[[INS]]
// CHECK: return %[[R]]
func.func @rmsnorm(%x: tensor<?x4096xbf16>, %w: tensor<4096xbf16>, %e: tensor<?x4096xbf16>) -> tensor<?x4096xbf16> {
  %y = norm.rmsnorm %x : tensor<?x4096xbf16>, gamma %w : tensor<4096xbf16> into %e : tensor<?x4096xbf16> {epsilon = 1.0e-05 : f32, schedule = #norm.schedule<threads_per_row = 128, rows_per_block = 1, vector_width = 8, row_storage = registers>} -> tensor<?x4096xbf16>
  return %y : tensor<?x4096xbf16>
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["norm.rmsnorm"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loop = transform.structured.tile_using_for %op tile_sizes [16] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// Two results: the normalized rows and the updated residual, each inserted
// into its own destination.
// CHECK-LABEL: func @add_rmsnorm
// CHECK: scf.for %[[I:.*]] = %c0 to %c64 step %c8 iter_args(%[[A0:.*]] = %{{.*}}, %[[A1:.*]] = %{{.*}}) -> (tensor<64x512xbf16>, tensor<64x512xf32>)
// CHECK-DAG: tensor.extract_slice %{{.*}}[%[[I]], 0] [8, 512] [1, 1] : tensor<64x512xbf16> to tensor<8x512xbf16>
// CHECK-DAG: tensor.extract_slice %{{.*}}[%[[I]], 0] [8, 512] [1, 1] : tensor<64x512xf32> to tensor<8x512xf32>
// CHECK: %[[Y:.*]]:2 = norm.add_rmsnorm %{{.*}} : tensor<8x512xbf16>, residual %{{.*}} : tensor<8x512xf32> into %{{.*}} : tensor<8x512xbf16>, %{{.*}} : tensor<8x512xf32> -> tensor<8x512xbf16>, tensor<8x512xf32>
// CHECK: tensor.insert_slice %[[Y]]#0 into %[[A0]][%[[I]], 0] [8, 512] [1, 1]
// CHECK: tensor.insert_slice %[[Y]]#1 into %[[A1]][%[[I]], 0] [8, 512] [1, 1]
func.func @add_rmsnorm(%x: tensor<64x512xbf16>, %r: tensor<64x512xf32>, %e: tensor<64x512xbf16>) -> (tensor<64x512xbf16>, tensor<64x512xf32>) {
  %y, %s = norm.add_rmsnorm %x : tensor<64x512xbf16>, residual %r : tensor<64x512xf32> into %e : tensor<64x512xbf16>, %r : tensor<64x512xf32> -> tensor<64x512xbf16>, tensor<64x512xf32>
  return %y, %s : tensor<64x512xbf16>, tensor<64x512xf32>
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["norm.add_rmsnorm"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loop = transform.structured.tile_using_for %op tile_sizes [8] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// Column-major per-group scales [H/G, rows] are sliced in their second dim.
// CHECK-LABEL: func @quantize_col_major
// CHECK: scf.for %[[I:.*]] = %c0 to %c64 step %c16
// CHECK: %[[Q:.*]] = tensor.extract_slice %{{.*}}[%[[I]], 0] [16, 4096] [1, 1] : tensor<64x4096xf8E4M3FN> to tensor<16x4096xf8E4M3FN>
// CHECK: %[[S:.*]] = tensor.extract_slice %{{.*}}[0, %[[I]]] [32, 16] [1, 1] : tensor<32x64xf32> to tensor<32x16xf32>
// CHECK: norm.quantize per_group(128, col_major) %{{.*}} : tensor<16x4096xbf16> into %[[Q]] : tensor<16x4096xf8E4M3FN>, %[[S]] : tensor<32x16xf32>
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, %[[I]]] [32, 16] [1, 1] : tensor<32x16xf32> into tensor<32x64xf32>
func.func @quantize_col_major(%x: tensor<64x4096xbf16>, %q0: tensor<64x4096xf8E4M3FN>, %s0: tensor<32x64xf32>) -> (tensor<64x4096xf8E4M3FN>, tensor<32x64xf32>) {
  %q, %s = norm.quantize per_group(128, col_major) %x : tensor<64x4096xbf16> into %q0 : tensor<64x4096xf8E4M3FN>, %s0 : tensor<32x64xf32> -> tensor<64x4096xf8E4M3FN>, tensor<32x64xf32>
  return %q, %s : tensor<64x4096xf8E4M3FN>, tensor<32x64xf32>
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["norm.quantize"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loop = transform.structured.tile_using_for %op tile_sizes [16] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// Rank 3: one loop per leading dim; the static scale and smooth are read
// whole, the per-token scales [B, T, 1] follow the rows.
// CHECK-LABEL: func @rmsnorm_quantize_3d
// CHECK: scf.for %[[B:.*]] = %c0 to %c2 step %c1
// CHECK: scf.for %[[T:.*]] = %c0 to %c32 step %c8
// CHECK: tensor.extract_slice %{{.*}}[%[[B]], %[[T]], 0] [1, 8, 256] [1, 1, 1] : tensor<2x32x256xf16> to tensor<1x8x256xf16>
// CHECK: tensor.extract_slice %{{.*}}[%[[B]], %[[T]], 0] [1, 8, 1] [1, 1, 1] : tensor<2x32x1xf32> to tensor<1x8x1xf32>
// CHECK: norm.rmsnorm_quantize per_token %{{.*}} : tensor<1x8x256xf16> smooth %{{.*}} : tensor<256xf32> into %{{.*}} : tensor<1x8x256xi8>, %{{.*}} : tensor<1x8x1xf32> {intermediate_type = f16}
func.func @rmsnorm_quantize_3d(%x: tensor<2x32x256xf16>, %sm: tensor<256xf32>, %q0: tensor<2x32x256xi8>, %s0: tensor<2x32x1xf32>) -> (tensor<2x32x256xi8>, tensor<2x32x1xf32>) {
  %q, %s = norm.rmsnorm_quantize per_token %x : tensor<2x32x256xf16> smooth %sm : tensor<256xf32> into %q0 : tensor<2x32x256xi8>, %s0 : tensor<2x32x1xf32> {intermediate_type = f16} -> tensor<2x32x256xi8>, tensor<2x32x1xf32>
  return %q, %s : tensor<2x32x256xi8>, tensor<2x32x1xf32>
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["norm.rmsnorm_quantize"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loops:2 = transform.structured.tile_using_for %op tile_sizes [1, 8] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// Producer fusion: a consumer tiled by whole rows computes its rows of the
// normalized tensor in the loop.
// CHECK-LABEL: func @fuse_whole_rows
// CHECK: scf.for %[[I:.*]] = %c0 to %c64 step %c8
// CHECK: %[[XS:.*]] = tensor.extract_slice %{{.*}}[%[[I]], 0] [8, 4096] [1, 1]
// CHECK: %[[Y:.*]] = norm.rmsnorm %[[XS]] : tensor<8x4096xbf16>
// CHECK: linalg.generic {{.*}} ins(%[[Y]] : tensor<8x4096xbf16>)
func.func @fuse_whole_rows(%x: tensor<64x4096xbf16>, %e: tensor<64x4096xbf16>, %o: tensor<64x4096xf32>) -> tensor<64x4096xf32> {
  %y = norm.rmsnorm %x : tensor<64x4096xbf16> into %e : tensor<64x4096xbf16> -> tensor<64x4096xbf16>
  %z = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%y : tensor<64x4096xbf16>) outs(%o : tensor<64x4096xf32>) {
  ^bb0(%a: bf16, %b: f32):
    %c = arith.extf %a : bf16 to f32
    linalg.yield %c : f32
  } -> tensor<64x4096xf32>
  return %z : tensor<64x4096xf32>
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %g = transform.structured.match ops{["linalg.generic"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loop = transform.structured.fuse %g tile_sizes [8, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// A tile of part of a row cannot be computed (H is a reduction): the norm op
// stays whole, in front of the loops.
// CHECK-LABEL: func @no_fusion_of_partial_rows
// CHECK: %[[Y:.*]] = norm.rmsnorm %{{.*}} : tensor<64x4096xbf16>
// CHECK: scf.for
// CHECK: scf.for
// CHECK: tensor.extract_slice %[[Y]]
// CHECK-NOT: norm.rmsnorm
func.func @no_fusion_of_partial_rows(%x: tensor<64x4096xbf16>, %e: tensor<64x4096xbf16>, %o: tensor<64x4096xf32>) -> tensor<64x4096xf32> {
  %y = norm.rmsnorm %x : tensor<64x4096xbf16> into %e : tensor<64x4096xbf16> -> tensor<64x4096xbf16>
  %z = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%y : tensor<64x4096xbf16>) outs(%o : tensor<64x4096xf32>) {
  ^bb0(%a: bf16, %b: f32):
    %c = arith.extf %a : bf16 to f32
    linalg.yield %c : f32
  } -> tensor<64x4096xf32>
  return %z : tensor<64x4096xf32>
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %g = transform.structured.match ops{["linalg.generic"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %loops:2 = transform.structured.fuse %g tile_sizes [8, 512] : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
    transform.yield
  }
}
