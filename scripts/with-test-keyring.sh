#!/bin/sh
# Runs a command against a throw-away, unlocked Secret Service (gnome-keyring) on a private D-Bus session, so
# tests exercise a real keychain without touching the user's own. Usage: scripts/with-test-keyring.sh CMD [ARG...]
# The command's exit status is returned; the temporary home and keyring are removed afterwards. The command sees
# SLUICE_TEST_KEYRING=1, which the keychain tests check before touching any keychain.
set -eu

if [ "$#" -eq 0 ]; then
    echo "usage: $0 COMMAND [ARG...]" >&2
    exit 2
fi
for tool in dbus-run-session dbus-send gnome-keyring-daemon; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "$0: '$tool' is not installed (Debian: apt-get install dbus dbus-x11 gnome-keyring)" >&2
        exit 127
    fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sluice-keyring.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$tmp/home/.local/share/keyrings" "$tmp/home/.config" "$tmp/home/.cache" "$tmp/runtime"
chmod 700 "$tmp/runtime"

status=0
env HOME="$tmp/home" \
    XDG_DATA_HOME="$tmp/home/.local/share" \
    XDG_CONFIG_HOME="$tmp/home/.config" \
    XDG_CACHE_HOME="$tmp/home/.cache" \
    XDG_RUNTIME_DIR="$tmp/runtime" \
    SLUICE_TEST_KEYRING=1 \
    dbus-run-session -- sh -c '
        # The password on stdin creates and unlocks the default "login" keyring, so nothing ever prompts.
        printf "%s" "sluice-test" | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null &
        daemon=$!
        tries=0
        until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
                org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "true"; do
            tries=$((tries + 1))
            if [ "$tries" -gt 100 ] || ! kill -0 "$daemon" 2>/dev/null; then
                echo "with-test-keyring: gnome-keyring-daemon did not start a Secret Service" >&2
                exit 1
            fi
            sleep 0.1
        done
        status=0
        "$@" || status=$?
        kill "$daemon" 2>/dev/null || true
        wait "$daemon" 2>/dev/null || true
        exit "$status"
    ' with-test-keyring "$@" || status=$?
exit "$status"
