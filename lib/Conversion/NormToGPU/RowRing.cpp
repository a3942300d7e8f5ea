//===- RowRing.cpp - the persistent kernel's ring of row chunks
//------------===//
//
// Part of norm-mlir. See README.md for license information.
//
// A persistent kernel (RowPlan::ringSlots) loops over the block's rows with a
// grid stride; its shared memory is a ring of chunk slots filled
// asynchronously ahead of the row that reads them.
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

Value RowKernelEmitter::ringSlot(Value k) {
  Value slot = arith::AddIOp::create(b, ringBase, k);
  Value wraps = arith::CmpIOp::create(b, arith::CmpIPredicate::sge, slot,
                                      b.i64(ringSlots));
  return arith::SelectOp::create(
      b, wraps, arith::SubIOp::create(b, slot, b.i64(ringSlots)), slot);
}

void RowKernelEmitter::issueRingChunk(int64_t rowsAhead, int64_t c,
                                      Value slot) {
  Value targetRow = arith::AddIOp::create(
      b, row, arith::MulIOp::create(b, gridBlocks, b.i64(rowsAhead)));
  Value exists =
      arith::CmpIOp::create(b, arith::CmpIPredicate::slt, targetRow, rows);
  b.ifThen(exists, [&] {
    Value offset = arith::AddIOp::create(
        b, arith::MulIOp::create(b, targetRow, stride(spec.input)),
        chunk(b.i64(c)).column);
    auto vectorType =
        VectorType::get({schedule.vectorWidth}, spec.cachedElementType);
    Value shared =
        LLVM::GEPOp::create(b, sharedRows.getType(), vectorType, sharedRows,
                            ValueRange{ringOffset(slot)});
    hooks.copyAsync16(b, shared, address(spec.input, offset));
  });
  // Committed even when empty, so that the groups stay one per chunk of
  // the stream (see emitRingLoop).
  hooks.commitAsyncCopies(b);
}

void RowKernelEmitter::emitRingLoop() {
  // The block's rows are bid, bid + grid, ...; their chunks form one stream,
  // chunk g (row g / C, chunk g % C) living in slot g % S of S slots. Chunk
  // g + S is copied as soon as the last pass has read chunk g (each thread
  // copies and reads only its own vectors, so no barrier guards a slot), so
  // that S - C chunks of the next row arrive while this one is reduced and
  // quantized. Every copy is its own cp.async group, committed in stream
  // order, so a row is complete once at most S - C groups are pending: one
  // wait per row (waiting per chunk, at most S - 1 - c groups pending
  // before chunk c, was no faster [persistent-ring]). The block's first row is
  // different: nothing overlaps its load, so the prologue copies it alone, and
  // its first pass waits chunk by chunk; the chunks C .. S - 1 of the stream
  // are copied once it has arrived (see emitRingWait).
  int64_t chunks = *unrolledChunks;
  Value bid = arith::IndexCastOp::create(
      b, b.getI64Type(), gpu::BlockIdOp::create(b, gpu::Dimension::x));
  gridBlocks = arith::IndexCastOp::create(
      b, b.getI64Type(), gpu::GridDimOp::create(b, gpu::Dimension::x));
  row = bid;
  // Gamma once per block, kept packed (see normalizePiece): every row
  // read it from L2 before, as many bytes as the row itself.
  Type gammaType = spec.operands[spec.gamma].elementType;
  for (int64_t k = 0; k < chunks; ++k) {
    Piece piece = chunk(b.i64(k));
    cachedGamma[k] = LLVM::LoadOp::create(
        b, VectorType::get({piece.width}, gammaType),
        address(spec.gamma, piece.column), alignmentOf(spec.gamma, piece));
  }
  for (int64_t c = 0; c < chunks; ++c)
    issueRingChunk(/*rowsAhead=*/0, c, b.i64(c));

  // ceil((rows - bid) / grid) rows, none for blocks past the last row.
  Value remaining = arith::SubIOp::create(b, rows, bid);
  Value count = arith::DivSIOp::create(
      b,
      arith::AddIOp::create(b, remaining,
                            arith::SubIOp::create(b, gridBlocks, b.i64(1))),
      gridBlocks);
  count = arith::MaxSIOp::create(b, count, b.i64(0));
  Value zero = arith::ConstantIndexOp::create(b, 0);
  Value one = arith::ConstantIndexOp::create(b, 1);
  auto loop = scf::ForOp::create(
      b, zero, arith::IndexCastOp::create(b, b.getIndexType(), count), one);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(loop.getBody()->getTerminator());
  Value i =
      arith::IndexCastOp::create(b, b.getI64Type(), loop.getInductionVar());
  row = arith::AddIOp::create(b, bid, arith::MulIOp::create(b, i, gridBlocks));
  // Every row of the loop exists: rowValid stays null. Each row makes two
  // block reductions (the sum of squares, the amax) with their own buffers,
  // so the barrier of one keeps the next row's writes to the other's
  // buffer after this row's reads.
  assert(spec.normalize && spec.scheme == QuantScheme::PerToken &&
         "a ring row makes two block reductions");
  ringBase = arith::RemUIOp::create(
      b, arith::MulIOp::create(b, i, b.i64(chunks)), b.i64(ringSlots));
  firstRingRow =
      arith::CmpIOp::create(b, arith::CmpIPredicate::eq, i, b.i64(0));
  emitRow();
}

void RowKernelEmitter::emitRingWait(int64_t c) {
  int64_t chunks = *unrolledChunks;
  // The block's first row: the prologue committed its C chunks alone, so
  // chunk c is in once at most C - 1 - c groups are pending. Once the whole
  // row is, the stream's chunks C .. S - 1 (the next row's first S - C) are
  // copied, after it rather than with it: the first row arrives sooner, and
  // they arrive while it is reduced [persistent-ring].
  auto first = scf::IfOp::create(b, firstRingRow, /*withElseRegion=*/c == 0);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(first.thenBlock()->getTerminator());
  hooks.waitAsyncCopies(b, chunks - 1 - c);
  if (c == chunks - 1)
    for (int64_t g = chunks; g < ringSlots; ++g)
      issueRingChunk(g / chunks, g % chunks, b.i64(g));
  // Any later row: its chunks are complete once at most the S - C groups
  // committed after its last chunk are pending (the stream's chunks up to
  // S further on were all committed by then).
  if (c == 0) {
    b.setInsertionPoint(first.elseBlock()->getTerminator());
    hooks.waitAsyncCopies(b, ringSlots - chunks);
  }
}

Value RowKernelEmitter::ringOffset(Value slot) {
  return arith::AddIOp::create(
      b, arith::MulIOp::create(b, slot, b.i64(schedule.threadsPerRow)), lane);
}
