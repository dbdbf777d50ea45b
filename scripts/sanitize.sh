#!/usr/bin/env bash
# Builds edgesim with AddressSanitizer + UndefinedBehaviorSanitizer (EDGESIM_SANITIZE,
# in build-asan/) and runs tests under it. Usage:
#   scripts/sanitize.sh           the fast subset (ctest labels "unit" and "fuzz"; CI runs this)
#   scripts/sanitize.sh --full    every test (docs/hardening.md has its duration)
# Any sanitizer report aborts the process that made it, so the test fails. Extra
# arguments after the mode go to ctest (e.g. -R Durability).
set -euo pipefail
cd "$(dirname "$0")/.."
full=0
if [ "${1:-}" = "--full" ]; then
  full=1
  shift
fi
# Leak reports are kept, minus the one-time allocations of third-party libraries that
# live until exit (tests/sanitizer/lsan.supp); edgesim's own leaks still fail.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_stack_use_after_return=0:check_initialization_order=1:strict_init_order=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/sanitizer/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# -O1 -g1 (line tables): full stack traces at about half the compile time of -O2 -g.
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
  -DEDGESIM_SANITIZE=address,undefined -DEDGESIM_BENCH=OFF >/dev/null
if ((full)); then
  cmake --build build-asan
  ctest --test-dir build-asan --output-on-failure -j "$(nproc)" "$@"
else
  # The subset: unit tests and fuzz corpus replays (no SimGrid run, so fast under ASan).
  cmake --build build-asan --target edgesim_unit_tests \
    fuzz_replay_scenario fuzz_replay_model fuzz_replay_exit_trace fuzz_replay_criteria fuzz_replay_platform
  # The unit tests run as one process (a ctest process per test costs 3x under ASan).
  build-asan/tests/edgesim_unit_tests --gtest_brief=1
  ctest --test-dir build-asan --output-on-failure -j "$(nproc)" -L "^fuzz$" "$@"
fi
