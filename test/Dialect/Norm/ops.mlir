// Round trip of every op and attribute, in the custom and the generic form.
// RUN: norm-opt %s | norm-opt | FileCheck %s
// RUN: norm-opt %s --mlir-print-op-generic | norm-opt | FileCheck %s
// RUN: norm-opt %s --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC

// CHECK-LABEL: func @rmsnorm_defaults
// CHECK: norm.rmsnorm %{{.*}} : tensor<?x4096xbf16> into %{{.*}} : tensor<?x4096xbf16> -> tensor<?x4096xbf16>
// GENERIC-LABEL: sym_name = "rmsnorm_defaults"
// GENERIC: "norm.rmsnorm"(%{{.*}}, %{{.*}}) <{epsilon = 9.99999997E-7 : f32, weight_offset = 0.000000e+00 : f32}>
func.func @rmsnorm_defaults(%x: tensor<?x4096xbf16>, %e: tensor<?x4096xbf16>) -> tensor<?x4096xbf16> {
  %y = norm.rmsnorm %x : tensor<?x4096xbf16> into %e : tensor<?x4096xbf16> -> tensor<?x4096xbf16>
  return %y : tensor<?x4096xbf16>
}

// CHECK-LABEL: func @rmsnorm_all_attributes
// CHECK: norm.rmsnorm %{{.*}} : tensor<2x3x7xf16>, gamma %{{.*}} : tensor<7xf32> into %{{.*}} : tensor<2x3x7xf32> {epsilon = 9.99999974E-6 : f32, weight_offset = 1.000000e+00 : f32} -> tensor<2x3x7xf32>
func.func @rmsnorm_all_attributes(%x: tensor<2x3x7xf16>, %w: tensor<7xf32>, %e: tensor<2x3x7xf32>) -> tensor<2x3x7xf32> {
  %y = norm.rmsnorm %x : tensor<2x3x7xf16>, gamma %w : tensor<7xf32> into %e : tensor<2x3x7xf32> {epsilon = 1.0e-05 : f32, weight_offset = 1.0 : f32} -> tensor<2x3x7xf32>
  return %y : tensor<2x3x7xf32>
}

// CHECK-LABEL: func @rmsnorm_normalized_type
// CHECK: norm.rmsnorm %{{.*}} : tensor<?x4096xbf16>, gamma %{{.*}} : tensor<4096xbf16> into %{{.*}} : tensor<?x4096xbf16> {normalized_type = bf16} -> tensor<?x4096xbf16>
// GENERIC-LABEL: sym_name = "rmsnorm_normalized_type"
// GENERIC: "norm.rmsnorm"(%{{.*}}, %{{.*}}, %{{.*}}) <{epsilon = 9.99999997E-7 : f32, normalized_type = bf16, weight_offset = 0.000000e+00 : f32}>
func.func @rmsnorm_normalized_type(%x: tensor<?x4096xbf16>, %w: tensor<4096xbf16>, %e: tensor<?x4096xbf16>) -> tensor<?x4096xbf16> {
  %y = norm.rmsnorm %x : tensor<?x4096xbf16>, gamma %w : tensor<4096xbf16> into %e : tensor<?x4096xbf16> {normalized_type = bf16} -> tensor<?x4096xbf16>
  return %y : tensor<?x4096xbf16>
}

// CHECK-LABEL: func @rmsnorm_memref
// CHECK: norm.rmsnorm %{{.*}} : memref<?x?xf32, strided<[?, 1]>>, gamma %{{.*}} : memref<?xf32> into %{{.*}} : memref<?x?xbf16>{{$}}
func.func @rmsnorm_memref(%x: memref<?x?xf32, strided<[?, 1]>>, %w: memref<?xf32>, %o: memref<?x?xbf16>) {
  norm.rmsnorm %x : memref<?x?xf32, strided<[?, 1]>>, gamma %w : memref<?xf32> into %o : memref<?x?xbf16>
  return
}

// CHECK-LABEL: func @add_rmsnorm
// CHECK: norm.add_rmsnorm %{{.*}} : tensor<?x4096xbf16>, residual %{{.*}} : tensor<?x4096xf32>, gamma %{{.*}} : tensor<4096xbf16> into %{{.*}} : tensor<?x4096xbf16>, %{{.*}} : tensor<?x4096xf32> {epsilon = 9.99999974E-6 : f32} -> tensor<?x4096xbf16>, tensor<?x4096xf32>
func.func @add_rmsnorm(%x: tensor<?x4096xbf16>, %r: tensor<?x4096xf32>, %w: tensor<4096xbf16>, %e0: tensor<?x4096xbf16>, %e1: tensor<?x4096xf32>) -> (tensor<?x4096xbf16>, tensor<?x4096xf32>) {
  %y, %rn = norm.add_rmsnorm %x : tensor<?x4096xbf16>, residual %r : tensor<?x4096xf32>, gamma %w : tensor<4096xbf16> into %e0 : tensor<?x4096xbf16>, %e1 : tensor<?x4096xf32> {epsilon = 1.0e-05 : f32} -> tensor<?x4096xbf16>, tensor<?x4096xf32>
  return %y, %rn : tensor<?x4096xbf16>, tensor<?x4096xf32>
}

// CHECK-LABEL: func @add_rmsnorm_no_gamma_memref
// CHECK: norm.add_rmsnorm %{{.*}} : memref<1x7xf16>, residual %{{.*}} : memref<1x7xf16> into %{{.*}} : memref<1x7xf16>, %{{.*}} : memref<1x7xf16> {weight_offset = 1.000000e+00 : f32}{{$}}
func.func @add_rmsnorm_no_gamma_memref(%x: memref<1x7xf16>, %r: memref<1x7xf16>, %o: memref<1x7xf16>) {
  norm.add_rmsnorm %x : memref<1x7xf16>, residual %r : memref<1x7xf16> into %o : memref<1x7xf16>, %r : memref<1x7xf16> {weight_offset = 1.0 : f32}
  return
}

// CHECK-LABEL: func @quantize_per_token
// CHECK: norm.quantize per_token %{{.*}} : tensor<?x4096xbf16> into %{{.*}} : tensor<?x4096xf8E4M3FN>, %{{.*}} : tensor<?x1xf32> -> tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>
// GENERIC-LABEL: sym_name = "quantize_per_token"
// GENERIC: "norm.quantize"(%{{.*}}, %{{.*}}, %{{.*}}) <{operandSegmentSizes = array<i32: 1, 0, 0, 1, 1>, scheme = #norm.quant_scheme<per_token>}>
func.func @quantize_per_token(%x: tensor<?x4096xbf16>, %q0: tensor<?x4096xf8E4M3FN>, %s0: tensor<?x1xf32>) -> (tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>) {
  %q, %s = norm.quantize per_token %x : tensor<?x4096xbf16> into %q0 : tensor<?x4096xf8E4M3FN>, %s0 : tensor<?x1xf32> -> tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>
  return %q, %s : tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>
}

// CHECK-LABEL: func @quantize_per_token_all_options
// CHECK: norm.quantize per_token %{{.*}} : tensor<4x64xf16> smooth %{{.*}} : tensor<64xf32> into %{{.*}} : tensor<4x64xi8>, %{{.*}} : tensor<4x1xf32> {clip = 1.000000e+01 : f32, min_scale = 9.99999974E-6 : f32, scale_ub = 1.200000e+03 : f32} -> tensor<4x64xi8>, tensor<4x1xf32>
func.func @quantize_per_token_all_options(%x: tensor<4x64xf16>, %sm: tensor<64xf32>, %q0: tensor<4x64xi8>, %s0: tensor<4x1xf32>) -> (tensor<4x64xi8>, tensor<4x1xf32>) {
  %q, %s = norm.quantize per_token %x : tensor<4x64xf16> smooth %sm : tensor<64xf32> into %q0 : tensor<4x64xi8>, %s0 : tensor<4x1xf32> {clip = 10.0 : f32, min_scale = 1.0e-05 : f32, scale_ub = 1200.0 : f32} -> tensor<4x64xi8>, tensor<4x1xf32>
  return %q, %s : tensor<4x64xi8>, tensor<4x1xf32>
}

// CHECK-LABEL: func @quantize_per_group_row_major
// CHECK: norm.quantize per_group(128) %{{.*}} : tensor<?x4096xbf16> into %{{.*}} : tensor<?x4096xf8E4M3FNUZ>, %{{.*}} : tensor<?x32xf32>
// GENERIC-LABEL: sym_name = "quantize_per_group_row_major"
// GENERIC: group_size = 128 : i64
func.func @quantize_per_group_row_major(%x: tensor<?x4096xbf16>, %q0: tensor<?x4096xf8E4M3FNUZ>, %s0: tensor<?x32xf32>) -> (tensor<?x4096xf8E4M3FNUZ>, tensor<?x32xf32>) {
  %q, %s = norm.quantize per_group(128) %x : tensor<?x4096xbf16> into %q0 : tensor<?x4096xf8E4M3FNUZ>, %s0 : tensor<?x32xf32> -> tensor<?x4096xf8E4M3FNUZ>, tensor<?x32xf32>
  return %q, %s : tensor<?x4096xf8E4M3FNUZ>, tensor<?x32xf32>
}

// CHECK-LABEL: func @quantize_per_group_explicit_row_major
// CHECK: norm.quantize per_group(64, row_major) %{{.*}} : tensor<8x256xf32> into %{{.*}} : tensor<8x256xf8E5M2>, %{{.*}} : tensor<8x4xf32>
func.func @quantize_per_group_explicit_row_major(%x: tensor<8x256xf32>, %q0: tensor<8x256xf8E5M2>, %s0: tensor<8x4xf32>) -> (tensor<8x256xf8E5M2>, tensor<8x4xf32>) {
  %q, %s = norm.quantize per_group(64, row_major) %x : tensor<8x256xf32> into %q0 : tensor<8x256xf8E5M2>, %s0 : tensor<8x4xf32> -> tensor<8x256xf8E5M2>, tensor<8x4xf32>
  return %q, %s : tensor<8x256xf8E5M2>, tensor<8x4xf32>
}

// CHECK-LABEL: func @quantize_per_group_col_major
// CHECK: norm.quantize per_group(128, col_major) %{{.*}} : tensor<2x?x4096xbf16> into %{{.*}} : tensor<2x?x4096xf8E4M3FN>, %{{.*}} : tensor<32x2x?xf32>
// GENERIC-LABEL: sym_name = "quantize_per_group_col_major"
// GENERIC: scale_layout = #norm.scale_layout<col_major>
func.func @quantize_per_group_col_major(%x: tensor<2x?x4096xbf16>, %q0: tensor<2x?x4096xf8E4M3FN>, %s0: tensor<32x2x?xf32>) -> (tensor<2x?x4096xf8E4M3FN>, tensor<32x2x?xf32>) {
  %q, %s = norm.quantize per_group(128, col_major) %x : tensor<2x?x4096xbf16> into %q0 : tensor<2x?x4096xf8E4M3FN>, %s0 : tensor<32x2x?xf32> -> tensor<2x?x4096xf8E4M3FN>, tensor<32x2x?xf32>
  return %q, %s : tensor<2x?x4096xf8E4M3FN>, tensor<32x2x?xf32>
}

// CHECK-LABEL: func @quantize_per_group_dynamic_h
// CHECK: norm.quantize per_group(128) %{{.*}} : tensor<?x?xbf16> into %{{.*}} : tensor<?x?xf8E4M3FN>, %{{.*}} : tensor<?x?xf32>
func.func @quantize_per_group_dynamic_h(%x: tensor<?x?xbf16>, %q0: tensor<?x?xf8E4M3FN>, %s0: tensor<?x?xf32>) -> (tensor<?x?xf8E4M3FN>, tensor<?x?xf32>) {
  %q, %s = norm.quantize per_group(128) %x : tensor<?x?xbf16> into %q0 : tensor<?x?xf8E4M3FN>, %s0 : tensor<?x?xf32> -> tensor<?x?xf8E4M3FN>, tensor<?x?xf32>
  return %q, %s : tensor<?x?xf8E4M3FN>, tensor<?x?xf32>
}

// CHECK-LABEL: func @quantize_static
// CHECK: norm.quantize static %{{.*}} : tensor<?x4096xbf16> scale %{{.*}} : tensor<1xf32> into %{{.*}} : tensor<?x4096xi8> {clip = 5.000000e+00 : f32} -> tensor<?x4096xi8>
// GENERIC-LABEL: sym_name = "quantize_static"
// GENERIC: scheme = #norm.quant_scheme<static>
func.func @quantize_static(%x: tensor<?x4096xbf16>, %sc: tensor<1xf32>, %q0: tensor<?x4096xi8>) -> tensor<?x4096xi8> {
  %q = norm.quantize static %x : tensor<?x4096xbf16> scale %sc : tensor<1xf32> into %q0 : tensor<?x4096xi8> {clip = 5.0 : f32} -> tensor<?x4096xi8>
  return %q : tensor<?x4096xi8>
}

// CHECK-LABEL: func @quantize_static_scalar_memref
// CHECK: norm.quantize static %{{.*}} : memref<16x100xf32> scale %{{.*}} : memref<f32> smooth %{{.*}} : memref<100xf32> into %{{.*}} : memref<16x100xf8E4M3FN>{{$}}
func.func @quantize_static_scalar_memref(%x: memref<16x100xf32>, %sc: memref<f32>, %sm: memref<100xf32>, %q: memref<16x100xf8E4M3FN>) {
  norm.quantize static %x : memref<16x100xf32> scale %sc : memref<f32> smooth %sm : memref<100xf32> into %q : memref<16x100xf8E4M3FN>
  return
}

// CHECK-LABEL: func @quantize_rank1
// CHECK: norm.quantize per_token %{{.*}} : tensor<7xf32> into %{{.*}} : tensor<7xf8E4M3FN>, %{{.*}} : tensor<1xf32>
func.func @quantize_rank1(%x: tensor<7xf32>, %q0: tensor<7xf8E4M3FN>, %s0: tensor<1xf32>) -> (tensor<7xf8E4M3FN>, tensor<1xf32>) {
  %q, %s = norm.quantize per_token %x : tensor<7xf32> into %q0 : tensor<7xf8E4M3FN>, %s0 : tensor<1xf32> -> tensor<7xf8E4M3FN>, tensor<1xf32>
  return %q, %s : tensor<7xf8E4M3FN>, tensor<1xf32>
}

// CHECK-LABEL: func @rmsnorm_quantize_add_per_token
// CHECK: norm.rmsnorm_quantize per_token %{{.*}} : tensor<?x4096xbf16> residual %{{.*}} : tensor<?x4096xbf16> gamma %{{.*}} : tensor<4096xbf16> into %{{.*}} : tensor<?x4096xf8E4M3FN>, %{{.*}} : tensor<?x1xf32> residual_out %{{.*}} : tensor<?x4096xbf16> normalized_out %{{.*}} : tensor<?x4096xbf16> {epsilon = 9.99999974E-6 : f32, intermediate_type = bf16} -> tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>, tensor<?x4096xbf16>, tensor<?x4096xbf16>
// GENERIC-LABEL: sym_name = "rmsnorm_quantize_add_per_token"
// GENERIC: "norm.rmsnorm_quantize"(%{{.*}}) <{epsilon = 9.99999974E-6 : f32, intermediate_type = bf16, operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 1, 1, 1, 1>, scheme = #norm.quant_scheme<per_token>, weight_offset = 0.000000e+00 : f32}>
func.func @rmsnorm_quantize_add_per_token(%x: tensor<?x4096xbf16>, %res: tensor<?x4096xbf16>, %w: tensor<4096xbf16>, %q0: tensor<?x4096xf8E4M3FN>, %s0: tensor<?x1xf32>, %r0: tensor<?x4096xbf16>, %y0: tensor<?x4096xbf16>) -> (tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>, tensor<?x4096xbf16>, tensor<?x4096xbf16>) {
  %q, %s, %r, %y = norm.rmsnorm_quantize per_token %x : tensor<?x4096xbf16> residual %res : tensor<?x4096xbf16> gamma %w : tensor<4096xbf16> into %q0 : tensor<?x4096xf8E4M3FN>, %s0 : tensor<?x1xf32> residual_out %r0 : tensor<?x4096xbf16> normalized_out %y0 : tensor<?x4096xbf16> {epsilon = 1.0e-05 : f32, intermediate_type = bf16} -> tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>, tensor<?x4096xbf16>, tensor<?x4096xbf16>
  return %q, %s, %r, %y : tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>, tensor<?x4096xbf16>, tensor<?x4096xbf16>
}

// CHECK-LABEL: func @rmsnorm_quantize_per_group_all_options
// CHECK: norm.rmsnorm_quantize per_group(128, col_major) %{{.*}} : tensor<2x?x4096xf16> gamma %{{.*}} : tensor<4096xf32> smooth %{{.*}} : tensor<4096xf32> into %{{.*}} : tensor<2x?x4096xi8>, %{{.*}} : tensor<32x2x?xf32> {clip = 1.000000e+01 : f32, intermediate_type = f16, min_scale = 9.99999974E-6 : f32, scale_ub = 1.200000e+03 : f32, weight_offset = 1.000000e+00 : f32} -> tensor<2x?x4096xi8>, tensor<32x2x?xf32>
func.func @rmsnorm_quantize_per_group_all_options(%x: tensor<2x?x4096xf16>, %w: tensor<4096xf32>, %sm: tensor<4096xf32>, %q0: tensor<2x?x4096xi8>, %s0: tensor<32x2x?xf32>) -> (tensor<2x?x4096xi8>, tensor<32x2x?xf32>) {
  %q, %s = norm.rmsnorm_quantize per_group(128, col_major) %x : tensor<2x?x4096xf16> gamma %w : tensor<4096xf32> smooth %sm : tensor<4096xf32> into %q0 : tensor<2x?x4096xi8>, %s0 : tensor<32x2x?xf32> {clip = 10.0 : f32, intermediate_type = f16, min_scale = 1.0e-05 : f32, scale_ub = 1200.0 : f32, weight_offset = 1.0 : f32} -> tensor<2x?x4096xi8>, tensor<32x2x?xf32>
  return %q, %s : tensor<2x?x4096xi8>, tensor<32x2x?xf32>
}

// CHECK-LABEL: func @rmsnorm_quantize_static_memref
// CHECK: norm.rmsnorm_quantize static %{{.*}} : memref<?x100xf32> residual %[[R:.*]] : memref<?x100xf32> scale %{{.*}} : memref<f32> into %{{.*}} : memref<?x100xf8E5M2> residual_out %[[R]] : memref<?x100xf32>{{$}}
func.func @rmsnorm_quantize_static_memref(%x: memref<?x100xf32>, %r: memref<?x100xf32>, %sc: memref<f32>, %q: memref<?x100xf8E5M2>) {
  norm.rmsnorm_quantize static %x : memref<?x100xf32> residual %r : memref<?x100xf32> scale %sc : memref<f32> into %q : memref<?x100xf8E5M2> residual_out %r : memref<?x100xf32>
  return
}

// CHECK-LABEL: func @schedules
// CHECK: norm.rmsnorm %{{.*}} : tensor<?x65536xbf16> into %{{.*}} : tensor<?x65536xbf16> {schedule = #norm.schedule<threads_per_row = 1024, rows_per_block = 1, vector_width = 8, row_storage = shared>} -> tensor<?x65536xbf16>
// CHECK: norm.add_rmsnorm {{.*}} {schedule = #norm.schedule<threads_per_row = 2, rows_per_block = 64, vector_width = 8, row_storage = registers>}
// CHECK: norm.quantize per_group(128) {{.*}} {schedule = #norm.schedule<threads_per_row = 256, rows_per_block = 1, vector_width = 8, row_storage = stream>}
// CHECK: norm.rmsnorm_quantize per_token {{.*}} {schedule = #norm.schedule<threads_per_row = 64, rows_per_block = 4, vector_width = 4, row_storage = stream>}
// blocks_per_row is printed when it is not 1.
// CHECK: norm.rmsnorm %{{.*}} : tensor<?x65536xbf16> into %{{.*}} : tensor<?x65536xbf16> {schedule = #norm.schedule<threads_per_row = 512, rows_per_block = 1, vector_width = 8, row_storage = registers, blocks_per_row = 4>} -> tensor<?x65536xbf16>
// CHECK: norm.rmsnorm %{{.*}} : tensor<?x65536xbf16> into %{{.*}} : tensor<?x65536xbf16> {schedule = #norm.schedule<threads_per_row = 1024, rows_per_block = 1, vector_width = 8, row_storage = shared>} -> tensor<?x65536xbf16>
// GENERIC-LABEL: sym_name = "schedules"
// GENERIC: "norm.rmsnorm"(%{{.*}}, %{{.*}}) <{epsilon = 9.99999997E-7 : f32, schedule = #norm.schedule<threads_per_row = 1024, rows_per_block = 1, vector_width = 8, row_storage = shared>, weight_offset = 0.000000e+00 : f32}>
func.func @schedules(%x: tensor<?x65536xbf16>, %e: tensor<?x65536xbf16>, %r: memref<?x64xbf16>, %xd: tensor<?x?xbf16>, %qd: tensor<?x?xf8E4M3FN>, %sd: tensor<?x?xf32>, %xf: memref<?x4096xf32>, %q: memref<?x4096xi8>, %sc: memref<?x1xf32>) {
  %y = norm.rmsnorm %x : tensor<?x65536xbf16> into %e : tensor<?x65536xbf16> {schedule = #norm.schedule<threads_per_row = 1024, rows_per_block = 1, vector_width = 8, row_storage = shared>} -> tensor<?x65536xbf16>
  norm.add_rmsnorm %r : memref<?x64xbf16>, residual %r : memref<?x64xbf16> into %r : memref<?x64xbf16>, %r : memref<?x64xbf16> {schedule = #norm.schedule<row_storage = registers, vector_width = 8, rows_per_block = 64, threads_per_row = 2>}
  %qq, %ss = norm.quantize per_group(128) %xd : tensor<?x?xbf16> into %qd : tensor<?x?xf8E4M3FN>, %sd : tensor<?x?xf32> {schedule = #norm.schedule<threads_per_row = 256, rows_per_block = 1, vector_width = 8, row_storage = stream>} -> tensor<?x?xf8E4M3FN>, tensor<?x?xf32>
  norm.rmsnorm_quantize per_token %xf : memref<?x4096xf32> into %q : memref<?x4096xi8>, %sc : memref<?x1xf32> {schedule = #norm.schedule<threads_per_row = 64, rows_per_block = 4, vector_width = 4, row_storage = stream>}
  %split = norm.rmsnorm %x : tensor<?x65536xbf16> into %e : tensor<?x65536xbf16> {schedule = #norm.schedule<threads_per_row = 512, rows_per_block = 1, vector_width = 8, row_storage = registers, blocks_per_row = 4>} -> tensor<?x65536xbf16>
  %whole = norm.rmsnorm %x : tensor<?x65536xbf16> into %e : tensor<?x65536xbf16> {schedule = #norm.schedule<threads_per_row = 1024, rows_per_block = 1, vector_width = 8, row_storage = shared, blocks_per_row = 1>} -> tensor<?x65536xbf16>
  return
}

// The dialect's discardable attributes: a kernel's row cache policy.
// CHECK-LABEL: func @row_cache_policies
// CHECK-SAME: attributes {norm.row_cache_policy = "evict_last_loads"}
// CHECK-LABEL: func @streaming_rows
// CHECK-SAME: attributes {norm.row_cache_policy = "streaming"}
func.func @row_cache_policies() attributes {norm.row_cache_policy = "evict_last_loads"} {
  return
}
func.func @streaming_rows() attributes {norm.row_cache_policy = "streaming"} {
  return
}
