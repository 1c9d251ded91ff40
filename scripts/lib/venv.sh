# A Python venv of AIMA's own for the tests' and benchmarks' Python tools
# (Debian's Python refuses system-wide pip installs). `use_venv PKG...`
# creates it once, puts it first on PATH (so `python3` is its Python), and
# installs the packages whose import name (before `==`/`[`, `-` as `_`) is
# missing.
use_venv() {
  local venv="${XDG_CACHE_HOME:-${HOME:-/var/tmp}/.cache}/aima/venv" p mod missing=()
  [ -x "$venv/bin/python3" ] || python3 -m venv "$venv"
  export PATH="$venv/bin:$PATH"
  for p in "$@"; do
    mod="${p%%[=\[]*}"
    mod="${mod//-/_}"
    python3 -c "import $mod" 2>/dev/null || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] || python3 -m pip install --quiet --disable-pip-version-check "${missing[@]}"
}
