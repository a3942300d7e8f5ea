//===- Options.cpp - norm-run's command line --------------------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//

#include "Options.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <sstream>

using namespace norm::run;

static const char *kUsage =
    R"(usage: norm-run (BUNDLE_DIR | FILE.mlir) [options]

Runs every kernel of a bundle on the GPU and checks it against the float64
reference, or times it with --bench.

  --list                 print the bundle's kernels and exit (no GPU needed)
  --kernel=A,B           only these kernels
  --rows=1,7,256         row counts to run (default 7)
  --cols=N,...           H values for kernels compiled for any H
  --row-pad=N            pad every row by N elements (strided rows)
  --misalign-input       start the input one element past a 16-byte boundary
                         (kernels that need aligned rows are skipped)
  --seed=N               random seed (default 1)
  --dist=normal|uniform  input distribution (default normal)
  --magnitude=X          scale of the inputs (default 1)
  --no-special-rows      do not make row 1 all zeros, row 2 large, and put
                         a NaN in row 3 and -inf in row 4 of the input
  --poison=0xFF,0x55     output poison bytes; one run per value
  --max-elements=N       skip cases with more rows * H (default 8192*16384)
  --bench                time with device events instead of checking
  --iterations=N         timed launches in --bench (default 100)
  --rotate-bytes=N       --bench rotates input/output sets spanning N bytes
                         so that L2 does not hold them (default 256 MiB)
  --device=N             GPU ordinal (default 0)
  --backend=auto|cuda|hip
  --norm-opt=PATH        norm-opt for .mlir inputs (default: next to
                         norm-run, then PATH)
  --pipeline=P           pipeline for .mlir inputs
                         (default norm-to-nvvm{chip=sm_90})
  --threads=N            CPU threads for data and reference
  -v                     print every case
)";

[[noreturn]] static void usageError(const std::string &message) {
  std::fprintf(stderr, "norm-run: %s\n%s", message.c_str(), kUsage);
  std::exit(2);
}

static std::vector<std::string> splitList(const std::string &text) {
  std::vector<std::string> items;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ','))
    if (!item.empty())
      items.push_back(item);
  return items;
}

static int64_t parseInt(const std::string &text, const char *what) {
  char *end = nullptr;
  errno = 0;
  long long value = std::strtoll(text.c_str(), &end, 0);
  if (errno || end == text.c_str() || *end)
    usageError(std::string("bad ") + what + " '" + text + "'");
  return value;
}

Options norm::run::parseOptions(int argc, char **argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const char *name) -> std::optional<std::string> {
      std::string prefix = std::string(name) + "=";
      if (arg.rfind(prefix, 0) == 0)
        return arg.substr(prefix.size());
      return std::nullopt;
    };
    if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (arg == "--list") {
      o.list = true;
    } else if (arg == "--bench") {
      o.bench = true;
    } else if (arg == "--no-special-rows") {
      o.specialRows = false;
    } else if (arg == "-v") {
      o.verbose = true;
    } else if (auto v = value("--kernel")) {
      o.kernels = splitList(*v);
    } else if (auto v = value("--rows")) {
      o.rows.clear();
      for (const std::string &item : splitList(*v)) {
        o.rows.push_back(parseInt(item, "--rows"));
        if (o.rows.back() < 0)
          usageError("--rows must be >= 0");
      }
    } else if (auto v = value("--cols")) {
      for (const std::string &item : splitList(*v)) {
        o.cols.push_back(parseInt(item, "--cols"));
        if (o.cols.back() < 1)
          usageError("--cols must be >= 1");
      }
    } else if (arg == "--misalign-input") {
      o.misalignInput = true;
    } else if (auto v = value("--row-pad")) {
      o.rowPad = parseInt(*v, "--row-pad");
      if (o.rowPad < 0)
        usageError("--row-pad must be >= 0");
    } else if (auto v = value("--seed")) {
      o.seed = uint64_t(parseInt(*v, "--seed"));
    } else if (auto v = value("--dist")) {
      o.dist = *v;
      if (o.dist != "normal" && o.dist != "uniform")
        usageError("--dist must be normal or uniform");
    } else if (auto v = value("--magnitude")) {
      o.magnitude = std::strtod(v->c_str(), nullptr);
      if (!(o.magnitude > 0) || !std::isfinite(o.magnitude))
        usageError("--magnitude must be positive");
    } else if (auto v = value("--poison")) {
      o.poisons.clear();
      for (const std::string &item : splitList(*v))
        o.poisons.push_back(uint8_t(parseInt(item, "--poison")));
    } else if (auto v = value("--max-elements")) {
      o.maxElements = parseInt(*v, "--max-elements");
    } else if (auto v = value("--iterations")) {
      o.iterations = int(parseInt(*v, "--iterations"));
      if (o.iterations < 1)
        usageError("--iterations must be >= 1");
    } else if (auto v = value("--rotate-bytes")) {
      o.rotateBytes = parseInt(*v, "--rotate-bytes");
    } else if (auto v = value("--device")) {
      o.device = int(parseInt(*v, "--device"));
    } else if (auto v = value("--backend")) {
      o.backend = *v;
      if (o.backend != "auto" && o.backend != "cuda" && o.backend != "hip")
        usageError("--backend must be auto, cuda or hip");
    } else if (auto v = value("--norm-opt")) {
      o.normOpt = *v;
    } else if (auto v = value("--pipeline")) {
      o.pipeline = *v;
    } else if (auto v = value("--threads")) {
      o.threads = unsigned(std::max<int64_t>(1, parseInt(*v, "--threads")));
    } else if (!arg.empty() && arg[0] == '-') {
      usageError("unknown option '" + arg + "'");
    } else if (o.input.empty()) {
      o.input = arg;
    } else {
      usageError("more than one input given");
    }
  }
  if (o.input.empty())
    usageError("no bundle or .mlir file given");
  return o;
}
