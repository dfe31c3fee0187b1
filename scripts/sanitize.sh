#!/usr/bin/env bash
# Builds the whole suite with AddressSanitizer + UndefinedBehaviorSanitizer (asan preset: clang 14, -O1,
# float-cast-overflow on, every UBSan finding fatal, warnings as errors) and runs every test under them, as
# scripts/test.sh runs the ci build: a throw-away keyring and a virtual X server.
#
#   scripts/sanitize.sh [CTEST_ARGS...]      e.g. scripts/sanitize.sh -L unit    or    -R tst_httpserver
#
# Leaks are checked (LeakSanitizer). The only leaks suppressed are the ones listed, one by one, with the reason,
# in scripts/sanitizer-suppressions/lsan.supp (library code outside Sluice that keeps memory until exit).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

cmake --preset asan >/dev/null
cmake --build --preset asan -j2

supp="$root/scripts/sanitizer-suppressions"
# detect_leaks=1: Sluice's own leaks fail the test. abort_on_error=0 keeps exit codes (ctest reports the test);
# halt_on_error=1: the first report ends the process, with its stack in the test's output.
export ASAN_SYMBOLIZER_PATH="${ASAN_SYMBOLIZER_PATH:-/usr/bin/llvm-symbolizer-14}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1:symbolize=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$supp/lsan.supp:print_suppressions=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

scripts/with-test-keyring.sh xvfb-run -a -s "-screen 0 1920x1080x24" ctest --preset asan "$@"
