#!/usr/bin/env bash
# Swift shell: generate the Swift bindings from the host-built library, check that the generated C
# headers compile and that the exported API matches ios/api-snapshot.txt, and run `swift test` when
# a Swift toolchain is present (otherwise say so in one line).
# UPDATE_SNAPSHOT=1 rewrites the snapshot after an intended API change.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build -p highlights-ffi -p highlights-server --locked
# The SwiftUI views' string tables come from the Android app's strings.xml; every key the views
# use must be there, in every locale, with the arguments its text takes.
python3 scripts/ios-strings.py --check
# Every public declaration of the hand-written Swift says what it is for (SwiftUI's `body` aside).
undocumented=$(for f in ios/Sources/HighlightsKit/*.swift ios/Sources/HighlightsUI/*.swift; do
  awk -v F="$f" '/^[[:space:]]*(public|open) / && $0 !~ /var body: some View/ && prev !~ /^[[:space:]]*\/\/\// { print F ":" NR ": " $0 }
    $0 !~ /^[[:space:]]*@[A-Za-z]+[[:space:]]*$/ { prev = $0 }' "$f"
done)
if [[ -n "$undocumented" ]]; then
  printf '%s\n' "$undocumented" >&2
  echo "swift: the public declarations above have no /// doc comment" >&2
  exit 1
fi
echo "swift: every public declaration of HighlightsKit and HighlightsUI has a doc comment"
gen=ios/Sources/HighlightsBindings
rm -f "$gen"/*.swift "$gen"/*.h "$gen"/*.modulemap
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cargo run -q -p uniffi-bindgen --locked -- generate --library target/debug/libhighlights_ffi.so \
  --language swift --no-format --out-dir "$tmp"
cp "$tmp"/*.swift "$gen"/

# clang knows the nullability qualifiers Swift's importer relies on; gcc gets them defined away.
if command -v clang >/dev/null; then
  compile=(clang -fsyntax-only -Wall -Werror)
else
  compile=(cc -fsyntax-only -Wall -Werror -D_Nonnull= -D_Nullable= -D_Null_unspecified=)
fi
for h in "$tmp"/*.h; do
  # Included from a translation unit, as Swift's importer and a C caller would.
  printf '#include "%s"\n#include "%s"\n' "$h" "$h" > "$tmp/check.c"
  "${compile[@]}" "$tmp/check.c"
done
echo "swift: generated C headers compile ($(ls "$tmp"/*.h | wc -l) headers)"

# The exported API: every public declaration line of the generated Swift, whitespace-normalised.
snapshot=$(grep -hE '^\s*(public|open) ' "$tmp"/*.swift | sed -E 's/[[:space:]]+/ /g; s/^ //; s/ *[{].*$//; s/ $//' | LC_ALL=C sort)
if [[ "${UPDATE_SNAPSHOT:-}" == 1 ]]; then
  printf '%s\n' "$snapshot" > ios/api-snapshot.txt
  echo "swift: api snapshot updated"
elif ! diff -u ios/api-snapshot.txt <(printf '%s\n' "$snapshot"); then
  echo "swift: the exported API changed; if intended, run UPDATE_SNAPSHOT=1 scripts/swift-checks.sh" >&2
  exit 1
else
  echo "swift: exported API matches ios/api-snapshot.txt ($(wc -l < ios/api-snapshot.txt) declarations)"
fi

if command -v swift >/dev/null && [[ -d ios/Frameworks/HighlightsCoreFFI.xcframework ]]; then
  (cd ios && HIGHLIGHTS_SERVER_BIN="$PWD/../target/debug/highlights-server" swift test)
else
  echo "SKIPPED: swift test (no Swift toolchain or no XCFramework on this machine; run scripts/package-ios.sh on a Mac first)"
fi
