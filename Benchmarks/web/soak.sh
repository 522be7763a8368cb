#!/usr/bin/env bash
# Soak: mixed traffic on loopback for a while (default 10 minutes) at 500 requests/s with wrk, one
# wrk per kind of request, each connection pausing between requests and each wrk thread holding its
# share of the rate, second by second (Benchmarks/web/soak.lua):
#   survey   public survey: GET the form, POST it filled in (80 req/s, 40 submissions/s)
#   events   POST /api/v1/events, batches of 10 events (40 req/s, 400 events/s)
#   pages    signed-in pages: home, SOP list, SOP, monitoring page, leadership dashboard, indicators (180 req/s)
#   api      API reads with a token: SOPs, one SOP, its monitoring figures, indicators, survey results (200 req/s)
# It samples the server's resident memory every 5 s and prints, per kind, requests/s, p50, p99 and
# answers that were not 2xx/3xx, then the memory of the second minute against the last minute.
# Exit status 1 if any answer was not 2xx/3xx, or the last minute's memory is more than 10% above
# the second minute's.
# Usage: Benchmarks/web/soak.sh [path/to/release/pantau] [seconds, default 600] [sqlite|postgres URL]
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${1:-.build/release/pantau}
DUR=${2:-600}
DB=${3:-sqlite}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install -y wrk)" >&2; exit 1; }
[ -x "$BIN" ] || { echo "no binary at $BIN (swift build -c release --product pantau)" >&2; exit 1; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
WORK=$(mktemp -d /tmp/pantau-soak.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
PW="soak-kata-sandi-2026"
if [ "$DB" = sqlite ]; then
  export PANTAU_DATABASE_URL="sqlite://$WORK/pantau.sqlite"
else
  export PANTAU_DATABASE_URL="$DB" PANTAU_AUTO_MIGRATE=true PANTAU_AUDIT_KEY=${PANTAU_AUDIT_KEY:-soak-audit-key-0123456789abcdef0123456789}
fi
# The survey limits are for people; the soak is one address sending forms as fast as a crowd.
export PANTAU_ADMIN_PASSWORD="$PW" PANTAU_PORT="$PORT" PANTAU_LOG_LEVEL=warning \
       PANTAU_SURVEY_RATE_LIMIT=1000000 PANTAU_SURVEY_MIN_FILL_SECONDS=0
"$BIN" serve --demo > "$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 300); do curl -fs "$BASE/health" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fs "$BASE/health" >/dev/null || { echo "server did not start:"; cat "$WORK/server.log"; exit 1; }
TOKEN=$("$BIN" token create --name "soak-$RANDOM" --unit PEMKOT 2>/dev/null | tail -1)

# Ids from the API (the demo's immunisation SOP and its survey).
SOP=$(curl -fs -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/sops" | python3 -c 'import json,sys; d=json.load(sys.stdin); d=d.get("items", d) if isinstance(d, dict) else d; print(next(s["id"] for s in d if "Imunisasi" in s["title"]))')
read -r SURVEY CODE < <(curl -fs -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/surveys" | python3 -c 'import json,sys; d=json.load(sys.stdin); d=d.get("items", d) if isinstance(d, dict) else d; s=d[0]; print(s["id"], s["code"])')
# A signed-in session for the pages.
curl -fs -c "$WORK/jar" -b "$WORK/jar" "$BASE/login" > "$WORK/login.html"
CSRF=$(sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' "$WORK/login.html" | head -1)
curl -fs -o /dev/null -c "$WORK/jar" -b "$WORK/jar" --data-urlencode "_csrf=$CSRF" --data-urlencode username=admin \
     --data-urlencode "password=$PW" "$BASE/login"
SESSION=$(awk '$6 == "pantau_session" {print $7}' "$WORK/jar")
[ -n "$SESSION" ] || { echo "could not sign in"; exit 1; }

echo "== pantau $("$BIN" --version 2>/dev/null || true), $(nproc) cores, ${DUR}s soak on loopback, $([ "$DB" = sqlite ] && echo SQLite || echo PostgreSQL), SOP $SOP, survey $CODE"
(
  while kill -0 $SERVER 2>/dev/null; do
    echo "$(date +%s) $(awk '/VmRSS/ {print $2}' /proc/$SERVER/status 2>/dev/null || echo 0)"
    sleep 5
  done
) > "$WORK/rss.txt" &
SAMPLER=$!
LUA=Benchmarks/web/soak.lua
wrk -t4 -c4 -d"${DUR}s" --timeout 10s --latency -s $LUA "$BASE" -- survey 35@20 "$CODE" > "$WORK/survey.txt" &
LOADS="$!"
wrk -t1 -c4 -d"${DUR}s" --timeout 10s --latency -s $LUA "$BASE" -- events 80@40 "$SOP" "$TOKEN" 10 > "$WORK/events.txt" &
LOADS="$LOADS $!"
wrk -t2 -c12 -d"${DUR}s" --timeout 10s --latency -H "Cookie: pantau_session=$SESSION" -s $LUA "$BASE" -- get 50@90 \
    / /sops "/sops/$SOP" "/sops/$SOP/pemantauan" /dasbor-pimpinan /indikator > "$WORK/pages.txt" &
LOADS="$LOADS $!"
wrk -t2 -c10 -d"${DUR}s" --timeout 10s --latency -H "Authorization: Bearer $TOKEN" -s $LUA "$BASE" -- get 40@100 \
    /api/v1/sops "/api/v1/sops/$SOP" "/api/v1/sops/$SOP/monitoring" /api/v1/indicators "/api/v1/surveys/$SURVEY/results" > "$WORK/api.txt" &
LOADS="$LOADS $!"
# shellcheck disable=SC2086
wait $LOADS
kill $SAMPLER 2>/dev/null || true
STATUS=0
total=0
printf "%-8s %10s %10s %10s %10s %12s\n" kind requests "req/s" p50 p99 "not 2xx/3xx"
for k in survey events pages api; do
  read -r n rps p50 p99 bad < <(awk '/requests in/ {n=$1} /Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$NF} /Socket errors/ {bad=bad" sock:"$0} END {print n, rps, p50, p99, (bad==""?0:bad)}' "$WORK/$k.txt")
  printf "%-8s %10s %10s %10s %10s %12s\n" "$k" "$n" "$rps" "$p50" "$p99" "$bad"
  [ "$bad" = 0 ] || STATUS=1
  total=$(python3 -c "print(round($total + $rps, 1))")
done
echo "total: $total req/s"
python3 - "$WORK/rss.txt" "$DUR" <<'PY' || STATUS=1
import sys
rows = [tuple(map(int, l.split())) for l in open(sys.argv[1]) if len(l.split()) == 2 and l.split()[1] != "0"]
t0 = rows[0][0]
def mean(a, b):
    xs = [r for t, r in rows if a <= t - t0 < b]
    return sum(xs) / len(xs) if xs else float("nan")
dur = int(sys.argv[2])
second = mean(60, 120)
last = mean(dur - 60, dur)
print(f"resident memory: start {rows[0][1] / 1024:.1f} MiB, second minute {second / 1024:.1f} MiB, last minute {last / 1024:.1f} MiB, peak {max(r for _, r in rows) / 1024:.1f} MiB ({(last / second - 1) * 100:+.1f}%)")
sys.exit(0 if last <= second * 1.10 else 1)
PY
echo "server log lines with 'error': $(grep -ci error "$WORK/server.log" || true)"
exit $STATUS
