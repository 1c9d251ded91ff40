# Puts `aima` on the PATH of a new login shell: a link to the built binary
# in /usr/local/bin when this user may write there (root; on every default
# PATH), else in ~/.local/bin, which Debian's and Ubuntu's ~/.profile put on
# the PATH when the folder exists (and which is added to ~/.profile here if
# that profile does not). Says where, and how to use it in this shell.
link_aima() {
  local binary="$1" dir
  if [ -w /usr/local/bin ]; then
    dir=/usr/local/bin
  else
    dir="$HOME/.local/bin"
    mkdir -p "$dir"
    if ! grep -qs '\.local/bin' "$HOME/.profile"; then
      # shellcheck disable=SC2016
      printf '\n# aima (scripts/serve.sh)\n[ -d "$HOME/.local/bin" ] && PATH="$HOME/.local/bin:$PATH"\n' >> "$HOME/.profile"
    fi
  fi
  ln -sf "$binary" "$dir/aima"
  echo "aima is on the PATH of new shells: $dir/aima -> $binary" >&2
  case ":$PATH:" in
    *":$dir:"*) ;;
    *) echo "In this shell, run: export PATH=\"$dir:\$PATH\"" >&2 ;;
  esac
}
