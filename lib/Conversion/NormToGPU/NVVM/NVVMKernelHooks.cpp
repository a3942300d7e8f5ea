//===- NVVMKernelHooks.cpp - NVIDIA-only IR of the row kernels
//-------------===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#include "../TargetHooks.h"

#include "mlir/Dialect/LLVMIR/NVVMDialect.h"

using namespace mlir;
using namespace mlir::norm;

namespace {
class NVVMKernelHooks final : public KernelTargetHooks {
public:
  void copyAsync16(KernelBuilder &b, Value shared,
                   Value global) const override {
    // cp.async.cg: the copy bypasses L1, which a row read once has no use
    // for.
    NVVM::CpAsyncOp::create(b, shared, global, /*size=*/16,
                            NVVM::LoadCacheModifierKind::CG,
                            /*cpSize=*/Value());
  }
  void commitAsyncCopies(KernelBuilder &b) const override {
    NVVM::CpAsyncCommitGroupOp::create(b);
  }
  void waitAsyncCopies(KernelBuilder &b, int64_t pending) const override {
    NVVM::CpAsyncWaitGroupOp::create(b, pending);
  }
  void clusterArrive(KernelBuilder &b) const override {
    NVVM::ClusterArriveOp::create(b, /*aligned=*/b.getUnitAttr());
  }
  void clusterWait(KernelBuilder &b) const override {
    NVVM::ClusterWaitOp::create(b, /*aligned=*/b.getUnitAttr());
  }
  Value mapToClusterRank(KernelBuilder &b, Value shared,
                         Value rank) const override {
    auto clusterPtr = LLVM::LLVMPointerType::get(b.getContext(), 7);
    return NVVM::MapaOp::create(b, clusterPtr, shared, rank);
  }
  Value opaqueMove(KernelBuilder &b, Value word,
                   Value dependency) const override {
    auto move = LLVM::InlineAsmOp::create(
        b, b.getI32Type(), ValueRange{word, dependency}, "mov.b32 $0, $1;",
        "=r,r,l", /*has_side_effects=*/false, /*is_align_stack=*/false,
        LLVM::tailcallkind::TailCallKind::None, LLVM::AsmDialectAttr(),
        ArrayAttr());
    return move.getResult(0);
  }
};
} // namespace

KernelTargetHooks::~KernelTargetHooks() = default;

const KernelTargetHooks &mlir::norm::getNVVMKernelHooks() {
  static const NVVMKernelHooks hooks;
  return hooks;
}
