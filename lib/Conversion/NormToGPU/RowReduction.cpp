//===- RowReduction.cpp - combining a row's partial statistics
//-------------===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#include "RowReduction.h"
#include "RowStatistics.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace mlir::norm;

/// Cluster exchanges of a split row, and f32 values each exchanges.
static constexpr int64_t kMaxClusterExchanges = 2;
static constexpr int64_t kMaxExchangedValues = 2;

Value mlir::norm::combine(KernelBuilder &b, Combine kind, Value lhs,
                          Value rhs) {
  if (kind == Combine::Add)
    return arith::AddFOp::create(b, lhs, rhs);
  if (kind == Combine::HighAndLow)
    return combineHighAndLow(b, lhs, rhs);
  return arith::MaximumFOp::create(b, lhs, rhs);
}

Value mlir::norm::identity(KernelBuilder &b, Combine kind,
                           VectorType packedType) {
  Type type =
      kind == Combine::HighAndLow ? Type(packedType) : Type(b.getF32Type());
  return arith::ConstantOp::create(b, b.getZeroAttr(type));
}

Value mlir::norm::reduceLanes(KernelBuilder &b, Value value, int64_t lanes,
                              int64_t warpSize, Combine kind) {
  for (int64_t offset = lanes / 2; offset >= 1; offset /= 2) {
    auto shuffle = gpu::ShuffleOp::create(b, value, offset, warpSize,
                                          gpu::ShuffleMode::XOR);
    value = combine(b, kind, value, shuffle.getShuffleResult());
  }
  return value;
}

SmallVector<Value> RowReducer::reduceRow(KernelBuilder &b,
                                         ArrayRef<Value> values,
                                         ArrayRef<Combine> kinds,
                                         bool lastExchange) {
  int64_t tpr = schedule.threadsPerRow;
  SmallVector<Value> result;
  if (tpr <= warpSize) {
    for (auto [value, kind] : llvm::zip_equal(values, kinds))
      result.push_back(reduceLanes(b, value, tpr, warpSize, kind));
  } else {
    result = reduceWarps(b, values, kinds);
  }
  if (schedule.splitsRows())
    result = reduceCluster(b, result, kinds, lastExchange);
  return result;
}

SmallVector<Value> RowReducer::reduceCluster(KernelBuilder &b,
                                             ArrayRef<Value> values,
                                             ArrayRef<Combine> kinds,
                                             bool lastExchange) {
  // kMaxExchangedValues f32 slots per exchange.
  auto slotsType = LLVM::LLVMArrayType::get(
      b.getF32Type(), kMaxClusterExchanges * kMaxExchangedValues);
  Value slots = b.sharedArray(func->getParentOfType<gpu::GPUModuleOp>(),
                              "norm_cluster_partials", slotsType,
                              LLVM::Linkage::Internal, /*alignment=*/4);
  assert(clusterExchanges < kMaxClusterExchanges &&
         values.size() <= kMaxExchangedValues &&
         "a kernel exchanges at most twice, at most two values each");
  SmallVector<Value> valueSlots;
  for (int64_t i = 0, e = values.size(); i < e; ++i)
    valueSlots.push_back(LLVM::GEPOp::create(
        b, slots.getType(), slotsType, slots,
        ArrayRef<LLVM::GEPArg>{
            0,
            static_cast<int32_t>(clusterExchanges * kMaxExchangedValues + i)}));
  ++clusterExchanges;
  Value isFirst =
      arith::CmpIOp::create(b, arith::CmpIPredicate::eq, threadIndex, b.i64(0));
  b.ifThen(isFirst, [&] {
    for (auto [value, slot] : llvm::zip_equal(values, valueSlots))
      LLVM::StoreOp::create(b, value, slot, 4);
  });
  // Release the slots' stores to the cluster, acquire the others'.
  hooks.clusterArrive(b);
  hooks.clusterWait(b);
  SmallVector<Value> result(values.size());
  for (int64_t rank = 0; rank < schedule.blocksPerRow; ++rank) {
    Value rankValue = arith::ConstantOp::create(b, b.getI32IntegerAttr(rank));
    for (auto [i, slot] : llvm::enumerate(valueSlots)) {
      Value remote = hooks.mapToClusterRank(b, slot, rankValue);
      Value partial = LLVM::LoadOp::create(b, b.getF32Type(), remote, 4);
      result[i] =
          result[i] ? combine(b, kinds[i], result[i], partial) : partial;
    }
  }
  if (lastExchange)
    arriveAtFinalClusterBarrier(b);
  return result;
}

void RowReducer::arriveAtFinalClusterBarrier(KernelBuilder &b) {
  // The barrier's wait comes at the end of the kernel.
  hooks.clusterArrive(b);
  clusterArrived = true;
}

SmallVector<Value> RowReducer::reduceWarps(KernelBuilder &b,
                                           ArrayRef<Value> values,
                                           ArrayRef<Combine> kinds) {
  int64_t tpr = schedule.threadsPerRow;
  int64_t count = values.size();

  // Several warps per row: warp shuffles, then the warp results through
  // shared memory, one slot per value and warp of the block. Every
  // reduction gets its own buffer so no second barrier is needed before the
  // next one.
  SmallVector<Value> warpValues;
  for (auto [value, kind] : llvm::zip_equal(values, kinds))
    warpValues.push_back(reduceLanes(b, value, warpSize, warpSize, kind));
  int64_t warps = tpr / warpSize;
  auto workgroup =
      gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup);
  auto bufferType =
      MemRefType::get({count * warps * schedule.rowsPerBlock}, b.getF32Type(),
                      MemRefLayoutAttrInterface{}, workgroup);
  Value buffer = func.addWorkgroupAttribution(bufferType, b.getLoc());
  Value index = arith::IndexCastOp::create(b, b.getIndexType(), threadIndex);
  Value warp = arith::DivUIOp::create(
      b, index, arith::ConstantIndexOp::create(b, warpSize));
  Value laneInWarp = arith::RemUIOp::create(
      b, index, arith::ConstantIndexOp::create(b, warpSize));
  Value isFirst = arith::CmpIOp::create(b, arith::CmpIPredicate::eq, laneInWarp,
                                        arith::ConstantIndexOp::create(b, 0));
  // Value i of warp w in slot i * (warps of the block) + w.
  int64_t blockWarps = warps * schedule.rowsPerBlock;
  auto slotOf = [&](int64_t i, Value warpSlot) -> Value {
    if (i == 0)
      return warpSlot;
    return arith::AddIOp::create(
        b, warpSlot, arith::ConstantIndexOp::create(b, i * blockWarps));
  };
  b.ifThen(isFirst, [&] {
    for (auto [i, value] : llvm::enumerate(warpValues))
      memref::StoreOp::create(b, value, buffer, slotOf(i, warp));
  });
  gpu::BarrierOp::create(b);
  // The row's warps are consecutive: rowInBlock * warps, ... .
  Value first;
  if (schedule.rowsPerBlock > 1)
    first = arith::MulIOp::create(
        b, arith::IndexCastOp::create(b, b.getIndexType(), rowInBlock),
        arith::ConstantIndexOp::create(b, warps));
  SmallVector<Value> result(count);
  for (int64_t w = 0; w < warps; ++w) {
    Value warpSlot = arith::ConstantIndexOp::create(b, w);
    if (first)
      warpSlot = arith::AddIOp::create(b, first, warpSlot);
    for (int64_t i = 0; i < count; ++i) {
      Value partial =
          memref::LoadOp::create(b, buffer, ValueRange{slotOf(i, warpSlot)});
      result[i] =
          result[i] ? combine(b, kinds[i], result[i], partial) : partial;
    }
  }
  return result;
}
