#!/usr/bin/env bash
# Activity benchmark: /log_activity batches, heartbeats, training and
# prediction latency over loopback, on SQLite and on a throw-away
# PostgreSQL. Writes the table into BENCHMARKS.md. Needs postgresql
# (scripts/test.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-${HOME:-/var/tmp}/.cache}/aima/target}"
. scripts/lib/cmake.sh
use_stable_cmake_options
. scripts/lib/postgres.sh
start_postgres
AIMA_BENCH_POSTGRES_URL="$AIMA_PG_URL" cargo bench --locked -p aima --bench activity
