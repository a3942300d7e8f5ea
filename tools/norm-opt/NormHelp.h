//===- NormHelp.h - norm-opt's help for norm-mlir's passes -----*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_TOOLS_NORMOPT_NORMHELP_H
#define NORM_TOOLS_NORMOPT_NORMHELP_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir {
namespace norm {

/// Prints norm-mlir's passes and pipelines, each with its options and their
/// defaults (`--norm-help`), or only the one named `name` (`--<name>=help`),
/// to llvm::outs() (where the pass registry prints option help).
/// Returns false when `name` is not one of them.
bool printNormHelp(llvm::raw_ostream &os, llvm::StringRef name = "");

} // namespace norm
} // namespace mlir

#endif // NORM_TOOLS_NORMOPT_NORMHELP_H
