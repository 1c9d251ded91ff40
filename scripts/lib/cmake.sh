# Points every cmake build of the workspace (whisper.cpp, CTranslate2,
# oneDNN) at build/cmake-options.cmake through one path that does not depend
# on where the clone is. .cargo/config.toml names the file relative to the
# clone, which is right for a user's checkout; but cmake-based build scripts
# rerun whenever CMAKE_TOOLCHAIN_FILE changes, so two clones sharing one
# warm CARGO_TARGET_DIR (CI's and a developer's) would take turns rerunning
# them. A variable set here wins over .cargo/config.toml's.
use_stable_cmake_options() {
  local dst="${XDG_CACHE_HOME:-${HOME:-/var/tmp}/.cache}/aima/cmake-options.cmake"
  mkdir -p "$(dirname "$dst")"
  cmp -s build/cmake-options.cmake "$dst" || cp build/cmake-options.cmake "$dst"
  export CMAKE_TOOLCHAIN_FILE="$dst"
}
