//===- Compile.cpp - norm-run on a .mlir file -------------------*- C++ -*-===//
//
// Part of norm-mlir. See README.md for license information.
//
//===----------------------------------------------------------------------===//
//
// A .mlir input is compiled with norm-opt (found beside norm-run, else on
// PATH) into a temporary bundle directory.
//
//===----------------------------------------------------------------------===//

#include "Options.h"

#include <cstdio>
#include <cstdlib>
#include <unistd.h>

using namespace norm::run;

/// Directory of this executable, for finding norm-opt beside it.
static std::string selfDirectory() {
  char path[4096];
  ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0)
    return ".";
  path[n] = 0;
  std::string dir(path);
  return dir.substr(0, dir.rfind('/'));
}

static std::string shellQuote(const std::string &text) {
  std::string out = "'";
  for (char c : text)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string norm::run::compileModule(const Options &o) {
  std::string normOpt = o.normOpt;
  if (normOpt.empty()) {
    normOpt = selfDirectory() + "/norm-opt";
    if (access(normOpt.c_str(), X_OK) != 0)
      normOpt = "norm-opt";
  }
  char pattern[] = "/tmp/norm-run-XXXXXX";
  if (!mkdtemp(pattern)) {
    std::fprintf(stderr, "norm-run: cannot create a temporary directory\n");
    std::exit(2);
  }
  std::string dir = pattern;
  std::string command =
      shellQuote(normOpt) + " " + shellQuote(o.input) + " " +
      shellQuote("--pass-pipeline=builtin.module(" + o.pipeline +
                 ",norm-export-bundle{dir=" + dir + "})") +
      " -o /dev/null";
  if (std::system(command.c_str()) != 0) {
    std::fprintf(stderr, "norm-run: compiling %s failed: %s\n", o.input.c_str(),
                 command.c_str());
    std::exit(2);
  }
  return dir;
}
