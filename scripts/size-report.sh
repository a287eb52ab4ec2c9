#!/usr/bin/env bash
# Where the phone's core library goes: builds highlights-ffi with the mobile profile as phones
# get it (without the core's own network stack: the shell gives the platform's), attributes its code to crates with cargo-bloat (`cargo install
# cargo-bloat --locked`; under LTO the split is cargo-bloat's estimate), lists the stripped file's
# sections, and writes both to docs/size.md with the commit (docs/size-before.md keeps the state
# before issue 31's cut, with the built-in stack). A minute or two on 2 cores; not in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo-bloat >/dev/null || { echo "size-report: cargo-bloat is missing (cargo install cargo-bloat --locked)" >&2; exit 1; }
crates=$(cargo bloat --profile mobile -p highlights-ffi --no-default-features --lib --crates -n 30 2>/dev/null)
lib=$(mktemp)
trap 'rm -f "$lib"' EXIT
cp target/mobile/libhighlights_ffi.so "$lib"
strip --strip-all "$lib"
sections=$(size -A "$lib" | awk 'NR > 2 && $2 > 0 && $1 != "Total" { printf "| %s | %.1f |\n", $1, $2 / 1024 }' | sort -t'|' -k3 -n -r | head -12)
total=$(stat -c %s "$lib")
{
  echo "# Where the core library's bytes go"
  echo
  echo "Written by \`scripts/size-report.sh\` on $(date -u +%F), commit $(git rev-parse --short HEAD), for the mobile profile"
  echo "(LTO, one codegen unit, \`opt-level = \"z\"\`, unwinding panics) on $(uname -m): the library a phone downloads,"
  echo "$(python3 -c "print(f'{$total / 1e6:.2f}')") MB stripped, built without the core's own network stack (\`--no-default-features\`:"
  echo "the shell gives the platform's transport). The goal is at most 3 MB; [size-before.md](size-before.md) is the"
  echo "state before the cut, with reqwest and rustls inside."
  echo
  echo "## Code by crate (cargo-bloat's estimate; \`[Unknown]\` is mostly C: SQLite's amalgamation)"
  echo
  echo '```'
  echo "$crates"
  echo '```'
  echo
  echo "## Sections of the stripped file"
  echo
  echo "| section | KiB |"
  echo "|---|---|"
  echo "$sections"
  echo
  echo "Besides code, unwinding (\`.eh_frame\`, \`.eh_frame_hdr\`, \`.gcc_except_table\`) costs about a fifth of the file:"
  echo "the price of \`panic = \"unwind\"\`, which turns a panic into an error at the FFI instead of a crash (kept)."
} >docs/size.md
cat docs/size.md
