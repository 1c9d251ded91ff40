# Installs groups of Debian/Ubuntu packages from scripts/packages.txt,
# only those not there yet (an `apt-get update` only when something is
# missing). A package counts as there when dpkg has it or a command of its
# name is on PATH (node and npm installed another way, say, with which
# Debian's npm package would conflict). Usage: install_packages build run ...
packages_of() {
  local list
  list="$(dirname "${BASH_SOURCE[0]}")/../packages.txt"
  local group
  for group in "$@"; do
    grep -E "^$group:" "$list" | cut -d: -f2- || { echo "no package group $group" >&2; return 1; }
  done | tr ' ' '\n' | grep -v '^$' | sort -u
}

install_packages() {
  local sudo="" missing=() p
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  for p in $(packages_of "$@"); do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
      command -v "$p" >/dev/null || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}
