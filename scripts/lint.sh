#!/usr/bin/env bash
# Style and static checks, to re-run after any merge:
#   - clang-format (the repository's .clang-format) over src/ sim/ include/ tests/ bench/;
#   - clang-tidy (checks in .clang-tidy, tests/.clang-tidy) over the .cpp files of src/,
#     sim/ and tests/, using the compilation database of a CMake build, in parallel and
#     niced.
# Exits non-zero on any finding. Usage:
#   scripts/lint.sh [--fix] [--build DIR] [--jobs N] [PATH...]
# --fix rewrites files with clang-format (clang-tidy findings are only reported). PATHs
# limit both checks to those files or directories.
set -euo pipefail
cd "$(dirname "$0")/.."
build=build
jobs=$(nproc)
fix=0
paths=()
while (($#)); do
  case "$1" in
  --fix) fix=1; shift ;;
  --build) build="$2"; shift 2 ;;
  --jobs) jobs="$2"; shift 2 ;;
  -h | --help) sed -n '2,10p' "$0"; exit 0 ;;
  *) paths+=("$1"); shift ;;
  esac
done
((${#paths[@]})) || paths=(src sim include tests bench)
format=$(command -v clang-format-14 || command -v clang-format)
tidy=$(command -v clang-tidy-14 || command -v clang-tidy)

mapfile -t sources < <(git ls-files -- "${paths[@]}" | grep -E '\.(cpp|hpp)$' | grep -v '^tests/fuzz/corpus/')
status=0

echo "== clang-format: ${#sources[@]} files"
if ((fix)); then
  "$format" -i "${sources[@]}"
elif ! "$format" --dry-run --Werror "${sources[@]}" 2>/tmp/edgesim-format.$$; then
  grep -E '^[^ ].*(warning|error):' /tmp/edgesim-format.$$ | sed 's/: warning: code should be clang-formatted.*//' |
    sort -u | sed 's/^/needs clang-format: /'
  status=1
fi
rm -f /tmp/edgesim-format.$$

if [ ! -f "$build/compile_commands.json" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
# Generated headers and the like must exist for clang-tidy to parse the sources.
mapfile -t units < <(printf '%s\n' "${sources[@]}" | grep -E '^(src|sim|tests)/.*\.cpp$' |
  grep -Fxf <(sed -n 's|.*"file": "'"$PWD"'/\(.*\)".*|\1|p' "$build/compile_commands.json") || true)
echo "== clang-tidy: ${#units[@]} translation units, $jobs in parallel"
log=$(mktemp)
# GCC-only warning flags in the database are not clang-tidy findings.
printf '%s\n' "${units[@]}" |
  nice -n 10 xargs -P "$jobs" -I{} "$tidy" -p "$build" --quiet --extra-arg=-Wno-unknown-warning-option {} \
    >"$log" 2>/dev/null || true
if grep -qE '(warning|error):' "$log"; then
  # A header's finding shows up once per file including it: print each once.
  grep -E '^[^ ].*:[0-9]+:[0-9]+: (warning|error):' "$log" | sort -u
  echo "clang-tidy: $(grep -E '^[^ ].*:[0-9]+:[0-9]+: (warning|error):' "$log" | sort -u | wc -l) findings"
  status=1
fi
rm -f "$log"
((status == 0)) && echo "lint: clean"
exit $status
