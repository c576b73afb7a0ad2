# syntax=docker/dockerfile:1
# One image for every toolflow function, the connector and the user API (README, "Deploying"):
# the command picks the part. Under OpenFaaS the image runs of-watchdog (CMD), which starts the
# `fprocess` that stack.yml gives each function; under Knative each Service gives its own args
# (`toolflow function enqueue`, `toolflow serve`…). Not built on the machine this was written on
# (no Docker engine there): see the README.
ARG NODE_IMAGE=node:20-bookworm-slim
ARG WATCHDOG_IMAGE=ghcr.io/openfaas/of-watchdog:0.11.6

FROM ${WATCHDOG_IMAGE} AS watchdog

# --- build: every dependency, the native one compiled, the TypeScript compiled, then the dev ones dropped
FROM ${NODE_IMAGE} AS build
# better-sqlite3 compiles from source when no prebuilt binary can be downloaded (node-gyp).
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the package's own `prepare` script (the build) needs the sources, copied below;
# the two dependencies with install scripts are built right after.
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && npm rebuild better-sqlite3 protobufjs
COPY . .
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

# --- runtime: Node.js, bash and the usual Unix tools (the local executor runs tools with them)
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    TOOLFLOW_HOME=/tmp/toolflow
WORKDIR /app
COPY --from=watchdog /fwatchdog /usr/bin/fwatchdog
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/schema ./schema
COPY --from=build /app/openapi ./openapi
COPY --from=build /app/proto ./proto
COPY deploy/with-secrets.sh /usr/local/bin/with-secrets
RUN ln -s /app/bin/toolflow.js /usr/local/bin/toolflow \
 && toolflow --version
# The `node` user of the base image (uid 1000): nothing runs as root.
USER node
EXPOSE 8080
ENTRYPOINT ["with-secrets"]
CMD ["fwatchdog"]
