// RUN: norm-opt %s -norm-to-gpu="packed-half-max=true max-blocks-per-row=8" -canonicalize -cse -split-input-file | FileCheck %s
// RUN: norm-opt %s -norm-to-gpu="max-blocks-per-row=8" -canonicalize -cse -split-input-file | FileCheck %s --check-prefix=UNPACKED
// (max-blocks-per-row only admits the forced split schedules of the
// estimate cases at the end; the other cases choose the same kernels with
// or without it.)

// With packed-half-max, the amax of a row rounded to bf16 is a running max
// and min of element pairs in bf16 (max |x| = max(max x, -min x)), reduced
// to f32 once per thread. The scale then bounds x / scale by 448, so the
// quotient is not clamped before its correction.
// CHECK-LABEL: gpu.func @packed_amax
// CHECK: arith.truncf %{{.*}} : vector<8xf32> to vector<8xbf16>
// CHECK: %[[PAIR:.*]] = vector.shuffle %[[ROUNDED:.*]], %[[ROUNDED]] [0, 1] : vector<8xbf16>, vector<8xbf16>
// CHECK-DAG: arith.maximumf %[[PAIR]], %{{.*}} : vector<2xbf16>
// CHECK-DAG: arith.minimumf %[[PAIR]], %{{.*}} : vector<2xbf16>
// CHECK: %[[LOW:.*]] = arith.minimumf %{{.*}}, %{{.*}} : bf16
// CHECK: %[[NEG:.*]] = arith.negf %[[LOW]] : bf16
// CHECK: %[[MAG:.*]] = arith.maximumf %{{.*}}, %[[NEG]] : bf16
// CHECK: arith.extf %[[MAG]] : bf16 to f32
// CHECK: gpu.shuffle xor
// CHECK-NOT: vector.reduction <maximumf>
// CHECK: %[[Q:.*]] = arith.mulf %{{.*}} : vector<8xf32>
// CHECK-NEXT: arith.negf %[[Q]]
// CHECK: gpu.return
// UNPACKED-LABEL: gpu.func @packed_amax
// UNPACKED-NOT: vector<2xbf16>
// UNPACKED: vector.reduction <maximumf>
// UNPACKED-NOT: vector<2xbf16>
// UNPACKED: gpu.return
func.func @packed_amax(%x: memref<?x4096xbf16>, %w: memref<4096xbf16>, %q: memref<?x4096xf8E4M3FN>, %s: memref<?x1xf32>) {
  norm.rmsnorm_quantize per_token %x : memref<?x4096xbf16> gamma %w : memref<4096xbf16> into %q : memref<?x4096xf8E4M3FN>, %s : memref<?x1xf32> {epsilon = 1.0e-05 : f32, intermediate_type = bf16}
  return
}

// -----

// Per group in f16: the group's pairs, then the lane shuffles in f32.
// CHECK-LABEL: gpu.func @packed_amax_per_group
// CHECK: arith.maximumf %{{.*}} : vector<2xf16>
// CHECK: arith.minimumf %{{.*}} : vector<2xf16>
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK: gpu.shuffle xor
func.func @packed_amax_per_group(%x: memref<?x4096xf16>, %w: memref<4096xf16>, %q: memref<?x4096xf8E4M3FN>, %s: memref<?x32xf32>) {
  norm.rmsnorm_quantize per_group(128) %x : memref<?x4096xf16> gamma %w : memref<4096xf16> into %q : memref<?x4096xf8E4M3FN>, %s : memref<?x32xf32> {epsilon = 1.0e-05 : f32, intermediate_type = f16}
  return
}

// -----

// A smoothed row is no longer the rounded values: its amax stays in f32.
// CHECK-LABEL: gpu.func @smoothed_amax_in_f32
// CHECK-NOT: vector<2xbf16>
// CHECK: vector.reduction <maximumf>
// CHECK-NOT: vector<2xbf16>
// CHECK: gpu.return
func.func @smoothed_amax_in_f32(%x: memref<?x4096xbf16>, %w: memref<4096xbf16>, %sm: memref<4096xf32>, %q: memref<?x4096xf8E4M3FN>, %s: memref<?x1xf32>) {
  norm.rmsnorm_quantize per_token %x : memref<?x4096xbf16> gamma %w : memref<4096xbf16> smooth %sm : memref<4096xf32> into %q : memref<?x4096xf8E4M3FN>, %s : memref<?x1xf32> {epsilon = 1.0e-05 : f32, intermediate_type = bf16}
  return
}

// -----

// An int8 per-token quotient rounds within [-127, 127]: no clamp to
// [-128, 127] before the conversion.
// CHECK-LABEL: gpu.func @int8_bounded
// CHECK: %[[R:.*]] = math.roundeven %{{.*}} : vector<8xf32>
// CHECK-NEXT: %[[NAN:.*]] = arith.cmpf uno, %[[R]], %[[R]] : vector<8xf32>
// CHECK-NEXT: %[[S:.*]] = arith.select %[[NAN]], %{{.*}}, %[[R]]
// CHECK-NEXT: arith.fptosi %[[S]] : vector<8xf32> to vector<8xi8>
func.func @int8_bounded(%x: memref<?x4096xbf16>, %q: memref<?x4096xi8>, %s: memref<?x1xf32>) {
  norm.quantize per_token %x : memref<?x4096xbf16> into %q : memref<?x4096xi8>, %s : memref<?x1xf32>
  return
}

// -----

// scale_ub caps the scale below amax / qmax: the quotient is clamped to
// +-256 before its correction (an overflow would make inf - inf = NaN) and
// the rounded value to [-128, 127].
// CHECK-LABEL: gpu.func @int8_scale_ub
// CHECK: %[[Q:.*]] = arith.mulf %{{.*}} : vector<8xf32>
// CHECK-NEXT: %[[LO:.*]] = arith.maximumf %[[Q]], %cst{{.*}} : vector<8xf32>
// CHECK-NEXT: arith.minimumf %[[LO]], %cst{{.*}} : vector<8xf32>
// CHECK: math.roundeven
// CHECK-NEXT: arith.maximumf
// CHECK-NEXT: arith.minimumf
// CHECK-NEXT: arith.cmpf uno
func.func @int8_scale_ub(%x: memref<?x4096xbf16>, %q: memref<?x4096xi8>, %s: memref<?x1xf32>) {
  norm.quantize per_token %x : memref<?x4096xbf16> into %q : memref<?x4096xi8>, %s : memref<?x1xf32> {scale_ub = 1200.0 : f32}
  return
}

// -----

// So does a minimum scale below the smallest normal f32, whose reciprocal
// would overflow.
// CHECK-LABEL: gpu.func @fp8_tiny_min_scale
// CHECK: %[[Q:.*]] = arith.mulf %{{.*}} : vector<8xf32>
// CHECK-NEXT: arith.maximumf %[[Q]], %cst{{.*}} : vector<8xf32>
func.func @fp8_tiny_min_scale(%x: memref<?x4096xbf16>, %q: memref<?x4096xf8E4M3FN>, %s: memref<?x1xf32>) {
  norm.quantize per_token %x : memref<?x4096xbf16> into %q : memref<?x4096xf8E4M3FN>, %s : memref<?x1xf32> {min_scale = 1.0e-40 : f32}
  return
}

// -----

// An infinite scale (a row with an infinite value and no normalization)
// enters the quotient's remainder as the largest finite f32: x / inf is 0
// for a finite x, not the NaN of 0 * inf. The reciprocal is of the scale
// itself (1 / inf = 0).
// CHECK-LABEL: gpu.func @infinite_scale_quantize
// CHECK-DAG: %[[MAX:.*]] = arith.constant 3.40282347E+38 : f32
// CHECK: %[[RECIP:.*]] = arith.divf %{{.*}}, %[[SCALE:.*]] : f32
// CHECK: llvm.store %[[SCALE]]
// CHECK: %[[FINITE:.*]] = arith.minimumf %[[SCALE]], %[[MAX]] : f32
// CHECK-NEXT: %[[D:.*]] = vector.broadcast %[[FINITE]] : f32 to vector<8xf32>
// CHECK-NEXT: %[[R:.*]] = vector.broadcast %[[RECIP]] : f32 to vector<8xf32>
// CHECK-NEXT: %[[Q0:.*]] = arith.mulf %{{.*}}, %[[R]] : vector<8xf32>
// CHECK: %[[NEG:.*]] = arith.negf %[[Q0]] : vector<8xf32>
// CHECK: %[[REM:.*]] = math.fma %[[NEG]], %[[D]], %{{.*}} : vector<8xf32>
// CHECK: math.fma %[[REM]], %[[R]], %[[Q0]] : vector<8xf32>
// CHECK: gpu.return
func.func @infinite_scale(%x: memref<?x4096xbf16>, %q: memref<?x4096xf8E4M3FN>, %s: memref<?x1xf32>) {
  norm.quantize per_token %x : memref<?x4096xbf16> into %q : memref<?x4096xf8E4M3FN>, %s : memref<?x1xf32>
  return
}

// -----

// The amax estimate of a split row bounds gamma (max |gamma| <= 2^32): with
// packed-half-max, bf16 gamma's maximum goes two elements per instruction,
// on the raw pairs with their sign bits cleared (0x7fff7fff).
// CHECK-LABEL: gpu.func @estimate_gamma_bound_rmsnorm_quantize
// CHECK-DAG: %[[SIGNS:.*]] = arith.constant dense<2147450879> : vector<4xi32>
// CHECK-DAG: %[[GMAX:.*]] = arith.constant 4.2949673E+9 : f32
// CHECK-COUNT-4: llvm.store {{.*}} : vector<8xbf16>, !llvm.ptr<1>
// CHECK: %[[G:.*]] = llvm.load %{{.*}} : !llvm.ptr<1> -> vector<8xbf16>
// CHECK: llvm.load volatile %{{.*}} : !llvm.ptr<3> -> vector<8xbf16>
// CHECK: %[[WORDS:.*]] = vector.bitcast %[[G]] : vector<8xbf16> to vector<4xi32>
// CHECK: %[[MAGS:.*]] = arith.andi %[[WORDS]], %[[SIGNS]] : vector<4xi32>
// CHECK: %[[PAIRS:.*]] = vector.bitcast %[[MAGS]] : vector<4xi32> to vector<8xbf16>
// CHECK: vector.reduction <maximumf>, %[[PAIRS]] : vector<8xbf16> into bf16
// CHECK: arith.cmpf ole, %{{.*}}, %[[GMAX]] : f32
// CHECK: gpu.return
// UNPACKED-LABEL: gpu.func @estimate_gamma_bound_rmsnorm_quantize
// UNPACKED-DAG: %[[GMAX:.*]] = arith.constant 4.2949673E+9 : f32
// UNPACKED-DAG: %[[NAN:.*]] = arith.constant 0x7FC00000 : f32
// UNPACKED-NOT: vector<4xi32>
// UNPACKED-COUNT-4: llvm.store {{.*}} : vector<8xbf16>, !llvm.ptr<1>
// UNPACKED: %[[G:.*]] = arith.extf %{{.*}} : vector<8xbf16> to vector<8xf32>
// UNPACKED: llvm.load volatile
// UNPACKED: %[[GA:.*]] = math.absf %[[G]] : vector<8xf32>
// UNPACKED: vector.reduction <maximumf>, %[[GA]] : vector<8xf32> into f32
// UNPACKED: %[[BOUNDED:.*]] = arith.cmpf ole, %{{.*}}, %[[GMAX]] : f32
// UNPACKED: arith.select %[[BOUNDED]], %{{.*}}, %[[NAN]] : f32
// UNPACKED: gpu.return
func.func @estimate_gamma_bound(%x: memref<?x65536xbf16>, %r: memref<?x65536xbf16>, %w: memref<65536xbf16>, %q: memref<?x65536xf8E4M3FN>, %s: memref<?x1xf32>) {
  norm.rmsnorm_quantize per_token %x : memref<?x65536xbf16> residual %r : memref<?x65536xbf16> gamma %w : memref<65536xbf16> into %q : memref<?x65536xf8E4M3FN>, %s : memref<?x1xf32> residual_out %r : memref<?x65536xbf16> {intermediate_type = bf16, schedule = #norm.schedule<threads_per_row = 256, rows_per_block = 1, vector_width = 8, row_storage = shared, blocks_per_row = 8>}
  return
}

// -----

// With a weight offset, gamma + offset is no bf16 value: its maximum stays
// in f32.
// CHECK-LABEL: gpu.func @estimate_gamma_offset_rmsnorm_quantize
// CHECK-DAG: %[[GMAX:.*]] = arith.constant 4.2949673E+9 : f32
// CHECK-DAG: %[[NAN:.*]] = arith.constant 0x7FC00000 : f32
// CHECK-NOT: vector<4xi32>
// CHECK-COUNT-4: llvm.store {{.*}} : vector<8xbf16>, !llvm.ptr<1>
// CHECK: %[[G:.*]] = arith.addf %{{.*}}, %{{.*}} : vector<8xf32>
// CHECK: llvm.load volatile
// CHECK: %[[GA:.*]] = math.absf %[[G]] : vector<8xf32>
// CHECK: vector.reduction <maximumf>, %[[GA]] : vector<8xf32> into f32
// CHECK: %[[BOUNDED:.*]] = arith.cmpf ole, %{{.*}}, %[[GMAX]] : f32
// CHECK: arith.select %[[BOUNDED]], %{{.*}}, %[[NAN]] : f32
// CHECK: gpu.return
func.func @estimate_gamma_offset(%x: memref<?x65536xbf16>, %r: memref<?x65536xbf16>, %w: memref<65536xbf16>, %q: memref<?x65536xf8E4M3FN>, %s: memref<?x1xf32>) {
  norm.rmsnorm_quantize per_token %x : memref<?x65536xbf16> residual %r : memref<?x65536xbf16> gamma %w : memref<65536xbf16> into %q : memref<?x65536xf8E4M3FN>, %s : memref<?x1xf32> residual_out %r : memref<?x65536xbf16> {intermediate_type = bf16, weight_offset = 1.0 : f32, schedule = #norm.schedule<threads_per_row = 256, rows_per_block = 1, vector_width = 8, row_storage = shared, blocks_per_row = 8>}
  return
}

// -----

// No finite f16 gamma exceeds the bound (65504 < 2^32): nothing checks it,
// and the exchange carries max |x * gamma| as it is (an infinite or NaN
// gamma makes it, hence the estimate, infinite or NaN: the amax pass runs).
// With a weight offset that can take it past 2^32, the bound is back.
// CHECK-LABEL: gpu.func @estimate_f16_gamma_rmsnorm_quantize
// CHECK-NOT: 4.2949673E+9
// CHECK-NOT: 0x7FC00000
// CHECK: arith.bitcast %{{.*}} : f32 to i32
// CHECK: gpu.return
// UNPACKED-LABEL: gpu.func @estimate_f16_gamma_rmsnorm_quantize
// UNPACKED-NOT: 4.2949673E+9
// UNPACKED: arith.bitcast %{{.*}} : f32 to i32
// UNPACKED: gpu.return
func.func @estimate_f16_gamma(%x: memref<?x65536xf16>, %r: memref<?x65536xf16>, %w: memref<65536xf16>, %q: memref<?x65536xf8E4M3FN>, %s: memref<?x1xf32>) {
  norm.rmsnorm_quantize per_token %x : memref<?x65536xf16> residual %r : memref<?x65536xf16> gamma %w : memref<65536xf16> into %q : memref<?x65536xf8E4M3FN>, %s : memref<?x1xf32> residual_out %r : memref<?x65536xf16> {intermediate_type = f16, schedule = #norm.schedule<threads_per_row = 256, rows_per_block = 1, vector_width = 8, row_storage = shared, blocks_per_row = 8>}
  return
}

// -----

// CHECK-LABEL: gpu.func @estimate_f16_gamma_offset_rmsnorm_quantize
// CHECK-DAG: %[[GMAX:.*]] = arith.constant 4.2949673E+9 : f32
// CHECK-DAG: %[[NAN:.*]] = arith.constant 0x7FC00000 : f32
// CHECK: %[[BOUNDED:.*]] = arith.cmpf ole, %{{.*}}, %[[GMAX]] : f32
// CHECK: arith.select %[[BOUNDED]], %{{.*}}, %[[NAN]] : f32
// CHECK: gpu.return
func.func @estimate_f16_gamma_offset(%x: memref<?x65536xf16>, %r: memref<?x65536xf16>, %w: memref<65536xf16>, %q: memref<?x65536xf8E4M3FN>, %s: memref<?x1xf32>) {
  norm.rmsnorm_quantize per_token %x : memref<?x65536xf16> residual %r : memref<?x65536xf16> gamma %w : memref<65536xf16> into %q : memref<?x65536xf8E4M3FN>, %s : memref<?x1xf32> residual_out %r : memref<?x65536xf16> {intermediate_type = f16, weight_offset = 5.0e+09 : f32, schedule = #norm.schedule<threads_per_row = 256, rows_per_block = 1, vector_width = 8, row_storage = shared, blocks_per_row = 8>}
  return
}

// -----

// f32 gamma keeps the f32 maximum.
// CHECK-LABEL: gpu.func @estimate_f32_gamma_rmsnorm_quantize
// CHECK-DAG: %[[GMAX:.*]] = arith.constant 4.2949673E+9 : f32
// CHECK-NOT: vector<4xi32>
// CHECK-COUNT-4: llvm.store {{.*}} : vector<8xbf16>, !llvm.ptr<1>
// CHECK: %[[G:.*]] = llvm.load %{{.*}} : !llvm.ptr<1> -> vector<8xf32>
// CHECK: llvm.load volatile
// CHECK: %[[GA:.*]] = math.absf %[[G]] : vector<8xf32>
// CHECK: vector.reduction <maximumf>, %[[GA]] : vector<8xf32> into f32
// CHECK: arith.cmpf ole, %{{.*}}, %[[GMAX]] : f32
// CHECK: gpu.return
func.func @estimate_f32_gamma(%x: memref<?x65536xbf16>, %r: memref<?x65536xbf16>, %w: memref<65536xf32>, %q: memref<?x65536xf8E4M3FN>, %s: memref<?x1xf32>) {
  norm.rmsnorm_quantize per_token %x : memref<?x65536xbf16> residual %r : memref<?x65536xbf16> gamma %w : memref<65536xf32> into %q : memref<?x65536xf8E4M3FN>, %s : memref<?x1xf32> residual_out %r : memref<?x65536xbf16> {intermediate_type = bf16, schedule = #norm.schedule<threads_per_row = 256, rows_per_block = 1, vector_width = 8, row_storage = shared, blocks_per_row = 8>}
  return
}
