#!/usr/bin/env bash
# Text search benchmark: index cost and search latency at 10k, 100k and 1M
# transcript segments on SQLite (FTS5) and a throw-away PostgreSQL
# (tsvector + GIN), beside tantivy on the same data. Writes the table into
# BENCHMARKS.md. Needs postgresql (scripts/test.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/build.sh
use_build_env
. scripts/lib/venv.sh
use_venv tantivy==0.27.0
. scripts/lib/postgres.sh
export AIMA_PG_OPTIONS="-c fsync=off"
start_postgres
AIMA_BENCH_POSTGRES_URL="$AIMA_PG_URL" cargo bench --locked -p aima --bench search
