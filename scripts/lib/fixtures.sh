# Test images no one here made: scikit-image's sample images, taken from its
# wheel with the user's own pip (so their index and proxy settings apply).
# Sets AIMA_TEST_IMAGES to a folder holding astronaut.png, coffee.png, ...
SKIMAGE_VERSION="0.26.0"

fetch_test_images() {
  local cache="${XDG_CACHE_HOME:-${HOME:-/var/tmp}/.cache}/aima/fixtures/skimage-$SKIMAGE_VERSION"
  if [ ! -f "$cache/astronaut.png" ]; then
    local tmp
    tmp="$(mktemp -d)"
    python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
      -d "$tmp" "scikit-image==$SKIMAGE_VERSION"
    mkdir -p "$cache.partial"
    python3 - "$tmp" "$cache.partial" <<'PY'
import pathlib, sys, zipfile
src, dest = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
wheel = next(src.glob("scikit_image-*.whl"))
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.startswith("skimage/data/") and name.endswith((".png", ".jpg")) and name.count("/") == 2:
            (dest / pathlib.Path(name).name).write_bytes(z.read(name))
PY
    rm -rf "$tmp" "$cache"
    mv "$cache.partial" "$cache"
  fi
  export AIMA_TEST_IMAGES="$cache"
}
