#!/usr/bin/env bash
# Regenerates docs/screenshots/ from the desktop UI tests: every screen and overlay the seller sees,
# rendered by the real Compose screens against the real core and server (light, dark, Indonesian),
# the videos ones (07b, 08b, 20-24) with real thumbnails, storyboards and frames rendered by the
# server's ffmpeg from a recording, and the loading state (05a) from a fixed view state. The fonts
# are the desktop build's bundled DejaVu Sans Condensed, so pictures do not depend on the machine.
# Every screen state in every variant (light and dark, English and Indonesian, font scale 1 and 1.3)
# is the visual regression's golden set instead, from fixed states: scripts/goldens.sh writes it to
# android/desktop/src/test/resources/goldens, listed at the end here. Frame time: scripts/bench-desktop.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/kotlin-tests.sh
rm -rf docs/screenshots
mkdir -p docs/screenshots
cp android/desktop/target/screenshots/[0-9]*.png docs/screenshots/
ls docs/screenshots
goldens=android/desktop/src/test/resources/goldens
echo "goldens (scripts/goldens.sh): $(ls "$goldens"/*.png 2>/dev/null | wc -l) pictures in $goldens"
ls "$goldens" | sed -E 's/-(light|dark)-.*//' | sort -u | tr '\n' ' '
echo
