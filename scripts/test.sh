#!/usr/bin/env bash
# Runs every AIMA test on a fresh Debian/Ubuntu machine: installs what the
# tests need (ffmpeg, PostgreSQL, Xvfb, Python clients), starts a throw-away
# PostgreSQL and S3 server (moto) on 127.0.0.1, then runs formatting, lints
# and the test suite against SQLite and PostgreSQL, local and S3 blobs.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-${HOME:-/var/tmp}/.cache}/aima/target}"
. scripts/lib/cmake.sh
use_stable_cmake_options
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

# --- System packages --------------------------------------------------------
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
need=()
command -v ffmpeg >/dev/null || need+=(ffmpeg)
command -v ffprobe >/dev/null || need+=(ffmpeg)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v curl >/dev/null || need+=(curl)
command -v espeak-ng >/dev/null || need+=(espeak-ng)
# Text frames for OCR tests are rendered by ffmpeg with DejaVu Sans.
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
# whisper.cpp (whisper-rs) builds with cmake and a C++ compiler.
command -v cmake >/dev/null || need+=(cmake)
command -v g++ >/dev/null || need+=(g++)
# `aima watch` is tested on a real X display with real windows.
command -v Xvfb >/dev/null || need+=(xvfb)
command -v xdotool >/dev/null || need+=(xdotool)
command -v xmessage >/dev/null || need+=(x11-utils)
# The deployment's reverse proxy, run for real in front of `aima serve`, and
# docker-compose to parse the compose file (no Docker engine is needed).
command -v caddy >/dev/null || need+=(caddy)
command -v docker-compose >/dev/null || need+=(docker-compose)
command -v npm >/dev/null || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing: ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

# The official OpenAI client, to prove the compatible endpoint works with it,
# and ActivityWatch's own client, to prove the /api/0 API works with it.
python3 -c 'import openai' 2>/dev/null || python3 -m pip install --quiet --disable-pip-version-check openai
python3 -c 'import aw_client' 2>/dev/null || python3 -m pip install --quiet --disable-pip-version-check aw-client
# The CLIP test builds a small model of CLIP's signature with these.
python3 -c 'import onnx, tokenizers' 2>/dev/null || python3 -m pip install --quiet --disable-pip-version-check onnx tokenizers

# Test images no one here made (scikit-image's samples, from its wheel).
. scripts/lib/fixtures.sh
fetch_test_images

# --- A PostgreSQL server for this run, on loopback ---------------------------
export AIMA_PG_OPTIONS="-c fsync=off"
. scripts/lib/postgres.sh
start_postgres
export AIMA_TEST_POSTGRES_URL="$AIMA_PG_URL"
export AIMA_TEST_REQUIRE_POSTGRES=1

# --- An S3-compatible server for this run (moto from PyPI), on loopback -------
. scripts/lib/s3.sh
start_s3
trap 'stop_s3; stop_postgres' EXIT
export AIMA_TEST_S3_ENDPOINT="$AIMA_S3_ENDPOINT"
export AIMA_TEST_REQUIRE_S3=1

# --- Checks and tests ---------------------------------------------------------
bash scripts/check-deploy.sh
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
