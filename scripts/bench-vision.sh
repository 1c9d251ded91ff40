#!/usr/bin/env bash
# Vision benchmark: milliseconds per frame for each image analyzer and images
# per hour for the whole image pipeline, on scikit-image's photos and a
# rendered slide; OCR side by side with the RapidOCR Python package on the
# same models and images, outputs compared. Writes the tables into
# BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/build.sh
use_build_env
. scripts/lib/fixtures.sh
fetch_test_images
. scripts/lib/venv.sh
use_venv "rapidocr==3.10.0" "onnxruntime==1.31.1"
cargo bench --locked -p aima --bench vision
