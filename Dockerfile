# syntax=docker/dockerfile:1
# Tradewatch hub image: `docker build -t tradewatch .` — see docs/deployment.md.
# Reviewed against the official Node.js image guidance (github.com/nodejs/docker-node,
# docs/BestPractices.md): a pinned Debian-slim tag, NODE_ENV=production, the image's
# unprivileged `node` user, an init process for signals (`--init` / compose `init: true`),
# and no build tools in the final image. No Docker engine runs in this project's CI: the
# file is kept minimal and reviewed, not built there.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary matches the platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY packages/protocol/package.json packages/protocol/
COPY packages/analytics/package.json packages/analytics/
COPY packages/sdk/package.json packages/sdk/
COPY packages/server/package.json packages/server/
COPY packages/web/package.json packages/web/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.base.json ./
COPY scripts ./scripts
COPY packages ./packages
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -rf packages/*/src packages/*/tsconfig*.json packages/web/node_modules/.vite

FROM node:20-bookworm-slim
# pg_dump for backups of a PostgreSQL store (Debian 12 ships the 15 client: pair it with
# PostgreSQL 15, or backups fall back to the logical export; see docs/deployment.md).
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    TRADEWATCH_DATA_DIR=/data \
    TRADEWATCH_HOST=0.0.0.0 \
    TRADEWATCH_PORT=8080
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/packages ./packages
RUN mkdir -p /data && chown node:node /data \
 && ln -s /app/packages/server/dist/cli/main.js /usr/local/bin/tradewatch
USER node
VOLUME ["/data"]
EXPOSE 8080
# /readyz answers 200 once the hub serves and its workers run; the slim image has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.TRADEWATCH_PORT||8080)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "packages/server/dist/cli/main.js", "serve"]
