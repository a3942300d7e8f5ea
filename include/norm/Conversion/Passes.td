//===- Passes.td - norm conversion passes -------------------*- tablegen -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_CONVERSION_PASSES_TD
#define NORM_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def NormToGPU : Pass<"norm-to-gpu", "ModuleOp"> {
  let summary = "Lower norm ops on memrefs to GPU kernels and their launches";
  let description = [{
    Replaces every norm op in memref form (run `one-shot-bufferize` first)
    with a `gpu.launch_func` of a kernel generated into the `gpu.module`
    `@norm_kernels`. Each kernel handles whole rows: 16-byte vector loads
    where H allows, f32 accumulation, warp shuffles and a shared-memory block
    reduction, and the row kept in registers, cached in dynamic shared
    memory or read again between the reduction and the scaling. The layout
    is the op's `schedule` attribute (`norm-tile` attaches one); an op
    without one gets the same default `norm-tile` would choose from the
    options below (`RowSchedule.h`). FP8 results are produced with
    `arith.truncf` after saturating to the format's range, so any lowering of
    the conversion (hardware or emulated) gives the saturating result.

    Kernel ABI: one `!llvm.ptr<1>` per memref operand in operand order, then
    `rows` and `cols` (i64), then the row stride (i64, in elements) of every
    row-shaped operand in operand order, then the stride of the scales for
    dynamic quantization. The launch geometry is recorded on the module as
    `norm.kernels` (the bundle manifest's source). Host
    `memref.alloc`/`dealloc` in functions that launch kernels become
    `gpu.alloc`/`gpu.dealloc`: norm kernels read and write device memory.

    A schedule with `blocks_per_row` > 1 splits each row over a
    thread-block cluster: the kernel carries the cluster shape
    (`nvvm.cluster_dim`), the launch has `rows * blocks_per_row` blocks in
    clusters of `blocks_per_row`, and the blocks combine their partial
    reductions through distributed shared memory (`nvvm.mapa`) between
    cluster barriers. Such schedules need `max-blocks-per-row` at least as
    large, which the NVVM pipeline sets for sm_90 and later.

    With `packed-half-max=true` (the NVVM pipeline sets it for sm_80 and
    later), a quantizer whose input is the row rounded to f16 / bf16 (its
    `intermediate_type`, no smoothing or clip) takes the amax of element
    pairs in that type: a running `arith.maximumf` and `arith.minimumf` on
    `vector<2xbf16>`, combined as max(max, -min) and extended to f32 once
    per thread before the row reduction. The result is the same
    [packed-half-amax].

    With `async-copies=true` (the NVVM pipeline sets it for sm_80 and
    later), a row cached in shared memory by a block alone on its SM (the
    cache takes more than half of `shared-memory-per-block`), which loads
    gamma with the row, is copied there with `nvvm.cp.async.shared.global`
    (`cp.async.cg`) when its first pass reads the input alone (no residual
    add) in 16-byte vectors: every thread issues its vectors of the row at
    once, waits for them and reads them back, instead of staging them in the
    registers that hold gamma. Other kernels lost by it and keep their
    loads [async-row-copy].

    With `persistent-rows=true` as well (the NVVM pipeline sets both), such a
    kernel that normalizes bf16 rows (with a bf16 gamma) and quantizes per
    token, one row per block in whole 16-byte chunks, becomes persistent: it
    loops over rows with a grid stride, its shared memory is a ring of as many
    chunk slots as fit in `shared-memory-per-block` less 32 KiB (left to the
    L1 cache [ring-l1-share]), each thread copies the chunk S slots further on
    in its stream of chunks into a slot as soon as its last pass has read it
    (so S - C of the next row's C chunks arrive during this row; the block's
    first row is copied alone, and read chunk by chunk as it arrives), and
    gamma is loaded once per block into registers. The manifest marks it
    `"persistent": true` and the runtime launches one balanced wave of blocks;
    host launches give each block 8 rows. Its int8 codes, in rows whose amax
    is finite, are the low bytes of `q + 1.5 * 2^23` (an f32 add that rounds
    to the nearest integer, ties to even; one add instead of a conversion
    [int8-codes-by-addition]); other rows keep the conversion. Part of the
    next row's load then overlaps this row's reductions [persistent-ring].

    With `nontemporal-rows=true` (the NVVM pipeline sets it), a kernel that
    keeps its rows in registers, adds no residual and whose H times the
    input's element size is a multiple of 128 bytes (H static, not peeled;
    so rows of a dense tensor are whole lines) marks its loads of the input
    and its stores of row results `nontemporal`: every byte is
    read or written once. `norm-nvvm-nontemporal` makes them PTX streaming
    accesses (`ld.global.cs`, `st.global.cs`). Rows that share a line with
    their neighbours (peeled rows) would fetch it twice, and residual
    kernels and rows cached in shared memory were slower with them
    [streamed-rows].

    With `evict-last-row-loads=true` as well (the NVVM pipeline sets it for
    sm_90 and later), such a kernel that normalizes without quantizing, one
    block per row, whose row splits into whole vectors for every thread
    (H a multiple of vector width times threads per row) marks only its
    input loads and carries `norm.row_cache_policy = "evict_last_loads"`:
    `norm-nvvm-nontemporal` loads evict-last and stores plainly: steadier
    than streaming with other CUDA graphs resident in the process
    [evict-last-loads].
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::gpu::GPUDialect",
    "::mlir::LLVM::LLVMDialect", "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect", "::mlir::NVVM::NVVMDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
  ];
  let options = [
    Option<"chip", "chip", "std::string", /*default=*/"\"\"",
           "Target chips, a comma list of the known-target table "
           "(sm_90, gfx942, ...), else the chips of the @norm_kernels "
           "gpu.module's #nvvm.target / #rocdl.target: every target option "
           "below left at its default takes the chips' value; one set to "
           "anything else overrides it">,
    Option<"warpSize", "warp-size", "int64_t", /*default=*/"32",
           "Threads per warp (wavefront) of the target">,
    Option<"maxRegisterElements", "max-register-elements", "int64_t",
           /*default=*/"64",
           "Most row elements a thread keeps in registers, for ops without "
           "a schedule; longer rows go to shared memory or are read twice">,
    Option<"sharedMemoryPerBlock", "shared-memory-per-block", "int64_t",
           /*default=*/"49152",
           "Shared memory a block may use (bytes), for ops without a "
           "schedule; rows that fit are cached there">,
    Option<"maxBlocksPerRow", "max-blocks-per-row", "int64_t",
           /*default=*/"1",
           "Most blocks of a thread-block cluster a row may be split over "
           "(the target's clusters; 1: none). Kernels with blocks_per_row > "
           "1 use NVVM cluster operations (NVIDIA sm_90 and later)">,
    Option<"packedHalfMax", "packed-half-max", "bool", /*default=*/"false",
           "The target has NaN-propagating max and min on f16/bf16 pairs "
           "(NVIDIA sm_80 and later): quantizers take the amax of rows "
           "rounded to f16/bf16 two elements per instruction">,
    Option<"asyncCopies", "async-copies", "bool", /*default=*/"false",
           "The target copies global to shared memory asynchronously "
           "(NVIDIA sm_80 and later: cp.async): rows cached in shared "
           "memory are loaded straight into it">,
    Option<"persistentRows", "persistent-rows", "bool", /*default=*/"false",
           "With async-copies: rmsnorm + per-token quantization of bf16 rows "
           "(no residual) that a block alone on its SM caches in shared "
           "memory loops over rows (a persistent kernel) whose shared memory "
           "is a ring: part of the next row arrives during this one">,
    Option<"nontemporalRows", "nontemporal-rows", "bool", /*default=*/"false",
           "Mark the input loads and row stores of kernels that read every "
           "row once into registers (no residual, H * element size a "
           "multiple of 128 bytes) nontemporal">,
    Option<"evictLastRowLoads", "evict-last-row-loads", "bool",
           /*default=*/"false",
           "With nontemporal-rows, on NVIDIA sm_80 and later with PTX 7.4 "
           "or later: rmsnorm kernels (no quantizer, one block per row) "
           "whose threads each take whole vectors of the row mark only "
           "their input loads, and carry norm.row_cache_policy = "
           "\"evict_last_loads\"">,
    Option<"vendor", "vendor", "std::string", /*default=*/"\"nvidia\"",
           "The kernels' vendor: nvidia or amd. Vendor-only IR (cp.async, "
           "clusters) comes from that vendor's hooks; the NVIDIA-only "
           "options are rejected with amd">,
    Option<"printPlan", "print-plan", "bool", /*default=*/"false",
           "Print each kernel's plan (KernelPlan.h: the row program, where "
           "the row lives, how it is loaded, the quantizer's shortcuts) to "
           "stdout before emitting it">
  ];
}

def NormLowerQuantizerConversions
    : Pass<"norm-lower-quantizer-conversions"> {
  let summary = "Lower the quantizers' f32 -> fp8 / int8 conversions to "
                "hardware or emulation";
  let description = [{
    Rewrites `arith.truncf` from f32 to f8E4M3FN, f8E5M2, f8E4M3FNUZ or
    f8E5M2FNUZ. With `nvvm-paired=true` (sm_89 and later), f8E4M3FN and
    f8E5M2 pairs become `nvvm.convert.f32x2.to.f8x2` with round-to-nearest-
    even and `satfinite` (`cvt.rn.satfinite.e4m3x2.f32`); a NaN-propagating
    clamp to the format's largest finite value right before one is dropped,
    since `satfinite` saturates the same way and keeps NaN. Every remaining one
    is expanded into integer arithmetic that rounds to nearest even and
    saturates to the largest finite value (NaN stays NaN), the fallback for
    targets without fp8 instructions.

    With `nvvm-int8=true`, the int8 quantizer's conversion as `norm-to-gpu`
    emits it,
    `arith.fptosi(select(isnan(c), 0, c))` to i8 with
    `c = minimumf(maximumf(roundeven(y), -128), 127)`,
    becomes one `llvm.nvvm.f2i.rn` per element (`cvt.rni.s32.f32`, which
    rounds to nearest even, saturates and turns NaN into 0) and an integer
    clamp: the same codes in 3 instructions instead of 6. The same sequence
    without the float clamp (norm-to-gpu omits it where the scale bounds the
    quotient) becomes the conversion alone. Other `arith.fptosi` ops are
    left alone.

    With `nvvm-half-pairs=true` (sm_80 and later), an `arith.truncf` of an
    f32 vector of even width to f16 or bf16 becomes
    `nvvm.convert.f32x2.to.{f16x2,bf16x2}` pairs (`cvt.rn.f16x2.f32`), one
    instruction per two elements: LLVM pairs such roundings only when no
    element of the result is used on its own, and a rounded row that is
    extended again (the quantizer's input) otherwise costs a conversion per
    element. Left to LLVM: roundings that are also stored (paired for the
    store), products of two rounded values and their factors (LLVM makes
    them one f16 / bf16 multiply), scalars, odd widths and explicit
    rounding modes.

    Run it after target-specific patterns (e.g. `convert-arith-to-amdgpu`)
    and before `convert-gpu-to-*`.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
    "::mlir::LLVM::LLVMDialect", "::mlir::NVVM::NVVMDialect",
    "::mlir::vector::VectorDialect"
  ];
  let options = [
    Option<"nvvmPaired", "nvvm-paired", "bool", /*default=*/"false",
           "Use the paired NVVM f32x2 -> f8x2 conversion (sm_89+)">,
    Option<"nvvmInt8", "nvvm-int8", "bool", /*default=*/"false",
           "Convert the int8 quantizer's codes with cvt.rni.s32.f32">,
    Option<"nvvmHalfPairs", "nvvm-half-pairs", "bool", /*default=*/"false",
           "Round f32 vectors to f16 / bf16 in pairs with "
           "cvt.rn.f16x2.f32 / cvt.rn.bf16x2.f32 (sm_80+)">
  ];
}

def NormNVVMNontemporal : Pass<"norm-nvvm-nontemporal"> {
  let summary = "Make nontemporal global loads and stores PTX streaming "
                "accesses";
  let description = [{
    NVPTX (LLVM 22) ignores `nontemporal` on loads and stores. This pass
    rewrites every `llvm.load` and `llvm.store` marked `nontemporal` (not
    volatile, not atomic) through an `!llvm.ptr<1>` that moves 32, 64 or
    128 bits with at least that alignment into inline PTX with the
    streaming cache operator: `ld.global.cs` / `st.global.cs` (`.b32`,
    `.v2.b32` or `.v4.b32`), whose lines are allocated evict-first in L1 and
    L2. The value is moved as b32 words and bitcast back. The inline asm has
    side effects, so it keeps its place among the other memory accesses.
    Other accesses keep their flag, which NVPTX then drops.

    The enclosing function's `norm.row_cache_policy` (a string, set by
    `norm-to-gpu`) may change that: `"streaming"` (also when absent) as
    above; `"evict_last_loads"` makes the loads
    `ld.global.L1::evict_last.L2::cache_hint` under a
    `createpolicy.fractional.L2::evict_last` policy (PTX 7.4, sm_80+) and
    the stores plain. Any other value is an error.

    Example:

    ```mlir
    %v = llvm.load %p {alignment = 16 : i64, nontemporal} : !llvm.ptr<1> -> vector<8xbf16>
    // becomes
    %w = llvm.inline_asm has_side_effects "ld.global.cs.v4.b32 {$0, $1, $2, $3}, [$4];", "=r,=r,=r,=r,l" %p : (!llvm.ptr<1>) -> !llvm.struct<(i32, i32, i32, i32)>
    // ... its four words into a vector<4xi32>, bitcast to vector<8xbf16>
    ```
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // NORM_CONVERSION_PASSES_TD
