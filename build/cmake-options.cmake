# Cache settings for the C++ libraries that cargo builds with cmake
# (passed by .cargo/config.toml as CMAKE_TOOLCHAIN_FILE; cmake reads it
# before each library's own options, so these become their defaults).
#
# oneDNN: CTranslate2 needs its GEMM functions (always built), 1-D
# convolution and reorders, and nothing else: the set the
# `ctranslate2` wheels are built with. The other primitives would only
# lengthen the build (21 minutes on 2 cores with this set).
set(ONEDNN_ENABLE_PRIMITIVE "CONVOLUTION;REORDER" CACHE STRING "oneDNN primitives built" FORCE)
