#!/usr/bin/env bash
# The whole test suite from a fresh clone on Debian: installs what the tests need (etcd when it is
# missing, the npm dependencies), then typecheck, lint, the dependency-direction check and every test.
# Ends with one line "N passed, N failed" and a non-zero exit on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

# Real servers the tests start on loopback: etcd, and OpenStack Swift with s3api (an S3 server).
packages=()
command -v etcd >/dev/null 2>&1 || packages+=(etcd-server etcd-client)
command -v swift-proxy-server >/dev/null 2>&1 || packages+=(swift-proxy swift-account swift-container swift-object memcached)
# docker-compose (1.29) validates docker-compose.yml offline; no Docker engine is needed.
command -v docker-compose >/dev/null 2>&1 || packages+=(docker-compose)
if [ ${#packages[@]} -gt 0 ]; then
  echo "installing ${packages[*]} (Debian packages)"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

# `npm install` rather than `npm ci`: npm 11 writes lock files without the other platforms' optional
# packages (rollup's, esbuild's) and then refuses them in `npm ci`.
npm install --no-audit --no-fund --loglevel=error
npm run --silent typecheck
npm run --silent lint
npm run --silent depcheck
exec node scripts/run-tests.mjs
