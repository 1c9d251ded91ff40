#!/usr/bin/env bash
# Static checks of the deployment files, for machines without a Docker
# engine: the compose file parsed and interpolated by docker-compose (with
# and without the gpu profile, and refusing a missing password), the
# Dockerfile linted by dockerfile-utils, the promises the README makes
# about the image checked in its text, and the Helm chart linted, rendered
# and validated against Kubernetes' and KEDA's schemas (scripts/check-helm.py).
# The Caddyfile is exercised for real by the `proxy` integration test.
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
grep -Eq '^ +image: pgvector/pgvector:' docker-compose.yml || { echo "docker-compose.yml: the database must have pgvector (migration 0010)" >&2; exit 1; }
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
for p in ffmpeg curl python3-pip; do
  grep -Eq "^run:.* $p( |$)" scripts/packages.txt || { echo "scripts/packages.txt: the run group (the image's runtime) has no $p" >&2; exit 1; }
done
need '^COPY \. \.$' "the build does not see .cargo/config.toml and build/ (cmake options)"
# One package list (scripts/packages.txt) for the scripts and the image.
need 'install_packages build' "the build stage does not install the build group of scripts/packages.txt"
need 'install_packages run( |$)' "the runtime does not install the run group of scripts/packages.txt"
need 'install_packages build ui' "the build stage does not install the ui group (npm) of scripts/packages.txt"
need 'build_ui' "the build stage does not build the web UI the binary embeds (scripts/lib/ui.sh)"
if grep -Eq 'apt-get install' Dockerfile; then
  echo "Dockerfile: installs packages by a list of its own instead of scripts/packages.txt" >&2
  exit 1
fi
# The binary links the prebuilt CTranslate2 dynamically: the image must carry it.
need 'use_build_env' "the build does not use the scripts' build environment (prebuilt CTranslate2)"
need 'libctranslate2-\*\.so\.\* .*libgomp-\*\.so\.\*' "the build does not keep the CTranslate2 library and its OpenMP runtime"
need '^COPY --from=build /opt/aima/lib/ /usr/local/lib/$' "the runtime does not carry the CTranslate2 library"

# The Helm chart: Helm's own lint and render (its Go SDK as a library from
# PyPI), Kubernetes' schemas, KEDA's CRD models.
. scripts/lib/venv.sh
use_venv helm-python-sdk==0.2.2 kubernetes-validate==1.37.0 cloudcoil-models-keda==2.16.1.0 pyyaml
python3 scripts/check-helm.py
echo "deployment files: ok"
