#!/usr/bin/env bash
# Configures and builds norm-mlir into ./build (or $NORM_BUILD_DIR), then runs
# the main job: norm-opt over every program in examples/.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${NORM_BUILD_DIR:-$root/build}

"$root/scripts/setup-deps.sh"
cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release
cmake --build "$build"
"$root/scripts/compile-examples.sh" "$build"
