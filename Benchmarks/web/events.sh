#!/usr/bin/env bash
# Event ingestion and monitoring reads over HTTP on loopback (issue 8's speed goals), release build:
#   1. single-event POST /api/v1/events at about 1,000 requests/s (20 connections, each pausing
#      16 ms after an answer: 20 / (16 ms + the answer's time) ≈ 1,000/s when answers take ~4 ms): p50/p99; then as fast as 16 connections go;
#   2. the SOP monitoring figures (GET /api/v1/sops/{id}/monitoring), warm, on that store; with
#      BIG_DB=path/to/store.sqlite (e.g. the 1.72 M-event store pantau-ingest-bench --sqlite leaves,
#      with PANTAU_AUDIT_KEY set to its key) also on that store.
# Usage: Benchmarks/web/events.sh [path/to/release/pantau] [seconds per run, default 20]
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${1:-.build/release/pantau}
DUR=${2:-20}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install -y wrk)" >&2; exit 1; }
[ -x "$BIN" ] || { echo "no release binary at $BIN (swift build -c release --product pantau)" >&2; exit 1; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
WORK=$(mktemp -d /tmp/pantau-events-bench.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export PANTAU_DATABASE_URL="$WORK/pantau.sqlite" PANTAU_ADMIN_PASSWORD="bench-kata-sandi-1" PANTAU_PORT="$PORT" \
       PANTAU_LOG_LEVEL=warning PANTAU_ALERT_INTERVAL=0
"$BIN" demo --password bench-kata-sandi-1 >/dev/null
TOKEN=$("$BIN" token create --name bench --unit PEMKOT | tail -1)
"$BIN" serve > "$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 100); do curl -fs "$BASE/health" >/dev/null 2>&1 && break; sleep 0.2; done
SOP=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT id FROM sops WHERE title LIKE '%Imunisasi%'\").fetchone()[0])" "$WORK/pantau.sqlite")
line() { awk -v name="$1" '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$NF} END {printf "%-44s %9s req/s  p50 %8s  p99 %8s  non-2xx %s\n", name, rps, p50, p99, (bad==""?0:bad)}'; }
echo "== pantau $("$BIN" --version 2>/dev/null || echo '') release, $(nproc) cores, wrk ${DUR}s per run, loopback, SQLite"
wrk -t2 -c20 -d"${DUR}s" --latency -s Benchmarks/web/events.lua "$BASE" -- "$SOP" "$TOKEN" 16 paced | line "POST /api/v1/events, 1 event, ~1000/s"
wrk -t2 -c16 -d"${DUR}s" --latency -s Benchmarks/web/events.lua "$BASE" -- "$SOP" "$TOKEN" 0 full | line "POST /api/v1/events, 1 event, flat out"
python3 - "$WORK/pantau.sqlite" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
n = db.execute("SELECT COUNT(*) FROM service_events WHERE client_id LIKE 'paced-%' OR client_id LIKE 'full-%'").fetchone()[0]
d = db.execute("SELECT COUNT(*) FROM (SELECT sop_id, client_id FROM service_events GROUP BY sop_id, client_id HAVING COUNT(*) > 1)").fetchone()[0]
c = db.execute("SELECT COUNT(*), SUM(CASE WHEN analysed_at IS NULL THEN 1 ELSE 0 END) FROM service_cases").fetchone()
print(f"stored events {n}, stored twice {d}, cases {c[0]} (not analysed {c[1]})")
PY
wrk -t1 -c1 -d"${DUR}s" --latency -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/sops/$SOP/monitoring" | line "GET monitoring (warm), this store"
kill $SERVER; wait $SERVER 2>/dev/null || true
if [ -n "${BIG_DB:-}" ]; then
  export PANTAU_DATABASE_URL="$BIG_DB"
  BIGSOP=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT sop_id FROM service_cases GROUP BY sop_id ORDER BY COUNT(*) DESC LIMIT 1').fetchone()[0])" "$BIG_DB")
  UNIT=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT u.code FROM sops s JOIN units u ON u.id = s.unit_id WHERE s.id = ?', (int(sys.argv[2]),)).fetchone()[0])" "$BIG_DB" "$BIGSOP")
  EVENTS=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT COUNT(*) FROM service_events WHERE sop_id = ?', (int(sys.argv[2]),)).fetchone()[0])" "$BIG_DB" "$BIGSOP")
  BIGTOKEN=$("$BIN" token create --name "bench-$RANDOM" --unit "$UNIT" | tail -1)
  "$BIN" serve > "$WORK/server2.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 100); do curl -fs "$BASE/health" >/dev/null 2>&1 && break; sleep 0.2; done
  START=$(date +%s.%N)
  curl -fs -o /dev/null -H "Authorization: Bearer $BIGTOKEN" "$BASE/api/v1/sops/$BIGSOP/monitoring"
  echo "GET monitoring, SOP with $EVENTS events: first (cold) request $(python3 -c "import sys; print(round((float(sys.argv[2]) - float(sys.argv[1])) * 1000))" "$START" "$(date +%s.%N)") ms"
  wrk -t1 -c1 -d"${DUR}s" --latency -H "Authorization: Bearer $BIGTOKEN" "$BASE/api/v1/sops/$BIGSOP/monitoring" | line "GET monitoring (warm), $EVENTS events"
fi
