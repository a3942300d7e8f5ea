#!/usr/bin/env bash
# Builds the GPU correctness matrix here (no GPU needed): generates the .mlir
# modules, compiles each to an sm_90 cubin bundle. Usage:
#   test/gpu/build_matrix.sh BUILD_DIR OUT_DIR [chip [format]]
# format=isa writes PTX, which the driver JIT-compiles for the GPU at hand:
# sm_80 PTX on an H100 exercises the emulated fp8 conversion.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$1 out=$2 chip=${3:-sm_90} format=${4:-bin}
python3 "$root/test/gpu/gen_matrix.py" "$out/src"
for src in "$out"/src/h*.mlir; do
  name=$(basename "$src" .mlir)
  "$build/bin/norm-opt" "$src" \
    --norm-to-nvvm="chip=$chip format=$format bufferize=false" \
    --norm-export-bundle="dir=$out/$name" -o /dev/null
done
# Rows split over thread-block clusters of every size (sm_90+): norm-tile
# splits only H = 65536 by itself; these force 8 blocks per row on shorter
# rows too (H = 8192: a warp per slice; 16384: two warps).
if [[ $chip =~ ^sm_(9|1[0-9]) ]]; then
  for variant in h8192:8 h16384:8 h65536:8; do
    name=${variant%%:*} blocks=${variant#*:}
    "$build/bin/norm-opt" "$out/src/$name.mlir" \
      --norm-tile="max-blocks-per-row=8 blocks-per-row=$blocks" |
      "$build/bin/norm-opt" \
        --norm-to-nvvm="chip=$chip format=$format bufferize=false tile=false" \
        --norm-export-bundle="dir=$out/${name}-split$blocks" -o /dev/null
  done
fi
cp "$out/src/cases.json" "$out/cases.json"
echo "built $(ls -d "$out"/h* | wc -l) bundles in $out"
