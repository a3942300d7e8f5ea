#!/usr/bin/env bash
# Installs what norm-mlir needs on Debian 12, or, when not run as root, says
# exactly what is missing and how to install it. Exits non-zero if something
# is still missing.
set -euo pipefail

packages=(
  libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools lld-22
  rocm-device-libs cmake ninja-build ccache g++ libgtest-dev python3
)

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    echo "setup-deps: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "setup-deps: missing Debian packages: ${missing[*]}" >&2
    echo "setup-deps: run as root, or: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

# The CUDA toolkit is not a Debian package here; the NVIDIA path needs it for
# ptxas (cubin) and libdevice. Its absence is reported, not fatal: PTX and
# everything for AMD still build.
cuda_root=${CUDA_ROOT:-/usr/local/cuda}
if [[ ! -x "$cuda_root/bin/ptxas" ]]; then
  echo "setup-deps: warning: no CUDA toolkit at $cuda_root (set CUDA_ROOT);" \
       "cubin/fatbin output and ptxas checks will be unavailable" >&2
fi
echo "setup-deps: all required packages are installed"
