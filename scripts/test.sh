#!/usr/bin/env bash
# Installs what is missing, builds with the "ci" preset (warnings as errors), checks formatting and runs the whole
# suite under a throw-away keyring and a virtual X server, then packages that build as a .deb and checks it
# (validators, install, smoke request, purge), then runs the bounded fuzz run (scripts/fuzz.sh) and the suite under
# ASan + UBSan (scripts/sanitize.sh). Exits with ctest's status (1 if only formatting, packaging, fuzzing or the
# sanitizer suite failed).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

scripts/install-deps.sh
scripts/build.sh ci

if [ -f tests/e2e/package.json ]; then
    echo "test: installing the e2e test's npm packages"
    (
        cd tests/e2e
        if [ -f package-lock.json ]; then
            npm ci --no-audit --no-fund --loglevel=error
        else
            npm install --no-audit --no-fund --loglevel=error
        fi
        # The coding agents (tst_e2e_agents) run through their bin links, which point at the platform packages
        # (no install script needed); the test skips an agent whose command is missing, so say it here.
        for agent in claude codex opencode gemini; do
            if [ ! -x "node_modules/.bin/$agent" ]; then
                echo "test: warning: tests/e2e/node_modules/.bin/$agent is missing; tst_e2e_agents will skip it" >&2
            fi
        done
    )
fi

recordings="$root/../shared/data/provider-recordings"
if [ ! -d "$recordings" ]; then
    echo "test: warning: $recordings is missing; tests that replay provider traffic will fail" >&2
fi

format_failed=0
unformatted=()
while IFS= read -r -d '' file; do
    if ! clang-format-14 --dry-run -Werror "$file" >/dev/null 2>&1; then
        unformatted+=("$file")
    fi
done < <(find core app ui tests bench fuzz -type f \( -name '*.cpp' -o -name '*.h' \) -not -path '*/node_modules/*' \
    -print0 2>/dev/null | sort -z)
if [ "${#unformatted[@]}" -gt 0 ]; then
    format_failed=1
    echo "test: these files differ from .clang-format (fix with: clang-format-14 -i FILE...):" >&2
    printf '  %s\n' "${unformatted[@]}" >&2
else
    echo "test: formatting matches .clang-format (clang-format 14)"
fi

status=0
# PostgreSQL was installed above: its tests (throw-away clusters) must run, never skip.
export SLUICE_REQUIRE_POSTGRES=1
scripts/with-test-keyring.sh xvfb-run -a -s "-screen 0 1920x1080x24" ctest --preset ci || status=$?

# The package, from the ci build just tested (no second build; test binaries are never installed).
package_failed=0
package_log="$root/build/ci/package/package.log"
mkdir -p "$(dirname "$package_log")"
echo "test: packaging the ci build (scripts/package.sh ci) and checking the .deb (scripts/check-package.sh)"
if scripts/package.sh ci 2>&1 | tee "$package_log"; then
    deb="$(tail -n 1 "$package_log")"
    scripts/check-package.sh "$deb" || package_failed=1
else
    package_failed=1
fi
if [ "$package_failed" -ne 0 ]; then
    echo "test: PACKAGING FAILED: see the check-package or package lines above" >&2
else
    echo "test: packaging passed: $(basename "$deb") validated, installed, smoke-tested and purged"
fi

# ---- Fuzzing (scripts/fuzz.sh; docs/reliability.md, "Fuzzing") ------------------------------------------------
# Builds the fuzz preset (build/fuzz, clang 14), replays the saved reproducers in fuzz/regressions/, then fuzzes
# every libFuzzer target for 20 s (two at a time, fixed seed). About 10 minutes on a fresh 2-core machine.
fuzz_failed=0
echo "test: fuzzing (scripts/fuzz.sh 20: the regression inputs, then 20 s per target)"
if ! SLUICE_FUZZ_ARGS="-seed=1 ${SLUICE_FUZZ_ARGS:-}" scripts/fuzz.sh 20; then
    fuzz_failed=1
    echo "test: FUZZING FAILED: see the fuzz lines above (inputs in build/fuzz/artifacts/)" >&2
fi
# ---- end of fuzzing ---------------------------------------------------------------------------------------------

# ---- Sanitizers (scripts/sanitize.sh; docs/reliability.md, "Sanitizers") ---------------------------------------
# Builds the asan preset (build/asan: ASan + UBSan with float-cast-overflow, leak checks) and runs the whole suite
# under it. About 25 minutes on a 2-core machine, nearly all of it the build.
sanitize_failed=0
echo "test: the suite under ASan + UBSan (scripts/sanitize.sh)"
if ! scripts/sanitize.sh; then
    sanitize_failed=1
    echo "test: SANITIZER SUITE FAILED: see the asan test output above" >&2
fi
# ---- end of sanitizers ------------------------------------------------------------------------------------------

if [ "$status" -eq 0 ] && { [ "$format_failed" -ne 0 ] || [ "$package_failed" -ne 0 ] || [ "$fuzz_failed" -ne 0 ] \
    || [ "$sanitize_failed" -ne 0 ]; }; then
    status=1
fi
exit "$status"
