#!/usr/bin/env bash
# API abuse. First the attacks of scripts/attacks.py (token guessing, floods, one address holding
# every connection, times from the end of time, key squatting, oversized heads, slow readers of a
# large video) against a server with its shipped limits, each printed with its answer and the
# server's peak RSS. Then schemathesis (from PyPI) against the server's own OpenAPI document, with
# a real seller token, on a server started with --replaying (no rate limits, so the fuzzer reaches
# the handlers instead of the 429s) and seeded through the API by scripts/seed.py, whose config
# points each operation at ids that exist and fails the run on an operation that answers only 401,
# 403 or 404 under its own token. The stateful phase follows the document's links. Fails on any
# 5xx or any answer that breaks the document (status code, content type, headers, body schema).
# MAX_EXAMPLES sets the depth (CI: a fast slice; full run: 500).
#
# Three of schemathesis' checks are left out on purpose: `positive_data_acceptance` flags the 422
# this API must give when one Idempotency-Key is reused for a different request (schemathesis
# reuses header values), `negative_data_rejection` flags query values its HTTP client drops
# before sending, and `use_after_free` reads `DELETE /v1/lives/{id}/highlights` (take a LIVE's
# auto-posts down) as deleting the list at that path, which still lists the videos the seller made,
# as it must. All three are covered by our own tests instead (server/tests/http.rs, fuzz.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
max=${MAX_EXAMPLES:-25}
# --publish writes the attacks' answers to docs/attacks.md.
report=()
[[ ${1:-} == --publish ]] && report=(docs/attacks.md)

venv=target/schemathesis-venv
if [[ ! -x $venv/bin/schemathesis ]]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "schemathesis>=4,<5"
fi
cargo build -p highlights-server -p highlights-demo --locked
data=$(mktemp -d)
servers=()
trap 'kill "${servers[@]}" 2>/dev/null; rm -rf "$data"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# Starts a server on a free port with the given flags; sets $port and $dir.
start_server() {
  port=$(free_port)
  dir=$(mktemp -d -p "$data")
  ./target/debug/highlights-server serve --addr "127.0.0.1:$port" --data "$dir" "$@" 2>"$dir/server.log" &
  servers+=($!)
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
}

start_server
token=$(./target/debug/highlights-server admin --data "$dir" create-seller attack-seller)
service=$(./target/debug/highlights-server admin --data "$dir" service-token)
python3 scripts/attacks.py "http://127.0.0.1:$port" "${servers[-1]}" "$dir" "$service" attack-seller "$token" "${report[@]}"

start_server --replaying
token=$(./target/debug/highlights-server admin --data "$dir" create-seller abuse-seller)
service=$(./target/debug/highlights-server admin --data "$dir" service-token)
# A seller after a LIVE, made through the API: the operations' ids name what it made, and an
# operation answering only 401, 403 or 404 under its own token fails the run (seed.py).
./target/debug/highlights-demo export-sample --start-ms 1793491200000 --out "$data/sample.jsonl"
python3 scripts/seed.py "http://127.0.0.1:$port" "$service" abuse-seller "$token" "$data/sample.jsonl" "$data/schemathesis.toml"
run() {
  "$venv/bin/schemathesis" --config-file "$data/schemathesis.toml" run "http://127.0.0.1:$port/openapi.json" \
    --checks all --exclude-checks positive_data_acceptance,negative_data_rejection,use_after_free \
    --max-examples "$max" --seed 1 --no-color "$@"
}
# Every seller operation with the seller's token, then every ingestion operation with the service's.
run -H "Authorization: Bearer $token" --exclude-path-regex '^/v1/ingest/'
# Ingestion has no links between its operations: no stateful phase there.
run -H "Authorization: Bearer $service" --include-path-regex '^/v1/ingest/' --phases examples,coverage,fuzzing
if grep -rq "panicked" "$data"/*/server.log; then
  echo "abuse: the server panicked" >&2
  exit 1
fi
echo "abuse: 0 server errors, 0 schema violations (max-examples $max)"
