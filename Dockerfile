# syntax=docker/dockerfile:1
# Build the browser client with Node, run the server on Python slim as a non-root user.

FROM docker.io/library/node:20-bookworm-slim AS client
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends python3 \
    && rm -rf /var/lib/apt/lists/*
COPY client/package.json client/package-lock.json client/
RUN npm ci --prefix client --no-audit --no-fund
COPY canvas_schema canvas_schema
COPY client client
WORKDIR /src/client
RUN node build.mjs

# the update path compiled with mypyc (P371); the app loads it only while it matches the
# source it runs, so this stage must start from the same image as the app
FROM docker.io/library/python:3.11-slim AS native
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md LICENSE ./
COPY server server
COPY canvas_schema canvas_schema
COPY scripts/build_native.py scripts/
RUN python -m venv /venv && /venv/bin/pip install --no-cache-dir -e ".[native]" \
    && /venv/bin/python scripts/build_native.py

FROM docker.io/library/python:3.11-slim AS app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    COCANVAS_HOST=0.0.0.0 COCANVAS_PORT=8000 COCANVAS_DATA_DIR=/data
WORKDIR /app
# Pango/HarfBuzz for PDF export (shaping of Arabic and other scripts), Cairo for PNG
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libcairo2 \
        fonts-dejavu-core fonts-noto-core fonts-noto-color-emoji \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md LICENSE ./
COPY server server
COPY canvas_schema canvas_schema
COPY --from=client /src/server/static server/static
COPY --from=native /src/server/_native server/_native
# the extras: deploy/compose.yaml runs the nodes with --relay=redis:// and --store=postgresql://
RUN python -m venv /venv && /venv/bin/pip install --no-cache-dir ".[postgres,redis]" \
    && useradd --system --uid 10001 --home-dir /data cocanvas \
    && mkdir -p /data && chown cocanvas /data
USER 10001
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
    CMD ["/venv/bin/python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"]
CMD ["/venv/bin/cocanvas", "serve"]
