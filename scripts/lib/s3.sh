# Sourced by the test script: `start_s3` starts a throw-away S3-compatible
# server (moto, from PyPI) on 127.0.0.1 and sets AIMA_S3_ENDPOINT; `stop_s3`
# stops it. Buckets are made by the tests.
start_s3() {
  . "$(dirname "${BASH_SOURCE[0]}")/venv.sh"
  use_venv 'moto[server]'
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  AIMA_S3_LOG=$(mktemp /tmp/aima-s3.XXXXXX.log)
  python3 -m moto.server -H 127.0.0.1 -p "$port" >"$AIMA_S3_LOG" 2>&1 &
  AIMA_S3_PID=$!
  for _ in $(seq 1 100); do
    if curl -fsS "http://127.0.0.1:$port/" >/dev/null 2>&1; then
      AIMA_S3_ENDPOINT="http://127.0.0.1:$port"
      export AIMA_S3_ENDPOINT
      echo "S3 (moto $(python3 -c 'import moto; print(moto.__version__)')) on 127.0.0.1:$port"
      return 0
    fi
    sleep 0.1
  done
  echo "the S3 server did not start:" >&2
  cat "$AIMA_S3_LOG" >&2
  return 1
}

stop_s3() {
  [ -n "${AIMA_S3_PID:-}" ] && kill "$AIMA_S3_PID" 2>/dev/null || true
  rm -f "${AIMA_S3_LOG:-}"
}
