# The build environment every script uses: one cargo target folder outside
# the clone (kept warm across clones), the cmake options at a stable path
# (cmake.sh), and the prebuilt CTranslate2 library (ctranslate2.sh).
# shellcheck disable=SC1091
. "$(dirname "${BASH_SOURCE[0]}")/cmake.sh"
. "$(dirname "${BASH_SOURCE[0]}")/ctranslate2.sh"

use_build_env() {
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-${HOME:-/var/tmp}/.cache}/aima/target}"
  use_stable_cmake_options
  use_prebuilt_ctranslate2
}
