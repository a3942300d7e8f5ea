//===- ROCDLKernelHooks.cpp - AMD-only IR of the row kernels
//---------------===//
//
// Part of norm-mlir. See README.md for license information.
//
// No AMD target description offers asynchronous copies or clusters
// (KnownTargets.h), so the kernel plan never asks for them here; the
// persistent ring, the only user of opaqueMove, needs asynchronous copies.
//
//===----------------------------------------------------------------------===//

#include "../TargetHooks.h"

#include "llvm/Support/ErrorHandling.h"

using namespace mlir;
using namespace mlir::norm;

namespace {
class ROCDLKernelHooks final : public KernelTargetHooks {
public:
  void copyAsync16(KernelBuilder &, Value, Value) const override {
    llvm_unreachable("asynchronous copies are not planned on AMD targets");
  }
  void commitAsyncCopies(KernelBuilder &) const override {
    llvm_unreachable("asynchronous copies are not planned on AMD targets");
  }
  void waitAsyncCopies(KernelBuilder &, int64_t) const override {
    llvm_unreachable("asynchronous copies are not planned on AMD targets");
  }
  void clusterArrive(KernelBuilder &) const override {
    llvm_unreachable("clusters are not planned on AMD targets");
  }
  void clusterWait(KernelBuilder &) const override {
    llvm_unreachable("clusters are not planned on AMD targets");
  }
  Value mapToClusterRank(KernelBuilder &, Value, Value) const override {
    llvm_unreachable("clusters are not planned on AMD targets");
  }
  Value opaqueMove(KernelBuilder &, Value, Value) const override {
    llvm_unreachable("persistent rows are not planned on AMD targets");
  }
};
} // namespace

const KernelTargetHooks &mlir::norm::getROCDLKernelHooks() {
  static const ROCDLKernelHooks hooks;
  return hooks;
}
