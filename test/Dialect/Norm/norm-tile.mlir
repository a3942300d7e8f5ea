// RUN: norm-opt %s -norm-tile -split-input-file | FileCheck %s
// RUN: norm-opt %s -norm-tile="shared-memory-per-block=232448" -split-input-file | FileCheck %s --check-prefix=H100
// RUN: norm-opt %s -norm-tile="warp-size=64 shared-memory-per-block=65536" -split-input-file | FileCheck %s --check-prefix=WAVE64
// RUN: norm-opt %s -norm-tile="num-sms=132" -split-input-file | FileCheck %s --check-prefix=SMS
// RUN: norm-opt %s -norm-tile="row-storage=stream threads-per-row=64" -split-input-file | FileCheck %s --check-prefix=FORCE
// RUN: norm-opt %s -norm-tile="blocks-per-row=1" -split-input-file | FileCheck %s --check-prefix=ONEBLOCK
// RUN: not norm-opt %s -norm-tile="vector-width=16" -split-input-file 2>&1 | FileCheck %s --check-prefix=BADVEC
// RUN: not norm-opt %s -norm-tile="row-storage=registers" -split-input-file 2>&1 | FileCheck %s --check-prefix=BADREG
// RUN: not norm-opt %s -norm-tile="row-storage=disk" 2>&1 | FileCheck %s --check-prefix=BADNAME
// RUN: not norm-opt %s -norm-tile="warp-size=48" 2>&1 | FileCheck %s --check-prefix=BADWARP

// Short rows (bf16): the widest vector that divides H, the row in
// registers. Rows of 16-byte vectors take one per thread, sharing blocks of
// 256 threads; narrower vectors (H = 100) about 4 per thread, in blocks of
// 128.
// CHECK-LABEL: func @short
// CHECK: norm.rmsnorm {{.*}} {schedule = #norm.schedule<threads_per_row = 8, rows_per_block = 32, vector_width = 8, row_storage = registers>} -> tensor<?x64xbf16>
// CHECK: norm.rmsnorm {{.*}} {schedule = #norm.schedule<threads_per_row = 8, rows_per_block = 16, vector_width = 4, row_storage = registers>} -> tensor<?x100xbf16>
// A 64-lane wavefront takes the same blocks.
// WAVE64-LABEL: func @short
// WAVE64: #norm.schedule<threads_per_row = 8, rows_per_block = 32, vector_width = 8, row_storage = registers>
// Forced fields replace the chosen ones, the others adapt.
// FORCE-LABEL: func @short
// FORCE: #norm.schedule<threads_per_row = 64, rows_per_block = 1, vector_width = 8, row_storage = stream>
// FORCE: #norm.schedule<threads_per_row = 64, rows_per_block = 1, vector_width = 4, row_storage = stream>
func.func @short(%x64: tensor<?x64xbf16>, %x100: tensor<?x100xbf16>) -> (tensor<?x64xbf16>, tensor<?x100xbf16>) {
  %a = norm.rmsnorm %x64 : tensor<?x64xbf16> into %x64 : tensor<?x64xbf16> -> tensor<?x64xbf16>
  %b = norm.rmsnorm %x100 : tensor<?x100xbf16> into %x100 : tensor<?x100xbf16> -> tensor<?x100xbf16>
  return %a, %b : tensor<?x64xbf16>, tensor<?x100xbf16>
}

// -----

// Medium rows: a block per row, 16-byte vectors, the row in registers, 2
// vectors per thread.
// CHECK-LABEL: func @medium
// CHECK: norm.rmsnorm {{.*}} {schedule = #norm.schedule<threads_per_row = 256, rows_per_block = 1, vector_width = 8, row_storage = registers>} -> tensor<?x4096xbf16>
// CHECK: norm.rmsnorm {{.*}} {schedule = #norm.schedule<threads_per_row = 512, rows_per_block = 1, vector_width = 8, row_storage = registers>} -> tensor<?x8192xbf16>
// WAVE64-LABEL: func @medium
// WAVE64: #norm.schedule<threads_per_row = 256, rows_per_block = 1, vector_width = 8, row_storage = registers>
func.func @medium(%x4096: tensor<?x4096xbf16>, %x8192: tensor<?x8192xbf16>) -> (tensor<?x4096xbf16>, tensor<?x8192xbf16>) {
  %a = norm.rmsnorm %x4096 : tensor<?x4096xbf16> into %x4096 : tensor<?x4096xbf16> -> tensor<?x4096xbf16>
  %b = norm.rmsnorm %x8192 : tensor<?x8192xbf16> into %x8192 : tensor<?x8192xbf16> -> tensor<?x8192xbf16>
  return %a, %b : tensor<?x4096xbf16>, tensor<?x8192xbf16>
}

// -----

// Long rows: H = 16384 still fits in registers (16 elements per thread of
// 1024). Past the register budget the row goes to shared memory when the
// target has enough (227 KiB on an H100; 128 KiB for H = 65536 bf16), else it is
// read again (48 KiB, the default; f32 at H = 65536 needs 256 KiB).
// CHECK-LABEL: func @long
// CHECK: norm.rmsnorm {{.*}} {schedule = #norm.schedule<threads_per_row = 1024, rows_per_block = 1, vector_width = 8, row_storage = registers>} -> tensor<?x16384xbf16>
// CHECK: norm.rmsnorm {{.*}} {schedule = #norm.schedule<threads_per_row = 1024, rows_per_block = 1, vector_width = 8, row_storage = stream>} -> tensor<?x32768xbf16>
// CHECK: norm.rmsnorm {{.*}} {schedule = #norm.schedule<threads_per_row = 1024, rows_per_block = 1, vector_width = 8, row_storage = stream>} -> tensor<?x65536xbf16>
// CHECK: norm.rmsnorm {{.*}} {schedule = #norm.schedule<threads_per_row = 1024, rows_per_block = 1, vector_width = 4, row_storage = stream>} -> tensor<?x65536xf32>
// H100-LABEL: func @long
// H100: #norm.schedule<threads_per_row = 1024, rows_per_block = 1, vector_width = 8, row_storage = registers>
// H100: #norm.schedule<threads_per_row = 1024, rows_per_block = 1, vector_width = 8, row_storage = shared>
// H100: #norm.schedule<threads_per_row = 1024, rows_per_block = 1, vector_width = 8, row_storage = shared>
// H100: #norm.schedule<threads_per_row = 1024, rows_per_block = 1, vector_width = 4, row_storage = stream>
// WAVE64-LABEL: func @long
// WAVE64: row_storage = registers>
// WAVE64: row_storage = stream>
func.func @long(%x16k: tensor<?x16384xbf16>, %x32k: tensor<?x32768xbf16>, %x64k: tensor<?x65536xbf16>, %f64k: tensor<?x65536xf32>) -> (tensor<?x16384xbf16>, tensor<?x32768xbf16>, tensor<?x65536xbf16>, tensor<?x65536xf32>) {
  %a = norm.rmsnorm %x16k : tensor<?x16384xbf16> into %x16k : tensor<?x16384xbf16> -> tensor<?x16384xbf16>
  %b = norm.rmsnorm %x32k : tensor<?x32768xbf16> into %x32k : tensor<?x32768xbf16> -> tensor<?x32768xbf16>
  %c = norm.rmsnorm %x64k : tensor<?x65536xbf16> into %x64k : tensor<?x65536xbf16> -> tensor<?x65536xbf16>
  %d = norm.rmsnorm %f64k : tensor<?x65536xf32> into %f64k : tensor<?x65536xf32> -> tensor<?x65536xf32>
  return %a, %b, %c, %d : tensor<?x16384xbf16>, tensor<?x32768xbf16>, tensor<?x65536xbf16>, tensor<?x65536xf32>
}

// -----

// The fused kernel caches the rounded sum (the residual's type): 128 KiB.
// Per-group quantization reads each chunk once: it never needs a cache.
// H100-LABEL: func @long_fused
// H100: norm.rmsnorm_quantize {{.*}} {intermediate_type = bf16, schedule = #norm.schedule<threads_per_row = 1024, rows_per_block = 1, vector_width = 8, row_storage = shared>}
// H100: norm.quantize per_group(128) {{.*}} {schedule = #norm.schedule<threads_per_row = 1024, rows_per_block = 1, vector_width = 8, row_storage = stream>}
func.func @long_fused(%x: memref<?x65536xbf16>, %r: memref<?x65536xbf16>, %q: memref<?x65536xf8E4M3FN>, %s: memref<?x1xf32>, %gs: memref<?x512xf32>) {
  norm.rmsnorm_quantize per_token %x : memref<?x65536xbf16> residual %r : memref<?x65536xbf16> into %q : memref<?x65536xf8E4M3FN>, %s : memref<?x1xf32> residual_out %r : memref<?x65536xbf16> {intermediate_type = bf16}
  norm.quantize per_group(128) %x : memref<?x65536xbf16> into %q : memref<?x65536xf8E4M3FN>, %gs : memref<?x512xf32>
  return
}

// -----

// Dynamic H: a block of 256 threads per row, the row read again, peeled
// 16-byte vectors (any H); a group size gives the vector width.
// CHECK-LABEL: func @dynamic
// CHECK: norm.rmsnorm {{.*}} {schedule = #norm.schedule<threads_per_row = 256, rows_per_block = 1, vector_width = 8, row_storage = stream>} -> tensor<?x?xbf16>
// CHECK: norm.quantize per_group(128) {{.*}} {schedule = #norm.schedule<threads_per_row = 256, rows_per_block = 1, vector_width = 8, row_storage = stream>}
func.func @dynamic(%x: tensor<?x?xbf16>, %q0: tensor<?x?xf8E4M3FN>, %s0: tensor<?x?xf32>) -> (tensor<?x?xbf16>, tensor<?x?xf8E4M3FN>, tensor<?x?xf32>) {
  %y = norm.rmsnorm %x : tensor<?x?xbf16> into %x : tensor<?x?xbf16> -> tensor<?x?xbf16>
  %q, %s = norm.quantize per_group(128) %x : tensor<?x?xbf16> into %q0 : tensor<?x?xf8E4M3FN>, %s0 : tensor<?x?xf32> -> tensor<?x?xf8E4M3FN>, tensor<?x?xf32>
  return %y, %q, %s : tensor<?x?xbf16>, tensor<?x?xf8E4M3FN>, tensor<?x?xf32>
}

// -----

// A static row count: with the SM count known, blocks shrink (to one warp)
// until the 64 rows spread over more SMs.
// CHECK-LABEL: func @few_rows
// CHECK: #norm.schedule<threads_per_row = 8, rows_per_block = 32, vector_width = 8, row_storage = registers>
// SMS-LABEL: func @few_rows
// SMS: #norm.schedule<threads_per_row = 8, rows_per_block = 4, vector_width = 8, row_storage = registers>
func.func @few_rows(%x: tensor<64x64xbf16>) -> tensor<64x64xbf16> {
  %y = norm.rmsnorm %x : tensor<64x64xbf16> into %x : tensor<64x64xbf16> -> tensor<64x64xbf16>
  return %y : tensor<64x64xbf16>
}

// -----

// A schedule the user wrote is kept; an override replaces only the field it
// forces.
// CHECK-LABEL: func @user_schedule
// CHECK: #norm.schedule<threads_per_row = 32, rows_per_block = 4, vector_width = 4, row_storage = registers>
// H100-LABEL: func @user_schedule
// H100: #norm.schedule<threads_per_row = 32, rows_per_block = 4, vector_width = 4, row_storage = registers>
// FORCE-LABEL: func @user_schedule
// FORCE: #norm.schedule<threads_per_row = 64, rows_per_block = 4, vector_width = 4, row_storage = stream>
func.func @user_schedule(%x: tensor<?x4096xbf16>) -> tensor<?x4096xbf16> {
  %y = norm.rmsnorm %x : tensor<?x4096xbf16> into %x : tensor<?x4096xbf16> {schedule = #norm.schedule<threads_per_row = 32, rows_per_block = 4, vector_width = 4, row_storage = registers>} -> tensor<?x4096xbf16>
  return %y : tensor<?x4096xbf16>
}

// A forced field the op cannot take, named with the reason.
// BADVEC: error: 'norm.rmsnorm' op norm-tile: the forced schedule fields do not fit: vector_width = 16 makes 32-byte accesses to the 2-byte row elements; at most 16 bytes per access
// BADREG: error: 'norm.rmsnorm' op norm-tile: the forced schedule fields do not fit: row_storage = registers needs a static innermost dimension (the row's size is fixed at compile time); use stream
// BADNAME: error: norm-tile: 'row-storage' must be registers, shared or stream, got 'disk'
// BADWARP: error: norm-tile: 'warp-size' must be a power of two, got 48

// -----

// Rows that only narrow vectors divide are peeled: 16-byte vectors between
// a head and a tail of single elements, and at least 14 lanes for those.
// Short ones (H = 17) are not worth it.
// CHECK-LABEL: func @odd
// CHECK: norm.rmsnorm {{.*}} {schedule = #norm.schedule<threads_per_row = 256, rows_per_block = 1, vector_width = 8, row_storage = registers>} -> tensor<?x4095xbf16>
// CHECK: norm.rmsnorm {{.*}} {schedule = #norm.schedule<threads_per_row = 256, rows_per_block = 1, vector_width = 8, row_storage = registers>} -> tensor<?x4094xbf16>
// CHECK: norm.rmsnorm {{.*}} {schedule = #norm.schedule<threads_per_row = 8, rows_per_block = 16, vector_width = 1, row_storage = registers>} -> tensor<?x17xbf16>
// CHECK: norm.quantize per_token {{.*}} {schedule = #norm.schedule<threads_per_row = 1024, rows_per_block = 1, vector_width = 8, row_storage = stream>}
// A long peeled row fits in shared memory on the H100.
// H100-LABEL: func @odd
// H100: norm.quantize per_token {{.*}} {schedule = #norm.schedule<threads_per_row = 1024, rows_per_block = 1, vector_width = 8, row_storage = shared>}
func.func @odd(%a: tensor<?x4095xbf16>, %b: tensor<?x4094xbf16>, %c: tensor<?x17xbf16>, %d: tensor<?x65535xbf16>, %q0: tensor<?x65535xf8E4M3FN>, %s0: tensor<?x1xf32>) -> (tensor<?x4095xbf16>, tensor<?x4094xbf16>, tensor<?x17xbf16>, tensor<?x65535xf8E4M3FN>, tensor<?x1xf32>) {
  %y = norm.rmsnorm %a : tensor<?x4095xbf16> into %a : tensor<?x4095xbf16> -> tensor<?x4095xbf16>
  %z = norm.rmsnorm %b : tensor<?x4094xbf16> into %b : tensor<?x4094xbf16> -> tensor<?x4094xbf16>
  %w = norm.rmsnorm %c : tensor<?x17xbf16> into %c : tensor<?x17xbf16> -> tensor<?x17xbf16>
  %q, %s = norm.quantize per_token %d : tensor<?x65535xbf16> into %q0 : tensor<?x65535xf8E4M3FN>, %s0 : tensor<?x1xf32> -> tensor<?x65535xf8E4M3FN>, tensor<?x1xf32>
  return %y, %z, %w, %q, %s : tensor<?x4095xbf16>, tensor<?x4094xbf16>, tensor<?x17xbf16>, tensor<?x65535xf8E4M3FN>, tensor<?x1xf32>
}

// -----

// Rows of a power of two of at most 256 vectors that one reduction reads: a
// vector per thread, rows sharing blocks of 256 threads (H = 1024, 2048,
// 1024 f32, and add_rmsnorm at 512). Other counts (H = 1536: 192 vectors),
// peeled rows (H = 1023) and longer rows (H = 3072) take about 4 vectors
// per thread; rmsnorm + per-token quantization (two reductions) too.
// CHECK-LABEL: func @short_rows
// CHECK: norm.rmsnorm {{.*}} {schedule = #norm.schedule<threads_per_row = 128, rows_per_block = 2, vector_width = 8, row_storage = registers>} -> tensor<?x1024xbf16>
// CHECK: norm.rmsnorm {{.*}} {schedule = #norm.schedule<threads_per_row = 256, rows_per_block = 1, vector_width = 8, row_storage = registers>} -> tensor<?x2048xbf16>
// CHECK: norm.rmsnorm {{.*}} {schedule = #norm.schedule<threads_per_row = 64, rows_per_block = 1, vector_width = 8, row_storage = registers>} -> tensor<?x1536xbf16>
// CHECK: norm.rmsnorm {{.*}} {schedule = #norm.schedule<threads_per_row = 32, rows_per_block = 4, vector_width = 8, row_storage = registers>} -> tensor<?x1023xbf16>
// CHECK: norm.rmsnorm {{.*}} {schedule = #norm.schedule<threads_per_row = 128, rows_per_block = 1, vector_width = 8, row_storage = registers>} -> tensor<?x3072xbf16>
// CHECK: norm.rmsnorm {{.*}} {schedule = #norm.schedule<threads_per_row = 256, rows_per_block = 1, vector_width = 4, row_storage = registers>} -> tensor<?x1024xf32>
// CHECK: norm.add_rmsnorm {{.*}} {schedule = #norm.schedule<threads_per_row = 64, rows_per_block = 4, vector_width = 8, row_storage = registers>}
// CHECK: norm.rmsnorm_quantize per_token {{.*}}schedule = #norm.schedule<threads_per_row = 32, rows_per_block = 4, vector_width = 8, row_storage = registers>
// `blocks-per-row=1` is no split: the rule still applies.
// ONEBLOCK-LABEL: func @short_rows
// ONEBLOCK: norm.rmsnorm {{.*}} {schedule = #norm.schedule<threads_per_row = 128, rows_per_block = 2, vector_width = 8, row_storage = registers>} -> tensor<?x1024xbf16>
func.func @short_rows(%a: tensor<?x1024xbf16>, %b: tensor<?x2048xbf16>, %e: tensor<?x1536xbf16>, %p: tensor<?x1023xbf16>, %c: tensor<?x3072xbf16>, %d: tensor<?x1024xf32>, %r: tensor<?x512xbf16>, %q0: tensor<?x1024xf8E4M3FN>, %s0: tensor<?x1xf32>) -> (tensor<?x1024xbf16>, tensor<?x2048xbf16>, tensor<?x1536xbf16>, tensor<?x1023xbf16>, tensor<?x3072xbf16>, tensor<?x1024xf32>, tensor<?x512xbf16>, tensor<?x512xbf16>, tensor<?x1024xf8E4M3FN>, tensor<?x1xf32>) {
  %ya = norm.rmsnorm %a : tensor<?x1024xbf16> into %a : tensor<?x1024xbf16> -> tensor<?x1024xbf16>
  %yb = norm.rmsnorm %b : tensor<?x2048xbf16> into %b : tensor<?x2048xbf16> -> tensor<?x2048xbf16>
  %ye = norm.rmsnorm %e : tensor<?x1536xbf16> into %e : tensor<?x1536xbf16> -> tensor<?x1536xbf16>
  %yp = norm.rmsnorm %p : tensor<?x1023xbf16> into %p : tensor<?x1023xbf16> -> tensor<?x1023xbf16>
  %yc = norm.rmsnorm %c : tensor<?x3072xbf16> into %c : tensor<?x3072xbf16> -> tensor<?x3072xbf16>
  %yd = norm.rmsnorm %d : tensor<?x1024xf32> into %d : tensor<?x1024xf32> -> tensor<?x1024xf32>
  %yr, %sr = norm.add_rmsnorm %r : tensor<?x512xbf16>, residual %r : tensor<?x512xbf16> into %r : tensor<?x512xbf16>, %r : tensor<?x512xbf16> -> tensor<?x512xbf16>, tensor<?x512xbf16>
  %q, %s = norm.rmsnorm_quantize per_token %a : tensor<?x1024xbf16> into %q0 : tensor<?x1024xf8E4M3FN>, %s0 : tensor<?x1xf32> {intermediate_type = bf16} -> tensor<?x1024xf8E4M3FN>, tensor<?x1xf32>
  return %ya, %yb, %ye, %yp, %yc, %yd, %yr, %sr, %q, %s : tensor<?x1024xbf16>, tensor<?x2048xbf16>, tensor<?x1536xbf16>, tensor<?x1023xbf16>, tensor<?x3072xbf16>, tensor<?x1024xf32>, tensor<?x512xbf16>, tensor<?x512xbf16>, tensor<?x1024xf8E4M3FN>, tensor<?x1xf32>
}

// -----

// With a residual, rmsnorm + per-token quantization takes add_rmsnorm's
// schedule at H = 1024, so that the fused kernel sums the row in the order
// of the unfused chain's add_rmsnorm.
// CHECK-LABEL: func @short_rows_residual
// CHECK: norm.rmsnorm_quantize per_token {{.*}}schedule = #norm.schedule<threads_per_row = 128, rows_per_block = 2, vector_width = 8, row_storage = registers>
func.func @short_rows_residual(%x: memref<?x1024xbf16>, %r: memref<?x1024xbf16>, %q: memref<?x1024xf8E4M3FN>, %s: memref<?x1xf32>) {
  norm.rmsnorm_quantize per_token %x : memref<?x1024xbf16> residual %r : memref<?x1024xbf16> into %q : memref<?x1024xf8E4M3FN>, %s : memref<?x1xf32> residual_out %r : memref<?x1024xbf16> {intermediate_type = bf16}
  return
}

// -----

// H = 5120 (640 vectors). rmsnorm, at 2 vectors per thread, would take 512
// threads with 384 lanes idle in their second chunk; 256 threads of 3
// vectors leave 128 idle. rmsnorm + per-token quantization, at 4 vectors per
// thread, would leave 128 lanes of 256 idle in their third chunk; 128
// threads of 5 vectors fit exactly.
// CHECK-LABEL: func @idle_lanes
// CHECK: norm.rmsnorm {{.*}} {schedule = #norm.schedule<threads_per_row = 256, rows_per_block = 1, vector_width = 8, row_storage = registers>} -> tensor<?x5120xbf16>
// CHECK: norm.rmsnorm_quantize per_token {{.*}}schedule = #norm.schedule<threads_per_row = 128, rows_per_block = 1, vector_width = 8, row_storage = registers>
func.func @idle_lanes(%x: tensor<?x5120xbf16>, %q0: tensor<?x5120xf8E4M3FN>, %s0: tensor<?x1xf32>) -> (tensor<?x5120xbf16>, tensor<?x5120xf8E4M3FN>, tensor<?x1xf32>) {
  %y = norm.rmsnorm %x : tensor<?x5120xbf16> into %x : tensor<?x5120xbf16> -> tensor<?x5120xbf16>
  %q, %s = norm.rmsnorm_quantize per_token %x : tensor<?x5120xbf16> into %q0 : tensor<?x5120xf8E4M3FN>, %s0 : tensor<?x1xf32> -> tensor<?x5120xf8E4M3FN>, tensor<?x1xf32>
  return %y, %q, %s : tensor<?x5120xbf16>, tensor<?x5120xf8E4M3FN>, tensor<?x1xf32>
}

// H = 7168 (896 vectors) at 2 vectors per thread: 512 threads leave as many
// lanes idle (128) as 256 threads do; the smaller block reduction wins.
// CHECK-LABEL: func @equal_idle_lanes
// CHECK: norm.rmsnorm {{.*}} {schedule = #norm.schedule<threads_per_row = 256, rows_per_block = 1, vector_width = 8, row_storage = registers>} -> tensor<?x7168xbf16>
func.func @equal_idle_lanes(%x: tensor<?x7168xbf16>) -> tensor<?x7168xbf16> {
  %y = norm.rmsnorm %x : tensor<?x7168xbf16> into %x : tensor<?x7168xbf16> -> tensor<?x7168xbf16>
  return %y : tensor<?x7168xbf16>
}

// -----

// Two row reductions over one input (rmsnorm + per-token quantization):
// blocks of at most 256 threads with up to 8 vectors each; where that
// would hold more than 32 elements per thread in registers, 512 threads
// with the row in shared memory. With a residual, or with one reduction,
// 2 vectors per thread.
// CHECK-LABEL: func @row_reductions
// CHECK: norm.rmsnorm_quantize per_token {{.*}}schedule = #norm.schedule<threads_per_row = 512, rows_per_block = 1, vector_width = 8, row_storage = shared>
// CHECK: norm.rmsnorm_quantize per_token {{.*}}schedule = #norm.schedule<threads_per_row = 1024, rows_per_block = 1, vector_width = 8, row_storage = registers>
// CHECK: norm.rmsnorm_quantize static {{.*}}schedule = #norm.schedule<threads_per_row = 1024, rows_per_block = 1, vector_width = 8, row_storage = registers>
func.func @row_reductions(%x: memref<?x16384xbf16>, %r: memref<?x16384xbf16>, %q: memref<?x16384xf8E4M3FN>, %s: memref<?x1xf32>, %sc: memref<1xf32>) {
  norm.rmsnorm_quantize per_token %x : memref<?x16384xbf16> into %q : memref<?x16384xf8E4M3FN>, %s : memref<?x1xf32>
  norm.rmsnorm_quantize per_token %x : memref<?x16384xbf16> residual %r : memref<?x16384xbf16> into %q : memref<?x16384xf8E4M3FN>, %s : memref<?x1xf32> residual_out %r : memref<?x16384xbf16>
  norm.rmsnorm_quantize static %x : memref<?x16384xbf16> scale %sc : memref<1xf32> into %q : memref<?x16384xf8E4M3FN>
  return
}

// -----

// The shared-memory rule of two row reductions: 512 threads with the row in
// shared memory only for 4 to 8 vectors per thread of 512 that would hold
// more than 32 elements per thread in registers, where the row fits (bf16
// H = 32768 takes 64 KiB: not in the default 48 KiB nor in AMD's 64 KiB).
// Shorter rows (H = 8192, 9216, 12288 on 256 threads), f32 rows (32
// elements at 8 vectors of 4) and longer rows (H = 65536) keep their
// schedule.
// CHECK-LABEL: func @row_reductions_shared
// CHECK: norm.rmsnorm_quantize per_token {{.*}}memref<?x9216xbf16>{{.*}}schedule = #norm.schedule<threads_per_row = 256, rows_per_block = 1, vector_width = 8, row_storage = registers>
// CHECK: norm.rmsnorm_quantize per_token {{.*}}memref<?x12288xbf16>{{.*}}schedule = #norm.schedule<threads_per_row = 256, rows_per_block = 1, vector_width = 8, row_storage = registers>
// CHECK: norm.rmsnorm_quantize per_token {{.*}}memref<?x8192xbf16>{{.*}}schedule = #norm.schedule<threads_per_row = 256, rows_per_block = 1, vector_width = 8, row_storage = registers>
// CHECK: norm.rmsnorm_quantize per_token {{.*}}memref<?x16384xf32>{{.*}}schedule = #norm.schedule<threads_per_row = 512, rows_per_block = 1, vector_width = 4, row_storage = registers>
// CHECK: norm.rmsnorm_quantize per_token {{.*}}memref<?x32768xbf16>{{.*}}schedule = #norm.schedule<threads_per_row = 512, rows_per_block = 1, vector_width = 8, row_storage = registers>
// CHECK: norm.rmsnorm_quantize per_token {{.*}}memref<?x65536xbf16>{{.*}}schedule = #norm.schedule<threads_per_row = 1024, rows_per_block = 1, vector_width = 8, row_storage = stream>
// H100-LABEL: func @row_reductions_shared
// H100: norm.rmsnorm_quantize per_token {{.*}}memref<?x9216xbf16>{{.*}}schedule = #norm.schedule<threads_per_row = 256, rows_per_block = 1, vector_width = 8, row_storage = registers>
// H100: norm.rmsnorm_quantize per_token {{.*}}memref<?x12288xbf16>{{.*}}schedule = #norm.schedule<threads_per_row = 256, rows_per_block = 1, vector_width = 8, row_storage = registers>
// H100: norm.rmsnorm_quantize per_token {{.*}}memref<?x8192xbf16>{{.*}}schedule = #norm.schedule<threads_per_row = 256, rows_per_block = 1, vector_width = 8, row_storage = registers>
// H100: norm.rmsnorm_quantize per_token {{.*}}memref<?x16384xf32>{{.*}}schedule = #norm.schedule<threads_per_row = 512, rows_per_block = 1, vector_width = 4, row_storage = registers>
// H100: norm.rmsnorm_quantize per_token {{.*}}memref<?x32768xbf16>{{.*}}schedule = #norm.schedule<threads_per_row = 512, rows_per_block = 1, vector_width = 8, row_storage = shared>
// H100: norm.rmsnorm_quantize per_token {{.*}}memref<?x65536xbf16>{{.*}}schedule = #norm.schedule<threads_per_row = 1024, rows_per_block = 1, vector_width = 8, row_storage = shared>
// WAVE64-LABEL: func @row_reductions_shared
// WAVE64: norm.rmsnorm_quantize per_token {{.*}}memref<?x9216xbf16>{{.*}}schedule = #norm.schedule<threads_per_row = 256, rows_per_block = 1, vector_width = 8, row_storage = registers>
// WAVE64: norm.rmsnorm_quantize per_token {{.*}}memref<?x12288xbf16>{{.*}}schedule = #norm.schedule<threads_per_row = 256, rows_per_block = 1, vector_width = 8, row_storage = registers>
// WAVE64: norm.rmsnorm_quantize per_token {{.*}}memref<?x8192xbf16>{{.*}}schedule = #norm.schedule<threads_per_row = 256, rows_per_block = 1, vector_width = 8, row_storage = registers>
// WAVE64: norm.rmsnorm_quantize per_token {{.*}}memref<?x16384xf32>{{.*}}schedule = #norm.schedule<threads_per_row = 512, rows_per_block = 1, vector_width = 4, row_storage = registers>
// WAVE64: norm.rmsnorm_quantize per_token {{.*}}memref<?x32768xbf16>{{.*}}schedule = #norm.schedule<threads_per_row = 512, rows_per_block = 1, vector_width = 8, row_storage = registers>
// WAVE64: norm.rmsnorm_quantize per_token {{.*}}memref<?x65536xbf16>{{.*}}schedule = #norm.schedule<threads_per_row = 1024, rows_per_block = 1, vector_width = 8, row_storage = stream>
func.func @row_reductions_shared(%x9k: memref<?x9216xbf16>, %q9k: memref<?x9216xf8E4M3FN>, %x12k: memref<?x12288xbf16>, %q12k: memref<?x12288xf8E4M3FN>, %x8k: memref<?x8192xbf16>, %q8k: memref<?x8192xf8E4M3FN>, %x16k: memref<?x16384xf32>, %q16k: memref<?x16384xf8E4M3FN>, %x32k: memref<?x32768xbf16>, %q32k: memref<?x32768xf8E4M3FN>, %x64k: memref<?x65536xbf16>, %q64k: memref<?x65536xf8E4M3FN>, %s: memref<?x1xf32>) {
  norm.rmsnorm_quantize per_token %x9k : memref<?x9216xbf16> into %q9k : memref<?x9216xf8E4M3FN>, %s : memref<?x1xf32>
  norm.rmsnorm_quantize per_token %x12k : memref<?x12288xbf16> into %q12k : memref<?x12288xf8E4M3FN>, %s : memref<?x1xf32>
  norm.rmsnorm_quantize per_token %x8k : memref<?x8192xbf16> into %q8k : memref<?x8192xf8E4M3FN>, %s : memref<?x1xf32>
  norm.rmsnorm_quantize per_token %x16k : memref<?x16384xf32> into %q16k : memref<?x16384xf8E4M3FN>, %s : memref<?x1xf32>
  norm.rmsnorm_quantize per_token %x32k : memref<?x32768xbf16> into %q32k : memref<?x32768xf8E4M3FN>, %s : memref<?x1xf32>
  norm.rmsnorm_quantize per_token %x64k : memref<?x65536xbf16> into %q64k : memref<?x65536xf8E4M3FN>, %s : memref<?x1xf32>
  return
}
