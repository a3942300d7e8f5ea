//===- Options.h - norm-run's command line ----------------------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//
//
// What norm-run is asked to do, parsed from its arguments; usage errors exit
// with status 2.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_TOOLS_NORM_RUN_OPTIONS_H
#define NORM_TOOLS_NORM_RUN_OPTIONS_H

#include <algorithm>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace norm::run {

struct Options {
  std::string input;
  std::vector<std::string> kernels;
  std::vector<int64_t> rows = {7};
  std::vector<int64_t> cols; // for dynamic-H kernels
  int64_t rowPad = 0;
  bool misalignInput = false;
  uint64_t seed = 1;
  std::string dist = "normal";
  double magnitude = 1.0;
  bool specialRows = true;
  std::vector<uint8_t> poisons = {0xFF, 0x55};
  int64_t maxElements = int64_t(8192) * 16384;
  bool list = false;
  bool bench = false;
  int iterations = 100;
  int64_t rotateBytes = int64_t(256) << 20;
  int device = 0;
  std::string backend = "auto";
  std::string normOpt;
  std::string pipeline = "norm-to-nvvm{chip=sm_90}";
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  bool verbose = false;
};

/// Parses the command line; prints the usage and exits on -h or an error.
Options parseOptions(int argc, char **argv);

/// Compiles `o.input` (a .mlir file) with norm-opt into a fresh bundle
/// directory and returns it; exits with status 2 on failure.
std::string compileModule(const Options &o);

} // namespace norm::run

#endif // NORM_TOOLS_NORM_RUN_OPTIONS_H
