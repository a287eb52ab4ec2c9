#!/usr/bin/env bash
# Where the distributed mode's CPU goes: perf samples one worker and one API server during the
# cluster benchmark's 1-worker run (release build, PostgreSQL and NATS on loopback as in
# scripts/cluster-bench.sh) and writes the top functions by own time, the time per crate, and our
# functions by time including what they call into the LABEL section of docs/event-path-profile.md.
# Usage: scripts/cluster-profile.sh LABEL (e.g. before, after). Needs perf (Debian's linux-perf);
# not part of CI. The profiler's own cost makes this run slower than the published benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
label=${1:?usage: scripts/cluster-profile.sh LABEL}
command -v perf >/dev/null || { echo "perf not found (apt-get install linux-perf)" >&2; exit 1; }
source scripts/cluster-env.sh
cargo build --release -p highlights-server --locked
export HIGHLIGHTS_SERVER=$PWD/target/release/highlights-server
out=$PWD/target/profile/$label
rm -rf "$out" && mkdir -p "$out"
HIGHLIGHTS_PROFILE_DIR=$out cargo test --release -p highlights-e2e --locked --test cluster cluster_throughput \
  -- --ignored --nocapture | tee "$out/bench.txt"
for who in worker api; do
  perf report -i "$out/$who.data" --no-children --stdio --sort dso,symbol -g none --percent-limit 0 2>/dev/null \
    >"$out/$who-self.txt"
  perf report -i "$out/$who.data" --children --stdio --sort symbol -g none --percent-limit 2 2>/dev/null \
    >"$out/$who-children.txt"
done
python3 scripts/profile-report.py "$label" "$out" "$(git rev-parse --short HEAD)" docs/event-path-profile.md
echo "profile: docs/event-path-profile.md ($label)"
