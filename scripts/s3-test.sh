#!/usr/bin/env bash
# The media store on a real S3-compatible server: installs s3s-fs (a crate's S3 server over a
# directory; about 4 minutes of building the first time, kept in target/tools) unless
# HIGHLIGHTS_S3S_FS names one, then runs the s3 suite against it on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."

# 0.14.1: the newest s3s-fs that builds with this toolchain (0.17 needs rustc 1.96).
S3S_FS_VERSION=0.14.1
if [[ -z "${HIGHLIGHTS_S3S_FS:-}" ]]; then
  bin=target/tools/bin/s3s-fs
  if [[ ! -x $bin ]] || [[ "$("$bin" --version 2>/dev/null)" != *"$S3S_FS_VERSION"* ]]; then
    if ! cargo install --quiet --locked --root target/tools --features binary "s3s-fs@$S3S_FS_VERSION"; then
      echo "SKIPPED: media on an S3-compatible object store (s3s-fs $S3S_FS_VERSION could not be installed from crates.io)"
      exit 0
    fi
  fi
  export HIGHLIGHTS_S3S_FS=$PWD/$bin
fi
cargo test -p highlights-server --locked --test s3 -- --ignored
