# The ACE Music bot: `acemusic serve` by default. Small (no torch): generation happens on the
# ACE-Step server(s) named in ACESTEP_API_URL.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    PATH="/app/.venv/bin:$PATH" \
    DATABASE_URL=sqlite+aiosqlite:////data/acemusic.db \
    OUTPUT_DIR=/data/outputs \
    STANDIN_AUDIO_DIR=/data/standin

RUN pip install --no-cache-dir uv
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --locked --no-dev --no-install-project
COPY audiofile ./audiofile
COPY bot ./bot
COPY commands ./commands
COPY domain ./domain
COPY evaluation ./evaluation
COPY presets ./presets
COPY standin ./standin
COPY storage ./storage
RUN uv sync --locked --no-dev
# Compile librosa's numba functions into numba's cache in the image, so no audio worker spends
# ~20 s of CPU on its first track analysis (bot/engine/audio/analysis.py, warm_up).
RUN python -m bot.engine.audio.analysis

VOLUME /data
CMD ["acemusic", "serve"]
