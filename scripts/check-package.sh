#!/usr/bin/env bash
# Checks a Sluice .deb the way CI does: scripts/check-package.sh PATH/TO/sluice_VERSION_ARCH.deb
#   1. desktop-file-validate on its .desktop files, appstreamcli validate --no-net on its metainfo,
#      lintian with no errors (the warnings it may list are justified in packaging/README.md);
#   2. installs it with apt-get install ./FILE.deb, runs `sluice --version` and a headless smoke request
#      (GET /health and an authenticated GET /v1/models) from /usr/bin/sluice, and checks the installed files;
#   3. purges it and checks nothing of it is left.
# Needs root (or sudo) for apt-get. Exits 0 when everything passed; prints "check-package: FAILED: ..." otherwise.
set -euo pipefail

deb="${1:?usage: scripts/check-package.sh FILE.deb}"
deb="$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")"
[ -f "$deb" ] || { echo "check-package: FAILED: $deb does not exist" >&2; exit 1; }

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    sudo=(sudo)
fi
work="$(mktemp -d)"
server_pid=""
installed=0
cleanup() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [ "$installed" -eq 1 ]; then
        DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get purge -y -qq sluice >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
fail() {
    echo "check-package: FAILED: $*" >&2
    exit 1
}
step() { echo "check-package: $*"; }

step "checking $(basename "$deb")"
name="$(dpkg-deb -f "$deb" Package)"
version="$(dpkg-deb -f "$deb" Version)"
arch="$(dpkg-deb -f "$deb" Architecture)"
[ "$(basename "$deb")" = "${name}_${version}_${arch}.deb" ] || fail "the file name is not ${name}_${version}_${arch}.deb"

# 1. Validators, on the files as packaged.
dpkg-deb -x "$deb" "$work/root"
for desktop in "$work/root/usr/share/applications/"*.desktop "$work/root/usr/share/sluice/autostart/"*.desktop; do
    out="$(desktop-file-validate "$desktop" 2>&1)" || { echo "$out" >&2; fail "desktop-file-validate ${desktop#"$work"/root}"; }
    [ -z "$out" ] || echo "$out"
done
step "desktop-file-validate: passed"
appstreamcli validate --no-net --explain "$work/root/usr/share/metainfo/"*.metainfo.xml \
    || fail "appstreamcli validate --no-net"
step "appstreamcli validate --no-net: passed"
# lintian refuses nothing as root but says so on stderr; --fail-on error makes only errors fail.
lintian_out="$(lintian --fail-on error --display-info "$deb" 2>&1 \
    | grep -v 'running with root privileges')" || { echo "$lintian_out" >&2; fail "lintian reported errors"; }
if [ -n "$lintian_out" ]; then
    echo "$lintian_out"
fi
step "lintian: no errors ($(printf '%s\n' "$lintian_out" | grep -c '^W:' || true) warnings, \
$(printf '%s\n' "$lintian_out" | grep -c '^I:' || true) infos; see packaging/README.md)"
# What a docker-style dpkg path-exclude may leave out when installing, checked in the package itself.
for file in usr/share/man/man1/sluice.1.gz usr/share/doc/sluice/copyright usr/share/doc/sluice/changelog.gz \
    usr/share/doc/sluice/genai-prices/LICENSE; do
    [ -f "$work/root/$file" ] || fail "the package has no /$file"
done
man_warnings="$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$work/root/usr/share/man/man1/sluice.1.gz" 2>&1 >/dev/null)" \
    || fail "man sluice does not render"
[ -z "$man_warnings" ] || { echo "$man_warnings" >&2; fail "man sluice renders with warnings"; }
step "man page and /usr/share/doc/sluice: present, the man page renders without warnings"
if [ ! -f "$work/root/usr/share/doc/sluice/LICENSE" ]; then
    echo "check-package: warning: the project has no LICENSE yet; the package's copyright file says so" >&2
fi

# 2. Install, run, smoke request.
if dpkg-query -W -f='${Status}' sluice 2>/dev/null | grep -q 'install ok installed'; then
    fail "a sluice package is already installed; remove it first (apt-get purge sluice)"
fi
step "apt-get install $(basename "$deb")"
installed=1
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "$deb" </dev/null >"$work/apt.log" 2>&1 \
    || { cat "$work/apt.log" >&2; fail "apt-get install"; }
for file in /usr/bin/sluice /usr/share/applications/app.sluice.Sluice.desktop \
    /usr/share/icons/hicolor/scalable/apps/app.sluice.Sluice.svg /usr/share/icons/hicolor/48x48/apps/app.sluice.Sluice.png \
    /usr/share/metainfo/app.sluice.Sluice.metainfo.xml /usr/share/sluice/autostart/app.sluice.Sluice.desktop \
    /usr/lib/systemd/user/sluice.service; do
    [ -e "$file" ] || fail "$file is not installed"
done
# The menu entry: its Exec is on PATH and its Icon is in the hicolor theme.
icon="$(sed -n 's/^Icon=//p' /usr/share/applications/app.sluice.Sluice.desktop)"
[ -f "/usr/share/icons/hicolor/scalable/apps/$icon.svg" ] && [ -f "/usr/share/icons/hicolor/256x256/apps/$icon.png" ] \
    || fail "the menu entry's icon $icon is not in the hicolor theme"
[ "$(command -v "$(sed -n 's/^Exec=\([^ ]*\).*/\1/p' /usr/share/applications/app.sluice.Sluice.desktop)")" = /usr/bin/sluice ] \
    || fail "the menu entry's Exec is not /usr/bin/sluice"
got_version="$(/usr/bin/sluice --version)"
[ "$got_version" = "sluice ${version%%-*}" ] || fail "sluice --version printed '$got_version'"
step "sluice --version: $got_version"

# The smoke request runs the systemd user unit's own command (ExecStart, plus --port 0) in a throw-away home, so
# it also proves that `sluice --headless` alone finds its config and data folder where the unit expects them.
if command -v systemd-analyze >/dev/null 2>&1; then
    mkdir -m 700 "$work/runtime"
    XDG_RUNTIME_DIR="$work/runtime" systemd-analyze --user verify /usr/lib/systemd/user/sluice.service \
        || fail "systemd-analyze --user verify sluice.service"
    step "systemd-analyze --user verify sluice.service: passed"
fi
read -r -a exec_start < <(sed -n 's/^ExecStart=//p' /usr/lib/systemd/user/sluice.service)
[ "${exec_start[0]}" = /usr/bin/sluice ] || fail "the unit's ExecStart does not run /usr/bin/sluice"
home="$work/home"
mkdir -p "$home/.config/sluice"
token="check-package-$RANDOM$RANDOM"
cat >"$home/.config/sluice/sluice.yaml" <<YAML
providers:
  - name: local
    type: openai
    base_url: http://127.0.0.1:9/v1
    api_key: env:CHECK_PACKAGE_UNUSED_KEY
models:
  - name: smoke-model
    provider: local
tokens:
  - name: smoke
    secret: env:CHECK_PACKAGE_TOKEN
YAML
HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share" \
    CHECK_PACKAGE_TOKEN="$token" CHECK_PACKAGE_UNUSED_KEY=unused \
    "${exec_start[@]}" --port 0 >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
url=""
for _ in $(seq 1 100); do
    url="$(sed -n 's/^Sluice is listening on \(http:[^ ]*\)$/\1/p' "$work/server.out")"
    [ -n "$url" ] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
done
[ -n "$url" ] || { cat "$work/server.out" "$work/server.err" >&2; fail "headless sluice did not start"; }
url="${url%/}"
health="$(curl -fsS "$url/health")" || fail "GET /health"
[[ "$health" == *'"ok"'* ]] || fail "GET /health answered $health"
code="$(curl -s -o /dev/null -w '%{http_code}' "$url/v1/models")"
[ "$code" = 401 ] || fail "GET /v1/models without a token answered $code, not 401"
models="$(curl -fsS -H "Authorization: Bearer $token" "$url/v1/models")" || fail "GET /v1/models with the token"
[[ "$models" == *'"smoke-model"'* ]] || fail "GET /v1/models answered $models"
kill -TERM "$server_pid"
status=0
wait "$server_pid" || status=$?
server_pid=""
[ "$status" -eq 0 ] || { cat "$work/server.err" >&2; fail "sluice exited $status after SIGTERM"; }
[ -f "$home/.local/share/sluice/sluice.db" ] || fail "the request log is not in the default data folder"
step "headless smoke request ($(basename "${exec_start[0]}") ${exec_start[*]:1} --port 0): /health and /v1/models answered, clean exit on SIGTERM"

# Start at login: `sluice autostart on` copies the installed entry into $XDG_CONFIG_HOME/autostart.
autostart_entry="$home/.config/autostart/app.sluice.Sluice.desktop"
HOME="$home" XDG_CONFIG_HOME="$home/.config" /usr/bin/sluice autostart on >/dev/null || fail "sluice autostart on"
cmp -s "$autostart_entry" /usr/share/sluice/autostart/app.sluice.Sluice.desktop \
    || fail "sluice autostart on did not copy the installed entry to $autostart_entry"
HOME="$home" XDG_CONFIG_HOME="$home/.config" /usr/bin/sluice autostart status >/dev/null || fail "autostart status is not on"
HOME="$home" XDG_CONFIG_HOME="$home/.config" /usr/bin/sluice autostart off >/dev/null || fail "sluice autostart off"
[ ! -e "$autostart_entry" ] || fail "sluice autostart off left $autostart_entry"
step "sluice autostart on/status/off: the installed entry is copied and removed"

# 3. Remove and purge.
step "apt-get purge sluice"
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get purge -y -qq sluice </dev/null >"$work/apt.log" 2>&1 \
    || { cat "$work/apt.log" >&2; fail "apt-get purge"; }
installed=0
if dpkg-query -W -f='${Status}' sluice 2>/dev/null | grep -q 'installed'; then
    fail "sluice is still installed after purge"
fi
while IFS= read -r path; do
    path="${path#.}"
    if [ -f "$path" ] || [ -L "$path" ]; then
        fail "$path is left after purge"
    fi
done < <(dpkg-deb -c "$deb" | awk '{print $6}')
step "removed cleanly"
step "passed"
