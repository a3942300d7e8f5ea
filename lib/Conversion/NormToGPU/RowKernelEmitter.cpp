//===- RowKernelEmitter.cpp - body of a row-wise norm kernel ---*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
// A thread group of `threadsPerRow` lanes handles one row. Lane `l` owns the
// vectors at columns (k * threadsPerRow + l) * vectorWidth, so consecutive
// lanes touch consecutive 16-byte vectors (coalesced). Rows past the end are
// computed on a clamped row index and never stored, which keeps every lane
// in the shuffles and barriers.
//
// Between the reduction and the scaling the row stays in registers, in
// dynamic shared memory (each thread reads back only the vectors it wrote, so
// no barrier is needed) or is streamed from memory again, as the schedule
// says.
//
//===----------------------------------------------------------------------===//

#include "RowKernelEmitter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

using namespace mlir;
using namespace mlir::norm;

/// Static chunk loops longer than this become scf.for loops (unless the row
/// is kept in registers, which needs constant chunk indices): unrolling them
/// only grows the kernel.
static constexpr int64_t kMaxUnrolledChunks = 16;

SmallVector<int> RowKernelSpec::stridedOperands() const {
  SmallVector<int> result;
  for (auto [index, operand] : llvm::enumerate(operands))
    if (operand.role == OperandRole::Row || operand.role == OperandRole::Scales)
      result.push_back(index);
  return result;
}

namespace {
enum class Combine { Add, Max };

class RowKernelEmitter {
public:
  RowKernelEmitter(gpu::GPUFuncOp func, const RowKernelSpec &spec,
                   const RowSchedule &schedule, int64_t warpSize)
      : func(func), spec(spec), schedule(schedule), warpSize(warpSize),
        b(func.getLoc(), func.getContext()) {
    std::optional<int64_t> staticChunks = schedule.getChunks(spec.cols);
    if (staticChunks && (schedule.rowStorage == RowStorage::Registers ||
                         *staticChunks <= kMaxUnrolledChunks))
      unrolledChunks = staticChunks;
  }

  void emit();

private:
  // Constants and small helpers.
  Value i64(int64_t value) {
    return arith::ConstantOp::create(b, b.getI64IntegerAttr(value));
  }
  Value f32(double value) {
    return arith::ConstantOp::create(b, b.getF32FloatAttr(value));
  }
  VectorType f32Vector() {
    return VectorType::get({schedule.vectorWidth}, b.getF32Type());
  }
  Value splat(Value scalar) {
    return vector::BroadcastOp::create(b, f32Vector(), scalar);
  }
  Value combine(Combine kind, Value lhs, Value rhs) {
    if (kind == Combine::Add)
      return arith::AddFOp::create(b, lhs, rhs);
    return arith::MaximumFOp::create(b, lhs, rhs);
  }
  Value identity(Combine kind) {
    // |x| >= 0, so 0 is the identity of the max reductions used here.
    return f32(0.0);
  }

  /// Element type as stored in memory (fp8 is stored as i8 in LLVM).
  Type storageType(Type type) {
    if (isa<FloatType>(type) && type.getIntOrFloatBitWidth() == 8)
      return b.getI8Type();
    return type;
  }
  Value pointer(int operand) { return func.getArgument(operand); }
  Value stride(int operand) { return strides.lookup(operand); }

  Value address(int operand, Value elementOffset);
  /// `load()`, or zeros where `valid` (null: always valid) is false.
  Value loadIf(Value valid, function_ref<Value()> load);
  Value loadVector(int operand, Value elementOffset, Value valid);
  void storeVector(int operand, Value elementOffset, Value value, Value valid);
  void ifThen(Value cond, function_ref<void()> body);

  Value column(Value k);
  Value columnValid(Value column);
  /// `columnValid(column(k))`, or null when chunk k is statically in bounds.
  Value chunkValid(Value k, Value column);
  /// Conjunction where null means true.
  Value both(Value lhs, Value rhs) {
    if (!lhs || !rhs)
      return lhs ? lhs : rhs;
    return arith::AndIOp::create(b, lhs, rhs);
  }
  Value loadSource(Value k, bool firstPass);
  /// The row cached in shared memory: chunk k of this thread's row.
  Value sharedOffset(Value k);
  Value loadShared(Value k);
  void storeShared(Value k, Value value);
  Value normalizeChunk(Value k, Value x, Value invRms);
  /// Stores `value` (f32) to row operand `operand`, rounded to its type.
  void storeRow(int operand, Value k, Value value);
  /// Stores `value`, already of the operand's element type.
  void storeRowAsIs(int operand, Value k, Value value);
  /// The row value as the quantizer sees it: rounded to the intermediate
  /// type, smoothed and clipped; stores the normalized output on the way
  /// when `storeNormalized`.
  Value quantizerInput(Value k, Value y, bool storeNormalized);
  Value reciprocalOf(Value scale);
  Value correctedQuotient(Value x, Value d, Value r, double bound);
  Value divideByScale(Value x, Value scale, double bound);
  Value quantizedBits(Value x, Value scale);
  void storeQuantized(Value k, Value column, Value valid, Value x, Value scale);
  Value scaleFromAmax(Value amax);
  void storeScale(Value scale, Value groupIndex, Value valid);

  Value reduceLanes(Value value, int64_t lanes, Combine kind);
  Value reduceRow(Value value, Combine kind);

  /// Calls `body(k)` for every chunk of the row: unrolled with constant k
  /// when `unrolledChunks` is set, else an scf.for. `body`
  /// returns the chunk's partial statistic (or null); they are combined.
  Value forEachChunk(Combine kind, function_ref<Value(Value k)> body);

  gpu::GPUFuncOp func;
  const RowKernelSpec &spec;
  const RowSchedule &schedule;
  int64_t warpSize;
  ImplicitLocOpBuilder b;
  /// 1 / scale for each scale value (see reciprocalOf).
  llvm::DenseMap<Value, Value> reciprocals;

  /// Chunks per thread when the chunk loops are unrolled.
  std::optional<int64_t> unrolledChunks;
  Value threadIndex, lane, rowInBlock, row, rowValid, rows, cols;
  /// The block's rows in dynamic shared memory (row_storage = shared).
  Value sharedRows;
  DenseMap<int, Value> strides;
  /// Rows kept in registers, by constant chunk index: as loaded (after the
  /// residual add) and as handed to the quantizer.
  DenseMap<int64_t, Value> cachedRow, cachedQuantizerInput;
};
} // namespace

Value RowKernelEmitter::address(int operand, Value elementOffset) {
  auto ptrType = LLVM::LLVMPointerType::get(b.getContext(), 1);
  Type element = storageType(spec.operands[operand].elementType);
  return LLVM::GEPOp::create(b, ptrType, element, pointer(operand),
                             ValueRange{elementOffset});
}

Value RowKernelEmitter::loadVector(int operand, Value elementOffset,
                                   Value valid) {
  Type element = spec.operands[operand].elementType;
  auto memoryType =
      VectorType::get({schedule.vectorWidth}, storageType(element));
  int64_t alignment = vectorAlignment(schedule.vectorWidth, element);
  return loadIf(valid, [&]() -> Value {
    Value loaded = LLVM::LoadOp::create(
        b, memoryType, address(operand, elementOffset), alignment);
    if (element.isF32())
      return loaded;
    return arith::ExtFOp::create(b, f32Vector(), loaded);
  });
}

Value RowKernelEmitter::loadIf(Value valid, function_ref<Value()> load) {
  if (!valid)
    return load();
  auto ifOp = scf::IfOp::create(b, TypeRange{f32Vector()}, valid,
                                /*withElseRegion=*/true);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(ifOp.thenBlock());
  scf::YieldOp::create(b, load());
  b.setInsertionPointToStart(ifOp.elseBlock());
  scf::YieldOp::create(
      b, arith::ConstantOp::create(b, b.getZeroAttr(f32Vector())).getResult());
  b.setInsertionPointAfter(ifOp);
  return ifOp.getResult(0);
}

void RowKernelEmitter::ifThen(Value cond, function_ref<void()> body) {
  if (!cond) {
    body();
    return;
  }
  auto ifOp = scf::IfOp::create(b, cond, /*withElseRegion=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(ifOp.thenBlock()->getTerminator());
  body();
}

void RowKernelEmitter::storeVector(int operand, Value elementOffset,
                                   Value value, Value valid) {
  Type element = spec.operands[operand].elementType;
  int64_t alignment = vectorAlignment(schedule.vectorWidth, element);
  ifThen(valid, [&] {
    LLVM::StoreOp::create(b, value, address(operand, elementOffset), alignment);
  });
}

Value RowKernelEmitter::column(Value k) {
  Value slot = arith::AddIOp::create(
      b, arith::MulIOp::create(b, k, i64(schedule.threadsPerRow)), lane);
  return arith::MulIOp::create(b, slot, i64(schedule.vectorWidth));
}

Value RowKernelEmitter::columnValid(Value column) {
  return arith::CmpIOp::create(b, arith::CmpIPredicate::slt, column, cols);
}

Value RowKernelEmitter::chunkValid(Value k, Value column) {
  std::optional<int64_t> chunk = getConstantIntValue(k);
  int64_t perChunk = schedule.threadsPerRow * schedule.vectorWidth;
  if (chunk && spec.cols != ShapedType::kDynamic &&
      (*chunk + 1) * perChunk <= spec.cols)
    return nullptr;
  return columnValid(column);
}

Value RowKernelEmitter::loadSource(Value k, bool firstPass) {
  Value col = column(k);
  Value valid = chunkValid(k, col);
  auto rowOffset = [&](int operand) {
    return arith::AddIOp::create(
        b, arith::MulIOp::create(b, row, stride(operand)), col);
  };

  if (spec.residual >= 0) {
    Type residualType = spec.operands[spec.residualOut].elementType;
    if (!firstPass) {
      // Later passes read back the rounded sum this thread stored.
      return loadVector(spec.residualOut, rowOffset(spec.residualOut), valid);
    }
    Value sum = arith::AddFOp::create(
        b, loadVector(spec.input, rowOffset(spec.input), valid),
        loadVector(spec.residual, rowOffset(spec.residual), valid));
    Value stored = sum;
    if (!residualType.isF32())
      stored = arith::TruncFOp::create(
          b, VectorType::get({schedule.vectorWidth}, residualType), sum);
    storeVector(spec.residualOut, rowOffset(spec.residualOut), stored,
                both(valid, rowValid));
    // Normalize the value as rounded to the residual's type.
    if (residualType.isF32())
      return sum;
    return arith::ExtFOp::create(b, f32Vector(), stored);
  }

  return loadVector(spec.input, rowOffset(spec.input), valid);
}

Value RowKernelEmitter::sharedOffset(Value k) {
  // In vectors: the row's, then this thread's chunk k.
  Value slot = arith::AddIOp::create(
      b, arith::MulIOp::create(b, k, i64(schedule.threadsPerRow)), lane);
  Value offset = arith::AddIOp::create(
      b,
      arith::MulIOp::create(b, rowInBlock,
                            i64(spec.cols / schedule.vectorWidth)),
      slot);
  return arith::IndexCastOp::create(b, b.getIndexType(), offset);
}

Value RowKernelEmitter::loadShared(Value k) {
  Type element = spec.cachedElementType;
  int64_t alignment = vectorAlignment(schedule.vectorWidth, element);
  return loadIf(chunkValid(k, column(k)), [&]() -> Value {
    Value loaded =
        memref::LoadOp::create(b, sharedRows, sharedOffset(k),
                               /*nontemporal=*/false, llvm::Align(alignment));
    if (element.isF32())
      return loaded;
    return arith::ExtFOp::create(b, f32Vector(), loaded);
  });
}

void RowKernelEmitter::storeShared(Value k, Value value) {
  Type element = spec.cachedElementType;
  int64_t alignment = vectorAlignment(schedule.vectorWidth, element);
  // Exact: the value came from (or was rounded to) this type.
  if (!element.isF32())
    value = arith::TruncFOp::create(
        b, VectorType::get({schedule.vectorWidth}, element), value);
  // Columns past H would spill into the next row's (or past the) buffer.
  ifThen(chunkValid(k, column(k)), [&] {
    memref::StoreOp::create(b, value, sharedRows, sharedOffset(k),
                            /*nontemporal=*/false, llvm::Align(alignment));
  });
}

Value RowKernelEmitter::reduceLanes(Value value, int64_t lanes, Combine kind) {
  for (int64_t offset = lanes / 2; offset >= 1; offset /= 2) {
    auto shuffle = gpu::ShuffleOp::create(b, value, offset, warpSize,
                                          gpu::ShuffleMode::XOR);
    value = combine(kind, value, shuffle.getShuffleResult());
  }
  return value;
}

Value RowKernelEmitter::reduceRow(Value value, Combine kind) {
  int64_t tpr = schedule.threadsPerRow;
  if (tpr <= warpSize)
    return reduceLanes(value, tpr, kind);

  // Several warps per row: warp shuffles, then the warp results through
  // shared memory, one slot per warp of the block. Every reduction gets its
  // own buffer so no second barrier is needed before the next one.
  value = reduceLanes(value, warpSize, kind);
  int64_t warps = tpr / warpSize;
  auto workgroup =
      gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup);
  auto bufferType =
      MemRefType::get({warps * schedule.rowsPerBlock}, b.getF32Type(),
                      MemRefLayoutAttrInterface{}, workgroup);
  Value buffer = func.addWorkgroupAttribution(bufferType, b.getLoc());
  Value index = arith::IndexCastOp::create(b, b.getIndexType(), threadIndex);
  Value warp = arith::DivUIOp::create(
      b, index, arith::ConstantIndexOp::create(b, warpSize));
  Value laneInWarp = arith::RemUIOp::create(
      b, index, arith::ConstantIndexOp::create(b, warpSize));
  Value isFirst = arith::CmpIOp::create(b, arith::CmpIPredicate::eq, laneInWarp,
                                        arith::ConstantIndexOp::create(b, 0));
  ifThen(isFirst, [&] { memref::StoreOp::create(b, value, buffer, warp); });
  gpu::BarrierOp::create(b);
  // The row's warps are consecutive: rowInBlock * warps, ... .
  Value first;
  if (schedule.rowsPerBlock > 1)
    first = arith::MulIOp::create(
        b, arith::IndexCastOp::create(b, b.getIndexType(), rowInBlock),
        arith::ConstantIndexOp::create(b, warps));
  Value result;
  for (int64_t w = 0; w < warps; ++w) {
    Value slot = arith::ConstantIndexOp::create(b, w);
    if (first)
      slot = arith::AddIOp::create(b, first, slot);
    Value partial = memref::LoadOp::create(b, buffer, ValueRange{slot});
    result = result ? combine(kind, result, partial) : partial;
  }
  return result;
}

Value RowKernelEmitter::forEachChunk(Combine kind,
                                     function_ref<Value(Value k)> body) {
  Value acc = identity(kind);
  if (unrolledChunks) {
    for (int64_t k = 0; k < *unrolledChunks; ++k)
      if (Value partial = body(i64(k)))
        acc = combine(kind, acc, partial);
    return acc;
  }
  // Chunk count from the run-time H.
  int64_t perChunk = schedule.threadsPerRow * schedule.vectorWidth;
  Value chunks = arith::DivUIOp::create(
      b, arith::AddIOp::create(b, cols, i64(perChunk - 1)), i64(perChunk));
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
    if (Value partial = body(k))
      next = combine(kind, next, partial);
    scf::YieldOp::create(b, next);
  }
  return loop.getResult(0);
}

Value RowKernelEmitter::normalizeChunk(Value k, Value x, Value invRms) {
  Value y = arith::MulFOp::create(b, x, splat(invRms));
  if (spec.gamma >= 0) {
    Value col = column(k);
    Value gamma = loadVector(spec.gamma, col, chunkValid(k, col));
    if (spec.weightOffset != 0.0)
      gamma = arith::AddFOp::create(b, gamma, splat(f32(spec.weightOffset)));
    y = arith::MulFOp::create(b, y, gamma);
  }
  return y;
}

void RowKernelEmitter::storeRowAsIs(int operand, Value k, Value value) {
  Value col = column(k);
  Value offset = arith::AddIOp::create(
      b, arith::MulIOp::create(b, row, stride(operand)), col);
  storeVector(operand, offset, value, both(chunkValid(k, col), rowValid));
}

void RowKernelEmitter::storeRow(int operand, Value k, Value value) {
  Type type = spec.operands[operand].elementType;
  if (!type.isF32())
    value = arith::TruncFOp::create(
        b, VectorType::get({schedule.vectorWidth}, type), value);
  storeRowAsIs(operand, k, value);
}

Value RowKernelEmitter::quantizerInput(Value k, Value y, bool storeNormalized) {
  bool storeY = storeNormalized && spec.normalizedOut >= 0;
  if (spec.intermediateType && !spec.intermediateType.isF32()) {
    // Round as the unfused chain stored the value, so that fusing does not
    // change the codes or the scales.
    Value rounded = arith::TruncFOp::create(
        b, VectorType::get({schedule.vectorWidth}, spec.intermediateType), y);
    if (storeY && spec.operands[spec.normalizedOut].elementType ==
                      spec.intermediateType) {
      storeRowAsIs(spec.normalizedOut, k, rounded);
      storeY = false;
    }
    y = arith::ExtFOp::create(b, f32Vector(), rounded);
  }
  if (storeY)
    storeRow(spec.normalizedOut, k, y);
  if (spec.smooth >= 0) {
    Value col = column(k);
    y = arith::MulFOp::create(b, y,
                              loadVector(spec.smooth, col, chunkValid(k, col)));
  }
  if (spec.clip) {
    y = arith::MaximumFOp::create(b, y, splat(f32(-*spec.clip)));
    y = arith::MinimumFOp::create(b, y, splat(f32(*spec.clip)));
  }
  return y;
}

Value RowKernelEmitter::scaleFromAmax(Value amax) {
  if (spec.scaleUb)
    amax = arith::MinimumFOp::create(b, amax, f32(*spec.scaleUb));
  // amax / qmax, correctly rounded, without a division: qmax is a constant
  // whose reciprocal is rounded here.
  Value scale = correctedQuotient(amax, f32(spec.qmax), f32(1.0 / spec.qmax),
                                  3.4028234663852886e38);
  return arith::MaximumFOp::create(b, scale, f32(spec.minScale));
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
  ifThen(valid, [&] {
    LLVM::StoreOp::create(b, scale, address(spec.scales, offset), 4);
  });
}

/// x / d rounded once to f32 from r = 1/d rounded (Markstein): q0 = x * r
/// is within one ulp, the remainder x - q0 * d is exact in an fma, and
/// q0 + rem * r rounds to the correctly rounded quotient. An IEEE f32
/// division is a long sequence with an out-of-line slow path; per element
/// it made the quantizing kernels compute-bound. q0 is clamped to +-`bound`
/// first, beyond which every quotient saturates anyway, so that an infinite
/// x or quotient still ends at +-inf instead of inf - inf = NaN (NaN stays
/// NaN).
Value RowKernelEmitter::correctedQuotient(Value x, Value d, Value r,
                                          double bound) {
  auto splatLike = [&](Value scalar) {
    return isa<VectorType>(x.getType()) ? splat(scalar) : scalar;
  };
  Value dv = splatLike(d), rv = splatLike(r);
  Value q0 = arith::MulFOp::create(b, x, rv);
  q0 = arith::MaximumFOp::create(b, q0, splatLike(f32(-bound)));
  q0 = arith::MinimumFOp::create(b, q0, splatLike(f32(bound)));
  Value negQ0 = arith::NegFOp::create(b, q0);
  Value remainder = math::FmaOp::create(b, negQ0, dv, x);
  return math::FmaOp::create(b, remainder, rv, q0);
}

/// 1 / scale, computed once right where the scale is defined.
Value RowKernelEmitter::reciprocalOf(Value scale) {
  auto it = reciprocals.find(scale);
  if (it != reciprocals.end())
    return it->second;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointAfterValue(scale);
  Value reciprocal = arith::DivFOp::create(b, f32(1.0), scale);
  reciprocals[scale] = reciprocal;
  return reciprocal;
}

/// x / scale for the quantizer (see correctedQuotient).
Value RowKernelEmitter::divideByScale(Value x, Value scale, double bound) {
  return correctedQuotient(x, scale, reciprocalOf(scale), bound);
}

Value RowKernelEmitter::quantizedBits(Value x, Value scale) {
  Type qType = spec.operands[spec.output].elementType;
  Value y = divideByScale(x, scale, 2 * std::max(spec.qmax, 128.0));
  auto bitsType = VectorType::get({schedule.vectorWidth}, b.getI8Type());
  if (qType.isSignlessInteger(8)) {
    // Round to nearest even, saturate to [-128, 127], NaN to 0: fptosi of an
    // out-of-range or NaN value would be poison.
    y = math::RoundEvenOp::create(b, y);
    y = arith::MaximumFOp::create(b, y, splat(f32(-128.0)));
    y = arith::MinimumFOp::create(b, y, splat(f32(127.0)));
    Value isNaN = arith::CmpFOp::create(b, arith::CmpFPredicate::UNO, y, y);
    y = arith::SelectOp::create(
        b, isNaN, arith::ConstantOp::create(b, b.getZeroAttr(f32Vector())), y);
    return arith::FPToSIOp::create(b, bitsType, y);
  }
  // Saturate first (NaN propagates), so that every lowering of truncf,
  // hardware satfinite or emulated, gives the same codes.
  y = arith::MaximumFOp::create(b, y, splat(f32(-spec.qmax)));
  y = arith::MinimumFOp::create(b, y, splat(f32(spec.qmax)));
  Value q = arith::TruncFOp::create(
      b, VectorType::get({schedule.vectorWidth}, qType), y);
  return arith::BitcastOp::create(b, bitsType, q);
}

void RowKernelEmitter::storeQuantized(Value k, Value col, Value valid, Value x,
                                      Value scale) {
  Value offset = arith::AddIOp::create(
      b, arith::MulIOp::create(b, row, stride(spec.output)), col);
  storeVector(spec.output, offset, quantizedBits(x, scale),
              both(valid, rowValid));
}

void RowKernelEmitter::emit() {
  Block &entry = func.getBody().front();
  b.setInsertionPointToStart(&entry);

  int64_t numPointers = spec.operands.size();
  rows = func.getArgument(numPointers);
  cols = spec.cols == ShapedType::kDynamic ? func.getArgument(numPointers + 1)
                                           : i64(spec.cols);
  for (auto [position, operand] : llvm::enumerate(spec.stridedOperands()))
    strides[operand] = func.getArgument(numPointers + 2 + position);

  Value tid = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
  Value bid = gpu::BlockIdOp::create(b, gpu::Dimension::x);
  threadIndex = arith::IndexCastOp::create(b, b.getI64Type(), tid);
  Value block = arith::IndexCastOp::create(b, b.getI64Type(), bid);
  lane = arith::RemUIOp::create(b, threadIndex, i64(schedule.threadsPerRow));
  rowInBlock =
      arith::DivUIOp::create(b, threadIndex, i64(schedule.threadsPerRow));
  Value logicalRow = arith::AddIOp::create(
      b, arith::MulIOp::create(b, block, i64(schedule.rowsPerBlock)),
      rowInBlock);
  rowValid =
      arith::CmpIOp::create(b, arith::CmpIPredicate::slt, logicalRow, rows);
  // Threads past the last row work on the last row and store nothing.
  row = arith::SelectOp::create(b, rowValid, logicalRow,
                                arith::SubIOp::create(b, rows, i64(1)));

  bool cache = schedule.rowStorage == RowStorage::Registers && unrolledChunks;
  if (schedule.rowStorage == RowStorage::Shared &&
      spec.cols != ShapedType::kDynamic) {
    auto workgroup = gpu::AddressSpaceAttr::get(b.getContext(),
                                                gpu::AddressSpace::Workgroup);
    Value bytes = gpu::DynamicSharedMemoryOp::create(
        b, MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                           MemRefLayoutAttrInterface{}, workgroup));
    // Vectors as elements: memref.load/store lower in every GPU pipeline,
    // where vector.load on workgroup memory needs its address space mapped.
    auto rowsType = MemRefType::get(
        {schedule.rowsPerBlock * spec.cols / schedule.vectorWidth},
        VectorType::get({schedule.vectorWidth}, spec.cachedElementType),
        MemRefLayoutAttrInterface{}, workgroup);
    sharedRows = memref::ViewOp::create(
        b, rowsType, bytes, arith::ConstantIndexOp::create(b, 0), ValueRange{});
  }
  // The first pass over the row; cached chunks are reused by later passes.
  auto source = [&](Value k, bool firstPass) -> Value {
    if (sharedRows) {
      if (!firstPass)
        return loadShared(k);
      Value x = loadSource(k, /*firstPass=*/true);
      storeShared(k, x);
      return x;
    }
    auto constant = getConstantIntValue(k);
    if (cache && constant) {
      auto it = cachedRow.find(*constant);
      if (it != cachedRow.end())
        return it->second;
      Value x = loadSource(k, /*firstPass=*/true);
      cachedRow[*constant] = x;
      return x;
    }
    return loadSource(k, firstPass);
  };

  // Normalization: sum of squares, then scale every element.
  Value invRms;
  if (spec.normalize) {
    Value sum = forEachChunk(Combine::Add, [&](Value k) -> Value {
      Value x = source(k, /*firstPass=*/true);
      return vector::ReductionOp::create(b, vector::CombiningKind::ADD,
                                         arith::MulFOp::create(b, x, x));
    });
    sum = reduceRow(sum, Combine::Add);
    Value colsF32 = arith::SIToFPOp::create(b, b.getF32Type(), cols);
    Value meanSquare = arith::DivFOp::create(b, sum, colsF32);
    invRms = math::RsqrtOp::create(
        b, arith::AddFOp::create(b, meanSquare, f32(spec.epsilon)));
  }
  // The value handed to the quantizer or stored: normalized when asked.
  auto value = [&](Value k, bool firstPass) -> Value {
    Value x = source(k, firstPass);
    return spec.normalize ? normalizeChunk(k, x, invRms) : x;
  };
  // Whether `value` of the first pass over the row has run already.
  bool readRowOnce = spec.normalize;

  if (!spec.quantize) {
    forEachChunk(Combine::Add, [&](Value k) -> Value {
      storeRow(spec.output, k, value(k, /*firstPass=*/!readRowOnce));
      return nullptr;
    });
    return;
  }

  // The quantizer's view of chunk k, computed once per chunk when the row is
  // cached. The first quantizer pass over the row (`storeNormalized`) also
  // writes the normalized output.
  auto quantized = [&](Value k, bool storeNormalized) -> Value {
    auto constant = getConstantIntValue(k);
    if (cache && constant) {
      auto it = cachedQuantizerInput.find(*constant);
      if (it != cachedQuantizerInput.end())
        return it->second;
    }
    Value x = quantizerInput(
        k, value(k, /*firstPass=*/storeNormalized && !readRowOnce),
        storeNormalized);
    if (cache && constant)
      cachedQuantizerInput[*constant] = x;
    return x;
  };

  Value isLeader =
      arith::CmpIOp::create(b, arith::CmpIPredicate::eq, lane, i64(0));
  switch (spec.scheme) {
  case QuantScheme::Static: {
    Value scale =
        LLVM::LoadOp::create(b, b.getF32Type(), address(spec.scale, i64(0)), 4);
    forEachChunk(Combine::Add, [&](Value k) -> Value {
      Value col = column(k);
      storeQuantized(k, col, chunkValid(k, col),
                     quantized(k, /*storeNormalized=*/true), scale);
      return nullptr;
    });
    return;
  }
  case QuantScheme::PerToken: {
    Value amax = forEachChunk(Combine::Max, [&](Value k) -> Value {
      Value x = quantized(k, /*storeNormalized=*/true);
      return vector::ReductionOp::create(b, vector::CombiningKind::MAXIMUMF,
                                         math::AbsFOp::create(b, x));
    });
    Value scale = scaleFromAmax(reduceRow(amax, Combine::Max));
    storeScale(scale, i64(0), both(isLeader, rowValid));
    forEachChunk(Combine::Add, [&](Value k) -> Value {
      Value col = column(k);
      storeQuantized(k, col, chunkValid(k, col),
                     quantized(k, /*storeNormalized=*/false), scale);
      return nullptr;
    });
    return;
  }
  case QuantScheme::PerGroup: {
    // A group is `groupSize / vectorWidth` consecutive lanes of one chunk:
    // its amax is a shuffle reduction over those lanes alone.
    int64_t lanesPerGroup = spec.groupSize / schedule.vectorWidth;
    forEachChunk(Combine::Add, [&](Value k) -> Value {
      Value x = quantized(k, /*storeNormalized=*/true);
      Value col = column(k);
      Value valid = chunkValid(k, col);
      Value amax = vector::ReductionOp::create(
          b, vector::CombiningKind::MAXIMUMF, math::AbsFOp::create(b, x));
      Value scale =
          scaleFromAmax(reduceLanes(amax, lanesPerGroup, Combine::Max));
      Value groupLeader = arith::CmpIOp::create(
          b, arith::CmpIPredicate::eq,
          arith::RemUIOp::create(b, lane, i64(lanesPerGroup)), i64(0));
      Value group = arith::DivUIOp::create(b, col, i64(spec.groupSize));
      storeScale(scale, group, both(both(groupLeader, valid), rowValid));
      storeQuantized(k, col, valid, x, scale);
      return nullptr;
    });
    return;
  }
  }
}

void mlir::norm::emitRowKernelBody(gpu::GPUFuncOp func,
                                   const RowKernelSpec &spec,
                                   const RowSchedule &schedule,
                                   int64_t warpSize) {
  RowKernelEmitter(func, spec, schedule, warpSize).emit();
}
