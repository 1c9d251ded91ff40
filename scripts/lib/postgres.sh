# Sourced by the test and benchmark scripts: `start_postgres` starts a
# throw-away PostgreSQL server on 127.0.0.1 (a free port, data in a temporary
# folder, removed on exit) and sets AIMA_PG_URL. Needs Debian's `postgresql`.
start_postgres() {
  local pg_bin
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  AIMA_PG_DIR=$(mktemp -d /tmp/aima-pg.XXXXXX)
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  AIMA_PG_AS=()
  if [ "$(id -u)" -eq 0 ]; then
    # initdb refuses to run as root: use the postgres account the package made.
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
