#!/usr/bin/env bash
# Pantau vs PM4Py: reading and performance statistics on the shared event logs.
#
#   Benchmarks/run.sh [--with-200k] [--gen-200k] [--skip-pm4py] [--pm4py-200k] [--no-build]
#                     [--repeat N] [--only TEXT] [--case TEXT]...
#
# 1. builds pantau-bench in release (scratch path $SCRATCH, default Benchmarks/.build-bench);
# 2. runs it (every benchmark case, or those whose name contains a --case TEXT; --only TEXT limits the
#    logs) on the shared logs (one process) and, with --with-200k, on the generated 200,000-case
#    log in XES and CSV form (one process each, so the peak memory printed is that log's);
# 3. when python3 can import pm4py, runs ../shared/tools/pm4py_baseline.py --skip-align on the same
#    logs (the 200k log only with --pm4py-200k, CSV form: PM4Py needs many minutes for it);
# 4. prints a side-by-side table: times are medians of the runs in seconds; "x" = PM4Py / Pantau.
#
# "perf" for Pantau is LogPerformance.analyze (performance DFG, start/end activities, case
# durations, rework, time since previous event, service and waiting time, variants); for PM4Py it
# is the sum of the baseline's timings for the same statistics (performance + frequency DFG, case
# durations, rework, time since previous event, service time mean + median, waiting time,
# lifecycle-to-interval conversion).
#
# Environment: PANTAU_SHARED_DIR (default ../../shared from this script), SCRATCH, BIG_XES,
# BIG_CSV (default /tmp/sop_izin_200k.xes.gz and /tmp/sop_izin_200k.csv), OUT (result folder).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
SHARED=${PANTAU_SHARED_DIR:-$(cd "$HERE/../../shared" 2>/dev/null && pwd || echo "$HERE/../../shared")}
LOGS="$SHARED/data/eventlogs"
SCRATCH=${SCRATCH:-$HERE/.build-bench}
BIG_XES=${BIG_XES:-/tmp/sop_izin_200k.xes.gz}
BIG_CSV=${BIG_CSV:-/tmp/sop_izin_200k.csv}
OUT=${OUT:-$(mktemp -d /tmp/pantau-bench.XXXXXX)}
mkdir -p "$OUT"

WITH_BIG=0; GEN_BIG=0; SKIP_PM4PY=0; PM4PY_BIG=0; BUILD=1; REPEAT=5; ONLY=(); ONLY_TEXT=(); CASES=()
while [ $# -gt 0 ]; do
  case "$1" in
    --with-200k) WITH_BIG=1 ;;
    --gen-200k) GEN_BIG=1; WITH_BIG=1 ;;
    --skip-pm4py) SKIP_PM4PY=1 ;;
    --pm4py-200k) PM4PY_BIG=1 ;;
    --no-build) BUILD=0 ;;
    --repeat) REPEAT=$2; shift ;;
    --only) ONLY+=(--only "$2"); ONLY_TEXT+=("$2"); shift ;;
    --case) CASES+=(--case "$2"); shift ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

if [ "$BUILD" = 1 ]; then
  (cd "$HERE" && swift build -c release --scratch-path "$SCRATCH" --product pantau-bench >&2)
fi
BENCH="$SCRATCH/release/pantau-bench"

if [ "$GEN_BIG" = 1 ] && { [ ! -f "$BIG_XES" ] || [ ! -f "$BIG_CSV" ]; }; then
  echo "generating the 200k-case log ..." >&2
  python3 "$SHARED/tools/gen_log.py" --cases 200000 --seed 42 --xes "$BIG_XES" --csv "$BIG_CSV" >&2
fi

echo "pantau-bench on the shared logs ..." >&2
"$BENCH" --shared "$LOGS" --json --repeat "$REPEAT" "${ONLY[@]}" "${CASES[@]}" > "$OUT/pantau-shared.json"
BIG_FILES=()
if [ "$WITH_BIG" = 1 ]; then
  for f in "$BIG_XES" "$BIG_CSV"; do
    if [ -f "$f" ]; then
      echo "pantau-bench on $f ..." >&2
      "$BENCH" --no-shared --log "$f" --json --repeat 3 "${CASES[@]}" > "$OUT/pantau-$(basename "$f").json"
      BIG_FILES+=("$f")
    else
      echo "missing $f (use --gen-200k)" >&2
    fi
  done
fi

HAVE_PM4PY=0
if [ "$SKIP_PM4PY" = 0 ] && python3 -c "import pm4py" >/dev/null 2>&1; then HAVE_PM4PY=1; fi
if [ "$HAVE_PM4PY" = 1 ]; then
  for f in running-example.xes reviewing.xes roadtraffic100traces.xes a32f0n10.xes.gz interval_event_log.csv \
           sop_izin_1k.csv sop_izin_10k.xes.gz sop_izin_noisy_10k.csv.gz bpic2012.xes.gz; do
    match=1
    if [ ${#ONLY_TEXT[@]} -gt 0 ]; then
      match=0
      for o in "${ONLY_TEXT[@]}"; do [[ "$f" == *"$o"* ]] && match=1; done
    fi
    [ "$match" = 1 ] || continue
    echo "pm4py on $f ..." >&2
    python3 "$SHARED/tools/pm4py_baseline.py" "$LOGS/$f" --skip-align --repeat 3 > "$OUT/pm4py-$f.json" 2>/dev/null || echo "pm4py failed on $f" >&2
  done
  if [ "$PM4PY_BIG" = 1 ] && [ -f "$BIG_CSV" ]; then
    echo "pm4py on $BIG_CSV (slow) ..." >&2
    python3 "$SHARED/tools/pm4py_baseline.py" "$BIG_CSV" --skip-align --repeat 1 > "$OUT/pm4py-$(basename "$BIG_CSV").json" 2>/dev/null || true
  fi
else
  echo "pm4py not installed (pip install pm4py) or --skip-pm4py: Pantau numbers only" >&2
fi

python3 - "$OUT" <<'PY'
import glob, json, os, sys
out = sys.argv[1]
pantau = {}
peaks = {}
for p in sorted(glob.glob(os.path.join(out, "pantau-*.json"))):
    d = json.load(open(p))
    for l in d["logs"]:
        pantau[l["file"]] = l
        peaks[l["file"]] = d["peak_rss_mib"]
pm = {}
for p in glob.glob(os.path.join(out, "pm4py-*.json")):
    try:
        d = json.load(open(p))
    except Exception:
        continue
    pm[d["log"]["file"]] = d

PM_PERF = ["performance_dfg", "frequency_dfg", "case_durations", "rework_cases_per_activity",
           "time_since_previous_event", "service_time_mean", "service_time_median", "waiting_time",
           "to_interval_conversion"]

def stage(l, name):
    for s in l["stages"]:
        if s["name"] == name:
            return s["timing"]["median_s"]
    return None

def f(x):
    return "-" if x is None else ("%.4f" % x if x < 1 else "%.2f" % x)

def ratio(a, b):
    return "-" if a is None or b is None or b == 0 else "%.1fx" % (a / b)

rows = [("log", "events", "read", "pm4py read", "x", "perf", "pm4py perf", "x", "dfg", "pm4py dfg", "x", "peak MiB")]
for name, l in pantau.items():
    p = pm.get(name)
    pr = p["log"]["import"]["median_s"] if p else None
    pperf = pdfg = None
    if p and isinstance(p.get("performance"), dict) and "timings" in p["performance"]:
        t = p["performance"]["timings"]
        pperf = sum(t[k]["median_s"] for k in PM_PERF if k in t)
        pdfg = t.get("performance_dfg", {}).get("median_s")
    r = stage(l, "read")
    perf = stage(l, "performance (all statistics)")
    dfg = stage(l, "performance DFG")
    rows.append((name, str(l["events"]), f(r), f(pr), ratio(pr, r), f(perf), f(pperf), ratio(pperf, perf),
                 f(dfg), f(pdfg), ratio(pdfg, dfg), "%.0f" % peaks[name] if name.startswith("sop_izin_200k") else ""))
w = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
for r in rows:
    print("  ".join(c.rjust(w[i]) if i else c.ljust(w[i]) for i, c in enumerate(r)))
for name, l in pantau.items():
    if name.startswith("sop_izin_200k"):
        r = stage(l, "read"); perf = stage(l, "performance (all statistics)")
        print(f"{name}: read + performance = {r + perf:.2f} s, peak resident memory {peaks[name]:.0f} MiB")
print(f"(raw JSON in {out})")
PY
