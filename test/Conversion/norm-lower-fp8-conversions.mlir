// RUN: norm-opt %s -norm-lower-fp8-conversions="nvvm-paired=true" | FileCheck %s --check-prefix=PAIRED
// RUN: norm-opt %s -norm-lower-fp8-conversions | FileCheck %s --check-prefix=EMULATED

// PAIRED-LABEL: func @e4m3
// PAIRED-COUNT-2: nvvm.convert.f32x2.to.f8x2 {{.*}} {rnd = #nvvm.fp_rnd_mode<rn>, sat = #nvvm.sat_mode<satfinite>} : vector<2xi8>(f8E4M3FN)
// PAIRED-NOT: arith.truncf
// PAIRED: arith.bitcast %{{.*}} : vector<4xi8> to vector<4xf8E4M3FN>
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
