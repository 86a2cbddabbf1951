# syntax=docker/dockerfile:1
# mux-ingest on Node 20: build, install, run.
#
# The build and install steps below are the ones test/e2e/installed-package.test.ts runs in CI,
# in the same order: `npm pack` in the source tree (its prepack builds dist/), then
# `npm install --omit=dev` of the tarball in an empty folder. The test reads these RUN lines
# from this file and fails if they change without it, so the tested path is the image's path.
# (No container runtime is reachable in CI, so the image itself is not built there.)

# --- build: the sources, every dependency, the packed package -------------------------------
FROM node:20-slim AS build
# better-sqlite3 compiles from source when no prebuilt binary can be fetched.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm pack --pack-destination /pack

# --- install: the packed package and its runtime dependencies only ---------------------------
FROM node:20-slim AS install
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /pack /pack
RUN npm install --omit=dev --no-audit --no-fund /pack/mux-ingest-*.tgz

# --- runtime: no compiler, no sources, not root ----------------------------------------------
FROM node:20-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8787 \
    DATABASE_PATH=/data/mux-ingest.db \
    STORAGE_DIR=/data/files
COPY --from=install /app /app
# The database, its generated encryption key and the downloaded files live on the volume,
# owned by the unprivileged `node` user of the official image.
RUN mkdir -p /data/files && chown -R node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8787
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8787/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node is PID 1 and handles SIGTERM itself: `serve` stops taking requests, lets running jobs
# finish for up to 10 s (then releases them to the next start), closes the database and exits.
# Give it more than that before SIGKILL: `docker stop -t 30` (compose.yaml sets 30 s).
# The young generation's bound is the one the bin's shebang gives (src/node/heap-policy.ts):
# node runs the bin as a script here, so the shebang line is not read.
ENTRYPOINT ["node", "--max-semi-space-size=2", "/app/node_modules/mux-ingest/bin/mux-ingest.js"]
CMD ["serve"]
