#!/usr/bin/env bash
# Installs what is missing, builds edgesim and runs the default scenario.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build --target edgesim
./build/edgesim run scenarios/quickstart.toml -o quickstart.h5
