// norm-to-gpu writes vendor-only IR (cp.async, cluster barriers, mapa)
// through the target hooks of `vendor`. AMD GPUs have no asynchronous copies
// or thread-block clusters: the options that ask for them are rejected with
// vendor=amd, before any kernel is built.

// RUN: not norm-opt %s -norm-to-gpu="vendor=amd async-copies=true" 2>&1 | FileCheck %s --check-prefix=ASYNC
// RUN: not norm-opt %s -norm-to-gpu="vendor=amd persistent-rows=true" 2>&1 | FileCheck %s --check-prefix=PERSISTENT
// RUN: not norm-opt %s -norm-to-gpu="vendor=amd max-blocks-per-row=2" 2>&1 | FileCheck %s --check-prefix=CLUSTERS
// RUN: not norm-opt %s -norm-to-gpu="vendor=intel" 2>&1 | FileCheck %s --check-prefix=VENDOR
// RUN: norm-opt %s -norm-to-gpu="vendor=amd shared-memory-per-block=65536 warp-size=64" | FileCheck %s --check-prefix=AMD
// RUN: norm-opt %s -norm-tile="blocks-per-row=8 max-blocks-per-row=8" -norm-to-gpu="shared-memory-per-block=232448 max-blocks-per-row=8" | FileCheck %s --check-prefix=NVIDIA

// ASYNC: error: norm-to-gpu: 'async-copies' needs an NVIDIA target (vendor=nvidia); AMD GPUs have no asynchronous copies or thread-block clusters
// PERSISTENT: error: norm-to-gpu: 'persistent-rows' needs an NVIDIA target
// CLUSTERS: error: norm-to-gpu: 'max-blocks-per-row' > 1 needs an NVIDIA target
// VENDOR: error: norm-to-gpu: 'vendor' must be nvidia or amd, got 'intel'

// AMD-LABEL: gpu.func @split_rmsnorm
// AMD-NOT: nvvm.
// AMD: gpu.return
// NVIDIA-LABEL: gpu.func @split_rmsnorm
// NVIDIA: nvvm.cluster.arrive
// NVIDIA: nvvm.mapa
func.func @split(%x: memref<?x65536xbf16>, %y: memref<?x65536xbf16>) {
  norm.rmsnorm %x : memref<?x65536xbf16> into %y : memref<?x65536xbf16>
  return
}
