#!/usr/bin/env bash
# Builds the benchmark bundles here (no GPU needed): each module of
# gen_bench.py through the default norm-to-nvvm pipeline (fused kernels) into
# OUT/<name>, and with fuse=false (the unfused chain) into OUT/<name>-unfused.
# Usage: bench/build_bench.sh BUILD_DIR OUT_DIR [chip]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$1 out=$2 chip=${3:-sm_90a}
rm -rf "$out" && mkdir -p "$out/src"
for name in $(python3 "$root/bench/gen_bench.py" "$out/src"); do
  for fuse in true false; do
    dir=$out/$name
    [ $fuse = false ] && dir=$out/$name-unfused
    "$build/bin/norm-opt" "$out/src/$name.mlir" \
      --norm-to-nvvm="chip=$chip fuse=$fuse" \
      --norm-export-bundle="dir=$dir" -o /dev/null
  done
done
rm -rf "$out/src"
echo "built $(ls "$out" | wc -l) bundles in $out"
