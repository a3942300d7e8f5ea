//===- NormInterfaces.td - norm dialect interfaces ----------*- tablegen -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_DIALECT_NORM_IR_NORMINTERFACES_TD
#define NORM_DIALECT_NORM_IR_NORMINTERFACES_TD

include "mlir/IR/OpBase.td"

def Norm_RowKernelOpInterface : OpInterface<"RowKernelOpInterface"> {
  let cppNamespace = "::mlir::norm";
  let description = [{
    A norm op that becomes one row kernel. It names each of its operands and
    the role the operand plays for a row (a row operand `[rows..., H]`, a
    per-column vector `[H]`, a scalar, the scales), in the kernel's argument
    order. This is the one definition of the roles: `norm-tile` (row shapes),
    `TilingInterface` (which operands a tile of rows slices), `norm-to-gpu`
    (the kernel's arguments) and the bundle manifest all read it.
  }];
  let methods = [
    InterfaceMethod<[{
        The operands of the kernel, in kernel argument order (the op's
        operand order), each with its name and role.
      }],
      "::llvm::SmallVector<::mlir::norm::KernelOperandInfo>",
      "getKernelOperands">,
    InterfaceMethod<[{
        Whether the scales operand is column-major (`[H / G, rows...]`);
        false for ops without scales.
      }],
      "bool", "hasColumnMajorScales", (ins), [{}], [{ return false; }]>,
  ];
}

#endif // NORM_DIALECT_NORM_IR_NORMINTERFACES_TD
