#!/usr/bin/env bash
# Ingest benchmark: 50 concurrent clients uploading distinct media over
# loopback, on SQLite and on a throw-away PostgreSQL. Writes the table into
# BENCHMARKS.md. Needs ffmpeg and postgresql (scripts/test.sh installs both).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/build.sh
use_build_env
. scripts/lib/postgres.sh
start_postgres
AIMA_BENCH_POSTGRES_URL="$AIMA_PG_URL" cargo bench --locked -p aima --bench ingest
