#!/usr/bin/env bash
# The whole test suite from a fresh clone on Debian: installs what the tests need (etcd when it is
# missing, the npm dependencies), then typecheck, lint, the dependency-direction check and every test.
# Ends with one line "N passed, N failed" and a non-zero exit on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v etcd >/dev/null 2>&1; then
  echo "installing etcd (Debian packages etcd-server, etcd-client)"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends etcd-server etcd-client >/dev/null
fi

# `npm install` rather than `npm ci`: npm 11 writes lock files without the other platforms' optional
# packages (rollup's, esbuild's) and then refuses them in `npm ci`.
npm install --no-audit --no-fund --loglevel=error
npm run --silent typecheck
npm run --silent lint
npm run --silent depcheck
exec node scripts/run-tests.mjs
