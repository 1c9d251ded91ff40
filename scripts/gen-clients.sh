#!/usr/bin/env bash
# Regenerates AIMA's API clients from the committed OpenAPI document
# (docs/openapi.json, itself checked against the server by the tests):
#   clients/python      a Python package (openapi-python-client, from PyPI)
#   clients/typescript  TypeScript types, aima.d.ts (openapi-typescript, npm)
# `--check` generates into a scratch folder and fails if the committed
# clients differ from what the document gives (scripts/test.sh runs it).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON_GENERATOR="openapi-python-client==0.29.1"
. scripts/lib/venv.sh
use_venv "$PYTHON_GENERATOR"
(cd clients/typescript && npm ci --silent --no-audit --no-fund)

out="clients"
if [ "${1:-}" = "--check" ]; then
  out="$(mktemp -d)"
  trap 'rm -rf "$out"' EXIT
  mkdir -p "$out/typescript"
fi

rm -rf "$out/python"
openapi-python-client generate --path docs/openapi.json --meta setup \
  --output-path "$out/python" --config clients/python-generator.yaml >/dev/null
clients/typescript/node_modules/.bin/openapi-typescript docs/openapi.json \
  --output "$out/typescript/aima.d.ts" >/dev/null 2>&1
# The types compile on their own.
clients/typescript/node_modules/.bin/tsc --noEmit --strict "$out/typescript/aima.d.ts"

if [ "${1:-}" = "--check" ]; then
  diff -r clients/python "$out/python" >/dev/null &&
    diff clients/typescript/aima.d.ts "$out/typescript/aima.d.ts" >/dev/null || {
    echo "The clients in clients/ are stale: run bash scripts/gen-clients.sh and commit them." >&2
    exit 1
  }
fi
