#!/usr/bin/env bash
# Regenerates the committed PNG icons from their SVG sources (run by hand after changing an SVG; the build never
# renders icons). Needs rsvg-convert (apt-get install librsvg2-bin).
#   - the application icon at 512 px from ui/icons/sluice.svg (16 to 256 px are ui/icons/sluice-N.png, which the
#     install rules rename; the SVG itself is installed as the scalable icon);
#   - the tray icons (hicolor/scalable/status/*.svg, a dark glyph for light panels and a light glyph for dark
#     panels) at the panel sizes 16, 22, 24, 32 and 48 px.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$here/../.."
cd "$here"

mkdir -p hicolor/512x512/apps
rsvg-convert -w 512 -h 512 "$root/ui/icons/sluice.svg" -o hicolor/512x512/apps/app.sluice.Sluice.png
for svg in hicolor/scalable/status/*.svg; do
    name="$(basename "$svg" .svg)"
    for size in 16 22 24 32 48; do
        mkdir -p "hicolor/${size}x${size}/status"
        rsvg-convert -w "$size" -h "$size" "$svg" -o "hicolor/${size}x${size}/status/$name.png"
    done
done
echo "make-icons: PNGs written under $here/hicolor"
