#!/usr/bin/env bash
# Workers on demand and budgets in money: how long a GPU job waits when the
# provisioner starts its worker (beside an always-on worker), and the cost
# report of a synthetic month. Writes the tables into BENCHMARKS.md. Needs
# ffmpeg (scripts/test.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/build.sh
use_build_env
cargo bench --locked -p aima --bench autoscale
