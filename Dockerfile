# syntax=docker/dockerfile:1
#
# The agents worker: `serve` (sessions API, completion API, /health, /ready, /metrics) on 8080.
#
#   docker build -t agents-worker .
#   docker run --rm -p 8080:8080 --env-file .env agents-worker
#
# To run an agent file of your own, copy it into agents/ and name it in the command:
#   docker run --rm -p 8080:8080 --env-file .env agents-worker serve agents/my-agent.ts
#
# Two stages: `build` installs every dependency and compiles the package (src/) into dist/, as
# `npm run build` does; the final image has Node, the production dependencies, dist/ and the
# agent files, and runs as the unprivileged `node` user. The agent files stay TypeScript: the
# CLI loads them as they are, and their `import ... from 'stream-gemini-agents'` resolves to
# /app/dist through the package's own name (package.json "exports"). Debian (glibc), not
# Alpine: the WebRTC binding (@roamhq/wrtc) ships glibc binaries only.

ARG NODE_VERSION=22

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY agents ./agents
# A type error, in the package or an agent file, fails the build (tsconfig.json also names
# test/ and bench/, which are not copied).
RUN npx tsc -p tsconfig.json --noEmit && npx tsc -p tsconfig.build.json --declaration false

FROM node:${NODE_VERSION}-bookworm-slim
# HOST 0.0.0.0: the server listens on the container's interfaces, so a published port reaches
# it (outside a container the default is 127.0.0.1). A HOST in `--env-file` would override it;
# .env.example leaves HOST unset for that reason.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY agents ./agents
USER node
EXPOSE 8080
# /health says the process is alive; orchestrators that know readiness should probe /ready.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM drains: no new sessions, every session closed (transcripts flushed) within
# DRAIN_TIMEOUT_MS, then exit 0, or 1 when sessions still closing had to be abandoned.
# Give `docker stop` more than that: docker stop -t 40.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/cli.js"]
CMD ["serve", "agents/voice-agent.ts"]
