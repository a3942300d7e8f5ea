//===- CheckInput.cpp - reject input upstream passes crash on --*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
// Each check names the upstream crash it prevents (the pass description
// lists them); a new one comes with the fuzzer input that found it.
//
//===----------------------------------------------------------------------===//

#include "norm/Dialect/Norm/Transforms/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinTypes.h"

namespace mlir {
namespace norm {
#define GEN_PASS_DEF_NORMCHECKINPUT
#include "norm/Dialect/Norm/Transforms/Passes.h.inc"
} // namespace norm
} // namespace mlir

using namespace mlir;
using namespace mlir::norm;

/// Whether `type` is or holds tf32.
static bool holdsTF32(Type type) {
  if (isa<FloatTF32Type>(type))
    return true;
  if (auto shaped = dyn_cast<ShapedType>(type))
    return isa<FloatTF32Type>(shaped.getElementType());
  return false;
}

/// A constant dim index outside [0, rank) of a ranked `source`.
static LogicalResult checkDimIndex(Operation *op, Value source,
                                   std::optional<int64_t> index) {
  auto shaped = dyn_cast<ShapedType>(source.getType());
  if (!index || !shaped || !shaped.hasRank())
    return success();
  if (*index >= 0 && *index < shaped.getRank())
    return success();
  return op->emitOpError("index ")
         << *index << " is out of range for a value of rank "
         << shaped.getRank();
}

namespace {
struct NormCheckInputPass
    : public mlir::norm::impl::NormCheckInputBase<NormCheckInputPass> {
  void runOnOperation() override {
    WalkResult result = getOperation()->walk([](Operation *op) {
      if (auto dim = dyn_cast<tensor::DimOp>(op))
        if (failed(checkDimIndex(op, dim.getSource(), dim.getConstantIndex())))
          return WalkResult::interrupt();
      if (auto dim = dyn_cast<memref::DimOp>(op))
        if (failed(checkDimIndex(op, dim.getSource(), dim.getConstantIndex())))
          return WalkResult::interrupt();
      for (Type type : llvm::concat<const Type>(op->getOperandTypes(),
                                                op->getResultTypes())) {
        if (holdsTF32(type)) {
          op->emitOpError("has a tf32 value, which the GPU pipelines cannot "
                          "lower (no norm op takes tf32)");
          return WalkResult::interrupt();
        }
      }
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};
} // namespace
