#!/usr/bin/env bash
# Installs what AIMA needs on a fresh Debian/Ubuntu machine (the `build`,
# `run` and `ui` groups of scripts/packages.txt, and Rust if missing), builds
# the web UI and AIMA and starts `aima serve` on embedded defaults (SQLite and a blob
# folder under ~/.local/share/aima, in-process workers, http://127.0.0.1:8080).
# Extra arguments go to `aima serve`, e.g. `--listen 127.0.0.1:9000`.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/lib/packages.sh
install_packages build run ui
if ! command -v cargo >/dev/null; then
  [ -f "$HOME/.cargo/env" ] || {
    # The Rust toolchain, from rustup (Debian's cargo is too old for this workspace).
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
  }
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
fi

. scripts/lib/build.sh
use_build_env
# The web UI first: the binary embeds ui/dist.
. scripts/lib/ui.sh
build_ui
cargo build --release --locked -p aima
# `aima` on the PATH of every new shell (scripts/lib/install.sh).
. scripts/lib/install.sh
link_aima "$CARGO_TARGET_DIR/release/aima"
exec "$CARGO_TARGET_DIR/release/aima" serve "$@"
