#!/usr/bin/env bash
# The speech figures: word error rate of the installed recogniser (PocketSphinx, default and fast
# settings) on generated speech clean, under music and under a crowd's murmur, and on real human
# readings (pocketsphinx-testdata); its real-time factor on one core; and the share of rendered
# clips that end inside a spoken sentence when the platform sends no captions, with the speech
# recognised and without. Needs ffmpeg, espeak-ng, pocketsphinx, pocketsphinx-en-us and
# pocketsphinx-testdata; a few minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test -q --locked -p highlights-server --test speech -- --ignored --nocapture --exact speech_figure 2>&1 |
  grep -E '^(speech recognition|SKIPPED)' || { echo "speech figure: failed" >&2; exit 1; }
cargo test -q --locked -p highlights-server --test snapping -- --ignored --nocapture --exact speech_snapping_figure 2>&1 |
  grep -E '^(share of rendered clips|SKIPPED)' || { echo "speech snapping figure: failed" >&2; exit 1; }
