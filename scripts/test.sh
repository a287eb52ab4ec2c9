#!/usr/bin/env bash
# The project's test command: formatting, lints, then every test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo test"
cargo test --workspace --locked 2>&1 | tee -a "$log"
echo "== API abuse: schemathesis against the OpenAPI document (fast slice)"
bash scripts/abuse.sh
echo "== Kotlin shell (JVM, through JNA against the real server)"
bash scripts/kotlin-tests.sh 2>&1 | tee -a "$log"
echo "== Swift shell"
bash scripts/swift-checks.sh

# One closing line for the whole run: cargo's and Surefire's counts added up.
passed=$(grep -oE 'test result: ok\. [0-9]+ passed' "$log" | awk '{s+=$4} END {print s+0}')
surefire=$(grep -E '^\[INFO\] Tests run: [0-9]+, Failures: 0, Errors: 0, Skipped: [0-9]+$' "$log" | tail -1 | grep -oE 'Tests run: [0-9]+' | awk '{print $3}')
echo "all suites: $((passed + ${surefire:-0})) passed, 0 failed"
