//===- NormInterfaces.h - norm dialect interfaces ---------------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_DIALECT_NORM_IR_NORMINTERFACES_H
#define NORM_DIALECT_NORM_IR_NORMINTERFACES_H

#include "mlir/IR/OpDefinition.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

namespace mlir {
namespace norm {

/// How an operand of a norm op is indexed by its row kernel.
enum class OperandRole {
  Row,    // [rows..., H]: one row stride argument
  Vector, // [H] (gamma, smooth): read whole by every row
  Scalar, // one f32 (static scale)
  Scales, // dynamic scales, [rows..., H / G] or [H / G, rows...]: one stride
};

/// One operand of a norm op as its kernel sees it.
struct KernelOperandInfo {
  /// The kernel argument's name ("input", "gamma", "scales", ...).
  llvm::StringRef name;
  OperandRole role;
  OpOperand *operand;
};

} // namespace norm
} // namespace mlir

#include "norm/Dialect/Norm/IR/NormInterfaces.h.inc"

#endif // NORM_DIALECT_NORM_IR_NORMINTERFACES_H
