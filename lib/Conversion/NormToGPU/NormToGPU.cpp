//===- NormToGPU.cpp - norm ops to GPU kernels and launches -----*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#include "norm/Conversion/Passes.h"

#include "RowKernelEmitter.h"
#include "TargetHooks.h"
// The manifest's names (macros only): norm-runtime's header of the bundle
// format, which the runtime reads with the same names.
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/SymbolTable.h"
#include "norm-runtime/norm_bundle_schema.h"
#include "norm/Conversion/NormToGPU/KernelPlan.h"
#include "norm/Dialect/Norm/IR/NormOps.h"
#include "norm/Dialect/Norm/Transforms/ScheduleChoice.h"
#include "norm/Target/KnownTargets.h"

#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/LLVMIR/ROCDLDialect.h"

namespace mlir {
namespace norm {
#define GEN_PASS_DEF_NORMTOGPU
#include "norm/Conversion/Passes.h.inc"
} // namespace norm
} // namespace mlir

using namespace mlir;
using namespace mlir::norm;

static constexpr StringLiteral kKernelModuleName = "norm_kernels";
/// The defaults of the target options (Passes.td), which `chip` replaces.
static constexpr int64_t kDefaultWarpSize = 32;
static constexpr int64_t kDefaultSharedMemoryPerBlock = 48 * 1024;
/// Rows a block of a persistent kernel launched by host code gets (the
/// runtime instead spreads the rows evenly over the device's SMs).
static constexpr int64_t kPersistentHostRowsPerBlock = 8;

static int64_t byteWidth(Type type) { return type.getIntOrFloatBitWidth() / 8; }

static std::string typeName(Type type) {
  std::string str;
  llvm::raw_string_ostream os(str);
  os << type;
  return str;
}

/// Checks that the kernel can address `memref` as rows with one stride.
static LogicalResult checkAddressable(Operation *op, StringRef name,
                                      Value memref) {
  auto type = cast<MemRefType>(memref.getType());
  if (type.getLayout().isIdentity() || type.getRank() <= 1)
    return success();
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)) || strides.back() != 1)
    return op->emitOpError("cannot lower to GPU: '")
           << name << "' must have a static unit innermost stride, but has "
           << "type " << type;
  // Leading dims collapse into rows only when they are contiguous among
  // themselves; with one leading dim there is nothing to collapse.
  for (int64_t dim = 0; dim + 2 < type.getRank(); ++dim) {
    if (ShapedType::isDynamic(strides[dim]) ||
        ShapedType::isDynamic(strides[dim + 1]) || type.isDynamicDim(dim + 1) ||
        strides[dim] != strides[dim + 1] * type.getDimSize(dim + 1))
      return op->emitOpError("cannot lower to GPU: the leading dimensions of '")
             << name << "' must be contiguous to collapse into rows, but it "
             << "has type " << type;
  }
  return success();
}

/// Builds the kernel into `kernels` and returns it.
static gpu::GPUFuncOp buildKernel(OpBuilder &moduleBuilder,
                                  gpu::GPUModuleOp kernels, StringRef name,
                                  const KernelPlan &plan,
                                  const KernelTargetHooks &hooks) {
  const RowKernelSpec &spec = plan.spec;
  const RowSchedule &schedule = plan.rows.schedule;
  MLIRContext *ctx = moduleBuilder.getContext();
  auto ptrType = LLVM::LLVMPointerType::get(ctx, 1);
  auto i64Type = IntegerType::get(ctx, 64);
  SmallVector<Type> argTypes(spec.operands.size(), ptrType);
  argTypes.append(2 + spec.stridedOperands().size(), i64Type);

  OpBuilder::InsertionGuard guard(moduleBuilder);
  moduleBuilder.setInsertionPointToEnd(kernels.getBody());
  auto func = gpu::GPUFuncOp::create(moduleBuilder, kernels.getLoc(), name,
                                     FunctionType::get(ctx, argTypes, {}));
  func->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), UnitAttr::get(ctx));
  func.setKnownBlockSizeAttr(DenseI32ArrayAttr::get(
      ctx, {static_cast<int32_t>(schedule.blockSize()), 1, 1}));
  if (schedule.splitsRows()) {
    // The cluster shape is part of the kernel (.reqnctapercluster), so a
    // plain launch of rows * blocks_per_row blocks forms the clusters.
    auto clusterSize = DenseI32ArrayAttr::get(
        ctx, {static_cast<int32_t>(schedule.blocksPerRow), 1, 1});
    func.setKnownClusterSizeAttr(clusterSize);
    func->setAttr(NVVM::NVVMDialect::getClusterDimAttrName(), clusterSize);
  }
  // The alignment the vector accesses rely on, for LLVM and the manifest.
  for (unsigned i = 0; i < spec.operands.size(); ++i)
    func.setArgAttr(
        i, LLVM::LLVMDialect::getAlignAttrName(),
        moduleBuilder.getI64IntegerAttr(spec.operands[i].alignment));

  emitRowKernelBody(func, plan, hooks);
  OpBuilder bodyBuilder = OpBuilder::atBlockEnd(&func.getBody().back());
  gpu::ReturnOp::create(bodyBuilder, func.getLoc());
  return func;
}

/// The manifest entry of one kernel: what the runtime needs to launch it.
static DictionaryAttr describeKernel(MLIRContext *ctx, const KernelPlan &plan) {
  const RowKernelSpec &spec = plan.spec;
  const RowSchedule &schedule = plan.rows.schedule;
  Builder b(ctx);
  auto entry = [&](const char *key, Attribute value) {
    return b.getNamedAttr(key, value);
  };
  SmallVector<Attribute> args;
  for (const KernelOperand &operand : spec.operands) {
    args.push_back(b.getDictionaryAttr(
        {entry(NORM_KEY_NAME, b.getStringAttr(operand.name)),
         entry(NORM_KEY_KIND, b.getStringAttr(NORM_ARG_KIND_PTR)),
         entry(NORM_KEY_ROLE,
               b.getStringAttr(stringifyOperandRole(operand.role))),
         entry(NORM_KEY_TYPE, b.getStringAttr(typeName(operand.elementType))),
         entry(NORM_KEY_ALIGN, b.getI64IntegerAttr(operand.alignment))}));
  }
  auto scalarArg = [&](StringRef name) {
    args.push_back(b.getDictionaryAttr(
        {entry(NORM_KEY_NAME, b.getStringAttr(name)),
         entry(NORM_KEY_KIND, b.getStringAttr(NORM_ARG_KIND_I64))}));
  };
  scalarArg(NORM_ARG_ROWS);
  scalarArg(NORM_ARG_COLS);
  for (int operand : spec.stridedOperands())
    scalarArg((NORM_ARG_STRIDE_PREFIX + spec.operands[operand].name));
  // What the kernel computes, so that a runtime tool can check it against
  // the reference without the source module. The values of scheme,
  // scale_layout and row_storage are the norm dialect's enum spellings, which
  // the header's NORM_SCHEME_NAME_*, NORM_SCALE_LAYOUT_* and
  // NORM_ROW_STORAGE_* repeat.
  SmallVector<NamedAttribute> params;
  params.push_back(entry(NORM_KEY_NORMALIZE, b.getBoolAttr(spec.normalize)));
  if (spec.normalize) {
    params.push_back(entry(NORM_KEY_EPSILON, b.getF64FloatAttr(spec.epsilon)));
    params.push_back(
        entry(NORM_KEY_WEIGHT_OFFSET, b.getF64FloatAttr(spec.weightOffset)));
    if (spec.normalizedType)
      params.push_back(entry(NORM_KEY_NORMALIZED_TYPE,
                             b.getStringAttr(typeName(spec.normalizedType))));
  }
  if (spec.intermediateType)
    params.push_back(entry(NORM_KEY_INTERMEDIATE_TYPE,
                           b.getStringAttr(typeName(spec.intermediateType))));
  params.push_back(entry(NORM_KEY_QUANTIZE, b.getBoolAttr(spec.quantize)));
  if (spec.quantize) {
    params.push_back(entry(NORM_KEY_SCHEME,
                           b.getStringAttr(stringifyQuantScheme(spec.scheme))));
    if (spec.scheme == QuantScheme::PerGroup) {
      params.push_back(
          entry(NORM_KEY_GROUP_SIZE, b.getI64IntegerAttr(spec.groupSize)));
      params.push_back(
          entry(NORM_KEY_SCALE_LAYOUT,
                b.getStringAttr(stringifyScaleLayout(spec.scaleLayout))));
    }
    if (spec.scaleUb)
      params.push_back(
          entry(NORM_KEY_SCALE_UB, b.getF64FloatAttr(*spec.scaleUb)));
    if (spec.clip)
      params.push_back(entry(NORM_KEY_CLIP, b.getF64FloatAttr(*spec.clip)));
    params.push_back(
        entry(NORM_KEY_MIN_SCALE, b.getF64FloatAttr(spec.minScale)));
  }
  return b.getDictionaryAttr(
      {entry(NORM_KEY_OP, b.getStringAttr(spec.opName)),
       entry(NORM_KEY_PARAMS, b.getDictionaryAttr(params)),
       entry(NORM_KEY_ARGS, b.getArrayAttr(args)),
       entry(NORM_KEY_BLOCK_SIZE, b.getI64IntegerAttr(schedule.blockSize())),
       entry(NORM_KEY_ROWS_PER_BLOCK,
             b.getI64IntegerAttr(schedule.rowsPerBlock)),
       entry(NORM_KEY_THREADS_PER_ROW,
             b.getI64IntegerAttr(schedule.threadsPerRow)),
       // Blocks (of one cluster) per row: the grid is rows * blocks_per_row.
       entry(NORM_KEY_BLOCKS_PER_ROW,
             b.getI64IntegerAttr(schedule.blocksPerRow)),
       entry(NORM_KEY_VECTOR_WIDTH, b.getI64IntegerAttr(schedule.vectorWidth)),
       entry(NORM_KEY_COLS, b.getI64IntegerAttr(spec.cols)),
       // What a run-time H must be a multiple of (besides a group size).
       entry(NORM_KEY_COLS_MULTIPLE,
             b.getI64IntegerAttr(plan.rows.peeled ? 1 : schedule.vectorWidth)),
       // Whether the kernel reads the row from memory once.
       entry(NORM_KEY_ROW_CACHED,
             b.getBoolAttr(schedule.rowStorage != RowStorage::Stream)),
       entry(NORM_KEY_ROW_STORAGE,
             b.getStringAttr(stringifyRowStorage(schedule.rowStorage))),
       entry(NORM_KEY_DYNAMIC_SHARED_MEMORY,
             b.getI64IntegerAttr(plan.sharedMemoryBytes)),
       // The kernel loops over rows with a grid stride: any grid of at most
       // rows blocks is correct; the runtime spreads the rows evenly over
       // the SMs.
       entry(NORM_KEY_PERSISTENT, b.getBoolAttr(plan.persistent()))});
}

namespace {
/// Host-side values of one memref operand.
struct HostOperand {
  Value pointer;
  SmallVector<Value> sizes, strides;
};
} // namespace

static HostOperand materializeOperand(ImplicitLocOpBuilder &b, Value memref) {
  auto type = cast<MemRefType>(memref.getType());
  auto metadata = memref::ExtractStridedMetadataOp::create(b, memref);
  Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, memref);
  Value elementBytes =
      arith::ConstantIndexOp::create(b, byteWidth(type.getElementType()));
  Value address = arith::AddIOp::create(
      b, base, arith::MulIOp::create(b, metadata.getOffset(), elementBytes));
  Value address64 = arith::IndexCastOp::create(b, b.getI64Type(), address);
  HostOperand result;
  result.pointer = LLVM::IntToPtrOp::create(
      b, LLVM::LLVMPointerType::get(b.getContext(), 1), address64);
  llvm::append_range(result.sizes, metadata.getSizes());
  llvm::append_range(result.strides, metadata.getStrides());
  return result;
}

/// Row stride of a row-shaped operand, in elements.
static Value rowStrideOf(ImplicitLocOpBuilder &b, const HostOperand &operand,
                         Value cols) {
  if (operand.strides.size() < 2)
    return cols;
  return operand.strides[operand.strides.size() - 2];
}

/// Stride between consecutive scale rows (row-major) or groups (col-major).
static Value scaleStrideOf(ImplicitLocOpBuilder &b, const RowKernelSpec &spec,
                           const HostOperand &scales) {
  if (spec.scheme == QuantScheme::PerGroup &&
      spec.scaleLayout == ScaleLayout::ColMajor) {
    if (scales.strides.size() >= 2)
      return scales.strides.front();
    return arith::ConstantIndexOp::create(b, 1);
  }
  if (scales.strides.size() >= 2)
    return scales.strides[scales.strides.size() - 2];
  return arith::ConstantIndexOp::create(b, 1);
}

/// Host side of `op`: pointers, shape and strides of `memrefs`, then the
/// launch of `kernel` (skipped for no rows: a grid of zero blocks is an error
/// on every driver).
static void emitLaunch(Operation *op, const KernelPlan &kernelPlan,
                       ArrayRef<Value> memrefs, gpu::GPUFuncOp kernel) {
  const RowKernelSpec &kernelSpec = kernelPlan.spec;
  const RowSchedule &schedule = kernelPlan.rows.schedule;
  ImplicitLocOpBuilder b(op->getLoc(), op);
  SmallVector<HostOperand> host;
  for (Value memref : memrefs)
    host.push_back(materializeOperand(b, memref));
  const HostOperand &input = host[kernelSpec.input];
  Value rows = arith::ConstantIndexOp::create(b, 1);
  for (Value size : ArrayRef<Value>(input.sizes).drop_back())
    rows = arith::MulIOp::create(b, rows, size);
  Value cols = input.sizes.back();

  SmallVector<Value> args;
  for (const HostOperand &operand : host)
    args.push_back(operand.pointer);
  args.push_back(arith::IndexCastOp::create(b, b.getI64Type(), rows));
  args.push_back(arith::IndexCastOp::create(b, b.getI64Type(), cols));
  for (int operand : kernelSpec.stridedOperands()) {
    Value stride = kernelSpec.operands[operand].role == OperandRole::Scales
                       ? scaleStrideOf(b, kernelSpec, host[operand])
                       : rowStrideOf(b, host[operand], cols);
    args.push_back(arith::IndexCastOp::create(b, b.getI64Type(), stride));
  }

  // A persistent kernel gets kPersistentHostRowsPerBlock rows per block
  // here: host code does not know the device's SM count.
  Value rowsPerBlock = arith::ConstantIndexOp::create(
      b, kernelPlan.persistent() ? kPersistentHostRowsPerBlock
                                 : schedule.rowsPerBlock);
  Value grid = arith::CeilDivUIOp::create(b, rows, rowsPerBlock);
  Value one = arith::ConstantIndexOp::create(b, 1);
  std::optional<gpu::KernelDim3> clusterSize;
  if (schedule.splitsRows()) {
    Value blocksPerRow =
        arith::ConstantIndexOp::create(b, schedule.blocksPerRow);
    grid = arith::MulIOp::create(b, grid, blocksPerRow);
    clusterSize = gpu::KernelDim3{blocksPerRow, one, one};
  }
  Value blockSize = arith::ConstantIndexOp::create(b, schedule.blockSize());
  Value hasRows = arith::CmpIOp::create(b, arith::CmpIPredicate::ugt, rows,
                                        arith::ConstantIndexOp::create(b, 0));
  auto ifOp = scf::IfOp::create(b, hasRows, /*withElseRegion=*/false);
  b.setInsertionPoint(ifOp.thenBlock()->getTerminator());
  Value sharedBytes;
  if (kernelPlan.sharedMemoryBytes)
    sharedBytes =
        arith::ConstantOp::create(b, b.getI32IntegerAttr(static_cast<int32_t>(
                                         kernelPlan.sharedMemoryBytes)));
  gpu::LaunchFuncOp::create(b, kernel, gpu::KernelDim3{grid, one, one},
                            gpu::KernelDim3{blockSize, one, one}, sharedBytes,
                            args, /*asyncObjectType=*/Type(),
                            /*asyncDependencies=*/ValueRange(), clusterSize);
}

/// `name` as a kernel symbol every back end accepts (PTX and AMDGPU
/// identifiers: letters, digits, '_' and '$', not starting with a digit):
/// a function named "my-model.layer(0)" gets the kernel
/// "my_model_layer_0__rmsnorm".
static std::string getKernelName(StringRef name) {
  std::string result;
  for (char c : name)
    result += llvm::isAlnum(c) || c == '_' || c == '$' ? c : '_';
  if (result.empty() || llvm::isDigit(result.front()))
    result.insert(0, "_");
  return result;
}

namespace {
struct NormToGPUPass : public mlir::norm::impl::NormToGPUBase<NormToGPUPass> {
  using NormToGPUBase::NormToGPUBase;

  void runOnOperation() override;

private:
  /// The target of this run: the facts of `chip` (or of the kernel module's
  /// targets) for every option left at its default; an option set to
  /// anything else overrides them. (The same whether the options come from
  /// the command line, a printed pipeline or a C++ options struct.)
  LogicalResult resolveTarget(ModuleOp module);
  LogicalResult lowerOp(Operation *op, RowKernelSpec spec,
                        ArrayRef<Value> memrefs, gpu::GPUModuleOp kernels,
                        StringRef kernelName,
                        SmallVectorImpl<NamedAttribute> &manifest);

  struct {
    RowScheduleTarget schedule;
    RowKernelTarget kernel;
    std::string vendor;
  } effective;
};
} // namespace

/// The chips of the targets (#nvvm.target, #rocdl.target) of `kernels`, as a
/// comma list; empty when it has none.
static std::string getTargetChips(gpu::GPUModuleOp kernels) {
  std::string chips;
  if (!kernels || !kernels.getTargetsAttr())
    return chips;
  for (Attribute target : kernels.getTargetsAttr()) {
    StringRef chip;
    if (auto nvvm = dyn_cast<NVVM::NVVMTargetAttr>(target))
      chip = nvvm.getChip();
    else if (auto rocdl = dyn_cast<ROCDL::ROCDLTargetAttr>(target))
      chip = rocdl.getChip();
    else
      continue;
    chips += (chips.empty() ? "" : ",") + chip.str();
  }
  return chips;
}

LogicalResult NormToGPUPass::resolveTarget(ModuleOp module) {
  RowScheduleTarget &schedule = effective.schedule;
  RowKernelTarget &kernel = effective.kernel;
  schedule.warpSize = kernel.warpSize = warpSize;
  schedule.maxRegisterElements = maxRegisterElements;
  schedule.sharedMemoryPerBlock = kernel.sharedMemoryPerBlock =
      sharedMemoryPerBlock;
  schedule.maxBlocksPerRow = maxBlocksPerRow;
  kernel.packedHalfMax = packedHalfMax;
  kernel.asyncCopies = asyncCopies;
  kernel.persistentRows = persistentRows;
  kernel.nontemporalRows = nontemporalRows;
  kernel.evictLastRowLoads = evictLastRowLoads;
  effective.vendor = vendor;

  std::string chips = chip;
  if (chips.empty())
    chips = getTargetChips(
        module.lookupSymbol<gpu::GPUModuleOp>(kKernelModuleName));
  if (chips.empty())
    return success();
  std::string error;
  std::optional<TargetDescription> target = describeTarget(chips, error);
  if (!target)
    return emitError(module.getLoc(), "norm-to-gpu: ") << error;
  bool nvidia = target->vendor == GPUVendor::NVIDIA;
  if (warpSize == kDefaultWarpSize)
    schedule.warpSize = kernel.warpSize = target->warpSize;
  if (sharedMemoryPerBlock == kDefaultSharedMemoryPerBlock)
    schedule.sharedMemoryPerBlock = kernel.sharedMemoryPerBlock =
        target->sharedMemoryPerBlock;
  if (maxBlocksPerRow == 1)
    schedule.maxBlocksPerRow =
        std::min<int64_t>(target->maxClusterSize, kMaxBlocksPerRow);
  if (!packedHalfMax)
    kernel.packedHalfMax = target->packedHalfOps;
  if (!asyncCopies)
    kernel.asyncCopies = target->asyncCopies;
  // A persistent kernel's ring is filled by asynchronous copies.
  if (!persistentRows)
    kernel.persistentRows = target->asyncCopies;
  // Streaming loads and stores are NVIDIA's (norm-nvvm-nontemporal).
  if (!nontemporalRows)
    kernel.nontemporalRows = nvidia;
  if (!evictLastRowLoads)
    kernel.evictLastRowLoads = target->evictLastLoads;
  if (vendor == "nvidia")
    effective.vendor = nvidia ? "nvidia" : "amd";
  return success();
}

LogicalResult
NormToGPUPass::lowerOp(Operation *op, RowKernelSpec spec,
                       ArrayRef<Value> memrefs, gpu::GPUModuleOp kernels,
                       StringRef kernelName,
                       SmallVectorImpl<NamedAttribute> &manifest) {
  for (auto [operand, memref] : llvm::zip(spec.operands, memrefs))
    if (failed(checkAddressable(op, operand.name, memref)))
      return failure();

  // Vectors are sized by the row operands; a wider per-column operand (f32
  // smooth scales next to f16 rows) is read as several 16-byte pieces.
  RowKernelShape shape = getRowKernelShape(op);
  const RowScheduleTarget &target = effective.schedule;
  std::string whyNot;
  std::optional<RowSchedule> chosen;
  if (auto attr = op->getAttrOfType<ScheduleAttr>("schedule")) {
    // The op verifier checked it against the op; only the target is left.
    chosen = RowSchedule::fromAttr(attr);
  } else {
    chosen = chooseRowSchedule(shape, target, whyNot);
    if (!chosen)
      return op->emitOpError("cannot lower to GPU: ") << whyNot;
  }
  if (failed(checkRowScheduleForTarget(*chosen, shape, target, whyNot)))
    return op->emitOpError("cannot lower to GPU: ") << whyNot;
  KernelPlan kernelPlan =
      buildKernelPlan(std::move(spec), *chosen, shape, effective.kernel);
  if (printPlan) {
    llvm::outs() << "kernel @" << kernelName << "\n";
    kernelPlan.print(llvm::outs());
  }
  OpBuilder moduleBuilder(kernels);
  gpu::GPUFuncOp kernel = buildKernel(
      moduleBuilder, kernels, kernelName, kernelPlan,
      effective.vendor == "amd" ? getROCDLKernelHooks() : getNVVMKernelHooks());
  manifest.push_back(NamedAttribute(
      kernel.getNameAttr(), describeKernel(op->getContext(), kernelPlan)));

  emitLaunch(op, kernelPlan, memrefs, kernel);
  // The tensor results were bufferized away: the op has none left to replace.
  op->erase();
  return success();
}

/// Norm kernels work on device memory: the function's own buffers are
/// allocated there.
static void moveAllocationsToDevice(func::FuncOp func) {
  SmallVector<Operation *> toReplace;
  func.walk([&](Operation *op) {
    if (isa<memref::AllocOp, memref::DeallocOp, memref::CopyOp>(op))
      toReplace.push_back(op);
  });
  for (Operation *op : toReplace) {
    ImplicitLocOpBuilder b(op->getLoc(), op);
    if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
      auto gpuAlloc = gpu::AllocOp::create(
          b, alloc.getType(), /*asyncToken=*/Type(),
          /*asyncDependencies=*/ValueRange(), alloc.getDynamicSizes(),
          alloc.getSymbolOperands(), /*hostShared=*/false);
      alloc.replaceAllUsesWith(gpuAlloc.getMemref());
    } else if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) {
      gpu::DeallocOp::create(b, /*asyncToken=*/Type(), ValueRange(),
                             dealloc.getMemref());
    } else if (auto copy = dyn_cast<memref::CopyOp>(op)) {
      gpu::MemcpyOp::create(b, /*asyncToken=*/Type(), ValueRange(),
                            copy.getTarget(), copy.getSource());
    }
    op->erase();
  }
}

void NormToGPUPass::runOnOperation() {
  ModuleOp module = getOperation();
  MLIRContext *ctx = &getContext();

  SmallVector<Operation *> normOps;
  WalkResult walk = module.walk([&](Operation *op) {
    if (!isa<RMSNormOp, AddRMSNormOp, QuantizeOp, RMSNormQuantizeOp>(op))
      return WalkResult::advance();
    if (op->getNumResults() != 0) {
      op->emitOpError("cannot lower to GPU in tensor form: run "
                      "one-shot-bufferize first");
      return WalkResult::interrupt();
    }
    normOps.push_back(op);
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return signalPassFailure();
  if (normOps.empty())
    return;
  if (failed(resolveTarget(module)))
    return signalPassFailure();
  const RowScheduleTarget &schedule = effective.schedule;
  const RowKernelTarget &kernel = effective.kernel;
  if (schedule.warpSize <= 0 || !llvm::isPowerOf2_64(schedule.warpSize)) {
    emitError(module.getLoc(),
              "norm-to-gpu: 'warp-size' must be a power of two, got ")
        << schedule.warpSize;
    return signalPassFailure();
  }
  if (schedule.maxRegisterElements < 1 ||
      schedule.maxRegisterElements > kMaxRegisterRowElements ||
      schedule.sharedMemoryPerBlock < 0) {
    emitError(module.getLoc(), "norm-to-gpu: 'max-register-elements' must be "
                               "in [1, ")
        << kMaxRegisterRowElements << "] and 'shared-memory-per-block' at "
        << "least 0, got " << schedule.maxRegisterElements << " and "
        << schedule.sharedMemoryPerBlock;
    return signalPassFailure();
  }
  if (effective.vendor != "nvidia" && effective.vendor != "amd") {
    emitError(module.getLoc(),
              "norm-to-gpu: 'vendor' must be nvidia or amd, got '")
        << effective.vendor << "'";
    return signalPassFailure();
  }
  // Asynchronous copies (and the persistent rows they fill) and clusters are
  // NVIDIA's: no AMD target has them (KnownTargets.h).
  if (effective.vendor == "amd" &&
      (kernel.asyncCopies || kernel.persistentRows ||
       schedule.maxBlocksPerRow > 1)) {
    emitError(module.getLoc(), "norm-to-gpu: ")
        << (kernel.asyncCopies      ? "'async-copies'"
            : kernel.persistentRows ? "'persistent-rows'"
                                    : "'max-blocks-per-row' > 1")
        << " needs an NVIDIA target (vendor=nvidia); AMD GPUs have no "
           "asynchronous copies or thread-block clusters";
    return signalPassFailure();
  }
  if (schedule.maxBlocksPerRow < 1 ||
      schedule.maxBlocksPerRow > kMaxBlocksPerRow ||
      !llvm::isPowerOf2_64(schedule.maxBlocksPerRow)) {
    emitError(module.getLoc(),
              "norm-to-gpu: 'max-blocks-per-row' must be a power of "
              "two in [1, 8], got ")
        << schedule.maxBlocksPerRow;
    return signalPassFailure();
  }

  module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                  UnitAttr::get(ctx));
  auto kernels = module.lookupSymbol<gpu::GPUModuleOp>(kKernelModuleName);
  if (!kernels) {
    OpBuilder builder = OpBuilder::atBlockEnd(module.getBody());
    kernels =
        gpu::GPUModuleOp::create(builder, module.getLoc(), kKernelModuleName);
  }
  SmallVector<NamedAttribute> manifest;
  if (auto existing = module->getAttrOfType<DictionaryAttr>(
          NormDialect::getKernelsAttrName()))
    llvm::append_range(manifest, existing.getValue());
  llvm::SetVector<func::FuncOp> launchingFuncs;
  unsigned counter = 0;
  for (Operation *op : normOps) {
    auto parent = op->getParentOfType<func::FuncOp>();
    std::string base =
        getKernelName((parent ? parent.getSymName().str() : "kernel") + "_" +
                      op->getName().stripDialect().str());
    std::string name = base;
    while (kernels.lookupSymbol(name))
      name = base + "_" + std::to_string(++counter);

    SmallVector<Value> memrefs;
    std::optional<RowKernelSpec> spec = getRowKernelSpec(op, &memrefs);
    assert(spec && "collected only norm row ops");
    if (failed(lowerOp(op, std::move(*spec), memrefs, kernels, name, manifest)))
      return signalPassFailure();
    if (parent)
      launchingFuncs.insert(parent);
  }
  for (func::FuncOp func : launchingFuncs)
    moveAllocationsToDevice(func);
  module->setAttr(NormDialect::getKernelsAttrName(),
                  DictionaryAttr::get(ctx, manifest));
}
