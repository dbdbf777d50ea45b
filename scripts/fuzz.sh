#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (clang-14, ASan + UBSan, in build-fuzz/)
# and runs each for a number of executions, niced. Usage:
#   scripts/fuzz.sh [--runs N] [--max-len BYTES] [--timeout SECONDS] [--no-build] [TARGET...]
# Targets: scenario model exit_trace criteria platform (default: all). Each target starts
# from tests/fuzz/corpus/<target> and its regressions; inputs it finds are kept in
# build-fuzz/corpus/<target>, crashes in build-fuzz/artifacts/<target>/. A crash input
# belongs, once its cause is fixed in the loader, in tests/fuzz/regressions/<target>/
# (the normal build replays it in ctest). Prints the executions of each target and exits
# non-zero if any target found a crash.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=1000000
max_len=8192
timeout=60 # wall-clock seconds per input: generous, the machine may be busy
targets=()
build=1
while (($#)); do
  case "$1" in
  --runs) runs="$2"; shift 2 ;;
  --max-len) max_len="$2"; shift 2 ;;
  --timeout) timeout="$2"; shift 2 ;;
  --no-build) build=0; shift ;;
  -h | --help) sed -n '2,12p' "$0"; exit 0 ;;
  *) targets+=("$1"); shift ;;
  esac
done
((${#targets[@]})) || targets=(scenario model exit_trace criteria platform)

cc=${CC:-clang-14}
cxx=${CXX:-clang++-14}
# --no-build: run the programs already built (e.g. several copies of this script, one
# per target, which must not rebuild the same directory at once).
if ((build)); then
  if [ ! -f build-fuzz/CMakeCache.txt ]; then
    cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEDGESIM_FUZZ=ON -DEDGESIM_BENCH=OFF \
      -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" >/dev/null
  fi
  nice -n 10 cmake --build build-fuzz --target "${targets[@]/#/fuzz_}"
fi

status=0
summary=()
for target in "${targets[@]}"; do
  corpus=build-fuzz/corpus/$target
  artifacts=build-fuzz/artifacts/$target/
  mkdir -p "$corpus" "$artifacts"
  # libFuzzer may write into every corpus directory it is given: it gets a copy of the
  # seeds and regressions, never the repository's directories.
  cp -n tests/fuzz/corpus/"$target"/* "$corpus"/
  if [ -d tests/fuzz/regressions/"$target" ]; then
    cp -n tests/fuzz/regressions/"$target"/* "$corpus"/
  fi
  log=build-fuzz/fuzz-$target.log
  echo "== fuzz_$target: $runs runs (log: $log)"
  set +e
  # Leaks are not checked: loaders allocate nothing that outlives an input, and
  # LeakSanitizer's report on every run costs most of the throughput.
  ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 \
    nice -n 10 "build-fuzz/tests/fuzz/fuzz_$target" -runs="$runs" -max_len="$max_len" -timeout="$timeout" \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts" "$corpus" >"$log" 2>&1
  rc=$?
  set -e
  executed=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  seconds=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | grep -o 'in [0-9]*' | grep -o '[0-9]*' || echo "?")
  if ((rc != 0)); then
    status=1
    summary+=("fuzz_$target: FAILED after $executed executions (exit $rc), see $log and $artifacts")
    grep -m3 -E 'ERROR|runtime error|invariant|terminate' "$log" || true
  else
    summary+=("fuzz_$target: $executed executions in ${seconds}s, no crash; corpus $(ls "$corpus" | wc -l) inputs")
  fi
done
printf '%s\n' "${summary[@]}"
exit $status
