# Builds the web UI (ui/) into ui/dist, which the `aima` binary embeds
# (crates/aima-webui): `npm ci` from the committed lock file (packages from
# the npm registry only), the type check, Vite, and the precompressed
# copies. `npm ci` is skipped while node_modules matches the lock file.
# Needs the `ui` group of scripts/packages.txt (npm).
build_ui() {
  local ui
  ui="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../ui" && pwd)"
  local stamp="$ui/node_modules/.aima-lock-sha256"
  local want
  want="$(sha256sum "$ui/package-lock.json" | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    (cd "$ui" && npm ci --no-audit --no-fund --loglevel=error) || return 1
    echo "$want" > "$stamp"
  fi
  (cd "$ui" && npm run --silent build >/dev/null) || {
    echo "the web UI did not build: run (cd ui && npm run build) to see why" >&2
    return 1
  }
}
