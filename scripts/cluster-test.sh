#!/usr/bin/env bash
# The distributed mode end to end. Starts PostgreSQL and NATS JetStream on loopback (free ports,
# temporary directories), then:
#  1. the server's API suites against PostgreSQL (every test server on a fresh database);
#  2. the cluster test: two API servers and three workers of the real binary over NATS and
#     PostgreSQL, 50 LIVEs of 10 stream-minutes, a worker and an API server SIGKILLed mid-LIVE and
#     restarted; nothing lost or counted twice, highlights equal to the single-process run's.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/cluster-env.sh

cargo build -p highlights-server --locked
export HIGHLIGHTS_SERVER=$PWD/target/debug/highlights-server
cargo test -p highlights-server --locked --test http --test results --test isolation --test engine --test silence \
  --test fuzz --test media --test concurrency --test tls --test snapping --test speech --test log_retention \
  --test cleanup --test quota --test learning
cargo test -p highlights-e2e --locked --test cluster -- --ignored --nocapture --test-threads=1 --skip cluster_throughput
