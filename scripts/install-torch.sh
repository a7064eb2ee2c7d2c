#!/usr/bin/env bash
# Installs what the PyTorch reference (npm run parity, the torch half of npm run bench) needs:
# Debian's PyTorch (into the system /usr/bin/python3) and the pthread OpenBLAS, without which
# torch falls back to the reference BLAS and is 10-30x slower. No pip: safetensors files are read
# by bench/reference/st.py. Debian bookworm (or newer); run as root (or with sudo available).
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends python3-torch libopenblas0-pthread
# Make sure libblas/liblapack point at OpenBLAS (the package's alternative has the top priority).
$SUDO update-alternatives --auto "libblas.so.3-$(uname -m)-linux-gnu" || true
$SUDO update-alternatives --auto "liblapack.so.3-$(uname -m)-linux-gnu" || true
/usr/bin/python3 -c 'import torch, numpy; print("torch", torch.__version__, "numpy", numpy.__version__)'
