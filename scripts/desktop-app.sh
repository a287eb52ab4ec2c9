#!/usr/bin/env bash
# Click through the real screens in a desktop window: runs the demo once to fill a backend with the
# demo seller's LIVE (highlights, recommendations, rendered videos), serves that data on loopback,
# and opens the Android app's Compose screens for the desktop, driven by the real core.
# Needs a display (the UI tests do not). Usage: scripts/desktop-app.sh [--dark] [--locale id]
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]]; then
  echo "desktop-app: no display here (DISPLAY is unset); the headless UI tests are scripts/kotlin-tests.sh" >&2
  exit 1
fi
for tool in mvn java python3; do
  command -v "$tool" >/dev/null || { echo "desktop-app: $tool is missing (sudo apt-get install maven default-jdk python3)" >&2; exit 1; }
done
# The preview plays videos through an ffmpeg process (and the demo renders them with it).
command -v ffmpeg >/dev/null || echo "desktop-app: ffmpeg is missing (sudo apt-get install ffmpeg): no videos, and previews show their frames only" >&2

data=$(mktemp -d -t highlights-desktop-XXXXXX)
cargo build --release -p highlights-demo -p highlights-server -p highlights-ffi --locked
echo "Filling the backend with the demo's LIVE (about 2 minutes)…"
target/release/highlights-demo demo --fast --keep-data "$data" >"$data/demo.log"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
target/release/highlights-server serve --addr "127.0.0.1:$port" --data "$data/server" 2>"$data/server.log" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
# A file, so the token shows in no process list.
umask 077
target/release/highlights-server admin --data "$data/server" seller-token demo-seller >"$data/token"

out=android/target/generated-sources/uniffi
rm -rf "$out"
cargo run -q --release -p uniffi-bindgen --locked -- generate --library target/release/libhighlights_ffi.so \
  --language kotlin --no-format --out-dir "$out"
(cd android/desktop && mvn -B -ntp -q clean compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt)
# A copy, so that a test run cleaning android/desktop/target cannot swap classes under the window.
cp -r android/desktop/target/classes "$data/classes"
java -Djna.library.path=target/release -cp "$data/classes:$(cat android/desktop/target/classpath.txt)" \
  live.highlights.desktop.MainKt --url "http://127.0.0.1:$port" --seller demo-seller --token-file "$data/token" \
  --db "$data/app/desktop.db" "$@"
