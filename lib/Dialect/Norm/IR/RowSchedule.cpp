//===- RowSchedule.cpp - schedule of row-wise norm kernels -----*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
// The constraints every schedule meets on any target (the attribute and op
// verifiers'); the choice of a schedule for a target is in
// Transforms/ScheduleChoice.cpp.
//
//===----------------------------------------------------------------------===//

#include "norm/Dialect/Norm/IR/RowSchedule.h"

#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::norm;

//===----------------------------------------------------------------------===//
// RowSchedule
//===----------------------------------------------------------------------===//

std::optional<int64_t> RowSchedule::getChunks(int64_t cols) const {
  if (cols < 0)
    return std::nullopt;
  return llvm::divideCeil(getSliceCols(cols) / vectorWidth, threadsPerRow);
}

RowSchedule RowSchedule::fromAttr(ScheduleAttr attr) {
  RowSchedule schedule;
  schedule.threadsPerRow = attr.getThreadsPerRow();
  schedule.rowsPerBlock = attr.getRowsPerBlock();
  schedule.vectorWidth = attr.getVectorWidth();
  schedule.rowStorage = attr.getRowStorage();
  schedule.blocksPerRow = attr.getBlocksPerRow();
  return schedule;
}

ScheduleAttr RowSchedule::toAttr(MLIRContext *ctx) const {
  return ScheduleAttr::get(ctx, threadsPerRow, rowsPerBlock, vectorWidth,
                           rowStorage, blocksPerRow);
}

//===----------------------------------------------------------------------===//
// The shape of an op's row kernel
//===----------------------------------------------------------------------===//

static int64_t elementBytes(Value value) {
  Type type = cast<ShapedType>(value.getType()).getElementType();
  return std::max<int64_t>(1, type.getIntOrFloatBitWidth() / 8);
}

RowKernelShape mlir::norm::getRowKernelShape(Operation *op) {
  RowKernelShape shape;
  auto kernelOp = dyn_cast<RowKernelOpInterface>(op);
  if (!kernelOp)
    return shape;
  // The row operands, in kernel order (the input first), and the row as
  // cached between passes: the rounded sum with a residual, else the input.
  SmallVector<Value> rowOperands;
  Value cached;
  for (const KernelOperandInfo &info : kernelOp.getKernelOperands()) {
    if (info.role != OperandRole::Row)
      continue;
    Value value = info.operand->get();
    rowOperands.push_back(value);
    if (info.name == "input" && !cached)
      cached = value;
    if (info.name == "residual") {
      cached = value;
      shape.hasResidual = true;
    }
  }
  llvm::TypeSwitch<Operation *>(op)
      .Case([&](QuantizeOp quantize) {
        if (quantize.getScheme() == QuantScheme::PerGroup)
          shape.groupSize = quantize.getGroupSize().value_or(0);
        // Per-group and static quantization use each chunk right after
        // loading it; only the per-token amax needs a second pass.
        shape.rereadsRow = quantize.getScheme() == QuantScheme::PerToken;
        shape.rowReductions = shape.rereadsRow ? 1 : 0;
      })
      .Case([&](RMSNormQuantizeOp fused) {
        if (fused.getScheme() == QuantScheme::PerGroup)
          shape.groupSize = fused.getGroupSize().value_or(0);
        if (fused.getScheme() == QuantScheme::PerToken)
          shape.rowReductions = 2;
      });
  if (rowOperands.empty())
    return shape;

  ArrayRef<int64_t> dims =
      cast<ShapedType>(rowOperands.front().getType()).getShape();
  shape.cols = ShapedType::isDynamic(dims.back()) ? -1 : dims.back();
  shape.rows = 1;
  for (int64_t dim : dims.drop_back())
    shape.rows =
        ShapedType::isDynamic(dim) || shape.rows < 0 ? -1 : shape.rows * dim;
  shape.widestElementBytes = 1;
  for (Value value : rowOperands)
    shape.widestElementBytes =
        std::max(shape.widestElementBytes, elementBytes(value));
  shape.cachedElementBytes = elementBytes(cached);
  return shape;
}

//===----------------------------------------------------------------------===//
// Constraints
//===----------------------------------------------------------------------===//

static std::string storageName(RowStorage storage) {
  return stringifyRowStorage(storage).str();
}

int64_t mlir::norm::getRegisterRowElements(const RowSchedule &schedule,
                                           const RowKernelShape &shape) {
  return *schedule.getChunks(shape.cols) * schedule.vectorWidth +
         (schedule.peelsRows(shape.cols, shape.groupSize) ? 1 : 0);
}

/// The constraints on the fields alone (the attribute verifier's).
static LogicalResult checkFields(int64_t threadsPerRow, int64_t rowsPerBlock,
                                 int64_t vectorWidth, int64_t blocksPerRow,
                                 std::string &whyNot) {
  if (threadsPerRow < 1 || threadsPerRow > kMaxThreadsPerBlock ||
      !llvm::isPowerOf2_64(threadsPerRow)) {
    whyNot = "threads_per_row must be a power of two in [1, 1024], but is " +
             std::to_string(threadsPerRow);
    return failure();
  }
  if (rowsPerBlock < 1) {
    whyNot =
        "rows_per_block must be >= 1, but is " + std::to_string(rowsPerBlock);
    return failure();
  }
  if (rowsPerBlock > kMaxThreadsPerBlock / threadsPerRow) {
    whyNot = "threads_per_row * rows_per_block must be at most 1024 (threads "
             "per block), but is " +
             std::to_string(threadsPerRow) + " * " +
             std::to_string(rowsPerBlock);
    return failure();
  }
  if ((threadsPerRow * rowsPerBlock) % kMinWarpSize != 0) {
    whyNot = "threads_per_row * rows_per_block must be a multiple of 32 "
             "(whole warps), but is " +
             std::to_string(threadsPerRow * rowsPerBlock);
    return failure();
  }
  if (vectorWidth < 1 || vectorWidth > 16 ||
      !llvm::isPowerOf2_64(vectorWidth)) {
    whyNot = "vector_width must be a power of two in [1, 16], but is " +
             std::to_string(vectorWidth);
    return failure();
  }
  if (blocksPerRow < 1 || blocksPerRow > kMaxBlocksPerRow ||
      !llvm::isPowerOf2_64(blocksPerRow)) {
    whyNot = "blocks_per_row must be a power of two in [1, 8] (a portable "
             "cluster), but is " +
             std::to_string(blocksPerRow);
    return failure();
  }
  return success();
}

LogicalResult ScheduleAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                   int64_t threadsPerRow, int64_t rowsPerBlock,
                                   int64_t vectorWidth, RowStorage rowStorage,
                                   int64_t blocksPerRow) {
  std::string whyNot;
  if (failed(checkFields(threadsPerRow, rowsPerBlock, vectorWidth, blocksPerRow,
                         whyNot)))
    return emitError() << whyNot;
  return success();
}

LogicalResult mlir::norm::checkRowSchedule(const RowSchedule &schedule,
                                           const RowKernelShape &shape,
                                           std::string &whyNot) {
  int64_t vec = schedule.vectorWidth;
  if (failed(checkFields(schedule.threadsPerRow, schedule.rowsPerBlock, vec,
                         schedule.blocksPerRow, whyNot)))
    return failure();
  if (schedule.splitsRows()) {
    std::string split =
        "blocks_per_row = " + std::to_string(schedule.blocksPerRow);
    if (schedule.rowsPerBlock != 1) {
      whyNot = split +
               " needs rows_per_block = 1 (a block works on one "
               "slice of one row), but it is " +
               std::to_string(schedule.rowsPerBlock);
      return failure();
    }
    if (shape.cols < 0) {
      whyNot = split + " needs a static innermost dimension (the slices "
                       "are fixed at compile time)";
      return failure();
    }
    // Slices are whole vectors (and groups): no slice is peeled.
    int64_t unit = std::max<int64_t>(vec, shape.groupSize);
    if (shape.cols % (schedule.blocksPerRow * unit) != 0) {
      whyNot = split + " splits H = " + std::to_string(shape.cols) +
               " into slices that must be whole " +
               (shape.groupSize ? "groups of " + std::to_string(unit)
                                : "vectors of " + std::to_string(unit)) +
               " columns: H must be a multiple of " +
               std::to_string(schedule.blocksPerRow * unit);
      return failure();
    }
  }
  if (vec * shape.widestElementBytes > 16) {
    whyNot = "vector_width = " + std::to_string(vec) + " makes " +
             std::to_string(vec * shape.widestElementBytes) +
             "-byte accesses to the " +
             std::to_string(shape.widestElementBytes) +
             "-byte row elements; at most 16 bytes per access";
    return failure();
  }
  // Rows that the vector width does not divide are peeled, and each of
  // their up to 2 * (vec - 1) head and tail elements takes a lane. (Per-group
  // rows never are: the group divides H and the vector width the group.)
  if (schedule.peelsRows(shape.cols, shape.groupSize) &&
      schedule.threadsPerRow < 2 * vec - 2) {
    std::string cols =
        shape.cols < 0 ? "a dynamic H" : "H = " + std::to_string(shape.cols);
    whyNot = "threads_per_row = " + std::to_string(schedule.threadsPerRow) +
             " is too few for " + cols +
             " that vector_width = " + std::to_string(vec) +
             " does not divide: the row's up to " +
             std::to_string(2 * vec - 2) +
             " unaligned head and tail elements take a lane each";
    return failure();
  }
  if (shape.groupSize) {
    // A group is reduced by a shuffle over consecutive lanes of one chunk.
    if (shape.groupSize % vec != 0) {
      whyNot = "vector_width = " + std::to_string(vec) +
               " must divide the group size " + std::to_string(shape.groupSize);
      return failure();
    }
    int64_t lanes = shape.groupSize / vec;
    if (!llvm::isPowerOf2_64(lanes) || lanes > schedule.threadsPerRow) {
      whyNot = "a group of " + std::to_string(shape.groupSize) +
               " columns takes " + std::to_string(lanes) + " lanes of " +
               std::to_string(vec) +
               " elements; it must be a power of two of at most "
               "threads_per_row = " +
               std::to_string(schedule.threadsPerRow);
      return failure();
    }
  }
  if (schedule.rowStorage != RowStorage::Stream && shape.cols < 0) {
    whyNot = "row_storage = " + storageName(schedule.rowStorage) +
             " needs a static innermost dimension (the row's size is fixed "
             "at compile time); use stream";
    return failure();
  }
  if (schedule.rowStorage == RowStorage::Registers) {
    int64_t elements = getRegisterRowElements(schedule, shape);
    if (elements > kMaxRegisterRowElements) {
      whyNot = "row_storage = registers keeps " + std::to_string(elements) +
               " row elements per thread; at most " +
               std::to_string(kMaxRegisterRowElements) +
               " fit in registers (use more threads_per_row, shared or "
               "stream)";
      return failure();
    }
  }
  return success();
}

int64_t mlir::norm::getSharedMemoryBytes(const RowSchedule &schedule,
                                         const RowKernelShape &shape) {
  if (schedule.rowStorage != RowStorage::Shared || shape.cols < 0)
    return 0;
  return schedule.rowsPerBlock * schedule.getSliceCols(shape.cols) *
         shape.cachedElementBytes;
}

LogicalResult mlir::norm::verifyOpSchedule(Operation *op,
                                           ScheduleAttr schedule) {
  if (!schedule)
    return success();
  std::string whyNot;
  if (failed(checkRowSchedule(RowSchedule::fromAttr(schedule),
                              getRowKernelShape(op), whyNot)))
    return op->emitOpError("'schedule': ") << whyNot;
  return success();
}
