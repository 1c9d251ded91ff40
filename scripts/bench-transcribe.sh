#!/usr/bin/env bash
# Transcription benchmark: AIMA's Whisper analyzer side by side with
# faster-whisper on a few minutes of espeak-ng speech. Writes BENCHMARKS.md.
# Needs ffmpeg, espeak-ng (scripts/test.sh installs both) and the shared
# models folder beside the clone (../shared/models) for the ggml weights.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/build.sh
use_build_env
. scripts/lib/venv.sh
use_venv faster-whisper
cargo build --release --locked -p aima --features whisper-cpp
aima="$CARGO_TARGET_DIR/release/aima"
models=$(mktemp -d)
trap 'rm -rf "$models"' EXIT
AIMA_CONFIG=/nonexistent AIMA__MODELS__DIR="$models" AIMA__MODELS__LOCAL_DIRS="[\"$(cd .. && pwd)/shared/models\"]" \
  HF_ENDPOINT=http://127.0.0.1:9 "$aima" models pull faster-whisper-tiny.en whisper-tiny.en faster-whisper-base
python3 scripts/bench-transcribe.py "$aima" "$models"
