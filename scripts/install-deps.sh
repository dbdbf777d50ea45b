#!/usr/bin/env bash
# Installs the Debian 12 packages edgesim needs, only those that are missing.
set -euo pipefail
packages=(build-essential cmake ninja-build pkg-config git
          libsimgrid-dev libhdf5-dev libboost-program-options-dev libfmt-dev
          libtomlplusplus-dev libgtest-dev libglpk-dev libeigen3-dev
          libopenmpi-dev openmpi-bin
          python3 python3-h5py python3-numpy python3-matplotlib python3-pytest python3-scipy
          python3-torch python3-torchvision python3-sklearn python3-onnx)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
