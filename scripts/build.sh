#!/usr/bin/env bash
# Configures and builds Sluice with a CMake preset: scripts/build.sh [dev|ci|release] (default dev).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
preset="${1:-dev}"

cmake --preset "$preset"
cmake --build --preset "$preset" -j "$(nproc)"
