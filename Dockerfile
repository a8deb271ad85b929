# Strata's image: the `strata` command (standalone, bookie, broker, admin, produce, consume) on Node 20.
# docker-compose.yml builds it; by hand: docker build -t strata:local . && docker run --rm strata:local --help
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# `npm install` rather than `npm ci` (see scripts/test-all.sh); no scripts: `prepare` would compile
# before the sources are copied, and the compile runs below.
RUN npm install --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY types ./types
COPY common ./common
COPY metadata ./metadata
COPY protocol ./protocol
COPY bookie ./bookie
COPY ledger ./ledger
COPY objectstore ./objectstore
COPY broker ./broker
COPY client ./client
COPY cli ./cli
RUN npx tsc -p tsconfig.build.json

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
# A named volume mounted on /data takes this directory's owner: the unprivileged user can write it.
RUN mkdir -p /data && chown node:node /data
USER node
ENTRYPOINT ["node", "/app/bin/strata.js"]
CMD ["--help"]
