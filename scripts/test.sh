#!/usr/bin/env bash
# Runs every AIMA test on a fresh Debian/Ubuntu machine: installs what the
# tests need (scripts/packages.txt, Python clients, sample images), starts a
# throw-away PostgreSQL and S3 server (moto) on 127.0.0.1, then runs
# formatting, lints and the test suite against SQLite and PostgreSQL, local
# and S3 blobs. `--setup` stops after installing and starting PostgreSQL
# once (scripts/check-fresh.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/lib/packages.sh
. scripts/lib/build.sh
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

# --- Packages -------------------------------------------------------------------
# Everything of scripts/packages.txt: the build, the run time, the optional
# whisper.cpp engine (tested too) and the tests' own tools.
install_packages build run whisper-cpp ui test
use_build_env

# Python clients and tools the tests call as `python3`, in AIMA's venv: the
# official OpenAI client, to prove the compatible endpoint works with it;
# ActivityWatch's own client, to prove the /api/0 API works with it; onnx
# and tokenizers, with which the CLIP test builds a small model of CLIP's
# signature; moto, the S3 server; schemathesis and openapi-spec-validator,
# which hold the server to its OpenAPI document; openapi-python-client, whose
# generated client (clients/python) the contract test drives.
. scripts/lib/venv.sh
use_venv openai aw-client onnx onnxruntime==1.31.1 tokenizers 'moto[server]' schemathesis==4.32.5 openapi-spec-validator==0.9.0 openapi-python-client==0.29.1

# The converted models the tests use as `file:` sources (the project's
# shared folder, beside the clone, as CI lays it out): checked here, once,
# with a clear message, rather than by each test that needs one.
if ! (cd ../shared/models 2>/dev/null && sha256sum --check --quiet SHA256SUMS); then
  echo "The tests need ../shared/models (beside this clone, with its SHA256SUMS): the project's converted test models, provided with the workspace's shared folder; it is missing or damaged." >&2
  exit 1
fi

# Test images no one here made (scikit-image's samples, from its wheel).
. scripts/lib/fixtures.sh
fetch_test_images

# The web UI, built as the binary embeds it; its end-to-end tests
# (crates/aima/tests/api/webui.rs) drive it in Chromium with playwright-core,
# both from ui/node_modules.
. scripts/lib/ui.sh
build_ui

# --- A PostgreSQL server for this run, on loopback ---------------------------
export AIMA_PG_OPTIONS="-c fsync=off"
. scripts/lib/postgres.sh
start_postgres
if [ "${1:-}" = "--setup" ]; then
  # The setup is proved by a server that starts and has pgvector.
  "$AIMA_PG_BIN/psql" -q -X -v ON_ERROR_STOP=1 "$AIMA_PG_URL" -c 'CREATE EXTENSION vector' -c 'DROP EXTENSION vector'
  exit 0
fi
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
# The committed clients are what docs/openapi.json gives (scripts/gen-clients.sh).
bash scripts/gen-clients.sh --check
cargo fmt --all -- --check
# The default build (no whisper.cpp) and everything with it: both must be clean.
cargo clippy -p aima --locked -- -D warnings
cargo clippy --workspace --all-targets --locked --features aima/whisper-cpp -- -D warnings
cargo test --workspace --locked --features aima/whisper-cpp
