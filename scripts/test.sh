#!/usr/bin/env bash
# Installs what is missing, builds everything with warnings as errors and runs the whole
# test suite (GoogleTest unit and integration tests, pytest for analysis/), then the
# sanitizer build on a fast subset.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DEDGESIM_WERROR=ON
cmake --build build
ctest --test-dir build --output-on-failure -j "$(nproc)"
# ASan + UBSan build on the fast subset (ctest labels "unit" and "fuzz", docs/hardening.md);
# `scripts/sanitize.sh --full` runs every test under the sanitizers.
scripts/sanitize.sh
