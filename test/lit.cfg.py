# -*- Python -*-
# lit configuration of norm-mlir's regression tests.

import os

import lit.formats
import lit.util
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "NORM"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.norm_obj_root, "test")
# The inputs of tests are not tests. (Unit/ is a suite of its own, found
# through its lit.site.cfg.py in the build tree.)
config.excludes = ["Inputs", "external", "norm_opt.test.py", "runtime.test.py", "CMakeLists.txt", "README.md",
                   "lit.cfg.py", "lit.site.cfg.py"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%norm_src_root", config.norm_src_root))
config.substitutions.append(("%norm_obj_root", config.norm_obj_root))
config.substitutions.append(("%cmake_generator", config.cmake_generator))
config.substitutions.append(("%cmake", config.cmake_command))
config.substitutions.append(("%cxx", config.cxx_compiler))
config.substitutions.append(("%cc", config.c_compiler))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP",
                                     "ASAN_OPTIONS", "UBSAN_OPTIONS",
                                     "LSAN_OPTIONS"])
llvm_config.use_default_substitutions()

tool_dirs = [config.norm_tools_dir, config.llvm_tools_dir]
tools = ["norm-opt", "norm-capi-test", "norm-run"]
llvm_config.add_tool_substitutions(tools, tool_dirs)
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

# A CPU stand-in for libcuda.so.1 (unittests/Runtime/FakeCudaDriver.cpp).
config.substitutions.append(
    ("%fake_cuda", os.path.join(config.norm_obj_root, "unittests", "Runtime",
                                "libfake_cuda.so")))

config.substitutions.append(("%cuda_path", config.cuda_path))
# The NVIDIA binary formats run the CUDA toolkit's ptxas.
if os.access(os.path.join(config.cuda_path, "bin", "ptxas"), os.X_OK):
    config.available_features.add("ptxas")
    config.substitutions.append(
        ("%ptxas", os.path.join(config.cuda_path, "bin", "ptxas")))
