//===- NormAttrs.td - norm dialect attributes ---------------*- tablegen -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_DIALECT_NORM_IR_NORMATTRS_TD
#define NORM_DIALECT_NORM_IR_NORMATTRS_TD

include "norm/Dialect/Norm/IR/NormDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def Norm_QuantScheme : I32EnumAttr<"QuantScheme", "how quantization scales are obtained", [
    I32EnumAttrCase<"PerToken", 0, "per_token">,
    I32EnumAttrCase<"PerGroup", 1, "per_group">,
    I32EnumAttrCase<"Static", 2, "static">
  ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::norm";
}

def Norm_QuantSchemeAttr : EnumAttr<Norm_Dialect, Norm_QuantScheme, "quant_scheme"> {
  let summary = "Quantization scheme: per_token, per_group or static";
  let assemblyFormat = "`<` $value `>`";
}

def Norm_ScaleLayout : I32EnumAttr<"ScaleLayout", "memory layout of per-group scales", [
    I32EnumAttrCase<"RowMajor", 0, "row_major">,
    I32EnumAttrCase<"ColMajor", 1, "col_major">
  ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::norm";
}

def Norm_ScaleLayoutAttr : EnumAttr<Norm_Dialect, Norm_ScaleLayout, "scale_layout"> {
  let summary = "Per-group scale layout: row_major [rows, H/G] or col_major [H/G, rows]";
  let assemblyFormat = "`<` $value `>`";
}

def Norm_RowStorage : I32EnumAttr<"RowStorage",
    "where a row lives between its reduction and its scaling", [
    I32EnumAttrCase<"Registers", 0, "registers">,
    I32EnumAttrCase<"Shared", 1, "shared">,
    I32EnumAttrCase<"Stream", 2, "stream">
  ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::norm";
}

// Held as a string in the kernel attribute
// NormDialect::getRowCachePolicyAttrName() (set by norm-to-gpu, read by
// norm-nvvm-nontemporal).
def Norm_RowCachePolicy : I32EnumAttr<"RowCachePolicy",
    "how a kernel's nontemporal row accesses are lowered for NVIDIA", [
    // ld.global.cs / st.global.cs (evict-first in L1 and L2).
    I32EnumAttrCase<"Streaming", 0, "streaming">,
    // Loads evict-last in L1 and L2 (an L2 cache policy), stores plain.
    I32EnumAttrCase<"EvictLastLoads", 1, "evict_last_loads">
  ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::norm";
}

def Norm_ScheduleAttr : AttrDef<Norm_Dialect, "Schedule"> {
  let mnemonic = "schedule";
  let summary = "How the row kernel of a norm op is laid out on the GPU";
  let description = [{
    The launch geometry and the data movement of the kernel that
    `norm-to-gpu` generates for a norm op; `norm-tile` chooses it from the
    shape and the target, and a user may write it. Threads of a block form
    `rows_per_block` groups of `threads_per_row` threads; a group handles one
    row, each thread the `vector_width`-element vectors at columns
    `head + (k * threads_per_row + lane) * vector_width`, where `head` is 0
    unless the row is peeled.

    - `threads_per_row`: a power of two, at most 1024.
    - `rows_per_block`: >= 1; the block (`threads_per_row * rows_per_block`
      threads) has at most 1024 threads and is a whole number of 32-thread
      warps (NVIDIA shuffles need full warps).
    - `vector_width`: elements per access, a power of two of at most 16
      bytes of the widest row element; it divides the group size of
      per-group quantization. When it does not divide H (or H is dynamic),
      the rows are peeled: the elements before the first vector-aligned
      column and after the last whole vector are handled one per lane
      (`threads_per_row` must be at least `2 * vector_width - 2`), and the
      kernel runs rows one element per lane when its row operands do not
      share the input's alignment and stride.
    - `row_storage`: where the row lives between the reduction and the
      scaling: `registers` (read from memory once, H static, at most 256
      elements per thread), `shared` (read once, cached in
      `rows_per_block * H * element size` bytes of dynamic shared memory, H
      static) or `stream` (read again, from L2, for any H).

    - `blocks_per_row` (default 1, then not printed): a power of two of at
      most 8. Above 1 a row is split into `blocks_per_row` slices of
      `H / blocks_per_row` consecutive columns, one per block of a
      thread-block cluster; the blocks exchange their partial sums (and
      amax) through distributed shared memory. The fields above then
      describe one slice. Needs thread-block clusters (NVIDIA sm_90 and
      later), a static H whose slices `vector_width` divides (and the group
      size, for per-group quantization) and `rows_per_block = 1`.

    The op verifiers check the schedule against the op (H, element types,
    the per-group coverage: a group must be a power-of-two number of lanes,
    at most `threads_per_row`, of one warp); the lowering checks it against
    the target (warp size, clusters).

    Example:

    ```mlir
    %y = norm.rmsnorm %x : tensor<?x65536xbf16> into %e : tensor<?x65536xbf16>
           {schedule = #norm.schedule<threads_per_row = 1024,
              rows_per_block = 1, vector_width = 8, row_storage = shared>}
           -> tensor<?x65536xbf16>
    // The same row split over a cluster of 8 blocks, 8192 columns each.
    %z = norm.rmsnorm %x : tensor<?x65536xbf16> into %e : tensor<?x65536xbf16>
           {schedule = #norm.schedule<threads_per_row = 256,
              rows_per_block = 1, vector_width = 8, row_storage = registers,
              blocks_per_row = 8>}
           -> tensor<?x65536xbf16>
    ```
  }];
  let parameters = (ins "int64_t":$threads_per_row, "int64_t":$rows_per_block,
                        "int64_t":$vector_width,
                        EnumParameter<Norm_RowStorage>:$row_storage,
                        DefaultValuedParameter<"int64_t", "1">:$blocks_per_row);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Threads per block.
    int64_t getBlockSize() const {
      return getThreadsPerRow() * getRowsPerBlock();
    }
  }];
}

#endif // NORM_DIALECT_NORM_IR_NORMATTRS_TD
