// norm-export-bundle writes only a bundle with kernels in it, only inside its
// folder: a module with no gpu.binary, or a binary whose name or chip would
// not be one plain file name, is an error and nothing is written.

// RUN: rm -rf %t && split-file %s %t
// RUN: not norm-opt %t/no-kernels.mlir --norm-export-bundle=dir=%t/out-none 2>&1 | FileCheck %s --check-prefix=NONE
// RUN: not ls %t/out-none
// RUN: not norm-opt %t/escape.mlir --norm-export-bundle=dir=%t/out-escape 2>&1 | FileCheck %s --check-prefix=ESCAPE
// RUN: not ls %t/out-escape %t/x.sm_90.ptx
// RUN: not norm-opt %t/hidden.mlir --norm-export-bundle=dir=%t/out-hidden 2>&1 | FileCheck %s --check-prefix=HIDDEN
// RUN: norm-opt %t/plain.mlir --norm-export-bundle=dir=%t/out-plain -o /dev/null
// RUN: FileCheck %s --check-prefix=PLAIN < %t/out-plain/manifest.json
// RUN: FileCheck %s --check-prefix=PTX < %t/out-plain/norm_kernels.sm_90.ptx

// NONE: error: norm-export-bundle: the module holds no kernel binary (gpu.binary); run norm-to-nvvm or norm-to-rocdl (or norm-to-gpu and gpu-module-to-binary) first
// NONE-NOT: see current operation
// ESCAPE: error: norm-export-bundle: binary '../x' for chip 'sm_90' does not make a file name
// HIDDEN: error: norm-export-bundle: binary 'ok' for chip '.hidden' does not make a file name
// PLAIN: "file": "norm_kernels.sm_90.ptx"
// PTX: .version

//--- no-kernels.mlir
func.func @f() {
  return
}

//--- escape.mlir
gpu.binary @"../x" [#gpu.object<#nvvm.target<chip = "sm_90">, assembly = ".version 8.0">]

//--- hidden.mlir
gpu.binary @ok [#gpu.object<#nvvm.target<chip = ".hidden">, assembly = ".version 8.0">]

//--- plain.mlir
gpu.binary @norm_kernels [#gpu.object<#nvvm.target<chip = "sm_90">, assembly = ".version 8.0">]
