//===- Passes.td - norm target passes -----------------------*- tablegen -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
// What leaves the compiler for a target: the kernel bundle.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_TARGET_PASSES_TD
#define NORM_TARGET_PASSES_TD

include "mlir/Pass/PassBase.td"

def NormExportBundle : Pass<"norm-export-bundle", "ModuleOp"> {
  let summary = "Write the kernel binaries and their manifest to a folder";
  let description = [{
    Writes every object of every `gpu.binary` as
    `<dir>/<binary>.<chip>.<ptx|cubin|fatbin|hsaco|isa>` and
    `<dir>/manifest.json`, which lists per kernel its arguments (role,
    element type, alignment), launch geometry and the objects that hold it.
    Nothing is written for a module without a `gpu.binary`, or for a binary
    or chip whose name is not one plain file name (an error). The IR is left
    unchanged. The manifest's keys and names are those of
    `norm-runtime/norm_bundle_schema.h`, which the runtime reads.
  }];
  let options = [
    Option<"directory", "dir", "std::string", /*default=*/"\"\"",
           "Folder to write the bundle into (created if missing)">
  ];
}

#endif // NORM_TARGET_PASSES_TD
