#!/usr/bin/env bash
# The distributed mode's throughput: events per second end to end (sent to the API until stored,
# scored and turned into highlights) with one and with two workers, CPU time per event, and how
# many LIVEs one worker keeps up with in real time. Release build; PostgreSQL and NATS on loopback
# as in scripts/cluster-test.sh. Not part of CI (a few minutes of release build and run).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/cluster-env.sh
cargo build --release -p highlights-server --locked
export HIGHLIGHTS_SERVER=$PWD/target/release/highlights-server
cargo test --release -p highlights-e2e --locked --test cluster cluster_throughput -- --ignored --nocapture
