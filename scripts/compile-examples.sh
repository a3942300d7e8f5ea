#!/usr/bin/env bash
# The main job: runs norm-opt over every example (parse, verify, bufferize,
# print). Usage: compile-examples.sh [build-dir]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-${NORM_BUILD_DIR:-$root/build}}
norm_opt="$build/bin/norm-opt"
out="$build/examples"
mkdir -p "$out"

for example in "$root"/examples/*.mlir; do
  name=$(basename "$example" .mlir)
  "$norm_opt" "$example" -o "$out/$name.mlir"
  "$norm_opt" "$example" \
    -one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
    -o "$out/$name.bufferized.mlir"
  echo "compiled examples/$name.mlir -> $out/$name.bufferized.mlir"
done
