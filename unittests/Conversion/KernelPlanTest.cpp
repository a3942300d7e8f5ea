//===- KernelPlanTest.cpp - (op, shape, target) -> kernel plan ------------===//
//
// Part of norm-mlir. See README.md for license information.
//
// Pins the decisions buildKernelPlan takes for representative kernels on an
// H100-like and an AMD-like target: the op is parsed, described
// (getRowKernelSpec), scheduled as norm-to-gpu does without a schedule
// attribute (chooseRowSchedule) and planned.
//
//===----------------------------------------------------------------------===//

#include "norm/Conversion/NormToGPU/KernelPlan.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"

#include "gtest/gtest.h"

#include <string>

using namespace mlir;
using namespace mlir::norm;

namespace {

struct TestTarget {
  RowScheduleTarget schedule;
  RowKernelTarget kernel;
};

/// What the NVVM pipeline gives norm-to-gpu for sm_90.
TestTarget h100() {
  TestTarget target;
  target.schedule.warpSize = 32;
  target.schedule.sharedMemoryPerBlock = 227 * 1024;
  target.schedule.maxBlocksPerRow = kMaxBlocksPerRow;
  target.kernel.warpSize = 32;
  target.kernel.sharedMemoryPerBlock = 227 * 1024;
  target.kernel.packedHalfMax = target.kernel.asyncCopies =
      target.kernel.persistentRows = target.kernel.nontemporalRows =
          target.kernel.evictLastRowLoads = true;
  return target;
}

/// What the ROCDL pipeline gives norm-to-gpu for gfx942 (wave64).
TestTarget gfx942() {
  TestTarget target;
  target.schedule.warpSize = 64;
  target.schedule.sharedMemoryPerBlock = 64 * 1024;
  target.kernel.warpSize = 64;
  target.kernel.sharedMemoryPerBlock = 64 * 1024;
  return target;
}

class KernelPlanTest : public ::testing::Test {
protected:
  KernelPlanTest() {
    context.loadDialect<NormDialect, func::FuncDialect, memref::MemRefDialect,
                        arith::ArithDialect>();
  }

  /// The plan of the one norm op in `funcText` (a func.func) on `target`.
  KernelPlan plan(StringRef funcText, const TestTarget &target) {
    module = parseSourceString<ModuleOp>(funcText, &context);
    EXPECT_TRUE(module) << "cannot parse:\n" << funcText.str();
    Operation *normOp = nullptr;
    module->walk([&](Operation *op) {
      if (getRowKernelSpec(op))
        normOp = op;
    });
    EXPECT_NE(normOp, nullptr);
    std::optional<RowKernelSpec> spec = getRowKernelSpec(normOp);
    RowKernelShape shape = getRowKernelShape(normOp);
    std::string whyNot;
    std::optional<RowSchedule> schedule =
        chooseRowSchedule(shape, target.schedule, whyNot);
    EXPECT_TRUE(schedule) << whyNot;
    return buildKernelPlan(*spec, *schedule, shape, target.kernel);
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
};

constexpr const char *kRMSNormBF16 = R"mlir(
func.func @f(%x: memref<?x4096xbf16>, %w: memref<4096xbf16>,
             %y: memref<?x4096xbf16>) {
  norm.rmsnorm %x : memref<?x4096xbf16>, gamma %w : memref<4096xbf16>
      into %y : memref<?x4096xbf16> {epsilon = 1.0e-05 : f32}
  return
})mlir";

TEST_F(KernelPlanTest, StreamedRMSNormOnH100) {
  KernelPlan p = plan(kRMSNormBF16, h100());
  EXPECT_EQ(p.spec.opName, "rmsnorm");
  EXPECT_EQ(p.rows.schedule.rowStorage, RowStorage::Registers);
  EXPECT_EQ(p.rows.schedule.vectorWidth, 8);
  EXPECT_FALSE(p.rows.peeled);
  EXPECT_FALSE(p.unalignedRows.has_value());
  ASSERT_TRUE(p.rows.unrolledChunks.has_value());
  EXPECT_TRUE(p.rows.cacheRowInRegisters);
  EXPECT_TRUE(p.rows.nontemporalRows);
  EXPECT_TRUE(p.rows.evictLastRowLoads);
  EXPECT_TRUE(p.rows.prefetchGammaWithRegisterRow);
  EXPECT_FALSE(p.rows.copyRowAsync);
  EXPECT_FALSE(p.persistent());
  EXPECT_EQ(p.sharedMemoryBytes, 0);
  ASSERT_EQ(p.rows.reductions.size(), 1u);
  EXPECT_EQ(p.rows.reductions[0].statistic, RowStatistic::SumOfSquares);
  EXPECT_FALSE(p.rows.reductions[0].overCluster);
  // Operand alignment: whole 16-byte vectors.
  for (const KernelOperand &operand : p.spec.operands)
    EXPECT_EQ(operand.alignment, 16) << operand.name;
}

TEST_F(KernelPlanTest, RMSNormOnAMDHasNoNVIDIAOnlyTechniques) {
  KernelPlan p = plan(kRMSNormBF16, gfx942());
  EXPECT_EQ(p.warpSize, 64);
  EXPECT_TRUE(p.rows.cacheRowInRegisters);
  EXPECT_FALSE(p.rows.nontemporalRows);
  EXPECT_FALSE(p.rows.evictLastRowLoads);
  EXPECT_FALSE(p.rows.copyRowAsync);
  EXPECT_FALSE(p.persistent());
}

constexpr const char *kRMSNormQuantize65536 = R"mlir(
func.func @f(%x: memref<?x65536xbf16>, %w: memref<65536xbf16>,
             %q: memref<?x65536x{0}>, %s: memref<?x1xf32>) {
  norm.rmsnorm_quantize per_token %x : memref<?x65536xbf16>
      gamma %w : memref<65536xbf16> into %q : memref<?x65536x{0}>,
      %s : memref<?x1xf32> {epsilon = 1.0e-05 : f32, intermediate_type = bf16}
  return
})mlir";

std::string withCodeType(const char *text, StringRef type) {
  std::string result = text;
  for (size_t at; (at = result.find("{0}")) != std::string::npos;)
    result.replace(at, 3, type.str());
  return result;
}

TEST_F(KernelPlanTest, LongQuantizedRowIsPersistentOnH100) {
  KernelPlan p = plan(withCodeType(kRMSNormQuantize65536, "f8E4M3FN"), h100());
  EXPECT_EQ(p.rows.schedule.rowStorage, RowStorage::Shared);
  EXPECT_EQ(p.rows.schedule.blocksPerRow, 1);
  EXPECT_TRUE(p.blockAloneOnSM);
  EXPECT_TRUE(p.rows.copyRowAsync);
  // The ring takes the shared memory less the L1's 32 KiB, in slots of a
  // 16-byte vector per thread.
  int64_t slotBytes = getRowRingSlotBytes(p.rows.schedule);
  EXPECT_EQ(p.rows.ringSlots, (227 - 32) * 1024 / slotBytes);
  EXPECT_EQ(p.sharedMemoryBytes, p.rows.ringSlots * slotBytes);
  EXPECT_TRUE(p.persistent());
  // Gamma comes once per block in a persistent kernel, not with each row.
  EXPECT_FALSE(p.rows.prefetchGammaWithSharedRow);
  EXPECT_EQ(p.rows.packedAmaxElementType, BFloat16Type::get(&context));
  EXPECT_TRUE(p.rows.quotientsBounded);
  EXPECT_FALSE(p.rows.int8CodesByAddition);
  ASSERT_EQ(p.rows.reductions.size(), 2u);
  EXPECT_EQ(p.rows.reductions[1].statistic, RowStatistic::AbsMax);
  EXPECT_TRUE(p.rows.reductions[1].packedPairs);
  EXPECT_EQ(p.rows.reductions[1].groupSize, 0);
}

TEST_F(KernelPlanTest, PersistentInt8CodesByAddition) {
  KernelPlan p = plan(withCodeType(kRMSNormQuantize65536, "i8"), h100());
  EXPECT_TRUE(p.persistent());
  EXPECT_TRUE(p.rows.int8CodesByAddition);
}

TEST_F(KernelPlanTest, LongQuantizedRowOnAMDIsNotPersistent) {
  KernelPlan p = plan(withCodeType(kRMSNormQuantize65536, "i8"), gfx942());
  EXPECT_FALSE(p.persistent());
  EXPECT_FALSE(p.rows.copyRowAsync);
  EXPECT_FALSE(p.rows.int8CodesByAddition);
  EXPECT_FALSE(p.rows.packedAmaxElementType);
}

TEST_F(KernelPlanTest, SplitResidualRowEstimatesItsAmax) {
  KernelPlan p = plan(R"mlir(
func.func @f(%x: memref<?x65536xbf16>, %r: memref<?x65536xbf16>,
             %w: memref<65536xbf16>, %q: memref<?x65536xf8E4M3FN>,
             %s: memref<?x1xf32>) {
  norm.rmsnorm_quantize per_token %x : memref<?x65536xbf16>
      residual %r : memref<?x65536xbf16> gamma %w : memref<65536xbf16>
      into %q : memref<?x65536xf8E4M3FN>, %s : memref<?x1xf32>
      residual_out %r : memref<?x65536xbf16>
      {epsilon = 1.0e-05 : f32, intermediate_type = bf16}
  return
})mlir",
                      h100());
  EXPECT_EQ(p.rows.schedule.blocksPerRow, 8);
  EXPECT_FALSE(p.persistent());
  EXPECT_TRUE(p.rows.estimatesRowAmax);
  // A finite bf16 gamma can exceed 2^32; packed on raw pairs (no offset).
  EXPECT_TRUE(p.rows.estimateBoundsGamma);
  EXPECT_TRUE(p.rows.packedGammaMax);
  ASSERT_EQ(p.rows.reductions.size(), 2u);
  EXPECT_TRUE(p.rows.reductions[0].overCluster);
  EXPECT_TRUE(p.rows.reductions[1].overCluster);
  EXPECT_TRUE(p.rows.reductions[1].skippedWhenEstimated);
}

TEST_F(KernelPlanTest, OddRowsArePeeledWithAnUnalignedBody) {
  KernelPlan p = plan(R"mlir(
func.func @f(%x: memref<?x4095xf16>, %y: memref<?x4095xf16>) {
  norm.rmsnorm %x : memref<?x4095xf16> into %y : memref<?x4095xf16>
  return
})mlir",
                      h100());
  EXPECT_TRUE(p.rows.peeled);
  EXPECT_GT(p.rows.schedule.vectorWidth, 1);
  // Peeled kernels check the vector alignment themselves.
  for (const KernelOperand &operand : p.spec.operands)
    EXPECT_EQ(operand.alignment, 2) << operand.name;
  // Streaming needs whole, unpeeled rows.
  EXPECT_FALSE(p.rows.nontemporalRows);
  EXPECT_FALSE(p.rows.prefetchGammaWithRegisterRow);
  ASSERT_TRUE(p.unalignedRows.has_value());
  EXPECT_FALSE(p.unalignedRows->peeled);
  EXPECT_EQ(p.unalignedRows->schedule.vectorWidth, 1);
  EXPECT_EQ(p.unalignedRows->schedule.threadsPerRow,
            p.rows.schedule.threadsPerRow);
}

TEST_F(KernelPlanTest, PerGroupAmaxIsALaneReduction) {
  KernelPlan p = plan(R"mlir(
func.func @f(%x: memref<?x4096xbf16>, %q: memref<?x4096xf8E4M3FN>,
             %s: memref<32x?xf32>) {
  norm.quantize per_group(128, col_major) %x : memref<?x4096xbf16>
      into %q : memref<?x4096xf8E4M3FN>, %s : memref<32x?xf32>
  return
})mlir",
                      h100());
  ASSERT_EQ(p.rows.reductions.size(), 1u);
  const RowReduction &amax = p.rows.reductions[0];
  EXPECT_EQ(amax.statistic, RowStatistic::AbsMax);
  EXPECT_EQ(amax.groupSize, 128);
  EXPECT_EQ(amax.lanesPerGroup, 128 / p.rows.schedule.vectorWidth);
  EXPECT_FALSE(amax.overCluster);
  // No intermediate type: the amax is taken in f32.
  EXPECT_FALSE(amax.packedPairs);
  EXPECT_TRUE(p.rows.quotientsBounded);
}

TEST_F(KernelPlanTest, StaticScalesClampTheirQuotients) {
  KernelPlan p = plan(R"mlir(
func.func @f(%x: memref<?x100xf16>, %sc: memref<1xf32>,
             %q: memref<?x100xi8>) {
  norm.quantize static %x : memref<?x100xf16> scale %sc : memref<1xf32>
      into %q : memref<?x100xi8>
  return
})mlir",
                      h100());
  EXPECT_TRUE(p.rows.reductions.empty());
  EXPECT_FALSE(p.rows.quotientsBounded);
  EXPECT_EQ(p.spec.operands[p.spec.scale].role, OperandRole::Scalar);
  EXPECT_EQ(p.spec.operands[p.spec.scale].alignment, 4);
}

TEST_F(KernelPlanTest, PrintsEveryBody) {
  KernelPlan p = plan(R"mlir(
func.func @f(%x: memref<?x4095xf16>, %y: memref<?x4095xf16>) {
  norm.rmsnorm %x : memref<?x4095xf16> into %y : memref<?x4095xf16>
  return
})mlir",
                      h100());
  std::string text;
  llvm::raw_string_ostream os(text);
  p.print(os);
  EXPECT_NE(text.find("op: rmsnorm, cols 4095"), std::string::npos) << text;
  EXPECT_NE(text.find("peeled yes"), std::string::npos) << text;
  EXPECT_NE(text.find("unaligned rows (one element per lane)"),
            std::string::npos)
      << text;
}

} // namespace
