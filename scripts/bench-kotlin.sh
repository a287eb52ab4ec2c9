#!/usr/bin/env bash
# Kotlin → core call cost and a page of 50 highlights, through JNA against a release build; and
# full and idle sync of 1,000 recordings / 20,000 highlights over the library's own stack and over
# the phone's (OkHttp), in one run.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p highlights-ffi -p highlights-server --locked
cargo build --release -p highlights-e2e --bin fault_proxy --bin big_backend --locked
out=android/target/generated-sources/uniffi
rm -rf "$out"
cargo run -q --release -p uniffi-bindgen --locked -- generate --library target/release/libhighlights_ffi.so \
  --language kotlin --no-format --out-dir "$out"
(cd android && mvn -B -ntp test -Dgroups=bench -DexcludedGroups=none -Drust.target.dir="$PWD/../target/release") | grep -E "kotlin bench|Tests run:"
