# An ACE-Step 1.5 API server for an NVIDIA GPU host: `acemusic engine --acestep` with the project's
# `gpu` extra (the PyPI package `ace-step15-fork` 20260212, torch and the model stack, as locked in
# uv.lock). The alternative to the team's image (valyriantech/ace-step-1.5) in docker-compose.yml.
# Built from the repository root with
#   docker build -t acemusic-acestep -f docker/acestep.Dockerfile .
# and used with ACESTEP_IMAGE=acemusic-acestep in .env. Laid out like that image: it listens on
# 8000 and keeps the model files in /app/checkpoints (the compose file's volume), downloaded on the
# first start; ACESTEP_DIT_MODEL / ACESTEP_LM_MODEL choose the models.
#
# Why the command and not the package's own server (`uvicorn acestep.api_server:app`): as published,
# that server cannot load its model (it calls its handler with `project_root=`, which the handler no
# longer takes), imports gradio without declaring it, and keeps its models inside site-packages
# rather than /app/checkpoints. `acemusic engine --acestep` adapts all three
# (bot/adapters/cli/acestep_engine.py, docs/acestep-notes.md).
#
# torch comes from PyPI: its Linux wheels bundle CUDA 13 libraries, so the image needs no CUDA base,
# but the host's NVIDIA driver must support CUDA 13 (`nvidia-smi` shows "CUDA Version: 13" or
# higher). NOT RUN on the project's development machines (no GPU, no Docker engine there): check it
# on the GPU host (docs/deploy.md).
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    PATH="/app/.venv/bin:$PATH" \
    ACESTEP_ENGINE_DIR=/app
# FFmpeg's libraries: torchaudio reads audio through torchcodec, which loads them.
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg \
    && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir uv
WORKDIR /src
COPY pyproject.toml uv.lock README.md ./
RUN UV_PROJECT_ENVIRONMENT=/app/.venv uv sync --locked --no-dev --extra gpu --no-install-project
COPY audiofile ./audiofile
COPY bot ./bot
COPY commands ./commands
COPY domain ./domain
COPY evaluation ./evaluation
COPY presets ./presets
COPY standin ./standin
COPY storage ./storage
RUN UV_PROJECT_ENVIRONMENT=/app/.venv uv sync --locked --no-dev --extra gpu --no-editable
WORKDIR /app
RUN mkdir -p /app/checkpoints
EXPOSE 8000
CMD ["acemusic", "engine", "--acestep", "--host", "0.0.0.0", "--port", "8000"]
