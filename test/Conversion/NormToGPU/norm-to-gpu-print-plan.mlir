// RUN: norm-opt %s -split-input-file -norm-to-gpu="print-plan max-blocks-per-row=8 shared-memory-per-block=232448 packed-half-max=true async-copies=true persistent-rows=true nontemporal-rows=true evict-last-row-loads=true" -o /dev/null | FileCheck %s
// RUN: norm-opt %s -split-input-file -norm-to-gpu="print-plan warp-size=64 shared-memory-per-block=65536" -o /dev/null | FileCheck %s --check-prefix=AMD

// norm-to-gpu{print-plan} prints each kernel's plan before emitting it: the
// decisions of KernelPlan.h, with the options the NVVM pipeline gives sm_90
// (CHECK) and the ROCDL pipeline gfx942 (AMD).

// CHECK-LABEL: kernel @streamed_rmsnorm
// CHECK-NEXT:    op: rmsnorm, cols 4096, warp size 32
// CHECK-NEXT:    operands: input (row, bf16, align 16) gamma (vector, bf16, align 16) output (row, bf16, align 16)
// CHECK-NEXT:    program: normalize (eps 1.000000e-05, times gamma); store output;
// CHECK-NEXT:    shared memory: 0 bytes, block alone on SM no
// CHECK-NEXT:    rows:
// CHECK-NEXT:      schedule: threads_per_row 256, rows_per_block 1, vector_width 8, row_storage registers, blocks_per_row 1
// CHECK-NEXT:      chunks: 2 unrolled, peeled no
// CHECK-NEXT:      row kept in: registers
// CHECK-NEXT:      loads: through registers, gamma with row yes, nontemporal evict-last loads
// CHECK-NEXT:      reduce: sum of squares over the row
// AMD-LABEL: kernel @streamed_rmsnorm
// AMD-NEXT:    op: rmsnorm, cols 4096, warp size 64
// AMD:         loads: through registers, gamma with row yes, nontemporal no
func.func @streamed(%x: memref<?x4096xbf16>, %w: memref<4096xbf16>, %y: memref<?x4096xbf16>) {
  norm.rmsnorm %x : memref<?x4096xbf16>, gamma %w : memref<4096xbf16> into %y : memref<?x4096xbf16> {epsilon = 1.0e-05 : f32}
  return
}

// -----

// A long bf16 row quantized per token to int8: persistent on sm_90 (a ring
// of 195 KiB in slots of 1024 threads x 16 bytes), its codes by addition.
// CHECK-LABEL: kernel @persistent_rmsnorm_quantize
// CHECK-NEXT:    op: rmsnorm_quantize, cols 65536, warp size 32
// CHECK:         program: normalize (eps 1.000000e-05, times gamma); round to bf16; quantize per_token to i8 (qmax 1.270000e+02, min_scale {{.*}});
// CHECK-NEXT:    shared memory: 196608 bytes, block alone on SM yes
// CHECK:         row kept in: shared ring
// CHECK-NEXT:    loads: async copy to shared, gamma with row no, nontemporal no
// CHECK-NEXT:    persistent ring: 12 slots
// CHECK-NEXT:    reduce: sum of squares over the row
// CHECK-NEXT:    reduce: max |x| over the row, in half pairs
// CHECK-NEXT:    rounded quantizer input cached in shared memory
// CHECK-NEXT:    int8 codes by addition
// AMD-LABEL: kernel @persistent_rmsnorm_quantize
// AMD:         row kept in: memory (read again)
// AMD-NEXT:    loads: through registers, gamma with row no, nontemporal no
// AMD-NEXT:    reduce: sum of squares over the row
// AMD-NEXT:    reduce: max |x| over the row
// AMD-NOT:     int8 codes
func.func @persistent(%x: memref<?x65536xbf16>, %w: memref<65536xbf16>, %q: memref<?x65536xi8>, %s: memref<?x1xf32>) {
  norm.rmsnorm_quantize per_token %x : memref<?x65536xbf16> gamma %w : memref<65536xbf16> into %q : memref<?x65536xi8>, %s : memref<?x1xf32> {epsilon = 1.0e-05 : f32, intermediate_type = bf16}
  return
}

// -----

// A residual row split over a cluster of 8 blocks estimates its amax.
// CHECK-LABEL: kernel @split_rmsnorm_quantize
// CHECK:         program: add residual, store residual_out; normalize (eps 1.000000e-05, times gamma); round to bf16; quantize per_token to f8E4M3FN (qmax 4.480000e+02, min_scale {{.*}});
// CHECK:         schedule: threads_per_row 256, rows_per_block 1, vector_width 8, row_storage shared, blocks_per_row 8
// CHECK:         reduce: sum of squares over the row, across the cluster
// CHECK-NEXT:    reduce: max |x| over the row, in half pairs, across the cluster, skipped where the estimate is exact
// CHECK-NEXT:    amax estimate: from the first pass, gamma bound yes, packed gamma max yes
func.func @split(%x: memref<?x65536xbf16>, %r: memref<?x65536xbf16>, %w: memref<65536xbf16>, %q: memref<?x65536xf8E4M3FN>, %s: memref<?x1xf32>) {
  norm.rmsnorm_quantize per_token %x : memref<?x65536xbf16> residual %r : memref<?x65536xbf16> gamma %w : memref<65536xbf16> into %q : memref<?x65536xf8E4M3FN>, %s : memref<?x1xf32> residual_out %r : memref<?x65536xbf16> {epsilon = 1.0e-05 : f32, intermediate_type = bf16}
  return
}

// -----

// An odd H is peeled, with a body one element per lane for rows whose
// operands disagree on the vector alignment.
// CHECK-LABEL: kernel @peeled_rmsnorm
// CHECK-NEXT:    op: rmsnorm, cols 4095, warp size 32
// CHECK-NEXT:    operands: input (row, f16, align 2) output (row, f16, align 2)
// CHECK:         chunks: {{[0-9]+}} unrolled, peeled yes
// CHECK:         unaligned rows (one element per lane):
// CHECK-NEXT:      schedule: threads_per_row {{[0-9]+}}, rows_per_block {{[0-9]+}}, vector_width 1,
// CHECK-NEXT:      chunks: {{[0-9]+}} {{unrolled|loop}}, peeled no
func.func @peeled(%x: memref<?x4095xf16>, %y: memref<?x4095xf16>) {
  norm.rmsnorm %x : memref<?x4095xf16> into %y : memref<?x4095xf16>
  return
}

// -----

// Per-group amax: a reduction over the group's lanes.
// CHECK-LABEL: kernel @per_group_quantize
// CHECK:         program: quantize per_group 128 (row_major) to f8E4M3FN
// CHECK:         reduce: max |x| per group of 128 (over 16 lanes)
func.func @per_group(%x: memref<?x4096xbf16>, %q: memref<?x4096xf8E4M3FN>, %s: memref<?x32xf32>) {
  norm.quantize per_group(128) %x : memref<?x4096xbf16> into %q : memref<?x4096xf8E4M3FN>, %s : memref<?x32xf32>
  return
}
