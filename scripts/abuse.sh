#!/usr/bin/env bash
# API abuse: schemathesis (from PyPI) against the server's own OpenAPI document, with a real
# seller token. Fails on any 5xx or any answer that breaks the document (status code, content
# type, headers, body schema). MAX_EXAMPLES sets the depth (CI: a fast slice; full run: 500).
#
# Two of schemathesis' checks are left out on purpose: `positive_data_acceptance` flags the 422
# this API must give when one Idempotency-Key is reused for a different request (schemathesis
# reuses header values), and `negative_data_rejection` flags query values its HTTP client drops
# before sending. Both are covered by our own tests instead (server/tests/http.rs, fuzz.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
max=${MAX_EXAMPLES:-25}

venv=target/schemathesis-venv
if [[ ! -x $venv/bin/schemathesis ]]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "schemathesis>=4,<5"
fi
cargo build -p highlights-server --locked
data=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
./target/debug/highlights-server serve --addr "127.0.0.1:$port" --data "$data" 2>"$data/server.log" &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
token=$(./target/debug/highlights-server admin --data "$data" create-seller abuse-seller)
service=$(./target/debug/highlights-server admin --data "$data" service-token)
run() {
  "$venv/bin/schemathesis" run "http://127.0.0.1:$port/openapi.json" \
    --checks all --exclude-checks positive_data_acceptance,negative_data_rejection \
    --max-examples "$max" --seed 1 --no-color "$@"
}
# Every operation as a seller, then ingestion as the streaming service.
run -H "Authorization: Bearer $token"
run -H "Authorization: Bearer $service" --include-path /v1/ingest/events
if grep -q "panicked" "$data/server.log"; then
  echo "abuse: the server panicked" >&2
  exit 1
fi
echo "abuse: 0 server errors, 0 schema violations (max-examples $max)"
