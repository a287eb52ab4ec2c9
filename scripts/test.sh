#!/usr/bin/env bash
# The project's test command: formatting, lints, then every test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo test"
cargo test --workspace --locked
echo "== API abuse: schemathesis against the OpenAPI document (fast slice)"
bash scripts/abuse.sh
echo "== Kotlin shell (JVM, through JNA against the real server)"
bash scripts/kotlin-tests.sh
echo "== Swift shell"
bash scripts/swift-checks.sh
