# CPU image of the scoring service: `docker build -t reliability .`
# then `docker run --rm -v "$PWD/articles:/data" reliability score /data/*.txt`
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 \
    PIP_NO_CACHE_DIR=1 RELIABILITY_MODELS_DIR=/app/models
WORKDIR /app

# Install torch first; pass --build-arg TORCH_INDEX_URL=<a CPU wheel index> for a small CPU-only build.
ARG TORCH_INDEX_URL=""
RUN if [ -n "$TORCH_INDEX_URL" ]; then pip install --index-url "$TORCH_INDEX_URL" torch==2.13.0; else pip install torch==2.13.0; fi

COPY pyproject.toml README.md ./
COPY service ./service
COPY models ./models
RUN pip install .

RUN useradd --create-home reliability
USER reliability
ENTRYPOINT ["reliability"]
CMD ["--help"]
