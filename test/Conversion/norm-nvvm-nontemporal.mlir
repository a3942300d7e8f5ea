// RUN: norm-opt %s -split-input-file -norm-nvvm-nontemporal | FileCheck %s
// The first case alone: no load or store of it is left.
// RUN: sed -n '1,/^\/\/ -----$/p' %s | norm-opt -norm-nvvm-nontemporal | FileCheck %s --check-prefix=STREAMED --implicit-check-not=llvm.load --implicit-check-not=llvm.store

// 128, 64 and 32 bits through global pointers become streaming accesses,
// moved as b32 words.
// CHECK-LABEL: llvm.func @streamed(
// CHECK-SAME: %[[P:[^:]*]]: !llvm.ptr<1>, %[[Q:[^:]*]]: !llvm.ptr<1>
// CHECK: %[[W:.*]] = llvm.inline_asm has_side_effects "ld.global.cs.v4.b32 {$0, $1, $2, $3}, [$4];", "=r,=r,=r,=r,l" %[[P]] : (!llvm.ptr<1>) -> !llvm.struct<(i32, i32, i32, i32)>
// CHECK-COUNT-4: llvm.extractvalue %[[W]]
// CHECK: %[[V:.*]] = llvm.bitcast %{{.*}} : vector<4xi32> to vector<8xbf16>
// CHECK: %[[S:.*]] = llvm.bitcast %[[V]] : vector<8xbf16> to vector<4xi32>
// CHECK-COUNT-4: llvm.extractelement %[[S]]
// CHECK: llvm.inline_asm has_side_effects "st.global.cs.v4.b32 [$0], {$1, $2, $3, $4};", "l,r,r,r,r" %[[Q]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (!llvm.ptr<1>, i32, i32, i32, i32) -> ()
// CHECK: llvm.inline_asm has_side_effects "ld.global.cs.v2.b32 {$0, $1}, [$2];", "=r,=r,l" %[[P]]
// CHECK: llvm.bitcast %{{.*}} : vector<2xi32> to vector<8xi8>
// CHECK: llvm.inline_asm has_side_effects "st.global.cs.v2.b32 [$0], {$1, $2};", "l,r,r" %[[Q]]
// CHECK: %[[F:.*]] = llvm.inline_asm has_side_effects "ld.global.cs.b32 $0, [$1];", "=r,l" %[[P]] : (!llvm.ptr<1>) -> i32
// CHECK: %[[G:.*]] = llvm.bitcast %[[F]] : i32 to f32
// CHECK: %[[H:.*]] = llvm.bitcast %[[G]] : f32 to i32
// CHECK: llvm.inline_asm has_side_effects "st.global.cs.b32 [$0], $1;", "l,r" %[[Q]], %[[H]] : (!llvm.ptr<1>, i32) -> ()
// CHECK: %[[I:.*]] = llvm.inline_asm has_side_effects "ld.global.cs.b32 $0, [$1];", "=r,l" %[[P]] : (!llvm.ptr<1>) -> i32
// CHECK-NOT: llvm.bitcast
// CHECK: llvm.inline_asm has_side_effects "st.global.cs.b32 [$0], $1;", "l,r" %[[Q]], %[[I]]
// STREAMED-LABEL: llvm.func @streamed(
// STREAMED-COUNT-8: llvm.inline_asm has_side_effects
// STREAMED: llvm.inline_asm has_side_effects "ld.global.cs.b32 $0, [$1];", "=r,l" %{{.*}} : (!llvm.ptr<1>) -> i32
// STREAMED: llvm.bitcast %{{.*}} : i32 to vector<2xbf16>
// STREAMED: llvm.inline_asm has_side_effects "ld.global.cs.v4.b32
// STREAMED: llvm.bitcast %{{.*}} : vector<4xi32> to vector<4xf32>
// STREAMED: llvm.return
llvm.func @streamed(%p: !llvm.ptr<1>, %q: !llvm.ptr<1>) {
  %v = llvm.load %p {alignment = 16 : i64, nontemporal} : !llvm.ptr<1> -> vector<8xbf16>
  llvm.store %v, %q {alignment = 16 : i64, nontemporal} : vector<8xbf16>, !llvm.ptr<1>
  %c = llvm.load %p {alignment = 8 : i64, nontemporal} : !llvm.ptr<1> -> vector<8xi8>
  llvm.store %c, %q {alignment = 8 : i64, nontemporal} : vector<8xi8>, !llvm.ptr<1>
  %f = llvm.load %p {alignment = 4 : i64, nontemporal} : !llvm.ptr<1> -> f32
  llvm.store %f, %q {alignment = 4 : i64, nontemporal} : f32, !llvm.ptr<1>
  %i = llvm.load %p {alignment = 4 : i64, nontemporal} : !llvm.ptr<1> -> i32
  llvm.store %i, %q {alignment = 4 : i64, nontemporal} : i32, !llvm.ptr<1>
  %j = llvm.load %p {alignment = 4 : i64, nontemporal} : !llvm.ptr<1> -> vector<2xbf16>
  %k = llvm.load %p {alignment = 16 : i64, nontemporal} : !llvm.ptr<1> -> vector<4xf32>
  llvm.return
}

// -----

// Left alone: accesses not marked nontemporal, volatile or atomic ones,
// shared (or generic) memory, widths other than 32, 64 and 128 bits, and
// accesses less aligned than their size or without an alignment.
// CHECK-LABEL: llvm.func @kept(
// CHECK-NOT: llvm.inline_asm
// CHECK: llvm.load %{{.*}} {alignment = 16 : i64} : !llvm.ptr<1> -> vector<8xbf16>
// CHECK: llvm.load volatile %{{.*}} {alignment = 16 : i64, nontemporal} : !llvm.ptr<1> -> vector<8xbf16>
// CHECK: llvm.load %{{.*}} atomic monotonic {alignment = 4 : i64, nontemporal} : !llvm.ptr<1> -> i32
// CHECK: llvm.load %{{.*}} {alignment = 16 : i64, nontemporal} : !llvm.ptr<3> -> vector<8xbf16>
// CHECK: llvm.load %{{.*}} {alignment = 16 : i64, nontemporal} : !llvm.ptr -> vector<8xbf16>
// CHECK: llvm.load %{{.*}} {alignment = 2 : i64, nontemporal} : !llvm.ptr<1> -> bf16
// CHECK: llvm.load %{{.*}} {alignment = 32 : i64, nontemporal} : !llvm.ptr<1> -> vector<16xbf16>
// CHECK: llvm.load %{{.*}} {alignment = 2 : i64, nontemporal} : !llvm.ptr<1> -> vector<8xbf16>
// CHECK: llvm.store %{{.*}} {alignment = 2 : i64, nontemporal} : vector<8xbf16>, !llvm.ptr<1>
// CHECK: llvm.store %{{.*}} {alignment = 16 : i64, nontemporal} : vector<8xbf16>, !llvm.ptr<3>
// CHECK: llvm.store volatile %{{.*}} {alignment = 16 : i64, nontemporal} : vector<8xbf16>, !llvm.ptr<1>
// CHECK: llvm.store %{{.*}} atomic monotonic {alignment = 4 : i64, nontemporal} : i32, !llvm.ptr<1>
// CHECK: llvm.load %{{.*}} {nontemporal} : !llvm.ptr<1> -> vector<8xbf16>
// CHECK-NOT: llvm.inline_asm
llvm.func @kept(%p: !llvm.ptr<1>, %s: !llvm.ptr<3>, %g: !llvm.ptr) {
  %a = llvm.load %p {alignment = 16 : i64} : !llvm.ptr<1> -> vector<8xbf16>
  %b = llvm.load volatile %p {alignment = 16 : i64, nontemporal} : !llvm.ptr<1> -> vector<8xbf16>
  %c = llvm.load %p atomic monotonic {alignment = 4 : i64, nontemporal} : !llvm.ptr<1> -> i32
  %d = llvm.load %s {alignment = 16 : i64, nontemporal} : !llvm.ptr<3> -> vector<8xbf16>
  %e = llvm.load %g {alignment = 16 : i64, nontemporal} : !llvm.ptr -> vector<8xbf16>
  %f = llvm.load %p {alignment = 2 : i64, nontemporal} : !llvm.ptr<1> -> bf16
  %h = llvm.load %p {alignment = 32 : i64, nontemporal} : !llvm.ptr<1> -> vector<16xbf16>
  %i = llvm.load %p {alignment = 2 : i64, nontemporal} : !llvm.ptr<1> -> vector<8xbf16>
  llvm.store %a, %p {alignment = 2 : i64, nontemporal} : vector<8xbf16>, !llvm.ptr<1>
  llvm.store %a, %s {alignment = 16 : i64, nontemporal} : vector<8xbf16>, !llvm.ptr<3>
  llvm.store volatile %a, %p {alignment = 16 : i64, nontemporal} : vector<8xbf16>, !llvm.ptr<1>
  llvm.store %c, %p atomic monotonic {alignment = 4 : i64, nontemporal} : i32, !llvm.ptr<1>
  %n = llvm.load %p {nontemporal} : !llvm.ptr<1> -> vector<8xbf16>
  llvm.return
}

// -----

// norm.row_cache_policy = "evict_last_loads" (set by norm-to-gpu's
// evict-last-row-loads): loads evict-last in L1 and, by a cache policy, in
// L2; stores plain. It is read from any function, gpu.func included.
// CHECK-LABEL: llvm.func @evict_last(
// CHECK-SAME: %[[P:[^:]*]]: !llvm.ptr<1>, %[[Q:[^:]*]]: !llvm.ptr<1>
// CHECK: %[[W:.*]] = llvm.inline_asm has_side_effects "{ .reg .b64 policy; createpolicy.fractional.L2::evict_last.b64 policy, 1.0; ld.global.L1::evict_last.L2::cache_hint.v4.b32 {$0, $1, $2, $3}, [$4], policy; }", "=r,=r,=r,=r,l" %[[P]] : (!llvm.ptr<1>) -> !llvm.struct<(i32, i32, i32, i32)>
// CHECK: %[[V:.*]] = llvm.bitcast %{{.*}} : vector<4xi32> to vector<8xbf16>
// CHECK: llvm.store %[[V]], %[[Q]] {alignment = 16 : i64} : vector<8xbf16>, !llvm.ptr<1>
// CHECK: llvm.inline_asm has_side_effects "{ .reg .b64 policy; createpolicy.fractional.L2::evict_last.b64 policy, 1.0; ld.global.L1::evict_last.L2::cache_hint.b32 $0, [$1], policy; }", "=r,l" %[[P]] : (!llvm.ptr<1>) -> i32
// CHECK-NOT: llvm.inline_asm
// CHECK: llvm.return
llvm.func @evict_last(%p: !llvm.ptr<1>, %q: !llvm.ptr<1>) attributes {norm.row_cache_policy = "evict_last_loads"} {
  %v = llvm.load %p {alignment = 16 : i64, nontemporal} : !llvm.ptr<1> -> vector<8xbf16>
  llvm.store %v, %q {alignment = 16 : i64, nontemporal} : vector<8xbf16>, !llvm.ptr<1>
  %f = llvm.load %p {alignment = 4 : i64, nontemporal} : !llvm.ptr<1> -> f32
  llvm.return
}

// CHECK-LABEL: gpu.func @evict_last_kernel(
// CHECK: llvm.inline_asm has_side_effects "{ .reg .b64 policy; createpolicy.fractional.L2::evict_last.b64 policy, 1.0; ld.global.L1::evict_last.L2::cache_hint.v2.b32 {$0, $1}, [$2], policy; }"
// CHECK: llvm.store %{{.*}} {alignment = 8 : i64} : vector<4xbf16>, !llvm.ptr<1>
// CHECK-LABEL: gpu.func @streaming_kernel(
// CHECK: llvm.inline_asm has_side_effects "ld.global.cs.v2.b32 {$0, $1}, [$2];"
// CHECK: llvm.inline_asm has_side_effects "st.global.cs.v2.b32 [$0], {$1, $2};"
gpu.module @kernels {
  gpu.func @evict_last_kernel(%p: !llvm.ptr<1>, %q: !llvm.ptr<1>) kernel attributes {norm.row_cache_policy = "evict_last_loads"} {
    %v = llvm.load %p {alignment = 8 : i64, nontemporal} : !llvm.ptr<1> -> vector<4xbf16>
    llvm.store %v, %q {alignment = 8 : i64, nontemporal} : vector<4xbf16>, !llvm.ptr<1>
    gpu.return
  }
  // "streaming" is the policy of functions without the attribute.
  gpu.func @streaming_kernel(%p: !llvm.ptr<1>, %q: !llvm.ptr<1>) kernel attributes {norm.row_cache_policy = "streaming"} {
    %v = llvm.load %p {alignment = 8 : i64, nontemporal} : !llvm.ptr<1> -> vector<4xbf16>
    llvm.store %v, %q {alignment = 8 : i64, nontemporal} : vector<4xbf16>, !llvm.ptr<1>
    gpu.return
  }
}
