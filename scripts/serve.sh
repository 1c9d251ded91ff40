#!/usr/bin/env bash
# Installs what AIMA needs on a fresh Debian/Ubuntu machine, builds it, and
# starts `aima serve` on embedded defaults (SQLite and a blob folder under
# ~/.local/share/aima, in-process workers, http://127.0.0.1:8080).
# Extra arguments go to `aima serve`, e.g. `--listen 127.0.0.1:9000`.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
need=()
command -v ffmpeg >/dev/null || need+=(ffmpeg)
command -v c++ >/dev/null || need+=(build-essential)
# whisper.cpp (the transcription engine) is built with cmake.
command -v cmake >/dev/null || need+=(cmake)
command -v curl >/dev/null || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
fi
if ! command -v cargo >/dev/null; then
  # The Rust toolchain, from rustup (Debian's cargo is too old for this workspace).
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
fi

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-${HOME:-/var/tmp}/.cache}/aima/target}"
. scripts/lib/cmake.sh
use_stable_cmake_options
cargo build --release --locked -p aima
exec "$CARGO_TARGET_DIR/release/aima" serve "$@"
