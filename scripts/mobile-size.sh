#!/usr/bin/env bash
# Size of the core library a phone downloads: builds highlights-ffi with the mobile profile (LTO,
# one codegen unit, size-optimised) and with the plain release profile, strips both as packaging
# does, and prints them with the ratio. Goal: at most 3 MB. Heavy (whole-program LTO): not in CI.
# Host target by default; TARGET=aarch64-linux-android (with a linker for it) measures a phone ABI.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${TARGET:-}
size_of() { # profile → stripped bytes
  local profile=$1 dir=target
  local args=(build -q --locked -p highlights-ffi --profile "$profile")
  if [[ -n $target ]]; then
    args+=(--target "$target")
    dir=target/$target
  fi
  cargo "${args[@]}"
  local out
  out=$(mktemp)
  cp "$dir/$profile/libhighlights_ffi.so" "$out"
  strip --strip-all "$out"
  stat -c %s "$out"
  rm -f "$out"
}
release=$(size_of release)
mobile=$(size_of mobile)
python3 - "$release" "$mobile" <<'PY'
import sys
release, mobile = (int(x) / 1e6 for x in sys.argv[1:])
verdict = "met" if mobile <= 3.0 else "NOT met"
print(f"core library, stripped: release profile {release:.2f} MB, mobile profile {mobile:.2f} MB "
      f"({mobile / release:.2f}x the release build; goal at most 3 MB: {verdict})")
PY
