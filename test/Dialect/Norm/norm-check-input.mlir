// RUN: norm-opt %s -norm-check-input -split-input-file -verify-diagnostics
// RUN: not norm-opt %s -split-input-file --norm-to-nvvm="format=isa" -o /dev/null 2>&1 | FileCheck %s --check-prefix=PIPELINE

// The pipelines run norm-check-input first: this input made an upstream
// canonicalization of the GPU lowering crash (exit 139).
// PIPELINE: error: 'tensor.dim' op index -1 is out of range for a value of rank 2

func.func @negative_dim(%x: tensor<?x4096xbf16>) -> index {
  %c = arith.constant -1 : index
  // expected-error @below {{'tensor.dim' op index -1 is out of range for a value of rank 2}}
  %d = tensor.dim %x, %c : tensor<?x4096xbf16>
  return %d : index
}

// -----

func.func @dim_past_rank(%x: memref<?x4096xbf16>) -> index {
  %c = arith.constant 2 : index
  // expected-error @below {{'memref.dim' op index 2 is out of range for a value of rank 2}}
  %d = memref.dim %x, %c : memref<?x4096xbf16>
  return %d : index
}

// -----

func.func @tf32(%p: memref<4xtf32>) {
  %c0 = arith.constant 0 : index
  // expected-error @below {{'memref.load' op has a tf32 value, which the GPU pipelines cannot lower (no norm op takes tf32)}}
  %v = memref.load %p[%c0] : memref<4xtf32>
  return
}

// -----

// In range, dynamic and unranked indices pass.
func.func @fine(%x: tensor<?x4096xbf16>, %i: index, %u: tensor<*xf32>) -> (index, index, index) {
  %c0 = arith.constant 0 : index
  %c5 = arith.constant 5 : index
  %a = tensor.dim %x, %c0 : tensor<?x4096xbf16>
  %b = tensor.dim %x, %i : tensor<?x4096xbf16>
  %c = tensor.dim %u, %c5 : tensor<*xf32>
  return %a, %b, %c : index, index, index
}
