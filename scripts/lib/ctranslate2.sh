# CTranslate2 for the transcription engine, taken prebuilt from the
# `ctranslate2` wheel (the library faster-whisper runs on, with MKL and
# oneDNN inside) instead of compiling CTranslate2 and oneDNN from source,
# which took about 26 of a cold build's minutes on 2 cores.
#
# The wheel is fetched with the user's own pip (their index and proxy
# settings apply) and checked against its SHA-256. Its version must be the
# one vendored by the ct2rs crate (Cargo.lock), whose C++ bridge is compiled
# against that version's headers.
#
# use_prebuilt_ctranslate2 sets:
#   AIMA_CTRANSLATE2_LIB  the folder with libctranslate2 and its libgomp;
#                         crates/aima/build.rs writes it into the binary's
#                         run-time search path, beside $ORIGIN and $ORIGIN/../lib
#   LIBRARY_PATH          so the linker finds it (read by ct2rs' build script)
#   LD_LIBRARY_PATH       so test binaries and `cargo run` load it
CT2_VERSION="4.8.4"
CT2_WHEEL="ctranslate2-$CT2_VERSION-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl"
CT2_WHEEL_SHA256="1037b3f51d18f1546120686670d71fcdaf85a0500fffccc56d8439ded5d284e5"

use_prebuilt_ctranslate2() {
  local dir="${XDG_CACHE_HOME:-${HOME:-/var/tmp}/.cache}/aima/ctranslate2-$CT2_VERSION"
  if [ "$(uname -m)" != "x86_64" ]; then
    echo "The prebuilt CTranslate2 is for x86_64 Linux; build with --features ctranslate2-source instead (see README)." >&2
    return 1
  fi
  if [ ! -e "$dir/libctranslate2.so" ]; then
    local tmp
    tmp="$(mktemp -d)"
    # The cp311 wheel is fetched whatever Python runs pip: only its C++
    # library is used, which does not depend on Python.
    python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
      --python-version 3.11 --implementation cp --abi cp311 --platform manylinux_2_28_x86_64 \
      -d "$tmp" "ctranslate2==$CT2_VERSION"
    echo "$CT2_WHEEL_SHA256  $tmp/$CT2_WHEEL" | sha256sum --check --quiet
    rm -rf "$dir.partial"
    mkdir -p "$dir.partial"
    python3 - "$tmp/$CT2_WHEEL" "$dir.partial" <<'PY'
import pathlib, sys, zipfile
wheel, dest = sys.argv[1], pathlib.Path(sys.argv[2])
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.startswith("ctranslate2.libs/") and ".so" in name:
            out = dest / pathlib.PurePosixPath(name).name
            out.write_bytes(z.read(name))
            out.chmod(0o755)
PY
    (
      cd "$dir.partial"
      # The linker's name for it; the binary records the library's soname.
      ln -s libctranslate2-*.so.* libctranslate2.so
      # ct2rs 0.10.3 links these static libraries by name in its `system`
      # mode: cpu_features is inside the shared libctranslate2 already, and
      # CUDA's static libraries are named on Linux even without its cuda
      # feature (a CPU build calls none of them). Empty archives satisfy
      # the names and add nothing to the binary.
      for lib in cpu_features cublas_static cublasLt_static culibos cudart_static; do
        ar rc "lib$lib.a"
      done
    )
    rm -rf "$tmp" "$dir"
    mv "$dir.partial" "$dir"
  fi
  export AIMA_CTRANSLATE2_LIB="$dir"
  export LIBRARY_PATH="$dir${LIBRARY_PATH:+:$LIBRARY_PATH}"
  export LD_LIBRARY_PATH="$dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
}
