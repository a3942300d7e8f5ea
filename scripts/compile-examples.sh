#!/usr/bin/env bash
# The main job: compiles every example for every supported target, from one
# source: NVIDIA cubins (PTX when ptxas is missing) and AMD HSACO, each as a
# kernel bundle (binaries + manifest.json) under BUILD/examples/<name>/.
# Usage: compile-examples.sh [build-dir]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-${NORM_BUILD_DIR:-$root/build}}
norm_opt="$build/bin/norm-opt"
cuda=${CUDA_ROOT:-/usr/local/cuda}
nv_format=bin
if [[ ! -x "$cuda/bin/ptxas" ]]; then
  echo "compile-examples: no ptxas under $cuda: writing PTX instead of cubins" >&2
  nv_format=isa
fi
# The NVIDIA pipeline links libdevice into every format; without a CUDA
# toolkit only the AMD binaries are built. Chips of one binary must agree on
# having fp8 conversion instructions.
nvidia_binaries=("sm_80" "sm_89,sm_90,sm_90a,sm_100")
if [[ ! -f "$cuda/nvvm/libdevice/libdevice.10.bc" ]]; then
  echo "compile-examples: no CUDA toolkit at $cuda (set CUDA_ROOT): skipping" \
       "the NVIDIA binaries" >&2
  nvidia_binaries=()
fi

amd_binaries=("gfx90a" "gfx942" "gfx950" "gfx1100")

for example in "$root"/examples/*.mlir; do
  name=$(basename "$example" .mlir)
  out="$build/examples/$name"
  rm -rf "$out"
  mkdir -p "$out"
  "$norm_opt" "$example" -o "$out/$name.mlir"
  for chips in ${nvidia_binaries[@]+"${nvidia_binaries[@]}"}; do
    "$norm_opt" "$example" \
      --norm-to-nvvm="chip=$chips format=$nv_format cuda-path=$cuda" \
      --norm-export-bundle="dir=$out/nvidia-${chips//,/-}" -o /dev/null
  done
  for chip in "${amd_binaries[@]}"; do
    "$norm_opt" "$example" --norm-to-rocdl="chip=$chip format=bin" \
      --norm-export-bundle="dir=$out/amd-$chip" -o /dev/null
  done
  count=$(find "$out" -name '*.cubin' -o -name '*.ptx' -o -name '*.hsaco' | wc -l)
  echo "compiled examples/$name.mlir -> $out ($count binaries)"
done
