//===- NormHelp.cpp - norm-opt's help for norm-mlir's passes
//---------------===//
//
// Part of norm-mlir. See README.md for license information.
//
// `norm-opt --help` lists norm-mlir's passes among upstream's hundreds and
// shows no defaults; `--norm-help` lists only ours, with every option's
// default, and `--norm-to-nvvm=help` (any of ours) one of them.
//
//===----------------------------------------------------------------------===//

#include "NormHelp.h"

#include "norm/Pipelines/Pipelines.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include <algorithm>

using namespace mlir;

/// norm-mlir's passes, in the order a program meets them.
static const char *const kPasses[] = {"norm-check-input",
                                      "norm-raise",
                                      "norm-fuse",
                                      "norm-tile",
                                      "norm-to-gpu",
                                      "norm-lower-quantizer-conversions",
                                      "norm-nvvm-nontemporal",
                                      "norm-export-bundle"};
static const char *const kPipelines[] = {"norm-to-nvvm", "norm-to-rocdl"};

/// The defaults of a pass's options, as a textual pipeline element.
static std::string getPassDefaults(const PassInfo &info) {
  std::string text;
  llvm::raw_string_ostream os(text);
  OpPassManager pm;
  if (failed(
          info.addToPipeline(pm, "", [](const Twine &) { return failure(); })))
    return text;
  pm.printAsTextualPipeline(os);
  // Printed as the element of an op-agnostic pass manager: "any(...)".
  StringRef element = text;
  if (element.consume_front("any(") && element.consume_back(")"))
    return element.str();
  return text;
}

template <typename Options> static std::string getPipelineDefaults() {
  std::string text;
  llvm::raw_string_ostream os(text);
  Options().print(os);
  return text;
}

/// The column descriptions start at: past every pass name and option
/// (printHelpStr pads to it, and would pad without end past it).
static size_t getDescriptionIndent() {
  size_t width = 0;
  auto widen = [&](const PassRegistryEntry *entry) {
    if (entry)
      width = std::max({width, entry->getPassArgument().size() + 4,
                        entry->getOptionWidth() + 4});
  };
  for (const char *pipeline : kPipelines)
    widen(PassPipelineInfo::lookup(pipeline));
  for (const char *pass : kPasses)
    widen(PassInfo::lookup(pass));
  return width + 4;
}

static void printEntry(llvm::raw_ostream &os, const PassRegistryEntry &entry,
                       StringRef defaults, size_t descIndent) {
  os.flush();
  entry.printHelpStr(/*indent=*/2, descIndent);
  llvm::outs().flush();
  os << "      defaults: " << defaults << "\n";
}

bool mlir::norm::printNormHelp(llvm::raw_ostream &os, StringRef name) {
  bool found = false;
  size_t descIndent = getDescriptionIndent();
  if (name.empty())
    os << "norm-mlir passes and pipelines (options as "
          "--<name>=\"option=value ...\"):\n\n"
       << "Pipelines:\n";
  for (StringRef pipeline : kPipelines) {
    if (!name.empty() && name != pipeline)
      continue;
    const PassPipelineInfo *info = PassPipelineInfo::lookup(pipeline);
    if (!info)
      continue;
    found = true;
    printEntry(os, *info,
               pipeline == "norm-to-nvvm"
                   ? getPipelineDefaults<NormToNVVMPipelineOptions>()
                   : getPipelineDefaults<NormToROCDLPipelineOptions>(),
               descIndent);
  }
  if (name.empty())
    os << "\nPasses:\n";
  for (StringRef pass : kPasses) {
    if (!name.empty() && name != pass)
      continue;
    const PassInfo *info = PassInfo::lookup(pass);
    if (!info)
      continue;
    found = true;
    printEntry(os, *info, getPassDefaults(*info), descIndent);
  }
  os.flush();
  return found;
}
