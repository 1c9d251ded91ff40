#!/usr/bin/env bash
# Static checks of the deployment files, for machines without a Docker
# engine: the compose file parsed and interpolated by docker-compose (with
# and without the gpu profile, and refusing a missing password), the
# Dockerfile linted by dockerfile-utils, and the promises the README makes
# about the image checked in its text. The Caddyfile is exercised for real by
# the `proxy` integration test.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ! command -v docker-compose >/dev/null; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq docker-compose >/dev/null
fi
tools="${XDG_CACHE_HOME:-${HOME:-/var/tmp}/.cache}/aima/npm"
if [ ! -x "$tools/node_modules/.bin/dockerfile-utils" ]; then
  mkdir -p "$tools"
  npm install --prefix "$tools" --silent --no-audit --no-fund dockerfile-utils@0.16.3 >/dev/null
fi

env_file=$(mktemp)
trap 'rm -f "$env_file"' EXIT
cp .env.example "$env_file"
docker-compose --env-file "$env_file" -f docker-compose.yml config -q
docker-compose --env-file "$env_file" -f docker-compose.yml --profile gpu config -q
services=$(docker-compose --env-file "$env_file" -f docker-compose.yml --profile gpu config --services | sort | tr '\n' ' ')
[ "$services" = "aima aima-gpu-worker caddy postgres " ] || { echo "unexpected services: $services" >&2; exit 1; }
grep -v '^POSTGRES_PASSWORD=' .env.example > "$env_file"
if docker-compose --env-file "$env_file" -f docker-compose.yml config -q 2>/dev/null; then
  echo "docker-compose.yml accepts a missing POSTGRES_PASSWORD" >&2
  exit 1
fi

"$tools/node_modules/.bin/dockerfile-utils" lint Dockerfile
need() { grep -Eq "$1" Dockerfile || { echo "Dockerfile: $2" >&2; exit 1; }; }
need '^FROM .* AS build$' "no build stage"
need '^FROM .* AS runtime$' "no runtime stage"
need '^USER aima$' "the runtime does not run as the non-root user aima"
need 'HEALTHCHECK .*' "no health check"
need 'curl -fsS http://127.0.0.1:8080/readyz' "the health check does not ask /readyz"
need '^VOLUME \["/var/lib/aima/data", "/var/lib/aima/models"\]$' "data and models are not volumes"
need 'ffmpeg' "the runtime has no ffmpeg"
need 'libgomp1' "the runtime has no libgomp1 (CTranslate2's OpenMP runtime, linked dynamically)"
need '^COPY \. \.$' "the build does not see .cargo/config.toml and build/ (oneDNN's cmake options)"
echo "deployment files: ok"
