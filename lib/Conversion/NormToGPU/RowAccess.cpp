//===- RowAccess.cpp - pieces of a row and where the row is kept ----------===//
//
// Part of norm-mlir. See README.md for license information.
//
// A thread's part of a row comes in pieces (chunks of vectors, the edge of a
// peeled row); this file loads and stores them, in global memory, in the
// block's shared memory or through the quantizer's and normalization's
// element-wise steps.
//
//===----------------------------------------------------------------------===//

#include "RowEmitter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <limits>

using namespace mlir;
using namespace mlir::norm;
using namespace mlir::norm::detail;

int64_t RowKernelEmitter::alignmentOf(int operand, const Piece &piece) {
  Type element = spec.operands[operand].elementType;
  bool aligned = spec.operands[operand].role == OperandRole::Row
                     ? piece.alignedRows
                     : piece.alignedColumns;
  return vectorAlignment(aligned ? piece.width : 1, element);
}

Value RowKernelEmitter::address(int operand, Value elementOffset) {
  auto ptrType = LLVM::LLVMPointerType::get(b.getContext(), 1);
  Type element = b.storageType(spec.operands[operand].elementType);
  return LLVM::GEPOp::create(b, ptrType, element, pointer(operand),
                             ValueRange{elementOffset});
}

Value RowKernelEmitter::rowOffset(int operand, const Piece &piece) {
  return arith::AddIOp::create(
      b, arith::MulIOp::create(b, row, stride(operand)), piece.column);
}

Value RowKernelEmitter::loadPiece(int operand, Value elementOffset,
                                  const Piece &piece) {
  Type element = spec.operands[operand].elementType;
  auto memoryType = VectorType::get({piece.width}, b.storageType(element));
  int64_t alignment = alignmentOf(operand, piece);
  return b.loadIf(piece.valid, piece.width, [&]() -> Value {
    Value loaded = LLVM::LoadOp::create(
        b, memoryType, address(operand, elementOffset), alignment,
        /*isVolatile=*/false,
        /*isNonTemporal=*/rowPlan.nontemporalRows && operand == spec.input);
    if (element.isF32())
      return loaded;
    return arith::ExtFOp::create(b, b.f32Vector(piece.width), loaded);
  });
}

void RowKernelEmitter::storePiece(int operand, Value elementOffset, Value value,
                                  const Piece &piece, Value valid) {
  int64_t alignment = alignmentOf(operand, piece);
  bool nontemporal = rowPlan.nontemporalRows && !rowPlan.evictLastRowLoads &&
                     spec.operands[operand].role == OperandRole::Row;
  b.ifThen(valid, [&] {
    LLVM::StoreOp::create(b, value, address(operand, elementOffset), alignment,
                          /*isVolatile=*/false, nontemporal);
  });
}

Piece RowKernelEmitter::chunk(Value k) {
  Piece piece;
  piece.k = k;
  piece.width = schedule.vectorWidth;
  // Rows are aligned to the vector (the runtime or the peeling check saw to
  // it); per-column operands only when columns start at 0.
  piece.alignedColumns = !peeled;
  Value slot = arith::AddIOp::create(
      b, arith::MulIOp::create(b, k, b.i64(schedule.threadsPerRow)), lane);
  Value local = arith::MulIOp::create(b, slot, b.i64(schedule.vectorWidth));
  piece.column = local;
  if (peeled)
    piece.column = arith::AddIOp::create(b, head, piece.column);
  if (sliceStart)
    piece.column = arith::AddIOp::create(b, sliceStart, piece.column);

  // Chunks statically in the row (slice) need no check: with a static H,
  // every row has at least `minVectors` whole vectors.
  std::optional<int64_t> constantK = getConstantIntValue(k);
  int64_t vec = schedule.vectorWidth;
  int64_t sliceCols = schedule.getSliceCols(spec.cols);
  std::optional<int64_t> minVectors;
  if (spec.cols != ShapedType::kDynamic)
    minVectors = peeled ? std::max<int64_t>(0, sliceCols - (vec - 1)) / vec
                        : sliceCols / vec;
  if (constantK && minVectors &&
      (*constantK + 1) * schedule.threadsPerRow <= *minVectors)
    piece.valid = nullptr;
  else if (peeled)
    piece.valid =
        arith::CmpIOp::create(b, arith::CmpIPredicate::slt, slot, bodyVectors);
  else
    piece.valid = arith::CmpIOp::create(b, arith::CmpIPredicate::slt, local,
                                        sliceColsValue());
  if (constantK)
    piece.key = *constantK;
  return piece;
}

Piece RowKernelEmitter::edge() {
  // Lanes [0, head) take the head's columns, lanes [head, edgeElements) the
  // tail's from tailStart.
  Piece piece;
  piece.width = 1;
  piece.alignedRows = piece.alignedColumns = false;
  Value inHead =
      arith::CmpIOp::create(b, arith::CmpIPredicate::slt, lane, head);
  Value inTail =
      arith::AddIOp::create(b, arith::SubIOp::create(b, lane, head), tailStart);
  piece.column = arith::SelectOp::create(b, inHead, lane, inTail);
  piece.valid =
      arith::CmpIOp::create(b, arith::CmpIPredicate::slt, lane, edgeElements);
  piece.key = kEdgeKey;
  return piece;
}

Value RowKernelEmitter::loadSource(const Piece &piece, bool firstPass,
                                   bool deferResidualStore) {
  if (spec.residual >= 0) {
    Type residualType = spec.operands[spec.residualOut].elementType;
    if (!firstPass) {
      // Later passes read back the rounded sum this thread stored.
      return loadPiece(spec.residualOut, rowOffset(spec.residualOut, piece),
                       piece);
    }
    Value sum = arith::AddFOp::create(
        b, loadPiece(spec.input, rowOffset(spec.input, piece), piece),
        loadPiece(spec.residual, rowOffset(spec.residual, piece), piece));
    Value stored = sum;
    if (!residualType.isF32())
      stored = arith::TruncFOp::create(
          b, VectorType::get({piece.width}, residualType), sum);
    if (deferResidualStore)
      deferredResidualStores.push_back({piece, stored});
    else
      storeRowAsIs(spec.residualOut, piece, stored);
    // Normalize the value as rounded to the residual's type.
    if (residualType.isF32())
      return sum;
    return arith::ExtFOp::create(b, b.f32Vector(piece.width), stored);
  }

  return loadPiece(spec.input, rowOffset(spec.input, piece), piece);
}

void RowKernelEmitter::storeDeferredResiduals() {
  for (const DeferredStore &store : deferredResidualStores)
    storeRowAsIs(spec.residualOut, store.piece, store.value);
  deferredResidualStores.clear();
}

Value RowKernelEmitter::sharedOffset(Value k) {
  if (ringBase)
    return ringOffset(ringSlot(k));
  // In vectors: the row's, then this thread's chunk k (laid out as slots).
  return arith::AddIOp::create(
      b,
      arith::MulIOp::create(
          b, rowInBlock,
          b.i64(schedule.getSliceCols(spec.cols) / schedule.vectorWidth)),
      ringOffset(k));
}

Value RowKernelEmitter::sharedAddress(const Piece &piece) {
  auto vectorType = VectorType::get({piece.width}, spec.cachedElementType);
  return LLVM::GEPOp::create(b, sharedRows.getType(), vectorType, sharedRows,
                             ValueRange{sharedOffset(piece.k)});
}

Value RowKernelEmitter::loadShared(const Piece &piece, bool isVolatile) {
  Type element = spec.cachedElementType;
  int64_t alignment = vectorAlignment(piece.width, element);
  return b.loadIf(piece.valid, piece.width, [&]() -> Value {
    Value loaded =
        LLVM::LoadOp::create(b, VectorType::get({piece.width}, element),
                             sharedAddress(piece), alignment, isVolatile);
    if (element.isF32())
      return loaded;
    return arith::ExtFOp::create(b, b.f32Vector(piece.width), loaded);
  });
}

void RowKernelEmitter::storeShared(const Piece &piece, Value value) {
  Type element = spec.cachedElementType;
  int64_t alignment = vectorAlignment(piece.width, element);
  // Exact: the value came from (or was rounded to) this type.
  if (!element.isF32())
    value = arith::TruncFOp::create(b, VectorType::get({piece.width}, element),
                                    value);
  // Columns past H would spill into the next row's (or past the) buffer.
  b.ifThen(piece.valid, [&] {
    LLVM::StoreOp::create(b, value, sharedAddress(piece), alignment);
  });
}

void RowKernelEmitter::copyRowToShared() {
  for (int64_t k = 0; k < *unrolledChunks; ++k) {
    Piece piece = chunk(b.i64(k));
    // Columns past H would spill into the next row's (or past the) buffer;
    // loadShared reads zeros there.
    b.ifThen(piece.valid, [&] {
      hooks.copyAsync16(b, sharedAddress(piece),
                        address(spec.input, rowOffset(spec.input, piece)));
    });
  }
  hooks.commitAsyncCopies(b);
  // Each thread reads back only the vectors it copied: no barrier.
  hooks.waitAsyncCopies(b, 0);
}

Value RowKernelEmitter::forEachPiece(Combine kind,
                                     function_ref<Value(const Piece &)> body) {
  Value acc = identity(b, kind, packedAmaxType());
  if (unrolledChunks) {
    for (int64_t k = 0; k < *unrolledChunks; ++k)
      if (Value partial = body(chunk(b.i64(k))))
        acc = combine(b, kind, acc, partial);
  } else {
    // Chunk count from the run-time H.
    Value vectors = peeled
                        ? bodyVectors
                        : arith::DivUIOp::create(b, sliceColsValue(),
                                                 b.i64(schedule.vectorWidth));
    Value chunks = arith::DivUIOp::create(
        b, arith::AddIOp::create(b, vectors, b.i64(schedule.threadsPerRow - 1)),
        b.i64(schedule.threadsPerRow));
    Value upper = arith::IndexCastOp::create(b, b.getIndexType(), chunks);
    Value zero = arith::ConstantIndexOp::create(b, 0);
    Value one = arith::ConstantIndexOp::create(b, 1);
    auto loop = scf::ForOp::create(b, zero, upper, one, ValueRange{acc});
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      Value k =
          arith::IndexCastOp::create(b, b.getI64Type(), loop.getInductionVar());
      Value next = loop.getRegionIterArg(0);
      if (Value partial = body(chunk(k)))
        next = combine(b, kind, next, partial);
      scf::YieldOp::create(b, next);
    }
    acc = loop.getResult(0);
  }
  if (peeled)
    if (Value partial = body(edge()))
      acc = combine(b, kind, acc, partial);
  return acc;
}

Value RowKernelEmitter::normalizePiece(const Piece &piece, Value x,
                                       Value invRms) {
  Value y = arith::MulFOp::create(b, x, b.splat(invRms, piece.width));
  if (spec.gamma >= 0) {
    // normalized_type: round y as the unfused chain stored it before its
    // narrow multiply by gamma. The f32 product below of two f16/bf16
    // values is exact, so rounding it once to the output type gives what
    // that narrow multiply gives.
    if (spec.normalizedType && !spec.normalizedType.isF32()) {
      Value rounded = arith::TruncFOp::create(
          b, VectorType::get({piece.width}, spec.normalizedType), y);
      y = arith::ExtFOp::create(b, b.f32Vector(piece.width), rounded);
    }
    y = arith::MulFOp::create(b, y, gammaOf(piece));
  }
  return y;
}

void RowKernelEmitter::storeRowAsIs(int operand, const Piece &piece,
                                    Value value) {
  storePiece(operand, rowOffset(operand, piece), value, piece,
             b.both(piece.valid, rowValid));
}

void RowKernelEmitter::storeRow(int operand, const Piece &piece, Value value) {
  Type type = spec.operands[operand].elementType;
  if (!type.isF32())
    value =
        arith::TruncFOp::create(b, VectorType::get({piece.width}, type), value);
  storeRowAsIs(operand, piece, value);
}

Value RowKernelEmitter::roundedQuantizerInput(const Piece &piece, Value y,
                                              bool storeNormalized) {
  bool storeY = storeNormalized && spec.normalizedOut >= 0;
  if (spec.intermediateType && !spec.intermediateType.isF32()) {
    // Round as the unfused chain stored the value, so that fusing does not
    // change the codes or the scales.
    Value rounded = arith::TruncFOp::create(
        b, VectorType::get({piece.width}, spec.intermediateType), y);
    if (storeY && spec.operands[spec.normalizedOut].elementType ==
                      spec.intermediateType) {
      storeRowAsIs(spec.normalizedOut, piece, rounded);
      storeY = false;
    }
    y = arith::ExtFOp::create(b, b.f32Vector(piece.width), rounded);
  }
  if (storeY)
    storeRow(spec.normalizedOut, piece, y);
  return y;
}

Value RowKernelEmitter::finishQuantizerInput(const Piece &piece, Value y) {
  if (spec.smooth >= 0)
    y = arith::MulFOp::create(b, y,
                              loadPiece(spec.smooth, piece.column, piece));
  if (spec.clip) {
    y = arith::MaximumFOp::create(b, y,
                                  b.splat(b.f32(-*spec.clip), piece.width));
    y = arith::MinimumFOp::create(b, y,
                                  b.splat(b.f32(*spec.clip), piece.width));
  }
  return y;
}

void RowKernelEmitter::storeScale(Value scale, Value groupIndex, Value valid) {
  Value scaleStride = stride(spec.scales);
  Value offset;
  if (spec.scheme == QuantScheme::PerGroup &&
      spec.scaleLayout == ScaleLayout::ColMajor)
    offset = arith::AddIOp::create(
        b, arith::MulIOp::create(b, groupIndex, scaleStride), row);
  else
    offset = arith::AddIOp::create(
        b, arith::MulIOp::create(b, row, scaleStride), groupIndex);
  b.ifThen(valid, [&] {
    LLVM::StoreOp::create(b, scale, address(spec.scales, offset), 4);
  });
}

Value RowKernelEmitter::gammaOf(const Piece &piece) {
  Value gamma = piece.key ? cachedGamma.lookup(*piece.key) : Value();
  if (gamma && ringBase) {
    // Gamma stays packed across the row loop: LLVM would hoist its
    // widening out of the loop (twice the registers, spilled). An opaque
    // move that depends on the row keeps the widening in the loop.
    int64_t words = piece.width / 2;
    auto wordsType = VectorType::get({words}, b.getI32Type());
    Value packed = vector::BitCastOp::create(b, wordsType, gamma);
    Value laundered = arith::ConstantOp::create(b, b.getZeroAttr(wordsType));
    for (int64_t w = 0; w < words; ++w) {
      Value word = vector::ExtractOp::create(b, packed, ArrayRef<int64_t>{w});
      laundered = vector::InsertOp::create(b, hooks.opaqueMove(b, word, row),
                                           laundered, ArrayRef<int64_t>{w});
    }
    gamma = arith::ExtFOp::create(
        b, b.f32Vector(piece.width),
        vector::BitCastOp::create(b, cast<VectorType>(gamma.getType()),
                                  laundered)
            .getResult());
  }
  if (!gamma)
    gamma = loadPiece(spec.gamma, piece.column, piece);
  if (spec.weightOffset != 0.0)
    gamma = arith::AddFOp::create(
        b, gamma, b.splat(b.f32(spec.weightOffset), piece.width));
  return gamma;
}

void RowKernelEmitter::storeQuantized(const Piece &piece, Value x, Value scale,
                                      bool byAddition) {
  storePiece(spec.output, rowOffset(spec.output, piece),
             quantizedBits(b, x, scale, reciprocals.of(b, scale), codeFormat(),
                           byAddition),
             piece, b.both(piece.valid, rowValid));
}
