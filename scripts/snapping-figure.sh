#!/usr/bin/env bash
# The snapping figure: on generated LIVEs with speech (espeak-ng) and scene cuts, the share of
# rendered clips that end inside a caption, for the moments as found and as rendered (goal 0).
# Prints one line, "share of rendered clips ending inside a caption: before X, after Y (...)".
# Needs ffmpeg and espeak-ng; about a minute on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test -q --locked -p highlights-server --test snapping -- --ignored --nocapture --exact snapping_figure 2>&1 |
  grep -E '^(share of rendered clips|SKIPPED)' || { echo "snapping figure: failed" >&2; exit 1; }
