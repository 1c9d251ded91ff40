#!/usr/bin/env bash
# Ask benchmark: the test question set (50 questions, half German, known
# answers from generated activity and media made by espeak-ng) over HTTP,
# on the local path and through a remote planner; latency per question
# (p50/p95), share answered right, what the local model settles. Writes
# the table into BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/packages.sh
. scripts/lib/build.sh
use_build_env
. scripts/lib/venv.sh
use_venv openai onnx onnxruntime==1.31.1 tokenizers
. scripts/lib/fixtures.sh
fetch_test_images
cargo test --locked -p aima --test api -- --ignored --exact ask::bench_question_set --nocapture
