#!/usr/bin/env bash
# Runs the module-page, sync and engine benchmarks on an earlier commit and on the working tree,
# alternating, in one run on this machine, and prints each figure of this tree as a ratio of the
# earlier one's. Usage: scripts/bench-compare.sh [BASE] (default HEAD~1). ROUNDS=n (default 2)
# repeats both sides and keeps each side's median. Not part of CI: about 20 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:-HEAD~1}
rounds=${ROUNDS:-2}
here=$(pwd)
work=$(mktemp -d)
trap 'git worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git worktree add --detach "$work/base" "$base" >/dev/null
# One target directory for both sides: dependencies build once, each side's crates keep their own.
export CARGO_TARGET_DIR="$here/target"

bench() { # side dir → prints "name value" lines
  local dir=$1 out
  out=$(cd "$dir" && cargo bench -q -p highlights-core --bench module_page -- --warm-up-time 1 --measurement-time 3 2>&1 | grep "module first page" || true)
  echo "module_page_core_us $(sed -nE 's/.*core ([0-9]+) µs.*/\1/p' <<<"$out")"
  echo "module_page_vs_baseline $(sed -nE 's/.*: ([0-9.]+)x.*/\1/p' <<<"$out")"
  out=$(cd "$dir" && cargo bench -q -p highlights-e2e --bench sync 2>&1 || true)
  echo "full_sync_ms $(sed -nE 's/.*median ([0-9]+) ms \(goal.*/\1/p' <<<"$out" | head -1)"
  out=$(cd "$dir" && cargo bench -q -p highlights-engine --bench engine -- --warm-up-time 1 --measurement-time 3 2>&1 || true)
  echo "engine_one_live_Mev_s $(sed -nE 's/.*one 5,000-viewer LIVE: engine ([0-9.]+) M.*/\1/p' <<<"$out" | head -1)"
  echo "engine_10k_lives_Mev_s $(sed -nE 's/.*10,000 concurrent LIVEs: engine ([0-9.]+) M.*/\1/p' <<<"$out" | head -1)"
}

: >"$work/base.txt"
: >"$work/head.txt"
for r in $(seq "$rounds"); do
  echo "== round $r: $base" >&2
  bench "$work/base" >>"$work/base.txt"
  echo "== round $r: working tree" >&2
  bench "$here" >>"$work/head.txt"
done

python3 - "$work/base.txt" "$work/head.txt" "$base" <<'PY'
import statistics, sys
def read(p):
    d = {}
    for line in open(p):
        parts = line.split()
        if len(parts) == 2:
            d.setdefault(parts[0], []).append(float(parts[1]))
    return {k: statistics.median(v) for k, v in d.items()}
base, head, name = read(sys.argv[1]), read(sys.argv[2]), sys.argv[3]
higher_is_better = {"engine_one_live_Mev_s", "engine_10k_lives_Mev_s"}
print(f"{'figure':28} {name:>12} {'this tree':>12} {'ratio':>7}  (ratio > 1 is better)")
for k in base:
    if k not in head or not base[k] or not head[k]:
        print(f"{k:28} not measured on both sides")
        continue
    better = head[k] / base[k] if k in higher_is_better else base[k] / head[k]
    print(f"{k:28} {base[k]:12.2f} {head[k]:12.2f} {better:7.2f}")
PY
