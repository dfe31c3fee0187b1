#!/usr/bin/env bash
# Builds an AppImage from the same install rules as the .deb. Not run by CI: it needs linuxdeploy and its Qt
# plugin from the network:
#   https://github.com/linuxdeploy/linuxdeploy/releases (linuxdeploy-x86_64.AppImage)
#   https://github.com/linuxdeploy/linuxdeploy-plugin-qt/releases (linuxdeploy-plugin-qt-x86_64.AppImage)
# Put both on PATH (chmod +x), then from the repository root: packaging/appimage/build-appimage.sh
# Output: build/appimage/Sluice-VERSION-x86_64.AppImage. Build on the oldest distribution you want to support
# (the AppImage uses that glibc).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
out="$root/build/appimage"
appdir="$out/AppDir"

for tool in linuxdeploy-x86_64.AppImage linuxdeploy-plugin-qt-x86_64.AppImage; do
    command -v "$tool" >/dev/null 2>&1 || { echo "build-appimage: $tool is not on PATH (see the top of this script)" >&2; exit 1; }
done

cmake --preset release
cmake --build --preset release --target sluice sluice_packaging
rm -rf "$appdir"
DESTDIR="$appdir" cmake --install build/release --prefix /usr

# Qt's SQLite driver is loaded at run time: name it so the Qt plugin bundles it; the Wayland platform too.
export EXTRA_QT_PLUGINS="sqldrivers;iconengines;imageformats"
export EXTRA_PLATFORM_PLUGINS="libqwayland-generic.so"
export QMAKE="${QMAKE:-$(command -v qmake6 || echo /usr/lib/qt6/bin/qmake)}"
export VERSION
VERSION="$("$appdir/usr/bin/sluice" --version | cut -d' ' -f2)"
cd "$out"
linuxdeploy-x86_64.AppImage --appdir "$appdir" --plugin qt --output appimage \
    --desktop-file "$appdir/usr/share/applications/app.sluice.Sluice.desktop" \
    --icon-file "$appdir/usr/share/icons/hicolor/256x256/apps/app.sluice.Sluice.png"
ls -1 "$out"/Sluice-*.AppImage
