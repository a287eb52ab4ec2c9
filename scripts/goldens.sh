#!/usr/bin/env bash
# Regenerates the visual regression's goldens in one command: every scene of the desktop GoldenTest
# (android/desktop/src/test/kotlin/.../Scenes.kt: the module's states, a recording's chips, results,
# review, the preview, the clip editor, the settings, from fixed states and the committed fixture
# JPEGs) in every variant — light and dark, English and Indonesian, font scale 1 and 1.3 — written
# to android/desktop/src/test/resources/goldens. CI checks three variants of each (scripts/kotlin-tests.sh).
#   scripts/goldens.sh             write every golden anew (then look at them, and commit)
#   scripts/goldens.sh --check     compare every variant instead (failures: android/desktop/target/goldens)
#   scripts/goldens.sh --fixtures  first render the fixture JPEGs anew with ffmpeg (changes every thumbnail)
# Related: scripts/screenshots.sh (docs/screenshots from the journeys), scripts/bench-desktop.sh (frame time).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=update
fixtures=0
for arg in "$@"; do
  case "$arg" in
    --check) mode=check ;;
    --fixtures) fixtures=1 ;;
    *) echo "usage: scripts/goldens.sh [--check] [--fixtures]" >&2; exit 2 ;;
  esac
done
for tool in mvn java cargo; do
  command -v "$tool" >/dev/null || { echo "goldens: $tool is missing" >&2; exit 1; }
done

res=android/desktop/src/test/resources
if ((fixtures)); then
  command -v ffmpeg >/dev/null || { echo "goldens: ffmpeg is missing (sudo apt-get install ffmpeg)" >&2; exit 1; }
  # Six 9:16 card thumbnails, a clip's storyboard (20 frames, 5 to a row) and three 2-minute strips
  # of a recording (a frame every 5 s), tiled as the server's storyboards are, from ffmpeg's test patterns.
  # The patterns are drawn at each picture's own 9:16 size, as the server's renders frame them.
  i=1
  for spec in testsrc@4 testsrc2@9 testsrc@21 testsrc@33 testsrc2@27 testsrc@47; do
    ffmpeg -v error -y -f lavfi -i "${spec%@*}=s=180x320:r=25:d=60" -ss "${spec#*@}" -frames:v 1 -q:v 5 "$res/fixtures/thumb-$i.jpg"
    i=$((i + 1))
  done
  ffmpeg -v error -y -f lavfi -i "testsrc=s=90x160:r=25:d=20" -vf "fps=1,tile=5x4" -frames:v 1 -q:v 14 "$res/fixtures/clip-storyboard.jpg"
  for s in 0 1 2; do
    ffmpeg -v error -y -f lavfi -i "testsrc=s=90x160:r=5:d=360" -ss $((s * 120)) -t 120 -vf "fps=0.2,tile=24x1" -frames:v 1 -q:v 14 "$res/fixtures/strip-$s.jpg"
  done
fi

# The screens compile against the generated bindings (no core call is made by the golden scenes).
cargo build -p highlights-ffi --locked
out=android/target/generated-sources/uniffi
rm -rf "$out"
cargo run -q -p uniffi-bindgen --locked -- generate --library target/debug/libhighlights_ffi.so \
  --language kotlin --no-format --out-dir "$out"

cd android/desktop
if [[ "$mode" == update ]]; then
  # Stale goldens (a scene renamed or dropped) go too: the run writes every one that exists.
  rm -f src/test/resources/goldens/*.png
  mvn -B -ntp clean test -Dtest=GoldenTest -Dhighlights.goldens.update=true
  echo "goldens: $(ls src/test/resources/goldens/*.png | wc -l) pictures in android/desktop/src/test/resources/goldens ($(du -sh src/test/resources/goldens | cut -f1))"
else
  mvn -B -ntp clean test -Dtest=GoldenTest -Dhighlights.goldens=all
fi
