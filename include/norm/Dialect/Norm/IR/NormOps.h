//===- NormOps.h - norm dialect ops -----------------------------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_DIALECT_NORM_IR_NORMOPS_H
#define NORM_DIALECT_NORM_IR_NORMOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "norm/Dialect/Norm/IR/NormOpsDialect.h.inc"

#include "norm/Dialect/Norm/IR/NormEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "norm/Dialect/Norm/IR/NormAttrs.h.inc"

#include "norm/Dialect/Norm/IR/NormInterfaces.h"

#define GET_OP_CLASSES
#include "norm/Dialect/Norm/IR/NormOps.h.inc"

#include <optional>

namespace mlir {
namespace norm {
/// The largest finite value of a quantized element type: 448 (f8E4M3FN), 240
/// (f8E4M3FNUZ), 57344 (f8E5M2), 127 (i8); none for any other type.
std::optional<double> getQuantizedTypeMax(Type type);
/// The RowCachePolicy that `value` (of a norm.row_cache_policy attribute)
/// names, or an error on `op` that lists the policies.
FailureOr<RowCachePolicy> parseRowCachePolicy(Operation *op, Attribute value);
} // namespace norm
} // namespace mlir

#endif // NORM_DIALECT_NORM_IR_NORMOPS_H
