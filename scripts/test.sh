#!/usr/bin/env bash
# The project's test command: formatting, lints, then every suite. Every suite runs even after one
# fails, and the closing line counts what really passed, failed and was skipped.
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT

failed_suites=()
suite() {
  local name=$1
  shift
  echo "== $name"
  if ! "$@" 2>&1 | tee -a "$log"; then
    failed_suites+=("$name")
  fi
}

suite "cargo fmt --check" cargo fmt --all -- --check
suite "architecture: no import cycles, SQL only in the stores, contract types on the wire" bash scripts/architecture.sh
suite "cargo clippy -D warnings" cargo clippy --workspace --all-targets --locked -- -D warnings
suite "the phone's library: built and linted without a network stack of its own" cargo clippy -p highlights-ffi --no-default-features --lib --locked -- -D warnings
if ! command -v ffmpeg >/dev/null; then
  echo "SKIPPED: media suite and render benchmark (no ffmpeg here: sudo apt-get install ffmpeg)" | tee -a "$log"
fi
command -v espeak-ng >/dev/null || echo "SKIPPED: snapping speech tests (no espeak-ng here: sudo apt-get install espeak-ng)" | tee -a "$log"
command -v pocketsphinx_continuous >/dev/null && [[ -d /usr/share/pocketsphinx/test/data/librivox ]] ||
  echo "SKIPPED: speech recognition suite (no PocketSphinx here: sudo apt-get install pocketsphinx pocketsphinx-en-us pocketsphinx-testdata)" | tee -a "$log"
suite "cargo test" cargo test --workspace --locked
suite "distributed mode: NATS JetStream, 2 API servers, 3 workers, one of each SIGKILLed mid-LIVE" bash scripts/cluster-test.sh
suite "media on an S3-compatible object store (s3s-fs, a real S3 server, on loopback)" bash scripts/s3-test.sh
suite "API abuse: schemathesis against the OpenAPI document (fast slice)" bash scripts/abuse.sh
suite "Kotlin shell (JVM library and desktop screens, through JNA against the real server)" bash scripts/kotlin-tests.sh
if command -v jpackage >/dev/null && command -v jlink >/dev/null; then
  suite "PC app packaging dry run (jlink runtime, jpackage app image, its launcher's self-check)" bash scripts/package-desktop.sh --dry-run
else
  echo "SKIPPED: PC app packaging dry run (no jpackage/jlink here: sudo apt-get install openjdk-17-jdk-headless)" | tee -a "$log"
fi
suite "Swift shell" bash scripts/swift-checks.sh

# cargo: one "test result" line per test binary; ignored tests count as skipped.
read -r cargo_passed cargo_failed cargo_skipped < <(
  grep -oE 'test result: [A-Za-z]+\. [0-9]+ passed; [0-9]+ failed; [0-9]+ ignored' "$log" |
    awk '{p+=$4; f+=$6; i+=$8} END {print p+0, f+0, i+0}'
)
# Surefire: the closing "Tests run" summary of each Maven run (JVM library, desktop screens), summed.
read -r jvm_run jvm_failed jvm_skipped < <(
  grep -E '^\[(INFO|ERROR|WARNING)\] Tests run: [0-9]+, Failures: [0-9]+, Errors: [0-9]+, Skipped: [0-9]+$' "$log" |
    sed -E 's/[^0-9]+/ /g' | awk '{r+=$1; f+=$2+$3; s+=$4} END {print r+0, f+0, s+0}'
)
skipped_suites=$(grep -c '^SKIPPED: ' "$log" || true)
passed=$((cargo_passed + jvm_run - jvm_failed - jvm_skipped))
failed=$((cargo_failed + jvm_failed))
skipped=$((cargo_skipped + jvm_skipped))
grep '^SKIPPED: ' "$log" | sort -u
echo "all suites: $passed passed, $failed failed, $skipped skipped; $skipped_suites suite(s) skipped whole; ${#failed_suites[@]} suite(s) failed${failed_suites[*]:+: ${failed_suites[*]}}"
[[ ${#failed_suites[@]} -eq 0 && $failed -eq 0 ]]
