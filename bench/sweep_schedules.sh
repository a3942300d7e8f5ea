#!/usr/bin/env bash
# Builds the benchmark modules of gen_bench.py with forced norm-tile fields,
# so that norm-run --bench can compare schedules on the GPU (what the tiling
# heuristic should pick). Usage:
#   bench/sweep_schedules.sh BUILD_DIR OUT_DIR MODULE:FIELDS... [chip]
# where FIELDS are norm-tile options joined by '+', e.g.
#   h16384_bf16:threads-per-row=256+row-storage=shared
# Each variant lands in OUT_DIR/<module>@<fields>; time them with
#   norm-run OUT_DIR/<variant> --bench --rows=M
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$1 out=$2
shift 2
chip=sm_90a
# What norm-to-nvvm{chip=sm_90a} gives norm-tile.
mkdir -p "$out/src"
python3 "$root/bench/gen_bench.py" "$out/src" > /dev/null
for variant in "$@"; do
  module=${variant%%:*} fields=${variant#*:}
  options=${fields//+/ }
  "$build/bin/norm-opt" "$out/src/$module.mlir" \
    --norm-fuse --norm-tile="shared-memory-per-block=232448 max-blocks-per-row=8 $options" \
    --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
    --norm-to-nvvm="chip=$chip bufferize=false tile=false" \
    --norm-export-bundle="dir=$out/$module@$fields" -o /dev/null
done
rm -rf "$out/src"
echo "built $# variants in $out"
