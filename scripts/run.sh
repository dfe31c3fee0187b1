#!/usr/bin/env bash
# Installs what is missing, builds (dev preset) and starts Sluice; arguments go to sluice.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" dev
exec "$root/build/dev/app/sluice" "$@"
