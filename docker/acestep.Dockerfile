# An ACE-Step 1.5 API server for an NVIDIA GPU host, from the PyPI package `ace-step15-fork`: the
# alternative to the team's image (valyriantech/ace-step-1.5) in docker-compose.yml. Built with
#   docker build -t acemusic-acestep -f docker/acestep.Dockerfile docker
# and used with ACESTEP_IMAGE=acemusic-acestep in .env. Laid out like that image: it listens on
# 8000 and keeps the model files in /app/checkpoints (the compose file's volume), downloaded on the
# first start. NOT RUN on the project's development machines (no GPU, no Docker engine there):
# check it on the GPU host. PyPI's snapshot is older than the server's git head (shared
# ACESTEP_API.md §11); the bot copes with both.
FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04

ENV PYTHONUNBUFFERED=1 \
    ACESTEP_API_HOST=0.0.0.0 \
    ACESTEP_API_PORT=8000 \
    ACESTEP_PROJECT_ROOT=/app \
    ACESTEP_CHECKPOINTS_DIR=/app/checkpoints
RUN apt-get update && apt-get install -y --no-install-recommends python3.11 python3-pip ffmpeg \
    && rm -rf /var/lib/apt/lists/*
RUN python3.11 -m pip install --no-cache-dir ace-step15-fork
WORKDIR /app
RUN mkdir -p /app/checkpoints
EXPOSE 8000
CMD ["python3.11", "-m", "uvicorn", "acestep.api_server:app", "--host", "0.0.0.0", "--port", "8000", "--workers", "1"]
