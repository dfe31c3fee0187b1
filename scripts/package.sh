#!/usr/bin/env bash
# Builds the Debian package: scripts/package.sh [PRESET] (default: release).
# Configures and builds the preset's app (only the `sluice` target and the packaging files: packaging a tree
# whose tests are built, such as the ci preset's, rebuilds nothing else and installs no test binary), runs CPack,
# and prints the absolute path of the .deb as its last line.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
preset="${1:-release}"
build_dir="$root/build/$preset"

for tool in cpack dpkg-shlibdeps fakeroot gzip; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "package: $tool is missing; run scripts/install-deps.sh" >&2
        exit 1
    fi
done

echo "package: configuring and building the '$preset' preset (app and packaging files only)"
if [ ! -f "$build_dir/CMakeCache.txt" ] || [ ! -f "$build_dir/CPackConfig.cmake" ]; then
    cmake --preset "$preset" >/dev/null
fi
cmake --build --preset "$preset" -j "$(nproc)" --target sluice sluice_packaging

rm -f "$build_dir"/package/sluice_*.deb
echo "package: running CPack"
log="$build_dir/package/cpack.log"
mkdir -p "$build_dir/package"
if ! (cd "$build_dir" && cpack -G DEB --config CPackConfig.cmake) >"$log" 2>&1; then
    cat "$log" >&2
    echo "package: cpack failed (log: $log)" >&2
    exit 1
fi
shopt -s nullglob
debs=("$build_dir"/package/sluice_*.deb)
if [ "${#debs[@]}" -ne 1 ]; then
    cat "$log" >&2
    echo "package: expected one .deb in $build_dir/package, found ${#debs[@]}" >&2
    exit 1
fi
echo "package: $(dpkg-deb -W --showformat='${Package} ${Version} ${Architecture}' "${debs[0]}")"
echo "${debs[0]}"
