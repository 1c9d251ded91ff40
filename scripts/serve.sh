#!/usr/bin/env bash
# Installs what AIMA needs on a fresh Debian/Ubuntu machine (the `build`,
# `run` and `ui` groups of scripts/packages.txt, and Rust if missing), builds
# the web UI and AIMA and starts `aima serve` on embedded defaults (SQLite and a blob
# folder under ~/.local/share/aima, in-process workers, http://127.0.0.1:8080).
# Extra arguments go to `aima serve`, e.g. `--listen 127.0.0.1:9000`.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each phase's time, said before the server starts (BENCHMARKS.md "From
# clone to ready" splits the cold start by them).
phases=() phase_t0=$SECONDS
phase() {
  phases+=("$1 $((SECONDS - phase_t0)) s")
  phase_t0=$SECONDS
}

. scripts/lib/packages.sh
install_packages build run ui
phase "system packages"
if ! command -v cargo >/dev/null; then
  [ -f "$HOME/.cargo/env" ] || {
    # The Rust toolchain, from rustup (Debian's cargo is too old for this workspace).
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
  }
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
fi
phase "Rust"

. scripts/lib/build.sh
use_build_env
phase "CTranslate2 library"
# The web UI first: the binary embeds ui/dist.
. scripts/lib/ui.sh
build_ui
phase "web UI"
# Downloads only the crates this build needs (a `cargo fetch` would take
# every optional and test dependency too).
cargo build --release --locked -p aima
phase "crates and build"
# `aima` on the PATH of every new shell (scripts/lib/install.sh).
. scripts/lib/install.sh
link_aima "$CARGO_TARGET_DIR/release/aima"
(IFS=,; echo "serve.sh took:${phases[*]/#/ }" >&2)
exec "$CARGO_TARGET_DIR/release/aima" serve "$@"
