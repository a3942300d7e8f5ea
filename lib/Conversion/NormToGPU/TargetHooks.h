//===- TargetHooks.h - vendor-only IR of the row kernels -------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
// The generic emitter writes gpu, arith, vector and llvm ops; what only one
// vendor has (asynchronous copies, thread-block clusters and their
// distributed shared memory, opaque register moves) goes through these hooks,
// implemented per vendor in NVVM/ and ROCDL/. The kernel plan asks for a
// technique only where the target has it (KernelPlan.cpp), so a hook is never
// called on a vendor that lacks it.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_LIB_CONVERSION_NORMTOGPU_TARGETHOOKS_H
#define NORM_LIB_CONVERSION_NORMTOGPU_TARGETHOOKS_H

#include "KernelBuilder.h"

namespace mlir {
namespace norm {

class KernelTargetHooks {
public:
  virtual ~KernelTargetHooks();

  /// Copies 16 bytes from `global` (!llvm.ptr<1>) to `shared`
  /// (!llvm.ptr<3>) asynchronously.
  virtual void copyAsync16(KernelBuilder &b, Value shared,
                           Value global) const = 0;
  /// Closes the group of the copies issued since the last commit.
  virtual void commitAsyncCopies(KernelBuilder &b) const = 0;
  /// Waits until at most `pending` committed groups are in flight.
  virtual void waitAsyncCopies(KernelBuilder &b, int64_t pending) const = 0;

  /// The two halves of a barrier over the blocks of a cluster: arrive
  /// releases this block's shared-memory writes, wait acquires the others'.
  virtual void clusterArrive(KernelBuilder &b) const = 0;
  virtual void clusterWait(KernelBuilder &b) const = 0;
  /// The address of `shared` (!llvm.ptr<3>) in the block of rank `rank`
  /// (i32) of the cluster (distributed shared memory, !llvm.ptr<7>).
  virtual Value mapToClusterRank(KernelBuilder &b, Value shared,
                                 Value rank) const = 0;

  /// An i32 copy of `word` that the compiler cannot see through and that
  /// depends on `dependency`, so that a value is not hoisted out of the loop
  /// `dependency` varies in.
  virtual Value opaqueMove(KernelBuilder &b, Value word,
                           Value dependency) const = 0;
};

/// The hooks of NVIDIA GPUs (NVVM dialect).
const KernelTargetHooks &getNVVMKernelHooks();
/// The hooks of AMD GPUs (ROCDL dialect).
const KernelTargetHooks &getROCDLKernelHooks();

} // namespace norm
} // namespace mlir

#endif // NORM_LIB_CONVERSION_NORMTOGPU_TARGETHOOKS_H
