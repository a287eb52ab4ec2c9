#!/usr/bin/env bash
# Reliability and security suites. Without arguments: the fast slice CI runs (also part of
# scripts/test.sh). With --full: the full runs whose figures docs/reliability.md quotes.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" == --full ]]; then
  export CRASH_KILLS=${CRASH_KILLS:-1000} FAULT_RESPONSES=${FAULT_RESPONSES:-10000} FUZZ_CASES=${FUZZ_CASES:-5000}
  export MAX_EXAMPLES=${MAX_EXAMPLES:-500}
  profile=(--release)
else
  profile=()
fi
run() { cargo test "${profile[@]}" --locked "$@" -- --nocapture 2>&1 | grep -E "crash test|fault soak|test result|panicked|FAILED|failures:" ; }

echo "== crash safety (SIGKILL): core and server"
run -p highlights-e2e --test crash
echo "== fault injection through the proxy"
run -p highlights-e2e --test fault_soak --test faults
echo "== fuzzing every decoder of outside input (proptest)"
run -p highlights-core --test fuzz
run -p highlights-engine --test fuzz
run -p highlights-server --test fuzz
echo "== API abuse: cross-seller isolation, token secrecy, concurrency"
run -p highlights-server --test isolation --test http
run -p highlights-e2e --test secrets
run -p highlights-server --test engine
echo "== API abuse: schemathesis against the OpenAPI document"
bash scripts/abuse.sh | tail -3
