#!/usr/bin/env bash
# Vision benchmark: milliseconds per frame for each image analyzer and images
# per hour for the whole image pipeline, on scikit-image's photos and a
# rendered slide; OCR side by side with the RapidOCR Python package on the
# same models and images, outputs compared. Writes the tables into
# BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-${HOME:-/var/tmp}/.cache}/aima/target}"
. scripts/lib/cmake.sh
use_stable_cmake_options
. scripts/lib/fixtures.sh
fetch_test_images
python3 -c 'import rapidocr, onnxruntime' 2>/dev/null ||
  python3 -m pip install --quiet --disable-pip-version-check "rapidocr==3.10.0" "onnxruntime==1.31.1"
cargo bench --locked -p aima --bench vision
