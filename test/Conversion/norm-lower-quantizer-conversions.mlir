// RUN: norm-opt %s -norm-lower-quantizer-conversions="nvvm-paired=true" | FileCheck %s --check-prefix=PAIRED
// RUN: norm-opt %s -norm-lower-quantizer-conversions | FileCheck %s --check-prefix=EMULATED
// RUN: norm-opt %s -norm-lower-quantizer-conversions="nvvm-int8=true" | FileCheck %s --check-prefix=INT8
// RUN: norm-opt %s -norm-lower-quantizer-conversions="nvvm-half-pairs=true" | FileCheck %s --check-prefix=HALF

// Each pair's two bytes are one i16 lane of the result.
// PAIRED-LABEL: func @e4m3
// PAIRED: %[[P0:.*]] = nvvm.convert.f32x2.to.f8x2 {{.*}} {rnd = #nvvm.fp_rnd_mode<rn>, sat = #nvvm.sat_mode<satfinite>} : vector<2xi8>(f8E4M3FN)
// PAIRED: vector.bitcast %[[P0]] : vector<2xi8> to vector<1xi16>
// PAIRED: nvvm.convert.f32x2.to.f8x2
// PAIRED-NOT: arith.truncf
// PAIRED: %[[BYTES:.*]] = vector.bitcast %{{.*}} : vector<2xi16> to vector<4xi8>
// PAIRED: arith.bitcast %[[BYTES]] : vector<4xi8> to vector<4xf8E4M3FN>
// EMULATED-LABEL: func @e4m3
// EMULATED-NOT: nvvm.convert
// EMULATED: arith.bitcast %{{.*}} : vector<4xf32> to vector<4xi32>
// EMULATED: math.roundeven
// EMULATED: arith.trunci %{{.*}} : vector<4xi32> to vector<4xi8>
func.func @e4m3(%x: vector<4xf32>) -> vector<4xf8E4M3FN> {
  %0 = arith.truncf %x : vector<4xf32> to vector<4xf8E4M3FN>
  return %0 : vector<4xf8E4M3FN>
}

// The fnuz formats have no NVIDIA instruction: always emulated.
// PAIRED-LABEL: func @fnuz
// PAIRED-NOT: nvvm.convert
// PAIRED: arith.trunci %{{.*}} : i32 to i8
func.func @fnuz(%x: f32) -> f8E4M3FNUZ {
  %0 = arith.truncf %x : f32 to f8E4M3FNUZ
  return %0 : f8E4M3FNUZ
}

// Odd lengths convert the last element alone.
// PAIRED-LABEL: func @odd_e5m2
// PAIRED-COUNT-2: nvvm.convert.f32x2.to.f8x2 {{.*}}(f8E5M2)
func.func @odd_e5m2(%x: vector<3xf32>) -> vector<3xf8E5M2> {
  %0 = arith.truncf %x : vector<3xf32> to vector<3xf8E5M2>
  return %0 : vector<3xf8E5M2>
}

// Other truncations are left alone.
// PAIRED-LABEL: func @bf16
// PAIRED: arith.truncf %{{.*}} : f32 to bf16
func.func @bf16(%x: f32) -> bf16 {
  %0 = arith.truncf %x : f32 to bf16
  return %0 : bf16
}

// The int8 quantizer's conversion (round to nearest even, saturate, NaN to
// 0) becomes cvt.rni.s32.f32 and an integer clamp per element; the float
// clamp and NaN select are left to canonicalization.
// INT8-LABEL: func @int8
// INT8-COUNT-2: llvm.call_intrinsic "llvm.nvvm.f2i.rn"(%{{.*}}) : (f32) -> i32
// INT8-NOT: llvm.call_intrinsic
// INT8-NOT: arith.fptosi
// INT8: return
// PAIRED-LABEL: func @int8
// PAIRED-NOT: llvm.call_intrinsic
// PAIRED: arith.fptosi %{{.*}} : vector<2xf32> to vector<2xi8>
func.func @int8(%y: vector<2xf32>) -> vector<2xi8> {
  %lo = arith.constant dense<-128.0> : vector<2xf32>
  %hi = arith.constant dense<127.0> : vector<2xf32>
  %zero = arith.constant dense<0.0> : vector<2xf32>
  %r = math.roundeven %y : vector<2xf32>
  %a = arith.maximumf %r, %lo : vector<2xf32>
  %c = arith.minimumf %a, %hi : vector<2xf32>
  %nan = arith.cmpf uno, %c, %c : vector<2xf32>
  %s = arith.select %nan, %zero, %c : vector<2xi1>, vector<2xf32>
  %q = arith.fptosi %s : vector<2xf32> to vector<2xi8>
  return %q : vector<2xi8>
}

// INT8-LABEL: func @int8_scalar
// INT8: %[[CODE:.*]] = llvm.call_intrinsic "llvm.nvvm.f2i.rn"(%arg0) : (f32) -> i32
// INT8: %[[LO:.*]] = arith.maxsi %[[CODE]], %{{.*}} : i32
// INT8: %[[HI:.*]] = arith.minsi %[[LO]], %{{.*}} : i32
// INT8: %[[BYTE:.*]] = arith.trunci %[[HI]] : i32 to i8
// INT8: return %[[BYTE]]
func.func @int8_scalar(%y: f32) -> i8 {
  %lo = arith.constant -128.0 : f32
  %hi = arith.constant 127.0 : f32
  %zero = arith.constant 0.0 : f32
  %r = math.roundeven %y : f32
  %a = arith.maximumf %r, %lo : f32
  %c = arith.minimumf %a, %hi : f32
  %nan = arith.cmpf uno, %c, %c : f32
  %s = arith.select %nan, %zero, %c : f32
  %q = arith.fptosi %s : f32 to i8
  return %q : i8
}

// Without the clamp (norm-to-gpu omits it where x / scale is bounded by
// qmax): the conversion alone, no integer clamp.
// INT8-LABEL: func @int8_in_range
// INT8: %[[CODE:.*]] = llvm.call_intrinsic "llvm.nvvm.f2i.rn"(%arg0) : (f32) -> i32
// INT8-NOT: arith.maxsi
// INT8-NOT: arith.minsi
// INT8: %[[BYTE:.*]] = arith.trunci %[[CODE]] : i32 to i8
// INT8: return %[[BYTE]]
func.func @int8_in_range(%y: f32) -> i8 {
  %zero = arith.constant 0.0 : f32
  %r = math.roundeven %y : f32
  %nan = arith.cmpf uno, %r, %r : f32
  %s = arith.select %nan, %zero, %r : f32
  %q = arith.fptosi %s : f32 to i8
  return %q : i8
}

// Near misses keep their fptosi: a clamp that is not [-128, 127], no NaN
// select, truncation toward zero instead of roundeven, a wider result.
// INT8-LABEL: func @int8_near_misses
// INT8-COUNT-4: arith.fptosi
// INT8-NOT: llvm.call_intrinsic
func.func @int8_near_misses(%y: f32) -> (i8, i8, i8, i16) {
  %lo = arith.constant -128.0 : f32
  %hi = arith.constant 127.0 : f32
  %narrow = arith.constant 126.0 : f32
  %zero = arith.constant 0.0 : f32
  %r = math.roundeven %y : f32
  %a = arith.maximumf %r, %lo : f32
  %c = arith.minimumf %a, %hi : f32
  %nan = arith.cmpf uno, %c, %c : f32
  %s = arith.select %nan, %zero, %c : f32
  %c2 = arith.minimumf %a, %narrow : f32
  %nan2 = arith.cmpf uno, %c2, %c2 : f32
  %s2 = arith.select %nan2, %zero, %c2 : f32
  %q0 = arith.fptosi %s2 : f32 to i8
  %q1 = arith.fptosi %c : f32 to i8
  %a3 = arith.maximumf %y, %lo : f32
  %c3 = arith.minimumf %a3, %hi : f32
  %nan3 = arith.cmpf uno, %c3, %c3 : f32
  %s3 = arith.select %nan3, %zero, %c3 : f32
  %q2 = arith.fptosi %s3 : f32 to i8
  %q3 = arith.fptosi %s : f32 to i16
  return %q0, %q1, %q2, %q3 : i8, i8, i8, i16
}

// The quantizer's saturation to +-448 before a satfinite conversion is
// dropped (satfinite saturates the same way and keeps NaN); a clamp to
// another bound stays, and so does every clamp the emulation sees.
// PAIRED-LABEL: func @saturated_e4m3
// PAIRED: %[[LOWER:.*]] = arith.maximumf %arg0
// PAIRED: nvvm.convert.f32x2.to.f8x2 %{{.*}}, %arg0 {
// PAIRED: %[[OTHER:.*]] = arith.minimumf %[[LOWER]]
// PAIRED: nvvm.convert.f32x2.to.f8x2 %{{.*}}, %[[OTHER]] {
// EMULATED-LABEL: func @saturated_e4m3
// EMULATED: %[[LOWER:.*]] = arith.maximumf %arg0
// EMULATED: %[[CLAMPED:.*]] = arith.minimumf %[[LOWER]]
// EMULATED: arith.bitcast %[[CLAMPED]] : f32 to i32
func.func @saturated_e4m3(%y: f32) -> (f8E4M3FN, f8E4M3FN) {
  %lo = arith.constant -448.0 : f32
  %hi = arith.constant 448.0 : f32
  %other = arith.constant 400.0 : f32
  %a = arith.maximumf %y, %lo : f32
  %c = arith.minimumf %a, %hi : f32
  %q = arith.truncf %c : f32 to f8E4M3FN
  %c2 = arith.minimumf %a, %other : f32
  %q2 = arith.truncf %c2 : f32 to f8E4M3FN
  return %q, %q2 : f8E4M3FN, f8E4M3FN
}

// f32 -> bf16 / f16 roundings whose result is read back element by element
// become cvt.rn.bf16x2.f32 / cvt.rn.f16x2.f32 pairs; LLVM would convert each
// element alone.
// HALF-LABEL: func @half_pairs
// HALF: %[[A:.*]] = vector.extract %arg0[0] : f32 from vector<4xf32>
// HALF: %[[B:.*]] = vector.extract %arg0[1] : f32 from vector<4xf32>
// HALF: %[[P0:.*]] = nvvm.convert.f32x2.to.bf16x2 %[[B]], %[[A]] {rnd = #nvvm.fp_rnd_mode<rn>} : vector<2xbf16>
// HALF: %[[P1:.*]] = nvvm.convert.f32x2.to.bf16x2 %{{.*}}, %{{.*}} {rnd = #nvvm.fp_rnd_mode<rn>} : vector<2xbf16>
// HALF: %[[ROUNDED:.*]] = vector.shuffle %[[P0]], %[[P1]] [0, 1, 2, 3] : vector<2xbf16>, vector<2xbf16>
// HALF: arith.extf %[[ROUNDED]] : vector<4xbf16> to vector<4xf32>
// HALF: nvvm.convert.f32x2.to.f16x2 {{.*}} : vector<2xf16>
// HALF-NOT: arith.truncf
// HALF: return
// PAIRED-LABEL: func @half_pairs
// PAIRED-NOT: nvvm.convert
// PAIRED: return
func.func @half_pairs(%x: vector<4xf32>, %y: vector<2xf32>) -> (vector<4xf32>, vector<2xf32>) {
  %r = arith.truncf %x : vector<4xf32> to vector<4xbf16>
  %e = arith.extf %r : vector<4xbf16> to vector<4xf32>
  %h = arith.truncf %y : vector<2xf32> to vector<2xf16>
  %he = arith.extf %h : vector<2xf16> to vector<2xf32>
  return %e, %he : vector<4xf32>, vector<2xf32>
}

// Left to LLVM: a scalar or odd vector, a rounding that is stored (LLVM
// pairs it for the store), a product of two rounded values or a factor of
// one (LLVM makes it one bf16 multiply), a rounding mode of its own.
// HALF-LABEL: func @half_pairs_left_alone
// HALF-NOT: nvvm.convert
// HALF-COUNT-6: arith.truncf
// HALF-NOT: nvvm.convert
// HALF: return
func.func @half_pairs_left_alone(%s: f32, %odd: vector<3xf32>, %x: vector<2xf32>, %g: vector<2xbf16>, %p: !llvm.ptr<1>) -> (bf16, vector<3xbf16>, vector<2xbf16>, vector<2xf32>) {
  %0 = arith.truncf %s : f32 to bf16
  %1 = arith.truncf %odd : vector<3xf32> to vector<3xbf16>
  %2 = arith.truncf %x : vector<2xf32> to vector<2xbf16>
  %e2 = arith.extf %2 : vector<2xbf16> to vector<2xf32>
  llvm.store %2, %p : vector<2xbf16>, !llvm.ptr<1>
  %3 = arith.truncf %x : vector<2xf32> to vector<2xbf16>
  %e3 = arith.extf %3 : vector<2xbf16> to vector<2xf32>
  %ge = arith.extf %g : vector<2xbf16> to vector<2xf32>
  %prod = arith.mulf %e3, %ge : vector<2xf32>
  %4 = arith.truncf %prod : vector<2xf32> to vector<2xbf16>
  %5 = arith.truncf %x to_nearest_away : vector<2xf32> to vector<2xbf16>
  %e5 = arith.extf %5 : vector<2xbf16> to vector<2xf32>
  %sum = arith.addf %e2, %e5 : vector<2xf32>
  return %0, %1, %4, %sum : bf16, vector<3xbf16>, vector<2xbf16>, vector<2xf32>
}


// Tensor conversions are left alone: the rewrites build scalar and vector
// arithmetic for the kernels after norm-to-gpu (on tensors they built an
// invalid bitcast).
// PAIRED-LABEL: func.func @tensor_conversions
// PAIRED: arith.truncf %{{.*}} : tensor<4xf32> to tensor<4xf8E4M3FN>
// EMULATED-LABEL: func.func @tensor_conversions
// EMULATED: arith.truncf %{{.*}} : tensor<4xf32> to tensor<4xf8E4M3FN>
// INT8-LABEL: func.func @tensor_conversions
// INT8: arith.fptosi %{{.*}} : tensor<4xf32> to tensor<4xi8>
func.func @tensor_conversions(%x: tensor<4xf32>) -> (tensor<4xf8E4M3FN>, tensor<4xi8>) {
  %y = arith.truncf %x : tensor<4xf32> to tensor<4xf8E4M3FN>
  %r = math.roundeven %x : tensor<4xf32>
  %c = arith.constant dense<127.0> : tensor<4xf32>
  %m = arith.minimumf %r, %c : tensor<4xf32>
  %z = arith.fptosi %m : tensor<4xf32> to tensor<4xi8>
  return %y, %z : tensor<4xf8E4M3FN>, tensor<4xi8>
}
