//===- KernelPlan.cpp - what a row kernel does, decided once ---*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
// Every technique a kernel uses is decided here, from the op, its schedule
// and the target; the emitter (RowKernelEmitter.cpp) writes what the plan
// says. Each rule states what it requires and why; the measurements behind
// the rules are in docs/DECISIONS.md under the tag the rule names.
//
//===----------------------------------------------------------------------===//

#include "norm/Conversion/NormToGPU/KernelPlan.h"

#include "llvm/ADT/APFloat.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::norm;

/// Static chunk loops longer than this become scf.for loops (unless the row
/// is kept in registers, which needs constant chunk indices): unrolling them
/// only grows the kernel.
static constexpr int64_t kMaxUnrolledChunks = 16;
/// Rows of at most this many chunks per thread, kept in registers, load
/// gamma together with the row (in blocks of at most so many threads).
static constexpr int64_t kMaxPrefetchedChunks = 4;
static constexpr int64_t kMaxPrefetchingBlockSize = 256;
/// A row cached in shared memory by a block alone on its SM loads gamma
/// with the row when a thread has at most this many chunks (4 registers
/// each for 8 bf16).
static constexpr int64_t kMaxSharedRowGammaChunks = 8;
/// Shared memory a persistent kernel's ring leaves to the L1 cache
/// [ring-l1-share].
static constexpr int64_t kRingL1Bytes = 32 * 1024;

/// Whether gamma is loaded with a row cached in shared memory by a block
/// alone on its SM: one memory latency less per row, in registers the
/// block has to spare [gamma-with-shared-row].
static bool loadsGammaWithSharedRow(const RowKernelSpec &spec,
                                    const RowSchedule &schedule,
                                    bool blockAloneOnSM) {
  std::optional<int64_t> chunks = schedule.getChunks(spec.cols);
  return spec.normalize && spec.gamma >= 0 &&
         schedule.rowStorage == RowStorage::Shared && chunks &&
         *chunks <= kMaxSharedRowGammaChunks && !schedule.splitsRows() &&
         blockAloneOnSM;
}

/// Where gamma comes with such a row, a row whose first pass reads the input
/// alone in 16-byte vectors is copied to shared memory by cp.async: its
/// vectors need no registers on the way, which gamma holds. Elsewhere,
/// waiting for the whole row before the first sum cost more than the stores
/// it saves [async-row-copy].
static bool copiesRowAsync(const RowKernelSpec &spec,
                           const RowSchedule &schedule,
                           const RowKernelTarget &target, bool blockAloneOnSM) {
  return target.asyncCopies &&
         loadsGammaWithSharedRow(spec, schedule, blockAloneOnSM) &&
         spec.residual < 0 &&
         schedule.vectorWidth *
                 spec.cachedElementType.getIntOrFloatBitWidth() ==
             128;
}

/// The ring slots of a persistent kernel whose ring may take `ringBytes` of
/// shared memory, or 0 when the kernel is not one. A row copied by cp.async
/// (one row per block, whole 16-byte chunks, bf16 rows and gamma),
/// normalized and quantized per token, loops over rows with a grid stride
/// in a ring of chunk slots, so that the next row's first chunks arrive
/// while this one is reduced and quantized, and gamma is loaded once per
/// block [persistent-ring].
static int64_t getRowRingSlots(const RowKernelSpec &spec,
                               const RowSchedule &schedule,
                               const RowKernelTarget &target,
                               bool blockAloneOnSM, int64_t ringBytes) {
  if (!ringBytes || !copiesRowAsync(spec, schedule, target, blockAloneOnSM) ||
      schedule.rowsPerBlock != 1 || peelsRows(spec, schedule) ||
      !spec.quantize || spec.scheme != QuantScheme::PerToken)
    return 0;
  // Whole chunks only: every chunk lies in the row, and no copy needs a
  // guard or a zero fill.
  if (spec.cols % (schedule.threadsPerRow * schedule.vectorWidth) != 0)
    return 0;
  int64_t chunks = *schedule.getChunks(spec.cols);
  // Gamma stays in registers across rows: 4 registers a chunk of bf16. f16
  // rows and gamma spilled a register or two and are not planned.
  if (!spec.cachedElementType.isBF16() ||
      !spec.operands[spec.gamma].elementType.isBF16())
    return 0;
  int64_t slots = ringBytes / getRowRingSlotBytes(schedule);
  return slots > chunks ? slots : 0;
}

/// Whether a finite gamma of its type (with the weight offset) can exceed
/// the amax estimate's bound. Without the bound (f16 gamma: at most 65504
/// plus the offset), a NaN or infinite gamma still makes the estimate NaN or
/// infinite, which the emitter rejects.
static bool gammaCanExceedEstimateBound(const RowKernelSpec &spec) {
  auto element = cast<FloatType>(spec.operands[spec.gamma].elementType);
  double largest =
      APFloat::getLargest(element.getFloatSemantics()).convertToDouble();
  return largest + std::abs(spec.weightOffset) > kMaxEstimatedGamma;
}

/// The type the quantizer's amax is accumulated in, two elements per
/// instruction: the quantizer's input is the row rounded to the
/// intermediate type (nothing scales or clips it afterwards), so its amax
/// is one of those values, exact in that type. Null: f32.
static Type getPackedAmaxElementType(const RowKernelSpec &spec,
                                     const RowKernelTarget &target) {
  if (!target.packedHalfMax || !spec.quantize || !spec.intermediateType ||
      spec.smooth >= 0 || spec.clip)
    return {};
  if (!spec.intermediateType.isF16() && !spec.intermediateType.isBF16())
    return {};
  return spec.intermediateType;
}

/// A dynamic scale is max(amax / qmax, minScale) (rounded once), where amax
/// is the max |x| over exactly the values divided by it. With minScale a
/// normal number, 1 / scale is finite and |x| * (1 / scale) <= amax *
/// (1 / scale) rounds to at most qmax * (1 + 2^-22): never past the clamp of
/// 2 * qmax. An infinite or NaN amax gives an infinite or NaN scale, hence
/// quotients of 0 or NaN, never past the clamp either. An upper bound on the
/// scale (scale_ub) or a static scale breaks this.
static bool quotientsBoundedByScale(const RowKernelSpec &spec) {
  return spec.quantize && spec.scheme != QuantScheme::Static && !spec.scaleUb &&
         spec.minScale >= std::numeric_limits<float>::min();
}

/// Where the row lives and how it moves: chunks, registers or shared
/// memory, streamed accesses, gamma with the row, asynchronous copies.
static void planRowStorage(RowPlan &plan, const RowKernelSpec &spec,
                           const RowKernelTarget &target, bool blockAloneOnSM,
                           int64_t ringSlots) {
  const RowSchedule &schedule = plan.schedule;
  bool peeled = plan.peeled;
  std::optional<int64_t> staticChunks = schedule.getChunks(spec.cols);
  if (staticChunks && (schedule.rowStorage == RowStorage::Registers ||
                       *staticChunks <= kMaxUnrolledChunks))
    plan.unrolledChunks = staticChunks;
  plan.sharedRows = schedule.rowStorage == RowStorage::Shared &&
                    spec.cols != ShapedType::kDynamic;
  plan.cacheRowInRegisters = schedule.rowStorage == RowStorage::Registers &&
                             plan.unrolledChunks.has_value();

  // A row read once into registers is streamed: every byte of the input is
  // loaded once and every row result stored once. Not where a cache line
  // holds the end of one row and the start of the next, with a residual, or
  // for rows in shared memory, which all measured slower [streamed-rows].
  int64_t inputBits =
      spec.operands[spec.input].elementType.getIntOrFloatBitWidth();
  plan.nontemporalRows = target.nontemporalRows && plan.cacheRowInRegisters &&
                         spec.residual < 0 && !peeled &&
                         spec.cols != ShapedType::kDynamic &&
                         spec.cols * inputBits % 1024 == 0;
  // Streamed rmsnorm rows (no quantizer) whose vectors divide evenly among
  // the threads load evict-last and store plainly, as torch.compile's
  // kernels do: steadier with other CUDA graphs resident; rows whose last
  // vectors fall to some threads only, and quantizing kernels, lost
  // [evict-last-loads].
  plan.evictLastRowLoads =
      plan.nontemporalRows && target.evictLastRowLoads && !spec.quantize &&
      schedule.blocksPerRow == 1 &&
      spec.cols % (schedule.vectorWidth * schedule.threadsPerRow) == 0;

  plan.ringSlots = ringSlots;
  // A persistent kernel loads gamma once per block instead.
  plan.prefetchGammaWithSharedRow =
      loadsGammaWithSharedRow(spec, schedule, blockAloneOnSM) && !ringSlots;
  // A short row's gamma is loaded with it rather than after the reduction:
  // one memory latency less per row, which is what small batches wait on.
  // Not where registers are scarcer (bigger blocks) or gamma takes a
  // register per element (peeled rows read it one element at a time)
  // [gamma-with-register-row].
  plan.prefetchGammaWithRegisterRow =
      spec.normalize && spec.gamma >= 0 && plan.unrolledChunks &&
      *plan.unrolledChunks <= kMaxPrefetchedChunks && !peeled &&
      schedule.blockSize() <= kMaxPrefetchingBlockSize;
  plan.copyRowAsync = copiesRowAsync(spec, schedule, target, blockAloneOnSM);
  assert((!ringSlots || plan.copyRowAsync) && "a ring is filled by cp.async");
}

/// The quantizer's shortcuts: the amax estimate, the rounded row in shared
/// memory, packed amaxes, bounded quotients, int8 codes by addition.
static void planQuantizer(RowPlan &plan, const RowKernelSpec &spec,
                          const RowKernelTarget &target) {
  const RowSchedule &schedule = plan.schedule;
  int64_t ringSlots = plan.ringSlots;

  // A row split over a cluster pays a second exchange for its amax; its
  // first pass can find the amax instead, exactly, for a quantizer that
  // sees the normalized row rounded to f16 / bf16 and nothing else. Only
  // rows kept where the first pass can read them again [amax-estimate].
  Type intermediate = spec.intermediateType;
  plan.estimatesRowAmax =
      schedule.splitsRows() && spec.quantize &&
      spec.scheme == QuantScheme::PerToken && spec.normalize &&
      spec.gamma >= 0 && intermediate &&
      (intermediate.isF16() || intermediate.isBF16()) && spec.smooth < 0 &&
      !spec.clip && (!spec.normalizedType || spec.normalizedType.isF32()) &&
      spec.normalizedOut < 0 && plan.unrolledChunks && !plan.peeled &&
      !ringSlots && (plan.sharedRows || plan.cacheRowInRegisters);
  plan.estimateBoundsGamma =
      plan.estimatesRowAmax && gammaCanExceedEstimateBound(spec);

  // A whole row cached in shared memory whose type holds the rounded
  // quantizer input exactly (the intermediate type, or f32 without one) gets
  // that value in place of the row on the first quantizer pass, so the last
  // pass neither normalizes nor reads gamma again. Not for split rows,
  // which lost by it [rounded-row-in-shared].
  if (spec.quantize) {
    Type roundedType = spec.intermediateType;
    if (!roundedType)
      roundedType = Float32Type::get(spec.cachedElementType.getContext());
    plan.cacheRoundedInShared = plan.sharedRows && !schedule.splitsRows() &&
                                spec.normalize &&
                                spec.scheme == QuantScheme::PerToken &&
                                roundedType == spec.cachedElementType;
  }
  plan.packedAmaxElementType = getPackedAmaxElementType(spec, target);
  // bf16 gamma's maximum goes two elements per instruction on the raw
  // pairs [packed-gamma-max].
  plan.packedGammaMax = plan.estimateBoundsGamma && target.packedHalfMax &&
                        spec.operands[spec.gamma].elementType.isBF16() &&
                        spec.weightOffset == 0.0;
  plan.quotientsBounded = quotientsBoundedByScale(spec);
  // A persistent kernel's int8 codes, where no quotient can be NaN or
  // infinite, are the low bytes of q + 1.5 * 2^23: one add on the FMA pipe
  // instead of a conversion [int8-codes-by-addition].
  plan.int8CodesByAddition =
      ringSlots && spec.quantize &&
      spec.operands[spec.output].elementType.isSignlessInteger(8) &&
      plan.quotientsBounded;
}

/// The row program's reductions, in order.
static void planReductions(RowPlan &plan, const RowKernelSpec &spec) {
  const RowSchedule &schedule = plan.schedule;
  if (spec.normalize) {
    RowReduction sum{RowStatistic::SumOfSquares};
    sum.overCluster = schedule.splitsRows();
    plan.reductions.push_back(sum);
  }
  if (spec.quantize && spec.scheme != QuantScheme::Static) {
    RowReduction amax{RowStatistic::AbsMax};
    amax.packedPairs = static_cast<bool>(plan.packedAmaxElementType);
    if (spec.scheme == QuantScheme::PerGroup) {
      amax.groupSize = spec.groupSize;
      amax.lanesPerGroup = spec.groupSize / schedule.vectorWidth;
    } else {
      amax.overCluster = schedule.splitsRows();
      amax.skippedWhenEstimated = plan.estimatesRowAmax;
    }
    plan.reductions.push_back(amax);
  }
}

/// The decisions of one body of the kernel: `schedule` (the scalar fallback
/// of a peeled kernel has vector width 1) and `peeled`.
static RowPlan planRows(const RowKernelSpec &spec, const RowSchedule &schedule,
                        bool peeled, const RowKernelTarget &target,
                        bool blockAloneOnSM, int64_t ringSlots) {
  RowPlan plan;
  plan.schedule = schedule;
  plan.peeled = peeled;
  planRowStorage(plan, spec, target, blockAloneOnSM, ringSlots);
  planQuantizer(plan, spec, target);
  planReductions(plan, spec);
  return plan;
}

KernelPlan mlir::norm::buildKernelPlan(RowKernelSpec spec,
                                       const RowSchedule &schedule,
                                       const RowKernelShape &shape,
                                       const RowKernelTarget &target) {
  KernelPlan plan;
  plan.warpSize = target.warpSize;
  bool peeled = peelsRows(spec, schedule);
  for (KernelOperand &operand : spec.operands)
    if (operand.role == OperandRole::Row || operand.role == OperandRole::Vector)
      operand.alignment = vectorAlignment(peeled ? 1 : schedule.vectorWidth,
                                          operand.elementType);
    else
      operand.alignment = 4;

  RowScheduleTarget scheduleTarget;
  scheduleTarget.sharedMemoryPerBlock = target.sharedMemoryPerBlock;
  plan.blockAloneOnSM = sharedRowCacheFillsSM(schedule, shape, scheduleTarget);
  plan.sharedMemoryBytes = getSharedMemoryBytes(schedule, shape);
  int64_t ringSlots = 0;
  if (target.persistentRows)
    ringSlots = getRowRingSlots(
        spec, schedule, target, plan.blockAloneOnSM,
        std::max<int64_t>(0, target.sharedMemoryPerBlock - kRingL1Bytes));
  if (ringSlots)
    plan.sharedMemoryBytes = ringSlots * getRowRingSlotBytes(schedule);

  plan.rows =
      planRows(spec, schedule, peeled, target, plan.blockAloneOnSM, ringSlots);
  if (peeled) {
    RowSchedule scalar = schedule;
    scalar.vectorWidth = 1;
    plan.unalignedRows = planRows(spec, scalar, /*peeled=*/false, target,
                                  plan.blockAloneOnSM, /*ringSlots=*/0);
  }
  plan.spec = std::move(spec);
  return plan;
}

//===----------------------------------------------------------------------===//
// Printing
//===----------------------------------------------------------------------===//

static StringRef yesNo(bool value) { return value ? "yes" : "no"; }

static void printReduction(raw_ostream &os, const RowReduction &reduction) {
  os << (reduction.statistic == RowStatistic::SumOfSquares ? "sum of squares"
                                                           : "max |x|");
  if (reduction.groupSize)
    os << " per group of " << reduction.groupSize << " (over "
       << reduction.lanesPerGroup << " lanes)";
  else
    os << " over the row";
  if (reduction.packedPairs)
    os << ", in half pairs";
  if (reduction.overCluster)
    os << ", across the cluster";
  if (reduction.skippedWhenEstimated)
    os << ", skipped where the estimate is exact";
}

static void printRows(raw_ostream &os, const RowPlan &rows) {
  const RowSchedule &s = rows.schedule;
  os << "    schedule: threads_per_row " << s.threadsPerRow
     << ", rows_per_block " << s.rowsPerBlock << ", vector_width "
     << s.vectorWidth << ", row_storage " << stringifyRowStorage(s.rowStorage)
     << ", blocks_per_row " << s.blocksPerRow << "\n";
  os << "    chunks: ";
  if (rows.unrolledChunks)
    os << *rows.unrolledChunks << " unrolled";
  else
    os << "loop";
  os << ", peeled " << yesNo(rows.peeled) << "\n";
  os << "    row kept in: "
     << (rows.cacheRowInRegisters ? "registers"
         : rows.ringSlots         ? "shared ring"
         : rows.sharedRows        ? "shared memory"
                                  : "memory (read again)")
     << "\n";
  os << "    loads: "
     << (rows.copyRowAsync ? "async copy to shared" : "through registers")
     << ", gamma with row "
     << yesNo(rows.prefetchGammaWithSharedRow ||
              rows.prefetchGammaWithRegisterRow)
     << ", nontemporal "
     << (rows.evictLastRowLoads ? "evict-last loads"
                                : yesNo(rows.nontemporalRows))
     << "\n";
  if (rows.ringSlots)
    os << "    persistent ring: " << rows.ringSlots << " slots\n";
  for (const RowReduction &reduction : rows.reductions) {
    os << "    reduce: ";
    printReduction(os, reduction);
    os << "\n";
  }
  if (rows.estimatesRowAmax)
    os << "    amax estimate: from the first pass, gamma bound "
       << yesNo(rows.estimateBoundsGamma) << ", packed gamma max "
       << yesNo(rows.packedGammaMax) << "\n";
  if (rows.cacheRoundedInShared)
    os << "    rounded quantizer input cached in shared memory\n";
  if (rows.int8CodesByAddition)
    os << "    int8 codes by addition\n";
}

void KernelPlan::print(raw_ostream &os) const {
  os << "  op: " << spec.opName << ", cols ";
  if (spec.cols == ShapedType::kDynamic)
    os << "dynamic";
  else
    os << spec.cols;
  os << ", warp size " << warpSize << "\n";
  os << "  operands:";
  for (const KernelOperand &operand : spec.operands)
    os << " " << operand.name << " (" << stringifyOperandRole(operand.role)
       << ", " << operand.elementType << ", align " << operand.alignment << ")";
  os << "\n  program:";
  if (spec.residual >= 0)
    os << " add residual, store residual_out;";
  if (spec.normalize) {
    os << " normalize (eps " << spec.epsilon;
    if (spec.weightOffset != 0.0)
      os << ", weight offset " << spec.weightOffset;
    if (spec.normalizedType)
      os << ", rounded to " << spec.normalizedType;
    os << (spec.gamma >= 0 ? ", times gamma" : "") << ");";
  }
  if (spec.intermediateType)
    os << " round to " << spec.intermediateType << ";";
  if (spec.normalizedOut >= 0)
    os << " store normalized;";
  if (spec.quantize) {
    if (spec.smooth >= 0)
      os << " smooth;";
    if (spec.clip)
      os << " clip " << *spec.clip << ";";
    os << " quantize " << stringifyQuantScheme(spec.scheme);
    if (spec.scheme == QuantScheme::PerGroup)
      os << " " << spec.groupSize << " ("
         << stringifyScaleLayout(spec.scaleLayout) << ")";
    os << " to " << spec.operands[spec.output].elementType << " (qmax "
       << spec.qmax;
    if (spec.scaleUb)
      os << ", scale_ub " << *spec.scaleUb;
    if (spec.scheme != QuantScheme::Static)
      os << ", min_scale " << spec.minScale;
    os << ")";
    if (!rows.quotientsBounded)
      os << ", quotients clamped";
    os << ";";
  } else {
    os << " store output;";
  }
  os << "\n  shared memory: " << sharedMemoryBytes
     << " bytes, block alone on SM " << yesNo(blockAloneOnSM) << "\n";
  os << "  rows:\n";
  printRows(os, rows);
  if (unalignedRows) {
    os << "  unaligned rows (one element per lane):\n";
    printRows(os, *unalignedRows);
  }
}
