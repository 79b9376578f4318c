FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends gcc libgomp1 && rm -rf /var/lib/apt/lists/*
WORKDIR /srv/assistant
COPY pyproject.toml README.md ./
COPY assistant assistant
COPY knowledge knowledge
COPY index index
COPY channels channels
COPY bench bench
RUN pip install --no-cache-dir --extra-index-url https://download.pytorch.org/whl/cpu "torch==2.13.0" \
    && pip install --no-cache-dir .
ENV ASSISTANT_HOST=0.0.0.0 ASSISTANT_INDEX_DIR=/srv/assistant/var/index
EXPOSE 8000
CMD ["assistant", "serve"]
