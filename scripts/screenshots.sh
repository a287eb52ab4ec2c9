#!/usr/bin/env bash
# Regenerates docs/screenshots/ from the desktop UI tests: every screen and overlay the seller sees,
# rendered by the real Compose screens against the real core and server (light, dark, Indonesian).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/kotlin-tests.sh
rm -rf docs/screenshots
mkdir -p docs/screenshots
cp android/desktop/target/screenshots/[0-9]*.png docs/screenshots/
ls docs/screenshots
