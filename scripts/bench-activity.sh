#!/usr/bin/env bash
# Activity benchmark: /log_activity batches, heartbeats, training and
# prediction latency over loopback, on SQLite and on a throw-away
# PostgreSQL. Writes the table into BENCHMARKS.md. Needs postgresql
# (scripts/test.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/build.sh
use_build_env
. scripts/lib/postgres.sh
start_postgres
AIMA_BENCH_POSTGRES_URL="$AIMA_PG_URL" cargo bench --locked -p aima --bench activity
