#!/usr/bin/env bash
# Runs every AIMA test on a fresh Debian/Ubuntu machine: installs what the
# tests need (ffmpeg, PostgreSQL), starts a throw-away PostgreSQL on
# 127.0.0.1, then runs formatting, lints and the test suite against SQLite and
# PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/aima/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

# --- System packages --------------------------------------------------------
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
need=()
command -v ffmpeg >/dev/null || need+=(ffmpeg)
command -v ffprobe >/dev/null || need+=(ffmpeg)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v curl >/dev/null || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing: ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

# --- A PostgreSQL server for this run, on loopback ---------------------------
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pg_dir=$(mktemp -d /tmp/aima-pg.XXXXXX)
pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  # initdb refuses to run as root: use the postgres account the package made.
  id postgres >/dev/null 2>&1 || useradd --system --home-dir "$pg_dir" postgres
  chown postgres "$pg_dir"
  as_pg=(runuser -u postgres --)
fi
"${as_pg[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U postgres -A trust --no-sync >/dev/null
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w start \
  -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $pg_dir -c fsync=off -c max_connections=300" >/dev/null
cleanup() {
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}
trap cleanup EXIT
export AIMA_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$pg_port/postgres"
export AIMA_TEST_REQUIRE_POSTGRES=1
echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port"

# --- Checks and tests ---------------------------------------------------------
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
