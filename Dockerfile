# syntax=docker/dockerfile:1
# One multi-stage build, two images: `--target api` (pixelfarm/api) and `--target worker`
# (pixelfarm/worker). Runtime on the current Node LTS (26, LTS since 2026-10-28) on Debian
# stable, whose Chromium gets security updates; the worker adds it and the fonts that make
# every worker render the same pixels, CJK included. test/deploy/dockerfile.test.ts checks this file.
ARG NODE_IMAGE=node:26-trixie-slim

# The workspaces' package.json files alone, in their places: the layer this stage hands on is the
# same until a manifest changes, so the build stage's `npm ci` stays cached across source edits.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /app
COPY packages ./packages
COPY apps ./apps
RUN find packages apps -mindepth 2 -maxdepth 2 ! -name package.json -exec rm -rf {} +

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=manifests /app ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.base.json ./
COPY packages ./packages
COPY apps ./apps
RUN node node_modules/typescript/bin/tsc -b \
 && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
# tini is PID 1: it forwards SIGTERM and reaps Chromium's helper processes.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/packages ./packages
COPY --from=build /app/apps ./apps
ENTRYPOINT ["/usr/bin/tini", "--"]

FROM runtime AS api
USER node
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "apps/api/dist/main.js"]

FROM runtime AS worker
# fonts-noto-cjk: Chinese, Japanese and Korean text, which would otherwise render as boxes.
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji fonts-liberation \
 && rm -rf /var/lib/apt/lists/*
ENV CHROMIUM_PATH=/usr/bin/chromium
USER node
EXPOSE 9100
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.WORKER_PORT||9100)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "apps/worker/dist/main.js"]
