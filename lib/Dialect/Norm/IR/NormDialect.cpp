//===- NormDialect.cpp - norm dialect ---------------------------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "llvm/ADT/TypeSwitch.h"

#include "norm/Dialect/Norm/IR/NormOps.h"

using namespace mlir;
using namespace mlir::norm;

#include "norm/Dialect/Norm/IR/NormOpsDialect.cpp.inc"

#include "norm/Dialect/Norm/IR/NormEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "norm/Dialect/Norm/IR/NormAttrs.cpp.inc"

LogicalResult NormDialect::verifyOperationAttribute(Operation *op,
                                                    NamedAttribute attr) {
  StringRef name = attr.getName().getValue();
  if (name == getKernelsAttrName()) {
    if (!isa<ModuleOp>(op) || !isa<DictionaryAttr>(attr.getValue()))
      return op->emitError() << name << " must be a dictionary on a module";
    return success();
  }
  if (name == getRowCachePolicyAttrName()) {
    if (!isa<FunctionOpInterface>(op))
      return op->emitError() << name << " must be on a function";
    return success(succeeded(parseRowCachePolicy(op, attr.getValue())));
  }
  return op->emitError() << "unknown norm dialect attribute '" << name << "'";
}

FailureOr<RowCachePolicy> mlir::norm::parseRowCachePolicy(Operation *op,
                                                          Attribute value) {
  if (auto name = dyn_cast<StringAttr>(value))
    if (std::optional<RowCachePolicy> policy =
            symbolizeRowCachePolicy(name.getValue()))
      return *policy;
  return op->emitError() << NormDialect::getRowCachePolicyAttrName()
                         << " must be \""
                         << stringifyRowCachePolicy(RowCachePolicy::Streaming)
                         << "\" or \""
                         << stringifyRowCachePolicy(
                                RowCachePolicy::EvictLastLoads)
                         << "\", not " << value;
}

void NormDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "norm/Dialect/Norm/IR/NormOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "norm/Dialect/Norm/IR/NormAttrs.cpp.inc"
      >();
  // Bufferization lives in a separate library; promising it here turns a
  // missing registration into a clear error instead of silently skipping
  // the ops.
  declarePromisedInterfaces<bufferization::BufferizableOpInterface, RMSNormOp,
                            AddRMSNormOp, QuantizeOp>();
  declarePromisedInterfaces<TilingInterface, RMSNormOp, AddRMSNormOp,
                            QuantizeOp, RMSNormQuantizeOp>();
}
