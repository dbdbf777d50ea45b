#!/usr/bin/env bash
# Peak RSS of `edgesim run` against the number of requests simulated (docs/hardening.md):
# the cheap one-host scenario of the durability tests, /requests trace on, bounded by
# simulated duration (500 requests per simulated second). Usage:
#   scripts/measure-rss.sh [BUILD_DIR] [DURATION_S...]     default: build 200 20000
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
durations=("$@")
((${#durations[@]})) || durations=(200 20000)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for duration in "${durations[@]}"; do
  nice -n 10 /usr/bin/time -v "$build/edgesim" run tests/data/scenarios/long-run.toml -q -o "$out/run.h5" \
    --set "simulation.duration=${duration}s" 2>"$out/time.txt"
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$out/time.txt")
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$out/time.txt")
  rows=$(/usr/bin/python3 -c "import h5py,sys; print(len(h5py.File(sys.argv[1])['requests']))" "$out/run.h5")
  echo "duration ${duration}s: ${rows} requests, peak RSS ${rss} KiB, wall ${wall}"
done
