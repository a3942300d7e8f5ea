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

#endif // NORM_DIALECT_NORM_IR_NORMATTRS_TD
