//===- Passes.td - norm dialect transformation passes -------*- tablegen -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_DIALECT_NORM_TRANSFORMS_PASSES_TD
#define NORM_DIALECT_NORM_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def NormCheckInput : Pass<"norm-check-input"> {
  let summary = "Reject input that upstream passes of the pipelines crash on";
  let description = [{
    The first pass of `norm-to-nvvm` and `norm-to-rocdl`. Some IR verifies
    but makes an upstream pass of the pipelines crash; this pass turns it
    into an error on the op instead:

    - `tensor.dim` / `memref.dim` of a ranked value with a constant index
      outside `[0, rank)` (a canonicalization pattern of the GPU lowering
      dereferences that dim);
    - `tf32` values (the LLVM lowering of a `vector<...xtf32>` load crashes;
      no norm op takes tf32).

    Example:

    ```mlir
    %c = arith.constant -1 : index
    // error: 'tensor.dim' op index -1 is out of range for a value of rank 2
    %d = tensor.dim %x, %c : tensor<?x4096xbf16>
    ```
  }];
}

def NormFuse : Pass<"norm-fuse"> {
  let summary = "Fuse residual adds, quantizations and input extensions into "
                "norm ops";
  let description = [{
    Rewrites chains of ops on tensors (run it before bufferization) into
    fewer norm ops, each one kernel, without changing any result:

    - `residual-add`: an elementwise add of two tensors of the same type
      (`arith.addf`, `linalg.add`, or a `linalg.generic` / `linalg.elementwise`
      whose body is one `arith.addf` of its two inputs, all maps identity)
      that feeds `norm.rmsnorm`'s input becomes `norm.add_rmsnorm` (the
      add's operands become `input` and `residual`). Other users of the sum
      read the updated residual instead, written where the add wrote the sum
      (its `outs`, or a new `tensor.empty`), never over an operand. The add
      rounds to its element type exactly as `norm.add_rmsnorm` rounds the
      residual.
    - `quantize`: `norm.quantize` of the normalized result of `norm.rmsnorm`
      or `norm.add_rmsnorm` becomes `norm.rmsnorm_quantize` with every
      quantization operand and attribute carried over and
      `intermediate_type` set to the normalized tensor's element type, so
      the quantizer sees the values it read before. A normalized tensor with
      other users stays an output (`normalized_out`).

    - `input-extf`: a norm op whose input (or gamma) is the f32 extension
      of an f16/bf16 tensor (`arith.extf` on tensors, or a `linalg.generic`
      whose body is one `arith.extf`, identity maps) reads that tensor: its
      kernel extends every element to f32 itself, so the values are the
      same and the f32 copy is neither written nor read. An extension with
      other users stays for them. The residual of `norm.add_rmsnorm` is not
      folded: its type is the type the sum is rounded to.

    No other producer of a norm input is folded: a norm op reads its input
    as stored and computes in f32 from there, so a producer that rounds (a
    `truncf`, arithmetic whose result is stored in f16/bf16) or computes
    anything (a scale by a constant, a bias add, an activation) would have
    to be computed and rounded inside the kernel, which no norm op
    describes; folding it would change results. (The residual add is the
    one such producer the ops describe, `residual-add` above.)

    Nothing is fused across blocks, through broadcasts, casts or slices, or
    between operands whose types differ; an op is placed where every value
    it replaces is still dominated. Example:

    ```mlir
    %sum = arith.addf %x, %res : tensor<?x4096xbf16>
    %y = norm.rmsnorm %sum : tensor<?x4096xbf16>, gamma %w : tensor<4096xbf16>
           into %e : tensor<?x4096xbf16> -> tensor<?x4096xbf16>
    %q, %s = norm.quantize per_token %y : tensor<?x4096xbf16>
               into %q0 : tensor<?x4096xf8E4M3FN>, %s0 : tensor<?x1xf32>
               -> tensor<?x4096xf8E4M3FN>, tensor<?x1xf32>
    // becomes
    %q, %s, %sum = norm.rmsnorm_quantize per_token %x : tensor<?x4096xbf16>
                     residual %res : tensor<?x4096xbf16>
                     gamma %w : tensor<4096xbf16>
                     into %q0 : tensor<?x4096xf8E4M3FN>, %s0 : tensor<?x1xf32>
                     residual_out %empty : tensor<?x4096xbf16>
                     {intermediate_type = bf16} -> ...
    ```
  }];
  let dependentDialects = [
    "::mlir::norm::NormDialect", "::mlir::tensor::TensorDialect"
  ];
  let options = [
    Option<"fuseResidualAdd", "residual-add", "bool", /*default=*/"true",
           "Fuse an elementwise add feeding norm.rmsnorm into "
           "norm.add_rmsnorm">,
    Option<"fuseQuantize", "quantize", "bool", /*default=*/"true",
           "Fuse norm.quantize of a normalized value into "
           "norm.rmsnorm_quantize">,
    Option<"foldInputExtF", "input-extf", "bool", /*default=*/"true",
           "Let norm ops read the f16/bf16 tensor whose f32 extension they "
           "read">
  ];
}

def NormRaise : Pass<"norm-raise"> {
  let summary = "Raise RMSNorm and per-token quantization written in "
                "linalg/arith/math to norm ops";
  let description = [{
    Recognizes RMSNorm on tensors as ML front ends (torch-mlir, IREE,
    StableHLO) emit it, and replaces it by `norm.rmsnorm`:

    ```
    x   = extf(input)                                (optional)
    ms  = sum(x * x  |  powf(x, 2)) over the last dim / H  (or * (1 / H))
    y   = x * rsqrt(ms + eps)  |  x / sqrt(ms + eps)  |  x * (1 / sqrt(...))
    y   = y * w  |  y * (c + w)                      (gamma, weight_offset c)
    out = truncf(y)                                  (optional)
    ```

    The ops may be `linalg.generic` (with the elementwise steps fused into
    one body or not), named linalg ops (`linalg.mul`, `linalg.div`,
    `linalg.add`, `linalg.square`, `linalg.rsqrt`, `linalg.sqrt`,
    `linalg.reduce`, `linalg.broadcast`, ...) or `arith`/`math` ops on
    tensors; the row statistic may be kept as `[rows, 1]` or `[rows]`
    (`tensor.expand_shape` / `collapse_shape` between them). All arithmetic
    must be f32, as the kernel's is, and the reduction must start from 0.
    The kernel's reduction order and `rsqrt` replace the source's, the usual
    freedom of a reduction. A weight multiply after the cast back (the
    Hugging Face Llama form) stays as it is, so nothing is rounded where the
    source did not round. Near misses (another reduction dim, no or a
    misplaced epsilon, a divisor other than H, the square of another tensor)
    are left alone.

    Raising composes with earlier results: a cast, a weight multiply or an
    input `extf` next to a `norm.rmsnorm` (f32 result used once) is folded
    into it.

    Dynamic per-token quantization becomes `norm.quantize per_token`
    (f8E4M3FN, f8E4M3FNUZ, f8E5M2 with qmax 448, 240, 57344; i8):

    ```
    x     = extf(input)                                (optional)
    amax  = max over the last dim of absf(x), maximumf, from a constant <= 0
    amax  = minimumf(amax, ub)                         (optional: scale_ub)
    amax  = maximumf(amax, m)                          (optional: min_scale
                                                        fl(m / qmax))
    scale = amax / qmax
    scale = maximumf(scale, s)                         (optional: min_scale s)
    q     = truncf(clamp(x / scale, -qmax, qmax))                 (fp8)
    q     = fptosi(clamp(roundeven(x / scale), -128, 127))        (i8, or
            roundeven(clamp(...)))
    ```

    with `clamp` a `minimumf`/`maximumf` pair, all arithmetic in f32, the
    constants exact, and a minimum scale (`m` or `s`) present. The tensors
    that held the scales (`[rows..., 1]` or `[rows...]`) are read from the
    op's scales by the users after the quantized tensor. Each step is what
    `norm.quantize` computes bit for bit; near misses are left alone: a
    reduction over another dim, `maxnumf` (drops NaN, where the op's amax
    propagates it), a start value > 0, `amax * (1 / qmax)` or
    `x * (1 / scale)` (round differently from the divisions), a qmax or
    clamp bound other than the type's (`[-127, 127]` for i8), no clamp
    (fp8 `truncf` does not saturate; i8 `fptosi` out of range is poison), no
    minimum scale (an all-zero row then gives NaN codes and a zero scale),
    a floor `m` outside an upper bound `ub` < `m`, the amax of another
    tensor, arithmetic in bf16/f16. Per-group, static and SmoothQuant
    quantization are not raised.

    Run `norm-fuse` afterwards to merge residual adds and quantizations.
  }];
  let dependentDialects = [
    "::mlir::norm::NormDialect", "::mlir::tensor::TensorDialect"
  ];
}

def NormTile : Pass<"norm-tile"> {
  let summary = "Choose the GPU schedule of every norm op";
  let description = [{
    Attaches a `#norm.schedule` to every norm op (tensor or memref form)
    that has none, chosen from the op's shape (H static or dynamic, element
    types, group size, static row count) and the target described by the
    options; `norm-to-gpu` then generates that kernel. The choice (the same
    one `norm-to-gpu` makes for an op without a schedule):

    - `vector_width`: the widest power of two of at most 16 bytes of the
      widest row element that divides H (and the group); when only vectors
      narrower than 8 bytes divide a row of at least 8 widest vectors, or H
      is dynamic (without groups), the widest vector with peeled rows.
    - `threads_per_row`: enough that each thread handles about 4 vectors,
      a power of two of at most 1024 (256 for a dynamic H); 2 vectors each
      for rows of at least 512 vectors [prefetch-vectors]; but up to 8
      vectors each to keep blocks at 256 threads for rmsnorm + per-token
      quantization without a residual (two block-wide reductions)
      [reducing-row-blocks]; half the threads when that leaves no more
      lanes idle, for at most 5 vectors each [idle-lanes]; one vector each
      for unpeeled rows of a power of two of at most 256 16-byte vectors
      that one reduction reads, or with a residual [short-row-blocks]; at
      least a group's lanes, and `2 * vector_width - 2` for peeled rows.
    - `rows_per_block`: rows of one vector per thread share a block of 256
      threads, other short rows a block of 128 threads; with a
      static row count and `num-sms`, blocks shrink (to one warp) until
      there is a block for every SM.
    - `row_storage`: `registers` when the thread's part of the row fits the
      register budget, else `shared` when the block's rows fit
      `shared-memory-per-block`, else `stream` (and always for a dynamic H).
    - `blocks_per_row`: 1, unless the target has thread-block clusters
      (`max-blocks-per-row` > 1) and a row that is read twice leaves a
      single block per SM (cached in more than half of
      `shared-memory-per-block`, or streamed). A row with a residual then
      goes to enough blocks of 256 threads (a power of two, at most
      `max-blocks-per-row`) that each thread caches at most 4 vectors of
      its slice in shared memory [split-residual-rows]; other rows, or
      where the cluster is too small for that, to the fewest blocks whose
      slices do not leave a single block per SM, with the fields above
      chosen for a slice. Never for rmsnorm + per-token quantization
      without a residual (measured with two exchanges per row, they cost
      more than they saved) [split-rows].

    A schedule already on an op is kept, unless an override option is
    given: then the forced fields replace the op's, and the others stay.
    Example: `--norm-tile="shared-memory-per-block=232448"` gives
    `norm.rmsnorm` of `tensor<?x65536xbf16>` the schedule
    `#norm.schedule<threads_per_row = 1024, rows_per_block = 1,
    vector_width = 8, row_storage = shared>` (128 KiB of shared memory),
    and adding `max-blocks-per-row=8` splits it over 2 blocks:
    `#norm.schedule<threads_per_row = 1024, rows_per_block = 1,
    vector_width = 8, row_storage = shared, blocks_per_row = 2>`.
  }];
  let dependentDialects = ["::mlir::norm::NormDialect"];
  let options = [
    Option<"chip", "chip", "std::string", /*default=*/"\"\"",
           "Target chips, a comma list of the known-target table "
           "(sm_90, gfx942, ...): warp-size, shared-memory-per-block and "
           "max-blocks-per-row left at their defaults take the chips' "
           "values; set to anything else they override them">,
    Option<"warpSize", "warp-size", "int64_t", /*default=*/"32",
           "Threads per warp (wavefront) of the target">,
    Option<"numSMs", "num-sms", "int64_t", /*default=*/"0",
           "Streaming multiprocessors (compute units) of the target; 0: "
           "unknown">,
    Option<"maxRegisterElements", "max-register-elements", "int64_t",
           /*default=*/"64",
           "Most row elements a thread keeps in registers">,
    Option<"sharedMemoryPerBlock", "shared-memory-per-block", "int64_t",
           /*default=*/"49152",
           "Shared memory a block may use, in bytes (48 KiB needs no opt-in "
           "on any GPU; H100: 232448)">,
    Option<"maxBlocksPerRow", "max-blocks-per-row", "int64_t",
           /*default=*/"1",
           "Most blocks of a thread-block cluster a row may be split over "
           "(NVIDIA sm_90 and later: up to 8; 1: the target has no "
           "clusters)">,
    Option<"threadsPerRow", "threads-per-row", "int64_t", /*default=*/"0",
           "Force threads_per_row (0: choose)">,
    Option<"rowsPerBlock", "rows-per-block", "int64_t", /*default=*/"0",
           "Force rows_per_block (0: choose)">,
    Option<"vectorWidth", "vector-width", "int64_t", /*default=*/"0",
           "Force vector_width (0: choose)">,
    Option<"rowStorage", "row-storage", "std::string", /*default=*/"\"\"",
           "Force row_storage: registers, shared or stream (empty: choose)">,
    Option<"blocksPerRow", "blocks-per-row", "int64_t", /*default=*/"0",
           "Force blocks_per_row (0: choose)">
  ];
}

#endif // NORM_DIALECT_NORM_TRANSFORMS_PASSES_TD
