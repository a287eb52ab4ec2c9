#!/usr/bin/env bash
# Chooses the per-seller learners' settings on the simulated population's training seeds and
# pool only, and writes every row of the grid and the choice to docs/learning-settings.md (about
# 3 minutes, release build). The chosen values are then the defaults of engine/src/learn/.
set -euo pipefail
cd "$(dirname "$0")/.."
LEARNING_SETTINGS_OUT=$PWD/docs/learning-settings.md \
  cargo test -q --release --locked -p highlights-engine --test learning -- --ignored choose_learning_settings --nocapture
