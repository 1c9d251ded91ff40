# Builds the web UI (ui/) into ui/dist, which the `aima` binary embeds
# (crates/aima-webui): `npm ci` from the committed lock file (packages from
# the npm registry only), the type check, Vite, and the precompressed
# copies. Each step is skipped while its inputs are unchanged (stamps in
# ui/node_modules): a rewritten ui/dist would make cargo relink the binary
# on every start of scripts/serve.sh. Needs the `ui` group of
# scripts/packages.txt (npm).
build_ui() {
  local ui
  ui="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../ui" && pwd)"
  local lock_stamp="$ui/node_modules/.aima-lock-sha256"
  local build_stamp="$ui/node_modules/.aima-build-sha256"
  local lock
  lock="$(sha256sum "$ui/package-lock.json" | cut -d' ' -f1)"
  if [ "$(cat "$lock_stamp" 2>/dev/null)" != "$lock" ]; then
    (cd "$ui" && npm ci --no-audit --no-fund --loglevel=error) || return 1
    echo "$lock" > "$lock_stamp"
  fi
  # Everything the build reads: the sources, its configuration, the API types.
  local sources
  sources="$(cd "$ui" && find src index.html package.json package-lock.json tsconfig.json vite.config.ts \
    scripts/compress.mjs ../clients/typescript/aima.d.ts -type f -print0 | sort -z |
    xargs -0 sha256sum | sha256sum | cut -d' ' -f1)"
  if [ -f "$ui/dist/index.html" ] && [ "$(cat "$build_stamp" 2>/dev/null)" = "$sources" ]; then
    return 0
  fi
  (cd "$ui" && npm run --silent build >/dev/null) || {
    echo "the web UI did not build: run (cd ui && npm run build) to see why" >&2
    return 1
  }
  echo "$sources" > "$build_stamp"
}
