// norm-to-gpu{chip=...} (and norm-tile{chip=...}) take the target from the
// known-target table: every target option left at its default gets the
// chip's value, one set to anything else overrides it. Without `chip`, the
// chips of an existing @norm_kernels gpu.module's targets are used.

// RUN: norm-opt %s -split-input-file -norm-to-gpu="chip=sm_90 print-plan" -o /dev/null | FileCheck %s --check-prefix=SM90
// RUN: norm-opt %s -split-input-file -norm-to-gpu="chip=gfx942 print-plan" -o /dev/null | FileCheck %s --check-prefix=GFX942
// RUN: norm-opt %s -split-input-file -norm-to-gpu="chip=sm_90 shared-memory-per-block=65536 print-plan" -o /dev/null | FileCheck %s --check-prefix=OVERRIDE
// RUN: norm-opt %s -split-input-file -norm-to-gpu="print-plan" -o /dev/null | FileCheck %s --check-prefix=NOCHIP
// RUN: norm-opt %s -split-input-file -norm-to-gpu="chip=sm_89,sm_90 print-plan" -o /dev/null | FileCheck %s --check-prefix=MIXED
// RUN: not norm-opt %s -split-input-file -norm-to-gpu="chip=sm_75" -o /dev/null 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: norm-opt %s -split-input-file -norm-tile="chip=sm_90" | FileCheck %s --check-prefix=TILE90
// RUN: norm-opt %s -split-input-file -norm-tile | FileCheck %s --check-prefix=TILE

// SM90-LABEL: kernel @persistent_rmsnorm_quantize
// SM90-NEXT:    op: rmsnorm_quantize, cols 65536, warp size 32
// SM90:         shared memory: 196608 bytes, block alone on SM yes
// SM90:         persistent ring: 12 slots
// SM90:         int8 codes by addition
// GFX942-LABEL: kernel @persistent_rmsnorm_quantize
// GFX942-NEXT:    op: rmsnorm_quantize, cols 65536, warp size 64
// GFX942:         row kept in: memory (read again)
// GFX942-NOT:     persistent ring
// OVERRIDE-LABEL: kernel @persistent_rmsnorm_quantize
// OVERRIDE:         row kept in: memory (read again)
// NOCHIP-LABEL: kernel @persistent_rmsnorm_quantize
// NOCHIP:         shared memory: 0 bytes
// A binary for sm_89 and sm_90 gets what both have: sm_89's 99 KiB of
// shared memory and no clusters (the `chip` option wins over the module's
// target).
// MIXED-LABEL: kernel @persistent_rmsnorm_quantize
// MIXED:         row kept in: memory (read again)
// MIXED-LABEL: kernel @attached_rmsnorm_quantize
// MIXED:         blocks_per_row 1
// UNKNOWN: error: norm-to-gpu: unknown chip 'sm_75'
// TILE90: norm.rmsnorm_quantize {{.*}}schedule = #norm.schedule<threads_per_row = 1024, rows_per_block = 1, vector_width = 8, row_storage = shared>
// TILE: norm.rmsnorm_quantize {{.*}}schedule = #norm.schedule<threads_per_row = 1024, rows_per_block = 1, vector_width = 8, row_storage = stream>
func.func @persistent(%x: memref<?x65536xbf16>, %w: memref<65536xbf16>, %q: memref<?x65536xi8>, %s: memref<?x1xf32>) {
  norm.rmsnorm_quantize per_token %x : memref<?x65536xbf16> gamma %w : memref<65536xbf16> into %q : memref<?x65536xi8>, %s : memref<?x1xf32> {epsilon = 1.0e-05 : f32, intermediate_type = bf16}
  return
}

// -----

// The kernel module's target says sm_90: its clusters split a row with a
// residual over 8 blocks, and its shared memory holds the slices.
// SM90-LABEL: kernel @attached_rmsnorm_quantize
// SM90:         blocks_per_row 8
// NOCHIP-LABEL: kernel @attached_rmsnorm_quantize
// NOCHIP:         op: rmsnorm_quantize, cols 65536, warp size 32
// NOCHIP:         blocks_per_row 8
module attributes {gpu.container_module} {
  gpu.module @norm_kernels [#nvvm.target<chip = "sm_90">] {
  }
  func.func @attached(%x: memref<?x65536xbf16>, %r: memref<?x65536xbf16>, %w: memref<65536xbf16>, %q: memref<?x65536xf8E4M3FN>, %s: memref<?x1xf32>) {
    norm.rmsnorm_quantize per_token %x : memref<?x65536xbf16> residual %r : memref<?x65536xbf16> gamma %w : memref<65536xbf16> into %q : memref<?x65536xf8E4M3FN>, %s : memref<?x1xf32> residual_out %r : memref<?x65536xbf16> {epsilon = 1.0e-05 : f32, intermediate_type = bf16}
    return
  }
}
