# An ACE-Step 1.5 API server for an NVIDIA GPU host, from the PyPI package `ace-step15-fork`.
# NOT RUN on the project's development machines (no GPU, no Docker engine there): treat it as a
# starting point and check it on the GPU host. Model weights download on first start.
FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04

ENV PYTHONUNBUFFERED=1 ACESTEP_API_HOST=0.0.0.0 ACESTEP_API_PORT=8001
RUN apt-get update && apt-get install -y --no-install-recommends python3.11 python3-pip ffmpeg \
    && rm -rf /var/lib/apt/lists/*
RUN python3.11 -m pip install --no-cache-dir ace-step15-fork
EXPOSE 8001
CMD ["python3.11", "-m", "uvicorn", "acestep.api_server:app", "--host", "0.0.0.0", "--port", "8001", "--workers", "1"]
