//===- Tile.cpp - choose the GPU schedule of norm ops -----------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
// The choice itself lives in ScheduleChoice.cpp (Transforms), shared with
// norm-to-gpu's default for ops without a schedule; this pass makes it
// visible (and overridable) in the IR. The constraints every schedule must
// meet stay with the attribute in the dialect (RowSchedule.cpp).
//
//===----------------------------------------------------------------------===//

#include "norm/Dialect/Norm/Transforms/Passes.h"

#include "norm/Dialect/Norm/Transforms/ScheduleChoice.h"
#include "norm/Target/KnownTargets.h"
#include "llvm/Support/MathExtras.h"

#include <tuple>

namespace mlir {
namespace norm {
#define GEN_PASS_DEF_NORMTILE
#include "norm/Dialect/Norm/Transforms/Passes.h.inc"
} // namespace norm
} // namespace mlir

using namespace mlir;
using namespace mlir::norm;

namespace {
struct NormTilePass : public mlir::norm::impl::NormTileBase<NormTilePass> {
  using NormTileBase::NormTileBase;

  void runOnOperation() override;
};
} // namespace

void NormTilePass::runOnOperation() {
  Operation *root = getOperation();
  // The target: where `chip` names chips, the known-target table's facts
  // for every target option left at its default (Passes.td); an option set
  // to anything else overrides them.
  RowScheduleTarget target;
  target.warpSize = warpSize;
  target.numSMs = numSMs;
  target.maxRegisterElements = maxRegisterElements;
  target.sharedMemoryPerBlock = sharedMemoryPerBlock;
  target.maxBlocksPerRow = maxBlocksPerRow;
  if (!chip.empty()) {
    std::string error;
    std::optional<TargetDescription> chips = describeTarget(chip, error);
    if (!chips) {
      emitError(root->getLoc(), "norm-tile: ") << error;
      return signalPassFailure();
    }
    if (warpSize == 32)
      target.warpSize = chips->warpSize;
    if (sharedMemoryPerBlock == 48 * 1024)
      target.sharedMemoryPerBlock = chips->sharedMemoryPerBlock;
    if (maxBlocksPerRow == 1)
      target.maxBlocksPerRow =
          std::min<int64_t>(chips->maxClusterSize, kMaxBlocksPerRow);
  }
  if (target.warpSize <= 0 || !llvm::isPowerOf2_64(target.warpSize)) {
    emitError(root->getLoc(),
              "norm-tile: 'warp-size' must be a power of two, got ")
        << target.warpSize;
    return signalPassFailure();
  }
  if (target.maxBlocksPerRow < 1 || target.maxBlocksPerRow > kMaxBlocksPerRow ||
      !llvm::isPowerOf2_64(target.maxBlocksPerRow)) {
    emitError(root->getLoc(),
              "norm-tile: 'max-blocks-per-row' must be a power of two "
              "in [1, 8], got ")
        << target.maxBlocksPerRow;
    return signalPassFailure();
  }
  // The target's sizes: no GPU has a negative or zero one.
  for (auto [name, value, least] :
       {std::make_tuple("num-sms", numSMs.getValue(), int64_t(0)),
        std::make_tuple("max-register-elements", maxRegisterElements.getValue(),
                        int64_t(1)),
        std::make_tuple("shared-memory-per-block", target.sharedMemoryPerBlock,
                        int64_t(0))}) {
    if (value < least) {
      emitError(root->getLoc(), "norm-tile: '")
          << name << "' must be at least " << least << ", got " << value;
      return signalPassFailure();
    }
  }
  if (maxRegisterElements > kMaxRegisterRowElements) {
    emitError(root->getLoc(), "norm-tile: 'max-register-elements' must be at "
                              "most ")
        << kMaxRegisterRowElements << ", got "
        << maxRegisterElements.getValue();
    return signalPassFailure();
  }
  // 0 (or empty) leaves a field to the heuristic; anything else is forced
  // and checked with the rest of the schedule.
  for (auto [name, value] :
       {std::make_pair("threads-per-row", threadsPerRow.getValue()),
        std::make_pair("rows-per-block", rowsPerBlock.getValue()),
        std::make_pair("vector-width", vectorWidth.getValue()),
        std::make_pair("blocks-per-row", blocksPerRow.getValue())}) {
    if (value < 0) {
      emitError(root->getLoc(), "norm-tile: '")
          << name << "' must be 0 (choose) or positive, got " << value;
      return signalPassFailure();
    }
  }
  RowScheduleOverrides overrides;
  if (threadsPerRow)
    overrides.threadsPerRow = threadsPerRow;
  if (rowsPerBlock)
    overrides.rowsPerBlock = rowsPerBlock;
  if (vectorWidth)
    overrides.vectorWidth = vectorWidth;
  if (blocksPerRow)
    overrides.blocksPerRow = blocksPerRow;
  if (!rowStorage.empty()) {
    overrides.rowStorage = symbolizeRowStorage(rowStorage);
    if (!overrides.rowStorage) {
      emitError(root->getLoc(),
                "norm-tile: 'row-storage' must be registers, shared or "
                "stream, got '")
          << rowStorage.getValue() << "'";
      return signalPassFailure();
    }
  }
  bool forcesAField = overrides.threadsPerRow || overrides.rowsPerBlock ||
                      overrides.vectorWidth || overrides.rowStorage ||
                      overrides.blocksPerRow;

  WalkResult walk = root->walk([&](Operation *op) {
    if (!isa<RMSNormOp, AddRMSNormOp, QuantizeOp, RMSNormQuantizeOp>(op))
      return WalkResult::advance();
    auto existing = op->getAttrOfType<ScheduleAttr>("schedule");
    // A schedule the user wrote is a decision; only an override changes it.
    if (existing && !forcesAField)
      return WalkResult::advance();

    RowKernelShape shape = getRowKernelShape(op);
    std::string whyNot;
    std::optional<RowSchedule> schedule;
    if (existing) {
      schedule = RowSchedule::fromAttr(existing);
      schedule->threadsPerRow =
          overrides.threadsPerRow.value_or(schedule->threadsPerRow);
      schedule->rowsPerBlock =
          overrides.rowsPerBlock.value_or(schedule->rowsPerBlock);
      schedule->vectorWidth =
          overrides.vectorWidth.value_or(schedule->vectorWidth);
      schedule->rowStorage =
          overrides.rowStorage.value_or(schedule->rowStorage);
      schedule->blocksPerRow =
          overrides.blocksPerRow.value_or(schedule->blocksPerRow);
    } else {
      schedule = chooseRowSchedule(shape, target, whyNot, overrides);
      if (!schedule) {
        op->emitOpError("norm-tile: no schedule fits: ") << whyNot;
        return WalkResult::interrupt();
      }
    }
    // Only forced fields can break the checks.
    if (failed(checkRowSchedule(*schedule, shape, whyNot)) ||
        failed(checkRowScheduleForTarget(*schedule, shape, target, whyNot))) {
      op->emitOpError("norm-tile: the forced schedule fields do not fit: ")
          << whyNot;
      return WalkResult::interrupt();
    }
    op->setAttr("schedule", schedule->toAttr(op->getContext()));
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    signalPassFailure();
}
