#!/usr/bin/env bash
# Size of the core library a phone downloads, with each transport: built with the mobile profile
# (LTO, one codegen unit, size-optimised) without the core's own network stack (the phone's
# artifact: the shell gives the platform's transport) and with it (reqwest and rustls, as the PC
# app ships), both stripped as packaging does; then the goal's verdict (at most 3 MB for the
# phone's). Heavy (whole-program LTO, twice): not in CI. Where the bytes go, crate by crate:
# scripts/size-report.sh (docs/size.md).
# Host target by default. An Android ABI: with the NDK's clang as the linker (e.g.
# CARGO_TARGET_AARCH64_LINUX_ANDROID_LINKER=$NDK/toolchains/llvm/prebuilt/linux-x86_64/bin/aarch64-linux-android24-clang)
# and `rustup target add aarch64-linux-android`, run TARGET=aarch64-linux-android scripts/mobile-size.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${TARGET:-}
dir=target
target_args=()
if [[ -n $target ]]; then
  target_args=(--target "$target")
  dir=target/$target
fi
size_of() { # cargo feature arguments → stripped bytes of the mobile-profile library
  cargo build -q --locked -p highlights-ffi --profile mobile "${target_args[@]}" "$@"
  local out
  out=$(mktemp)
  cp "$dir/mobile/libhighlights_ffi.so" "$out"
  strip --strip-all "$out"
  stat -c %s "$out"
  rm -f "$out"
}
phone=$(size_of --no-default-features)
pc=$(size_of)
python3 - "$phone" "$pc" <<'PY'
import sys
phone, pc = (int(x) / 1e6 for x in sys.argv[1:])
verdict = "met" if phone <= 3.0 else "NOT met"
print(f"core library, mobile profile, stripped: with the platform's transport (the phone's) {phone:.2f} MB, "
      f"with its own reqwest and rustls {pc:.2f} MB ({pc - phone:.2f} MB for the built-in stack); "
      f"goal for the phone's at most 3 MB: {verdict}")
PY
