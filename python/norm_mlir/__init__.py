"""norm-mlir from Python.

For now this drives the `norm-opt` tool; compiling to GPU binaries and launching
them on DLPack/torch/cupy tensors arrive with the runtime.
"""

import os
import shutil
import subprocess

__all__ = ["NormOptError", "find_norm_opt", "run_norm_opt"]


class NormOptError(RuntimeError):
    """norm-opt rejected its input; `diagnostics` holds what it printed."""

    def __init__(self, diagnostics):
        super().__init__(diagnostics)
        self.diagnostics = diagnostics


def find_norm_opt():
    """Path of norm-opt: $NORM_OPT, else the one on PATH."""
    path = os.environ.get("NORM_OPT") or shutil.which("norm-opt")
    if not path:
        raise FileNotFoundError(
            "norm-opt not found: set NORM_OPT or put build/bin on PATH")
    return path


def run_norm_opt(source, *args):
    """Runs norm-opt with `args` over the MLIR text `source`; returns the
    printed module or raises NormOptError with the diagnostics."""
    result = subprocess.run([find_norm_opt(), "-", *args], input=source,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise NormOptError(result.stderr)
    return result.stdout
