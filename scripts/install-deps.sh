#!/usr/bin/env bash
# Installs the Debian (bookworm) packages Sluice needs to build, test and run; does nothing when all are present.
set -euo pipefail

packages=(
    cmake ninja-build g++ pkg-config
    qt6-base-dev qt6-charts-dev qt6-svg-dev libqt6sql6-sqlite qtkeychain-qt6-dev
    libhttp-parser-dev libyaml-cpp-dev zlib1g-dev libre2-dev libgl-dev
    # the translated stream paths read OpenAI chat chunks with simdjson (core/api/OpenAiChatChunkReader)
    libsimdjson-dev
    # metrics (prometheus-cpp's core); the telemetry tests check with promtool and read protobuf back with protoc
    prometheus-cpp-dev prometheus protobuf-compiler
    xvfb xauth dbus dbus-x11 gnome-keyring libsecret-tools
    clang-format clang-format-14 wrk sqlite3
    # the PostgreSQL store (docs/team.md): Qt's driver, libpq's headers (the log writer's COPY), and the server its
    # tests start a throw-away cluster of
    libqt6sql6-psql libpq-dev postgresql
    # fuzzing and sanitizers (scripts/fuzz.sh, scripts/sanitize.sh): clang 14 with libFuzzer and the sanitizer runtimes
    clang-14 libclang-rt-14-dev llvm-14
    # packaging (scripts/package.sh, scripts/check-package.sh): CPack's DEB generator, the validators, the smoke test
    dpkg-dev fakeroot file desktop-file-utils appstream lintian man-db curl
)
# Node may come from elsewhere (e.g. a newer release); Debian's is only the fallback.
if ! command -v node >/dev/null 2>&1; then
    packages+=(nodejs npm)
fi

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$package")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    echo "install-deps: all ${#packages[@]} packages are installed"
    exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "install-deps: missing packages (${missing[*]}) and not root; run as root or install sudo" >&2
        exit 1
    fi
    sudo=(sudo)
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq "${missing[@]}" </dev/null
