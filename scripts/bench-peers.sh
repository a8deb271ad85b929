#!/usr/bin/env bash
# npm run bench:peers — Strata side by side with RabbitMQ, NATS JetStream and Redis through the peer harness
# (../shared/bench, unchanged), then docs/benchmarks.md from its result file.
# Installs the peers' Debian packages when missing. The harness is read-only to this project, so it runs from a
# copy in a temporary directory, where its npm dependencies are installed; the command it runs is the harness's own:
#   STRATA_DIR=$PWD node run-all.js --peers strata,... --reps 3 --w1-count 100000 --w3-count 200000 --w2-seconds 10
# Set STRATA_BENCH_CPU_PROF=DIR to also write V8 CPU profiles of the Strata server process into DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
HARNESS=${STRATA_PEER_HARNESS:-$ROOT/../shared/bench}
PEERS=${STRATA_BENCH_PEERS:-strata,rabbitmq-quorum,rabbitmq-stream,nats-jetstream,redis-always,redis-everysec}
ARGS=(--reps "${STRATA_BENCH_REPS:-3}" --w1-count 100000 --w3-count 200000 --w2-seconds 10)

[ -f "$HARNESS/run-all.js" ] || { echo "bench:peers: no peer harness at $HARNESS (set STRATA_PEER_HARNESS)" >&2; exit 2; }

missing=()
for p in rabbitmq-server nats-server redis-server redis-tools; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench:peers: installing ${missing[*]}"
  SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/strata-peer-bench.XXXXXX")
trap 'rm -rf "$WORK/node_modules"' EXIT
( cd "$HARNESS" && tar --exclude=./node_modules --exclude=./results -cf - . ) | ( cd "$WORK" && tar -xf - )
( cd "$WORK" && npm ci --no-audit --no-fund --loglevel=error )

# Strata runs as shipped (the compiled output that `npm start` runs), built fresh.
npm run build --silent
OUT="$WORK/results/peers.json"
mkdir -p "$WORK/results"
echo "bench:peers: harness copy in $WORK; results -> $OUT"
STRATA_DIR=$ROOT node "$WORK/run-all.js" --peers "$PEERS" "${ARGS[@]}" --out "$OUT" --report ''
node --import tsx bench/peer-report.ts "$OUT" docs/benchmarks.md
mkdir -p bench/results
cp "$OUT" "bench/results/peers-$(date -u +%Y%m%dT%H%M%SZ).json"
echo "bench:peers: docs/benchmarks.md written; raw results kept in bench/results/"
