# syntax=docker/dockerfile:1
# booktutor API image: CPU-only PyTorch, non-root, migrations run as a separate one-off step.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# The CPU wheel index keeps the multi-GB CUDA build out of the image.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0
COPY pyproject.toml README.md alembic.ini ./
COPY src ./src
COPY migrations ./migrations
RUN pip install .

FROM python:3.11-slim AS runtime
# DL3064 is a false positive here: it matches "TOKEN" in TOKENIZERS_PARALLELISM; no secret is set.
# hadolint ignore=DL3064
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 \
    TOKENIZERS_PARALLELISM=false \
    BOOKTUTOR_HOST=0.0.0.0 \
    BOOKTUTOR_PORT=8000 \
    BOOKTUTOR_DATA_DIR=/data
RUN useradd --create-home --uid 10001 booktutor && mkdir /data && chown booktutor /data
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app
USER 10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/api/v1/health', timeout=4).status == 200 else 1)"]
CMD ["booktutor", "serve"]
