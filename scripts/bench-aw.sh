#!/usr/bin/env bash
# ActivityWatch API benchmark: heartbeats and batches of 100 events through
# /api/0 against aw-server-rust 0.14.0, AIMA on SQLite and AIMA on a
# throw-away PostgreSQL, one server after another in one run, each driven by
# wrk with the same Lua script (scripts/bench-aw.lua) at 1, 8 and 50
# connections. Every measurement is checked (no socket error, no answer
# outside 2xx, the events really stored); the table goes into BENCHMARKS.md
# (<!-- aw:start -->) only when all passed.
#
# aw-server-rust is built from source (release, --locked, only the
# `aw-server` binary, without its web UI) in a scratch folder outside the
# clone, once per commit. Environment:
#   AW_SERVER_SRC   a git directory of aw-server-rust (a clone or a bare
#                   mirror) to build from instead of cloning the tag
#   AW_SERVER_REF   the tag or commit to build (default v0.14.0; when
#                   AW_SERVER_SRC has no such tag and none was asked for,
#                   its HEAD, named in the output)
#   AIMA_BENCH_DIR  the scratch folder (default ~/.cache/aima/bench)
#   BENCH_AW_SECONDS  seconds per measurement (default 10)
# Needs git, curl, python3 and cargo; installs wrk (the `bench` group of
# scripts/packages.txt) and PostgreSQL (scripts/lib/postgres.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/packages.sh
install_packages bench

seconds="${BENCH_AW_SECONDS:-10}"
buckets=50
bench_dir="${AIMA_BENCH_DIR:-${XDG_CACHE_HOME:-${HOME:-/var/tmp}/.cache}/aima/bench}"
aw_dir="$bench_dir/aw-server-rust"
aw_ref="${AW_SERVER_REF:-v0.14.0}"
mkdir -p "$aw_dir"

fail() {
  echo "bench-aw: $*" >&2
  exit 1
}

took() {
  echo "$1 took $(($(date +%s) - $2)) s"
}

# --- aw-server-rust, from source --------------------------------------------

if [ -n "${AW_SERVER_SRC:-}" ]; then
  aw_git="$AW_SERVER_SRC"
  [ -d "$aw_git/.git" ] && aw_git="$aw_git/.git"
  git --git-dir="$aw_git" rev-parse --git-dir >/dev/null 2>&1 || fail "AW_SERVER_SRC=$AW_SERVER_SRC is not a git directory"
else
  aw_git="$aw_dir/clone-$aw_ref.git"
  if [ ! -d "$aw_git" ]; then
    rm -rf "$aw_git.partial"
    git clone --quiet --bare --depth 1 --branch "$aw_ref" \
      https://github.com/ActivityWatch/aw-server-rust "$aw_git.partial"
    mv "$aw_git.partial" "$aw_git"
  fi
fi
if ! aw_commit=$(git --git-dir="$aw_git" rev-parse --verify -q "$aw_ref^{commit}"); then
  [ -z "${AW_SERVER_REF:-}" ] || fail "$aw_git has no $aw_ref"
  aw_commit=$(git --git-dir="$aw_git" rev-parse --verify "HEAD^{commit}")
  echo "aw-server-rust: $aw_git has no tag $aw_ref; building its HEAD instead"
fi
aw_version=$(git --git-dir="$aw_git" show "$aw_commit:aw-server/Cargo.toml" | sed -n 's/^version = "\(.*\)"/\1/p' | head -1)
echo "aw-server-rust $aw_version at commit $aw_commit ($(git --git-dir="$aw_git" log -1 --format='%ci: %s' "$aw_commit"))"
aw_bin="$aw_dir/aw-server-$aw_commit"
if [ -x "$aw_bin" ]; then
  echo "aw-server-rust: $aw_bin already built"
else
  t0=$(date +%s)
  src="$aw_dir/src"
  rm -rf "$src"
  mkdir -p "$src"
  git --git-dir="$aw_git" archive "$aw_commit" | tar -x -C "$src"
  # The web UI is a git submodule (aw-webui, a Node build) that the archive
  # leaves empty. aw-server's build.rs embeds the folder AW_WEBUI_DIR names
  # and only warns when it has no index.html; a page of our own keeps that
  # explicit. The API does not need the UI.
  mkdir -p "$aw_dir/webui"
  echo '<!doctype html><title>aw-server-rust</title><p>Built without aw-webui (scripts/bench-aw.sh).' >"$aw_dir/webui/index.html"
  (cd "$src" && AW_WEBUI_DIR="$aw_dir/webui" CARGO_TARGET_DIR="$aw_dir/target" \
    cargo build --release --locked -p aw-server --bin aw-server)
  cp "$aw_dir/target/release/aw-server" "$aw_bin.partial"
  mv "$aw_bin.partial" "$aw_bin"
  took "building aw-server-rust" "$t0"
fi

# --- AIMA, after aw-server-rust (never two builds at once) ------------------

t0=$(date +%s)
. scripts/lib/build.sh
use_build_env
cargo build --release --locked -p aima
aima="$CARGO_TARGET_DIR/release/aima"
took "building AIMA" "$t0"
aima_rev="$(git rev-parse --short HEAD 2>/dev/null || echo "an unknown commit")"
[ -z "$(git status --porcelain -- crates Cargo.toml Cargo.lock 2>/dev/null)" ] || aima_rev="$aima_rev with uncommitted changes"

# --- servers and measurements -------------------------------------------------

work=$(mktemp -d /tmp/aima-bench-aw.XXXXXX)
server_pid=""
stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
# On failure the servers' logs are kept (the temporary folder is not).
cleanup() {
  local rc=$? kept
  stop_server
  if [ "$rc" -ne 0 ] && compgen -G "$work/*/log" >/dev/null; then
    kept="$bench_dir/failed-$(date -u +%Y%m%dT%H%M%SZ)"
    mkdir -p "$kept"
    for f in "$work"/*/log; do cp "$f" "$kept/$(basename "$(dirname "$f")").log"; done
    echo "bench-aw: the servers' logs are in $kept" >&2
  fi
  rm -rf "$work"
  if [ -n "${AIMA_PG_DIR:-}" ]; then stop_postgres; fi
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_ready URL LOG: until /api/0/info answers, while the server lives.
wait_ready() {
  local i
  for i in $(seq 600); do
    curl -sf -o /dev/null "$1/api/0/info" && return 0
    kill -0 "$server_pid" 2>/dev/null || { tail -n 30 "$2" >&2; fail "the server exited before it was ready"; }
    sleep 0.1
  done
  tail -n 30 "$2" >&2
  fail "$1 was not ready within 60 s"
}

# start_aw DIR: aw-server-rust as its users run it, not in --testing mode
# (which logs every request at debug level); each server keeps its default
# logging (AIMA logs a line per request at info, aw-server-rust none). Its
# config, log and device id go to DIR, not to this account's home.
start_aw() {
  local dir="$1" port
  port=$(free_port)
  mkdir -p "$dir/home"
  HOME="$dir/home" XDG_CONFIG_HOME="$dir/home/.config" XDG_DATA_HOME="$dir/home/.local/share" \
    XDG_CACHE_HOME="$dir/home/.cache" \
    "$aw_bin" --host 127.0.0.1 --port "$port" --dbpath "$dir/aw.db" --no-legacy-import \
    --device-id bench >"$dir/log" 2>&1 &
  server_pid=$!
  url="http://127.0.0.1:$port"
  wait_ready "$url" "$dir/log"
}

# start_aima DIR DATABASE_URL: `aima serve` with no worker and no search
# indexer (nothing in this benchmark queues work), anonymous on loopback;
# an empty URL is SQLite in DIR.
start_aima() {
  local dir="$1" port
  port=$(free_port)
  mkdir -p "$dir"
  AIMA_CONFIG=/nonexistent AIMA__DATA_DIR="$dir" AIMA__DATABASE__URL="$2" AIMA__MODELS__DIR="$dir/models" \
    AIMA__SERVER__LISTEN="127.0.0.1:$port" AIMA__WORKERS__COUNT=0 AIMA__SEARCH__INDEXER=false \
    "$aima" serve >"$dir/log" 2>&1 &
  server_pid=$!
  url="http://127.0.0.1:$port"
  wait_ready "$url" "$dir/log"
}

# check_pg_sessions: on PostgreSQL, no session of AIMA's pool may stay idle
# in a transaction once wrk has stopped. wrk ends a run by closing its
# connections, which cancels the requests in flight; sqlx 0.8.6 can then
# hand a connection still inside a transaction back to its pool (a request
# cancelled during BEGIN), and what later borrowers of that connection
# write (a bucket created, answered 200) stays uncommitted, invisible to
# other connections and lost when the server stops. The event counts read
# through the API cannot tell: they may run on that very connection.
check_pg=""
check_pg_sessions() {
  local i n
  for i in $(seq 30); do
    n=$("$AIMA_PG_BIN/psql" "$AIMA_PG_URL" -Atc \
      "SELECT count(*) FROM pg_stat_activity WHERE state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()")
    [ "$n" -gt 0 ] || return 0
    sleep 0.1
  done
  fail "$n PostgreSQL session(s) of AIMA still idle in a transaction after the run: writes answered 2xx may not be committed"
}

results="$work/results.jsonl"
: >"$results"

# run_wrk LABEL OP CLIENTS PREFIX SECONDS: buckets PREFIX0..49, one wrk run,
# then the check; appends the row to $results unless LABEL is empty.
run_wrk() {
  local label="$1" op="$2" clients="$3" prefix="$4" secs="$5" threads=2 out="$work/wrk.out" line
  [ "$clients" -gt 1 ] || threads=1
  python3 scripts/bench-aw.py buckets "$url" "$prefix" "$buckets"
  echo "--- ${label:-warm-up} $op, $clients clients, $secs s (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  wrk -t"$threads" -c"$clients" -d"${secs}s" --timeout 10s --latency -s scripts/bench-aw.lua \
    "$url" -- "$op" "$prefix" "$buckets" "$threads" >"$out" 2>&1 || { cat "$out"; fail "wrk failed"; }
  cat "$out"
  [ -z "$check_pg" ] || check_pg_sessions
  line=$(python3 scripts/bench-aw.py check "$url" "$prefix" "$buckets" "$op" "$clients" "$out")
  echo "checked: $line"
  [ -z "$label" ] || echo "{\"server\": \"$label\", \"operation\": \"$op\", \"clients\": $clients, \"result\": $line}" >>"$results"
}

# measure LABEL: a short warm-up of both operations, then every row.
measure() {
  local t0 op clients
  t0=$(date +%s)
  run_wrk "" heartbeat 8 warm-heartbeat- 3
  run_wrk "" batch 8 warm-batch- 3
  for op in heartbeat batch; do
    for clients in 1 8 50; do
      run_wrk "$1" "$op" "$clients" "$op-c$clients-" "$seconds"
    done
  done
  took "measuring $1" "$t0"
}

echo "=== aw-server-rust $aw_version"
start_aw "$work/aw"
measure "aw-server-rust $aw_version"
stop_server

echo "=== AIMA, SQLite"
start_aima "$work/aima-sqlite" ""
measure "AIMA, SQLite"
stop_server

echo "=== AIMA, PostgreSQL"
. scripts/lib/postgres.sh
start_postgres
trap cleanup EXIT # start_postgres set its own
start_aima "$work/aima-postgres" "$AIMA_PG_URL"
check_pg=1
measure "AIMA, PostgreSQL"
check_pg=""
stop_server

python3 scripts/bench-aw.py table "$results" \
  "(client and server on the same machine; wrk $(dpkg-query -W -f='${Version}' wrk 2>/dev/null || echo '?'), ${seconds} s per row after a 3 s warm-up; aw-server-rust $aw_version at ${aw_commit:0:7}, AIMA at $aima_rev, both release builds)"
