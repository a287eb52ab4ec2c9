#!/usr/bin/env bash
# Kotlin shell, JVM side: generate the desktop bindings from the host-built library, then compile
# bindings + wrapper with Maven and run the JVM tests through JNA against the real server; then
# compile the Android app's Compose screens for the desktop and run the seller's UI journeys
# headless (screenshots in android/desktop/target/screenshots).
# Extra arguments go to the library's Maven run (e.g. -Dgroups=bench -DexcludedGroups=none for the
# call-cost bench).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v mvn >/dev/null || ! command -v java >/dev/null; then
  echo "SKIPPED: Kotlin JVM tests (no mvn/java on this machine)"
  exit 0
fi
cargo build -p highlights-ffi -p highlights-server --locked
cargo build -p highlights-e2e --bin fault_proxy --locked
out=android/target/generated-sources/uniffi
rm -rf "$out"
cargo run -q -p uniffi-bindgen --locked -- generate --library target/debug/libhighlights_ffi.so \
  --language kotlin --no-format --out-dir "$out"
# The app's variant (android=true) must generate too, even where it cannot be compiled.
cargo run -q -p uniffi-bindgen --locked -- generate --library target/debug/libhighlights_ffi.so \
  --language kotlin --no-format --config bindings/uniffi-android.toml --out-dir android/target/generated-android
grep -q "android" android/target/generated-android/uniffi/highlights_ffi/highlights_ffi.kt
echo "SKIPPED: Android Gradle build (no Android SDK here; its android=true bindings generated and checked)"
(cd android && mvn -B -ntp test "$@")
# clean: the Kotlin Maven plugin's incremental build keeps stale callers of changed screen functions.
# A UI journey drives a real window on a shared machine: a failed UI test is run again (up to
# twice) and Surefire reports it as a flake, never as a pass it did not earn on its first try.
(cd android/desktop && mvn -B -ntp clean test -Dsurefire.rerunFailingTestsCount=2)
