#!/usr/bin/env bash
# Web-path load figures on loopback (issue 7 §2.2 and §4): a release build of `pantau serve --demo`
# on a fresh SQLite database, then wrk (Debian's `wrk`):
#   1. public pages: the survey form, the transparency page and the login page, 32 connections;
#   2. sign-in: 20 concurrent sign-ins (20 accounts, bcrypt cost 12) while /health is polled on
#      one more connection: the sign-in p99 and the /health p99.
# Prints the figures; nothing is timed in unit tests. Loopback only, bounded duration.
# Usage: Benchmarks/web/run.sh [path/to/release/pantau] [seconds per run, default 15]
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${1:-.build/release/pantau}
DUR=${2:-15}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install -y wrk)" >&2; exit 1; }
[ -x "$BIN" ] || { echo "no release binary at $BIN (swift build -c release --product pantau)" >&2; exit 1; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
WORK=$(mktemp -d /tmp/pantau-web-bench.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export PANTAU_DATABASE_URL="$WORK/pantau.sqlite" PANTAU_ADMIN_PASSWORD="bench-kata-sandi-1" PANTAU_PORT="$PORT" \
       PANTAU_LOG_LEVEL=warning PANTAU_SURVEY_RATE_LIMIT=1000000 PANTAU_LOGIN_MAX_FAILURES=100
"$BIN" demo --password bench-kata-sandi-1 >/dev/null
for i in $(seq 0 19); do
  "$BIN" user create --username "bench$i" --name "Bench $i" --role officer --unit DINKES-PKM-KTB --password bench-kata-sandi-1 >/dev/null
done
"$BIN" serve > "$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 100); do curl -fs "$BASE/health" >/dev/null 2>&1 && break; sleep 0.2; done
CODE=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT code FROM surveys ORDER BY id LIMIT 1').fetchone()[0])" "$WORK/pantau.sqlite")
echo "== pantau $("$BIN" --version 2>/dev/null || echo '') release, $(nproc) cores, wrk ${DUR}s per run, loopback"
for path in "/s/$CODE" /transparansi /login /health; do
  printf '%-22s' "GET $path"
  wrk -t2 -c32 -d"${DUR}s" --latency "$BASE$path" | awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$NF} END {printf "%10s req/s  p50 %8s  p99 %8s  non-2xx %s\n", rps, p50, p99, (bad==""?0:bad)}'
done
echo "== sign-in: 20 concurrent (bcrypt cost 12) while /health is polled"
wrk -t1 -c1 -d"${DUR}s" --latency "$BASE/health" > "$WORK/health.txt" &
HEALTH=$!
wrk -t2 -c20 -d"${DUR}s" --timeout 30s --latency -s Benchmarks/web/login.lua "$BASE" > "$WORK/login.txt"
wait $HEALTH
awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$NF} END {printf "POST /login            %10s req/s  p50 %8s  p99 %8s  non-2xx (303 expected) %s\n", rps, p50, p99, bad}' "$WORK/login.txt"
awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} END {printf "GET /health meanwhile  %10s req/s  p50 %8s  p99 %8s\n", rps, p50, p99}' "$WORK/health.txt"
