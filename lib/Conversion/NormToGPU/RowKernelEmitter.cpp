//===- RowKernelEmitter.cpp - body of a row-wise norm kernel ---*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
// A thread group of `threadsPerRow` lanes handles one row. Lane `l` owns the
// vectors at columns head + (k * threadsPerRow + l) * vectorWidth, so
// consecutive lanes touch consecutive 16-byte vectors (coalesced). Rows past
// the end are computed on a clamped row index and never stored, which keeps
// every lane in the shuffles and barriers.
//
// A peeled row (the vector width does not divide H, or H is dynamic) starts
// wherever the row stride puts it: its head runs to the first vector-aligned
// column, whole aligned vectors follow, and the head and tail elements form
// one more piece of a single element per lane (the edge). The kernel checks
// that every row operand shares the input's alignment and stride, and runs
// the row one element per lane otherwise.
//
// Between the reduction and the scaling the row stays in registers, in
// dynamic shared memory (each thread reads back only the vectors it wrote, so
// no barrier is needed) or is streamed from memory again, as the schedule
// says.
//
// A row split over a cluster (blocks_per_row > 1) gives block r of the
// cluster the columns [r * S, (r + 1) * S) of S = H / blocks_per_row. Each
// block reduces its slice, puts the result in its shared memory, and after a
// cluster barrier every thread combines all blocks' results in rank order
// (so every block gets bit-identical sums and scales) through distributed
// shared memory. A last cluster barrier keeps every block's shared memory
// alive until the others have read it.
//
//===----------------------------------------------------------------------===//

#include "RowKernelEmitter.h"
#include "RowEmitter.h"

#include "norm/Dialect/Norm/IR/NormOps.h"

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

DenseMap<int, Value>
mlir::norm::detail::getStrideArguments(gpu::GPUFuncOp func,
                                       const RowKernelSpec &spec) {
  DenseMap<int, Value> strides;
  int64_t first = spec.operands.size() + 2;
  for (auto [position, operand] : llvm::enumerate(spec.stridedOperands()))
    strides[operand] = func.getArgument(first + position);
  return strides;
}

void RowKernelEmitter::emit(Block *block) {
  if (!block->empty() && block->back().hasTrait<OpTrait::IsTerminator>())
    b.setInsertionPoint(&block->back());
  else
    b.setInsertionPointToEnd(block);
  emitRowProgram();
  if (reducer && reducer->arrivedAtFinalClusterBarrier())
    hooks.clusterWait(b);
}

void RowKernelEmitter::emitRowProgram() {
  int64_t numPointers = spec.operands.size();
  rows = func.getArgument(numPointers);
  cols = spec.cols == ShapedType::kDynamic ? func.getArgument(numPointers + 1)
                                           : b.i64(spec.cols);
  strides = getStrideArguments(func, spec);

  Value tid = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
  Value bid = gpu::BlockIdOp::create(b, gpu::Dimension::x);
  threadIndex = arith::IndexCastOp::create(b, b.getI64Type(), tid);
  Value block64 = arith::IndexCastOp::create(b, b.getI64Type(), bid);
  lane = arith::RemUIOp::create(b, threadIndex, b.i64(schedule.threadsPerRow));
  rowInBlock =
      arith::DivUIOp::create(b, threadIndex, b.i64(schedule.threadsPerRow));
  reducer.emplace(func, hooks, schedule, warpSize, threadIndex, rowInBlock);
  if (schedule.splitsRows()) {
    // Clusters are consecutive blocks along x: the block's rank in its
    // cluster is its index modulo the cluster size.
    clusterRank =
        arith::RemUIOp::create(b, block64, b.i64(schedule.blocksPerRow));
    sliceStart = arith::MulIOp::create(b, clusterRank,
                                       b.i64(schedule.getSliceCols(spec.cols)));
    block64 = arith::DivUIOp::create(b, block64, b.i64(schedule.blocksPerRow));
  }
  if (rowPlan.sharedRows) {
    // Dynamic shared memory as an external zero-sized array (CUDA's and
    // HIP's `extern __shared__`), which the assemblers place after every
    // static shared variable. gpu.dynamic_shared_memory lowers to an
    // internal one that LLVM may demote into the kernel, where ptxas may lay
    // static buffers (the reductions', the cluster's) over the row.
    sharedRows = b.sharedArray(func->getParentOfType<gpu::GPUModuleOp>(),
                               "norm_dynamic_shared_memory",
                               LLVM::LLVMArrayType::get(b.getI8Type(), 0),
                               LLVM::Linkage::External, /*alignment=*/16);
  }
  if (rowPlan.evictLastRowLoads)
    func->setAttr(NormDialect::getRowCachePolicyAttrName(),
                  b.getStringAttr(
                      stringifyRowCachePolicy(RowCachePolicy::EvictLastLoads)));
  if (ringSlots) {
    emitRingLoop();
    return;
  }

  Value logicalRow = arith::AddIOp::create(
      b, arith::MulIOp::create(b, block64, b.i64(schedule.rowsPerBlock)),
      rowInBlock);
  rowValid =
      arith::CmpIOp::create(b, arith::CmpIPredicate::slt, logicalRow, rows);
  // Threads past the last row work on the last row and store nothing.
  row = arith::SelectOp::create(b, rowValid, logicalRow,
                                arith::SubIOp::create(b, rows, b.i64(1)));
  emitRow();
}

void RowKernelEmitter::emitPeeledRowBounds() {
  // The input's row starts `misalignment` elements past an aligned column
  // (its base is aligned), and so does every row operand's.
  int64_t vec = schedule.vectorWidth;
  Value misalignment = arith::AndIOp::create(
      b, arith::MulIOp::create(b, row, stride(spec.input)), b.i64(vec - 1));
  head = arith::AndIOp::create(
      b, arith::SubIOp::create(b, b.i64(vec), misalignment), b.i64(vec - 1));
  head = arith::MinSIOp::create(b, head, cols);
  bodyVectors = arith::DivUIOp::create(b, arith::SubIOp::create(b, cols, head),
                                       b.i64(vec));
  Value bodyElements = arith::MulIOp::create(b, bodyVectors, b.i64(vec));
  tailStart = arith::AddIOp::create(b, head, bodyElements);
  edgeElements = arith::SubIOp::create(b, cols, bodyElements);
}

bool RowKernelEmitter::keptInRegisters(const Piece &piece) const {
  return piece.key && (rowPlan.cacheRowInRegisters || *piece.key == kEdgeKey);
}

Value RowKernelEmitter::rowSource(const Piece &piece, bool firstPass) {
  bool inRegisters = keptInRegisters(piece);
  if (sharedRows && !inRegisters) {
    if (!firstPass)
      return loadShared(piece);
    Value x;
    if (ringBase) {
      emitRingWait(*piece.key);
      x = loadShared(piece);
    } else if (rowPlan.copyRowAsync) {
      if (!rowCopied) {
        copyRowToShared();
        rowCopied = true;
      }
      x = loadShared(piece);
    } else {
      // residual_out stored after the pass's last load (see
      // emitNormalization) [deferred-residual-stores].
      x = loadSource(piece, /*firstPass=*/true,
                     /*deferResidualStore=*/spec.normalize &&
                         unrolledChunks.has_value());
      storeShared(piece, x);
    }
    // A block alone on its SM has all its warps in the same phase: gamma
    // read after the reduction would stall every one of them on L2 at once;
    // loaded with the row, it arrives during the reduction
    // [gamma-with-shared-row].
    if (rowPlan.prefetchGammaWithSharedRow)
      cachedGamma[*piece.key] = loadPiece(spec.gamma, piece.column, piece);
    return x;
  }
  if (inRegisters) {
    auto it = cachedRow.find(*piece.key);
    if (it != cachedRow.end())
      return it->second;
    Value x = loadSource(piece, /*firstPass=*/true,
                         /*deferResidualStore=*/spec.normalize);
    cachedRow[*piece.key] = x;
    // Gamma with a short row, where the plan says so
    // [gamma-with-register-row].
    if (rowPlan.prefetchGammaWithRegisterRow)
      cachedGamma[*piece.key] = loadPiece(spec.gamma, piece.column, piece);
    return x;
  }
  return loadSource(piece, firstPass);
}

std::pair<Value, Value> RowKernelEmitter::emitEstimateMaxima() {
  Value maxProduct, maxGamma;
  auto accumulate = [&](Value acc, Value v) -> Value {
    return acc ? combine(b, Combine::Max, acc, v) : v;
  };
  // Unrolled chunks: the maxima accumulate in straight-line code.
  assert(unrolledChunks && "the estimate's maxima need unrolled chunks");
  forEachPiece(Combine::Add, [&](const Piece &piece) -> Value {
    Value gamma = gammaOf(piece);
    Value x = keptInRegisters(piece) ? rowSource(piece, /*firstPass=*/false)
                                     : loadShared(piece, /*isVolatile=*/true);
    maxProduct = accumulate(maxProduct,
                            absMaxF32(b, arith::MulFOp::create(b, x, gamma)));
    if (rowPlan.estimateBoundsGamma)
      maxGamma = accumulate(maxGamma,
                            absMaxOfGamma(b, gamma,
                                          spec.operands[spec.gamma].elementType,
                                          rowPlan.packedGammaMax));
    return nullptr;
  });
  return {maxProduct, maxGamma};
}

void RowKernelEmitter::emitNormalization() {
  Value sum = forEachPiece(Combine::Add, [&](const Piece &piece) -> Value {
    return sumOfSquares(b, rowSource(piece, /*firstPass=*/true));
  });
  // The residual_out stores of a row kept in registers (or cached in shared
  // memory in unrolled chunks) come after all its loads: PTX carries no
  // aliasing information, so ptxas keeps every load behind every earlier
  // store and each chunk would wait a memory round trip for the previous one
  // [deferred-residual-stores].
  storeDeferredResiduals();
  // The first pass's statistics for the amax estimate (estimatedAmax), read
  // back from where the row is kept once all its loads are issued: gamma
  // with the row would cost registers, hence blocks per SM.
  Value maxProduct, maxGamma;
  if (rowPlan.estimatesRowAmax)
    std::tie(maxProduct, maxGamma) = emitEstimateMaxima();
  // The amax of a split row, if any, makes the last exchange.
  bool lastExchange = !llvm::any_of(
      ArrayRef(rowPlan.reductions).drop_front(),
      [](const RowReduction &reduction) { return reduction.overCluster; });
  if (maxProduct) {
    // A gamma beyond the estimate's bound makes it NaN (not exact).
    if (maxGamma) {
      Value gammaBounded = arith::CmpFOp::create(
          b, arith::CmpFPredicate::OLE, maxGamma, b.f32(kMaxEstimatedGamma));
      maxProduct = arith::SelectOp::create(
          b, gammaBounded, maxProduct,
          b.f32(std::numeric_limits<double>::quiet_NaN()));
    }
    SmallVector<Value> reduced = reducer->reduceRow(
        b, {sum, maxProduct}, {Combine::Add, Combine::Max}, lastExchange);
    sum = reduced[0];
    rowMaxProduct = reduced[1];
  } else {
    sum = reducer->reduceRow(b, sum, Combine::Add, lastExchange);
  }
  Value colsF32 = arith::SIToFPOp::create(b, b.getF32Type(), cols);
  Value meanSquare = arith::DivFOp::create(b, sum, colsF32);
  invRms = math::RsqrtOp::create(
      b, arith::AddFOp::create(b, meanSquare, b.f32(spec.epsilon)));
}

Value RowKernelEmitter::rowValue(const Piece &piece, bool firstPass) {
  Value x = rowSource(piece, firstPass);
  return spec.normalize ? normalizePiece(piece, x, invRms) : x;
}

Value RowKernelEmitter::quantizerView(const Piece &piece,
                                      bool storeNormalized) {
  // Whether rowValue's first pass over the row has run already.
  bool readRowOnce = spec.normalize;
  bool inRegisters = keptInRegisters(piece);
  if (inRegisters) {
    auto it = cachedQuantizerInput.find(*piece.key);
    if (it != cachedQuantizerInput.end())
      return it->second;
  }
  if (rowPlan.cacheRoundedInShared && !inRegisters) {
    // Each thread reads back only what it wrote: no barrier.
    if (!storeNormalized)
      return finishQuantizerInput(piece, loadShared(piece));
    Value rounded = roundedQuantizerInput(
        piece, rowValue(piece, /*firstPass=*/!readRowOnce), storeNormalized);
    storeShared(piece, rounded);
    return finishQuantizerInput(piece, rounded);
  }
  Value x = quantizerInput(
      piece, rowValue(piece, /*firstPass=*/storeNormalized && !readRowOnce),
      storeNormalized);
  if (inRegisters)
    cachedQuantizerInput[*piece.key] = x;
  return x;
}

void RowKernelEmitter::emitStaticCodes() {
  Value scale =
      LLVM::LoadOp::create(b, b.getF32Type(), address(spec.scale, b.i64(0)), 4);
  forEachPiece(Combine::Add, [&](const Piece &piece) -> Value {
    storeQuantized(piece, quantizerView(piece, /*storeNormalized=*/true),
                   scale);
    return nullptr;
  });
}

Value RowKernelEmitter::emitRowAmax() {
  Value amax = forEachPiece(
      packedAmaxType() ? Combine::HighAndLow : Combine::Max,
      [&](const Piece &piece) -> Value {
        return absMaxOfPiece(b, quantizerView(piece, /*storeNormalized=*/true),
                             packedAmaxType());
      });
  return reducer->reduceRow(b, amaxAsF32(b, amax), Combine::Max);
}

Value RowKernelEmitter::emitEstimatedRowAmax() {
  // The amax pass and its cluster exchange only where the estimate cannot
  // tell the amax (uniform over the cluster: every block has the same sums).
  auto [estimate, exact] =
      estimatedAmax(b, rowMaxProduct, invRms, spec.intermediateType);
  auto ifOp = scf::IfOp::create(b, TypeRange{b.getF32Type()}, exact,
                                /*withElseRegion=*/true);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(ifOp.thenBlock());
  reducer->arriveAtFinalClusterBarrier(b);
  scf::YieldOp::create(b, estimate);
  b.setInsertionPointToStart(ifOp.elseBlock());
  // Quantizer inputs computed in the branch do not dominate the codes pass.
  DenseMap<int64_t, Value> quantizerInputs = cachedQuantizerInput;
  scf::YieldOp::create(b, emitRowAmax());
  cachedQuantizerInput = std::move(quantizerInputs);
  return ifOp.getResult(0);
}

void RowKernelEmitter::emitPerTokenCodesPass(Value scale, bool byAddition) {
  forEachPiece(Combine::Add, [&](const Piece &piece) -> Value {
    storeQuantized(piece, quantizerView(piece, /*storeNormalized=*/false),
                   scale, byAddition);
    // The slot is free: the stream's chunk S further on goes there. This
    // thread read it above (program order: the copy cannot land before the
    // read).
    if (ringBase) {
      int64_t next = *piece.key + ringSlots;
      issueRingChunk(next / *unrolledChunks, next % *unrolledChunks,
                     ringSlot(piece.k));
    }
    return nullptr;
  });
}

void RowKernelEmitter::emitPerTokenCodes(Value isLeader) {
  Value rowAmax = rowMaxProduct ? emitEstimatedRowAmax() : emitRowAmax();
  Value scale = scaleFromAmax(rowAmax);
  storeScale(scale, b.i64(0), b.both(isLeader, rowValid));
  if (!rowPlan.int8CodesByAddition) {
    emitPerTokenCodesPass(scale, /*byAddition=*/false);
    return;
  }
  // int8 codes by addition: where no quotient can be NaN or infinite (a
  // finite amax bounds them), the low bytes of q + 1.5 * 2^23, stored packed
  // (8-byte vectors), never as single bytes. A row with a NaN or infinite
  // value takes cvt.rni (NaN to 0).
  Value finite =
      arith::CmpFOp::create(b, arith::CmpFPredicate::OLT, rowAmax,
                            b.f32(std::numeric_limits<double>::infinity()));
  auto ifOp = scf::IfOp::create(b, finite, /*withElseRegion=*/true);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(ifOp.thenBlock()->getTerminator());
  emitPerTokenCodesPass(scale, /*byAddition=*/true);
  b.setInsertionPoint(ifOp.elseBlock()->getTerminator());
  emitPerTokenCodesPass(scale, /*byAddition=*/false);
}

void RowKernelEmitter::emitPerGroupCodes() {
  // A group is `groupSize / vectorWidth` consecutive lanes of one chunk: its
  // amax is a shuffle reduction over those lanes alone. Rows are never
  // peeled (H is a multiple of the group).
  int64_t lanesPerGroup = rowPlan.reductions.back().lanesPerGroup;
  forEachPiece(Combine::Add, [&](const Piece &piece) -> Value {
    Value x = quantizerView(piece, /*storeNormalized=*/true);
    Value amax = amaxAsF32(b, absMaxOfPiece(b, x, packedAmaxType()));
    Value scale = scaleFromAmax(
        reduceLanes(b, amax, lanesPerGroup, warpSize, Combine::Max));
    Value groupLeader = arith::CmpIOp::create(
        b, arith::CmpIPredicate::eq,
        arith::RemUIOp::create(b, lane, b.i64(lanesPerGroup)), b.i64(0));
    Value group =
        arith::DivUIOp::create(b, piece.column, b.i64(spec.groupSize));
    storeScale(scale, group,
               b.both(b.both(groupLeader, piece.valid), rowValid));
    storeQuantized(piece, x, scale);
    return nullptr;
  });
}

void RowKernelEmitter::emitRow() {
  if (peeled)
    emitPeeledRowBounds();
  if (spec.normalize)
    emitNormalization();
  assert(deferredResidualStores.empty() &&
         "residual_out stores are deferred only to the end of the first pass");
  // rowValue's first pass over the row has run with the normalization.
  bool readRowOnce = spec.normalize;
  if (!spec.quantize) {
    forEachPiece(Combine::Add, [&](const Piece &piece) -> Value {
      storeRow(spec.output, piece, rowValue(piece, /*firstPass=*/!readRowOnce));
      return nullptr;
    });
    return;
  }
  // The thread that stores the row's scale (in the cluster's first block).
  Value isLeader =
      arith::CmpIOp::create(b, arith::CmpIPredicate::eq, lane, b.i64(0));
  if (clusterRank)
    isLeader =
        b.both(isLeader, arith::CmpIOp::create(b, arith::CmpIPredicate::eq,
                                               clusterRank, b.i64(0)));
  switch (spec.scheme) {
  case QuantScheme::Static:
    return emitStaticCodes();
  case QuantScheme::PerToken:
    return emitPerTokenCodes(isLeader);
  case QuantScheme::PerGroup:
    return emitPerGroupCodes();
  }
}

/// Whether every row operand of a peeled kernel shares the input's
/// alignment to the vector and its row stride, so that one head serves them
/// all. Uniform over the grid, so both sides of the branch may use
/// barriers.
static Value rowsShareAlignment(KernelBuilder &b, gpu::GPUFuncOp func,
                                const RowKernelSpec &spec,
                                const RowSchedule &schedule) {
  DenseMap<int, Value> strides = getStrideArguments(func, spec);
  Value inputStride = strides.lookup(spec.input);
  Value shared = arith::ConstantOp::create(b, b.getBoolAttr(true));
  for (int operand : spec.stridedOperands()) {
    const KernelOperand &kernelOperand = spec.operands[operand];
    if (kernelOperand.role != OperandRole::Row)
      continue;
    int64_t alignment =
        vectorAlignment(schedule.vectorWidth, kernelOperand.elementType);
    Value address =
        LLVM::PtrToIntOp::create(b, b.getI64Type(), func.getArgument(operand));
    Value offset = arith::AndIOp::create(b, address, b.i64(alignment - 1));
    shared = arith::AndIOp::create(
        b, shared,
        arith::CmpIOp::create(b, arith::CmpIPredicate::eq, offset, b.i64(0)));
    if (operand != spec.input)
      shared = arith::AndIOp::create(
          b, shared,
          arith::CmpIOp::create(b, arith::CmpIPredicate::eq,
                                strides.lookup(operand), inputStride));
  }
  return shared;
}

void mlir::norm::emitRowKernelBody(gpu::GPUFuncOp func, const KernelPlan &plan,
                                   const KernelTargetHooks &hooks) {
  Block &entry = func.getBody().front();
  if (!plan.unalignedRows) {
    RowKernelEmitter(func, plan, plan.rows, hooks).emit(&entry);
    return;
  }
  // Rows whose operands disagree on the alignment (strided views, offset
  // pointers) go one element per lane.
  KernelBuilder b(func.getLoc(), func.getContext());
  b.setInsertionPointToEnd(&entry);
  auto ifOp = scf::IfOp::create(
      b, rowsShareAlignment(b, func, plan.spec, plan.rows.schedule),
      /*withElseRegion=*/true);
  RowKernelEmitter(func, plan, plan.rows, hooks).emit(ifOp.thenBlock());
  RowKernelEmitter(func, plan, *plan.unalignedRows, hooks)
      .emit(ifOp.elseBlock());
}
