//===- BufferizableOpInterfaceImpl.cpp - norm bufferization ----*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#include "norm/Dialect/Norm/Transforms/BufferizableOpInterfaceImpl.h"

#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/IR/DstBufferizableOpInterfaceImpl.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/Operation.h"
#include "norm/Dialect/Norm/IR/NormOps.h"

using namespace mlir;
using namespace mlir::bufferization;
using namespace mlir::norm;

/// The operands of the residual add (input, residual, updated residual), or
/// none for ops without one.
static SmallVector<OpOperand *> getResidualAddOperands(Operation *op) {
  if (auto addOp = dyn_cast<AddRMSNormOp>(op))
    return {&addOp.getInputMutable(), &addOp.getResidualMutable(),
            &addOp.getResidualInitMutable()};
  if (auto fusedOp = dyn_cast<RMSNormQuantizeOp>(op);
      fusedOp && fusedOp.getResidual())
    return {&fusedOp.getInputMutable(), &fusedOp.getResidualMutable()[0],
            &fusedOp.getResidualInitMutable()[0]};
  return {};
}

namespace {
/// The tensor form of a norm op bufferizes to the same op on memrefs: every
/// tensor operand is replaced by its buffer and the results by the buffers of
/// the destinations.
template <typename OpTy>
struct NormOpBufferizationModel
    : public DstBufferizableOpInterfaceExternalModel<
          NormOpBufferizationModel<OpTy>, OpTy> {
  bool bufferizesToMemoryRead(Operation *op, OpOperand &operand,
                              const AnalysisState &state) const {
    // Destinations are overwritten completely and never read.
    return !cast<DestinationStyleOpInterface>(op).isDpsInit(&operand);
  }

  bool bufferizesToElementwiseAccess(Operation *op, const AnalysisState &state,
                                     ArrayRef<OpOperand *> operands) const {
    // residual_out[r, c] = input[r, c] + residual[r, c]: the updated residual
    // may overwrite the residual (the usual in-place update) or the input.
    // Other outputs depend on whole rows and get no such promise.
    SmallVector<OpOperand *> elementwise = getResidualAddOperands(op);
    if (elementwise.empty())
      return false;
    return llvm::all_of(operands, [&](OpOperand *operand) {
      return llvm::is_contained(elementwise, operand);
    });
  }

  LogicalResult bufferize(Operation *op, RewriterBase &rewriter,
                          const BufferizationOptions &options,
                          BufferizationState &state) const {
    auto dstOp = cast<DestinationStyleOpInterface>(op);
    SmallVector<Value> operands;
    for (Value operand : op->getOperands()) {
      if (!isa<TensorType>(operand.getType())) {
        operands.push_back(operand);
        continue;
      }
      FailureOr<Value> buffer = getBuffer(rewriter, operand, options, state);
      if (failed(buffer))
        return failure();
      operands.push_back(*buffer);
    }
    SmallVector<Value> replacements;
    for (OpOperand &init : dstOp.getDpsInitsMutable())
      replacements.push_back(operands[init.getOperandNumber()]);

    rewriter.setInsertionPoint(op);
    OperationState memrefState(op->getLoc(), op->getName());
    memrefState.addOperands(operands);
    memrefState.propertiesAttr = op->getPropertiesAsAttribute();
    memrefState.addAttributes(op->getDiscardableAttrDictionary().getValue());
    rewriter.create(memrefState);
    replaceOpWithBufferizedValues(rewriter, op, replacements);
    return success();
  }
};
} // namespace

void mlir::norm::registerBufferizableOpInterfaceExternalModels(
    DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, NormDialect *) {
    RMSNormOp::attachInterface<NormOpBufferizationModel<RMSNormOp>>(*ctx);
    AddRMSNormOp::attachInterface<NormOpBufferizationModel<AddRMSNormOp>>(*ctx);
    QuantizeOp::attachInterface<NormOpBufferizationModel<QuantizeOp>>(*ctx);
    RMSNormQuantizeOp::attachInterface<
        NormOpBufferizationModel<RMSNormQuantizeOp>>(*ctx);
  });
}
