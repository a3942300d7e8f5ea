//===- ExportBundle.cpp - write kernel binaries and manifest ----*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#include "norm/Target/Passes.h"
#include "norm/Dialect/Norm/IR/NormOps.h"

#include "norm-runtime/norm_bundle_schema.h"

#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/LLVMIR/ROCDLDialect.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir {
namespace norm {
#define GEN_PASS_DEF_NORMEXPORTBUNDLE
#include "norm/Target/Passes.h.inc"
} // namespace norm
} // namespace mlir

using namespace mlir;
using namespace mlir::norm;

static llvm::json::Value toJSON(Attribute attr) {
  if (auto str = dyn_cast<StringAttr>(attr))
    return str.getValue().str();
  if (auto boolean = dyn_cast<BoolAttr>(attr))
    return boolean.getValue();
  if (auto integer = dyn_cast<IntegerAttr>(attr))
    return integer.getInt();
  if (auto real = dyn_cast<FloatAttr>(attr))
    return real.getValueAsDouble();
  if (auto array = dyn_cast<ArrayAttr>(attr)) {
    llvm::json::Array result;
    for (Attribute element : array)
      result.push_back(toJSON(element));
    return result;
  }
  if (auto dict = dyn_cast<DictionaryAttr>(attr)) {
    llvm::json::Object result;
    for (NamedAttribute entry : dict)
      result[entry.getName().getValue()] = toJSON(entry.getValue());
    return result;
  }
  std::string str;
  llvm::raw_string_ostream os(str);
  os << attr;
  return str;
}

/// (chip, file extension) of an object, or nullopt for unknown targets.
static std::optional<std::pair<std::string, StringRef>>
describeObject(gpu::ObjectAttr object) {
  gpu::CompilationTarget format = object.getFormat();
  if (auto nvvm = dyn_cast<NVVM::NVVMTargetAttr>(object.getTarget())) {
    StringRef ext =
        format == gpu::CompilationTarget::Assembly ? NORM_BINARY_FORMAT_PTX
        : format == gpu::CompilationTarget::Fatbin ? NORM_BINARY_FORMAT_FATBIN
                                                   : NORM_BINARY_FORMAT_CUBIN;
    return std::make_pair(nvvm.getChip().str(), ext);
  }
  if (auto rocdl = dyn_cast<ROCDL::ROCDLTargetAttr>(object.getTarget())) {
    StringRef ext = format == gpu::CompilationTarget::Assembly
                        ? NORM_BINARY_FORMAT_AMDGCN_ASSEMBLY
                        : NORM_BINARY_FORMAT_HSACO;
    return std::make_pair(rocdl.getChip().str(), ext);
  }
  return std::nullopt;
}

/// Whether `name` is one safe component of a file name: letters, digits,
/// '_', '-' and '.', not starting with '.' or '-' (so never "..", a hidden
/// file or an option).
static bool isFileNameComponent(StringRef name) {
  if (name.empty() || name.front() == '.' || name.front() == '-')
    return false;
  return llvm::all_of(name, [](char c) {
    return llvm::isAlnum(c) || c == '_' || c == '-' || c == '.';
  });
}

namespace {
struct NormExportBundlePass
    : public mlir::norm::impl::NormExportBundleBase<NormExportBundlePass> {
  using NormExportBundleBase::NormExportBundleBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (directory.empty()) {
      emitError(module.getLoc(),
                "norm-export-bundle: the 'dir' option is required");
      return signalPassFailure();
    }
    // Every object and its file name first: nothing is written for a module
    // that has no kernel binary or one that would be named outside `dir`.
    struct Output {
      gpu::BinaryOp binary;
      std::string chip, format, file;
      StringRef contents;
    };
    SmallVector<Output> outputs;
    bool failed = false;
    module.walk([&](gpu::BinaryOp binary) {
      for (Attribute attr : binary.getObjects()) {
        auto object = dyn_cast<gpu::ObjectAttr>(attr);
        auto described = object ? describeObject(object) : std::nullopt;
        if (!described) {
          binary.emitError("norm-export-bundle: unsupported object ") << attr;
          failed = true;
          return;
        }
        auto [chip, ext] = *described;
        if (!isFileNameComponent(binary.getSymName()) ||
            !isFileNameComponent(chip)) {
          binary.emitError("norm-export-bundle: binary '")
              << binary.getSymName() << "' for chip '" << chip
              << "' does not make a file name (letters, digits, '_', '-' "
                 "and '.', not leading)";
          failed = true;
          return;
        }
        outputs.push_back({binary, chip, ext.str(),
                           (binary.getSymName() + "." + chip + "." + ext).str(),
                           object.getObject().getValue()});
      }
    });
    if (failed)
      return signalPassFailure();
    if (outputs.empty()) {
      emitError(module.getLoc(),
                "norm-export-bundle: the module holds no kernel "
                "binary (gpu.binary); run norm-to-nvvm or "
                "norm-to-rocdl (or norm-to-gpu and "
                "gpu-module-to-binary) first");
      return signalPassFailure();
    }

    if (std::error_code ec = llvm::sys::fs::create_directories(directory)) {
      emitError(module.getLoc(), "norm-export-bundle: cannot create '")
          << directory << "': " << ec.message();
      return signalPassFailure();
    }
    llvm::json::Array objects;
    for (Output &output : outputs) {
      SmallString<256> path(directory);
      llvm::sys::path::append(path, output.file);
      if (!writeFile(output.binary, path, output.contents))
        return signalPassFailure();
      objects.push_back(
          llvm::json::Object{{NORM_KEY_BINARY, output.binary.getSymName()},
                             {NORM_KEY_CHIP, output.chip},
                             {NORM_KEY_FORMAT, output.format},
                             {NORM_KEY_FILE, output.file}});
    }

    llvm::json::Object kernels;
    if (auto manifest = module->getAttrOfType<DictionaryAttr>(
            NormDialect::getKernelsAttrName()))
      for (NamedAttribute entry : manifest)
        kernels[entry.getName().getValue()] = toJSON(entry.getValue());
    llvm::json::Object root{
        {NORM_KEY_FORMAT_VERSION, NORM_BUNDLE_FORMAT_VERSION},
        {NORM_KEY_KERNELS, std::move(kernels)},
        {NORM_KEY_OBJECTS, std::move(objects)}};
    SmallString<256> path(directory);
    llvm::sys::path::append(path, NORM_BUNDLE_MANIFEST_FILE);
    std::string text;
    llvm::raw_string_ostream os(text);
    os << llvm::formatv("{0:2}", llvm::json::Value(std::move(root))) << "\n";
    if (!writeFile(module, path, text))
      return signalPassFailure();
  }

  bool writeFile(Operation *op, StringRef path, StringRef contents) {
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
    if (ec) {
      op->emitError("norm-export-bundle: cannot write '")
          << path << "': " << ec.message();
      return false;
    }
    os << contents;
    return true;
  }
};
} // namespace
