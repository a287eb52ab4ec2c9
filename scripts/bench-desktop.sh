#!/usr/bin/env bash
# Desktop frame time: a page of 50 highlight cards (android/desktop FrameBenchTest, tagged "bench",
# left out of the default test run), warm, scrolled by the wheel with its countdowns ticking, with
# every thumbnail cached and then without thumbnails, in the same run; prints one line:
#   module page of 50 cards: p50 X ms, p95 Y ms per frame with cached thumbnails; without thumbnails p50 A ms, p95 B ms; ratio R (goal <= 16 ms)
# (R = cached p50 / uncached p50). Related: scripts/bench-kotlin.sh (core call cost), scripts/goldens.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
# The screens compile against the generated bindings; the bench itself calls no core.
cargo build -p highlights-ffi --locked
out=android/target/generated-sources/uniffi
rm -rf "$out"
cargo run -q -p uniffi-bindgen --locked -- generate --library target/debug/libhighlights_ffi.so \
  --language kotlin --no-format --out-dir "$out"
(cd android/desktop && mvn -B -ntp clean test -Dtest=FrameBenchTest -Dgroups=bench -DexcludedGroups=none) | sed "s/\x1b\[[0-9;]*m//g" | grep -E "module page of 50 cards|Tests run:|FAIL|ERROR"
