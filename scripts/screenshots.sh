#!/usr/bin/env bash
# Regenerates docs/screenshots/ from the desktop UI tests: every screen and overlay the seller sees,
# rendered by the real Compose screens against the real core and server (light, dark, Indonesian),
# the videos ones (07b, 08b, 20-24) with real thumbnails, storyboards and frames rendered by the
# server's ffmpeg from a recording, and the loading state (05a) from a fixed view state. The fonts
# are the desktop build's bundled DejaVu Sans Condensed, so pictures do not depend on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/kotlin-tests.sh
rm -rf docs/screenshots
mkdir -p docs/screenshots
cp android/desktop/target/screenshots/[0-9]*.png docs/screenshots/
ls docs/screenshots
