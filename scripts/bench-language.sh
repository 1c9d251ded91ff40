#!/usr/bin/env bash
# Language benchmark: transcription of the same sentences in German and
# English by AIMA's default Whisper (base, multilingual) and the tiny.en it
# replaced, beside faster-whisper on the same weights; and search by meaning
# across languages (recall per direction) of the default text model
# (multilingual-e5-small) beside MiniLM. Writes both tables into
# BENCHMARKS.md. Needs ffmpeg and espeak-ng (scripts/test.sh installs both).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/build.sh
use_build_env
. scripts/lib/venv.sh
use_venv faster-whisper
cargo build --release --locked -p aima
aima="$CARGO_TARGET_DIR/release/aima"
models="${XDG_CACHE_HOME:-$HOME/.cache}/aima/bench-models"
AIMA_CONFIG=/nonexistent AIMA__MODELS__DIR="$models" HF_ENDPOINT=http://127.0.0.1:9 \
  "$aima" --data-dir "$models/data" models pull \
  faster-whisper-base faster-whisper-tiny.en multilingual-e5-small minilm-l6-int8 onnxruntime
python3 scripts/bench-language.py "$aima" "$models"
table=$(AIMA_BENCH_MODELS_DIR="$models" cargo bench --locked -p aima --bench language)
printf '%s\n' "$table"
python3 - "$table" <<'PY'
import sys
sys.path.insert(0, "scripts")
from benchlib import write_block
write_block("language-search", "40 texts (20 German, 20 English), 30 queries "
            "(crates/aima/benches/retrieval.json), release build.", sys.argv[1].strip() + "\n")
PY
