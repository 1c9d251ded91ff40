#!/usr/bin/env bash
# The fresh-system check: proves that the README's commands install all
# they need on a clean Debian 12, not only on a developer's machine where
# packages installed by hand months ago hide a missing step.
#
#   sudo bash scripts/check-fresh.sh          # serve + the tests' setup + native builds
#   sudo bash scripts/check-fresh.sh --full   # ... then the whole test suite inside
#
# It makes a minimal Debian 12 root with debootstrap (no container engine:
# a chroot, as root), gives it what a new machine of this project has
# (Rust from rustup, mounted read-only from this machine; the machine's CA
# certificates; nothing else), copies this working tree in (committed or
# not, without build output), and runs there, with an empty cargo home and
# target folder:
#   1. `bash scripts/serve.sh` until /readyz answers: the time from clone to
#      listening, cold (packages, crates, build);
#   2. `bash scripts/test.sh --setup` (the tests' packages, venv, fixtures),
#      `bash scripts/gen-clients.sh --check` (npm and the client generators),
#      a build of every crate with a native build script, whisper.cpp
#      (cmake, libclang) included, and the web UI served by serve.sh's
#      binary rendered in the root's Chromium (ui/scripts/smoke.mjs);
#   3. with --full, `bash scripts/test.sh` itself.
# The times go to stdout; record them in TESTING.md.
#
# Run it whenever scripts/packages.txt, a script's install steps, the
# Dockerfile or a native dependency changes (CI does not: a cold run takes
# 20 minutes or more, see TESTING.md). The debootstrap base is cached as a
# tarball in ~/.cache/aima/fresh; the root itself is made anew every run.
set -euo pipefail
cd "$(dirname "$0")/.."
full=false
[ "${1:-}" = "--full" ] && full=true

[ "$(id -u)" -eq 0 ] || { echo "run as root (debootstrap and chroot)" >&2; exit 1; }
. scripts/lib/packages.sh
install_packages test

cache="${XDG_CACHE_HOME:-$HOME/.cache}/aima/fresh"
root="${AIMA_FRESH_ROOT:-/var/tmp/aima-fresh}"
mkdir -p "$cache"

# Debian's mirror as this machine's apt is configured (no host is written here).
mirror=$( (cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null || true) |
  awk '/^URIs:/ {print $2; exit} /^deb / {for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) {print $i; exit}}')
[ -n "$mirror" ] || { echo "no Debian mirror in this machine's apt sources" >&2; exit 1; }

mounts=()
cleanup() {
  local i
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -l "${mounts[$i]}" 2>/dev/null || true; done
  # Services the run left (the server, PostgreSQL, Xvfb) die with their root.
  if [ -d "$root/proc" ]; then
    for p in /proc/[0-9]*; do
      [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && kill -9 "${p#/proc/}" 2>/dev/null || true
    done
  fi
}
trap cleanup EXIT
bind() { mkdir -p "$root$2"; mount --bind "$1" "$root$2"; mounts+=("$root$2"); [ "${3:-}" != ro ] || mount -o remount,bind,ro "$root$2"; }

echo "== a clean Debian 12 root in $root"
# A run that was killed before its cleanup leaves its mounts: unmount them
# first, and never let rm cross into another file system (/dev, /proc).
awk -v r="$root" '$2 == r || index($2, r "/") == 1 {print $2}' /proc/mounts | sort -r |
  while read -r m; do umount -l "$m" 2>/dev/null || true; done
rm -rf --one-file-system "$root"
tarball="$cache/bookworm-minbase.tgz"
if [ ! -f "$tarball" ]; then
  debootstrap --variant=minbase --make-tarball="$tarball" bookworm "$cache/tmp-root" "$mirror"
  rm -rf "$cache/tmp-root"
fi
debootstrap --variant=minbase --unpack-tarball="$tarball" bookworm "$root" "$mirror" >/dev/null
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp /etc/apt/sources.list.d/*.sources "$root/etc/apt/sources.list.d/" 2>/dev/null || true
# This machine's certificate authorities, as every machine here has them.
mkdir -p "$root/usr/local/share/ca-certificates" "$root/etc/ssl/certs"
cp /usr/local/share/ca-certificates/* "$root/usr/local/share/ca-certificates/" 2>/dev/null || true
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"

mkdir -p "$root/proc" "$root/sys" "$root/dev"
mount -t proc proc "$root/proc"; mounts+=("$root/proc")
bind /sys /sys
bind /dev /dev
mount -t devpts devpts "$root/dev/pts" 2>/dev/null && mounts+=("$root/dev/pts") || true
mount -t tmpfs tmpfs "$root/dev/shm"; mounts+=("$root/dev/shm")
# Rust as a new machine has it (rustup's toolchain), read-only.
bind "${RUSTUP_HOME:-$HOME/.rustup}" /opt/rustup ro
bind "${CARGO_HOME:-$HOME/.cargo}/bin" /opt/rust-bin ro

echo "== this working tree (no build output) and shared/ beside it"
mkdir -p "$root/src/aima"
git ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
  tar --null -T - -cf - | tar -xf - -C "$root/src/aima"
[ -d ../shared ] && cp -r ../shared "$root/src/shared"

in_root() {
  chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb CI="${CI:-}" \
    PATH=/opt/rust-bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    RUSTUP_HOME=/opt/rustup CARGO_HOME=/root/.cargo CARGO_TERM_COLOR=never \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
    REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt CURL_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt \
    NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
    bash -c "cd /src/aima && $1"
}

port=18080
# Starts scripts/serve.sh in the root and waits for /readyz; prints seconds.
# The server must serve its built-in web UI; `$1`, if given, runs in the
# root while the server is up.
serve_until_ready() {
  local t0 t1
  t0=$(date +%s)
  in_root "bash scripts/serve.sh --listen 127.0.0.1:$port >/var/log/aima-serve.log 2>&1" &
  local serve=$!
  until curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do
    if ! kill -0 "$serve" 2>/dev/null; then
      echo "scripts/serve.sh failed on the clean root:" >&2
      tail -n 60 "$root/var/log/aima-serve.log" >&2
      return 1
    fi
    sleep 2
  done
  t1=$(date +%s)
  grep -E "serve.sh took:|API:|data:|models:|default models" "$root/var/log/aima-serve.log" >&2 || true
  if ! curl -fsS "http://127.0.0.1:$port/" | grep -q '<div id="app">'; then
    echo "the binary serve.sh built has no web UI at /" >&2
    return 1
  fi
  if [ -n "${1:-}" ]; then in_root "$1" >&2 || return 1; fi
  pkill -f -- "--listen 127.0.0.1:$port" 2>/dev/null || true
  wait "$serve" 2>/dev/null || true
  echo $((t1 - t0))
}

echo "== 1. bash scripts/serve.sh, from clone to listening (cold), then again (warm)"
serve_s=$(serve_until_ready)
echo "serve.sh on a clean root, cold: listening after ${serve_s} s"
warm_s=$(serve_until_ready)
echo "serve.sh on the same root, warm: listening after ${warm_s} s"
# The README's second command runs "in another shell": a new login shell
# must find `aima` (serve.sh links it onto the PATH).
in_root "bash -lc 'command -v aima && aima --version && aima models pull --help >/dev/null'"
echo "a new login shell finds aima"

echo "== 2. bash scripts/test.sh --setup, and the native builds with whisper.cpp"
t0=$(date +%s)
in_root "bash scripts/test.sh --setup"
# The generated clients' tools (npm, openapi-typescript, openapi-python-client).
in_root "bash scripts/gen-clients.sh --check"
in_root ". scripts/lib/build.sh && use_build_env && cargo build --locked -p aima --features whisper-cpp"
# Chromium and playwright-core as the UI tests use them, on the UI serve.sh serves.
serve_until_ready "node ui/scripts/smoke.mjs http://127.0.0.1:$port/" >/dev/null
t1=$(date +%s)
setup_s=$((t1 - t0))
echo "test setup and native builds on a clean root: ${setup_s} s"

if $full; then
  echo "== 3. bash scripts/test.sh"
  t0=$(date +%s)
  in_root "bash scripts/test.sh"
  t1=$(date +%s)
  echo "the whole test suite on a clean root: $((t1 - t0)) s"
fi
echo "fresh-system check passed: serve cold ${serve_s} s, warm ${warm_s} s; test setup + native builds ${setup_s} s"
