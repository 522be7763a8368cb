#!/usr/bin/env bash
# Fuzzes every reader of outside input with libFuzzer (docs/fuzzing.md).
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]      run each target for that long (default 30)
#   scripts/fuzz.sh --runs N                  run each target for N inputs
#   scripts/fuzz.sh ... -- TARGET...          only these targets (e.g. FuzzXES FuzzSOPYAML)
#
# Builds the Fuzz/ package (release, -sanitize=fuzzer; only PantauCore, PantauReports and Yams are
# instrumented) in Fuzz/.build-fuzz, seeds a temporary corpus per target from Fuzz/seeds, the
# repository's examples and the shared files ($PANTAU_SHARED_DATA, default ../shared/data), and
# runs the targets one after another with -timeout=1 (an input slower than 1 s is a failure) and
# -rss_limit_mb=2048. Prints per target the inputs run, exec/s and the verdict; exits non-zero when
# any target found a crash, a timeout or an out-of-memory input. Crashing inputs are kept in
# $FUZZ_ARTIFACTS (default /tmp/pantau-fuzz-artifacts); corpora in $FUZZ_WORK (default a temp dir,
# removed at the end unless FUZZ_KEEP=1). FUZZ_NICE (default 10) is the nice level of the runs.
set -uo pipefail
# Let libFuzzer, not the Swift runtime's backtracer, handle a trap (it then saves the input).
export SWIFT_BACKTRACE=enable=no

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
FUZZ="$ROOT/Fuzz"
SHARED="${PANTAU_SHARED_DATA:-$ROOT/../shared/data}"
ARTIFACTS="${FUZZ_ARTIFACTS:-/tmp/pantau-fuzz-artifacts}"
NICE="${FUZZ_NICE:-10}"

mode=time
amount=30
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) mode=runs; amount="$2"; shift 2 ;;
    --) shift; targets=("$@"); break ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) amount="$1"; shift ;;
  esac
done

# Target, -max_len (bytes): a few kilobytes hold every construct of a format; longer inputs only
# slow the mutations down.
ALL="FuzzXES:16384 FuzzXESGzip:8192 FuzzEventCSV:8192 FuzzPNML:32768 FuzzBPMN:32768
FuzzSOPYAML:16384 FuzzSOPJSON:16384 FuzzSurveyCSV:4096 FuzzEventJSON:4096 FuzzFormURLEncoded:4096
FuzzMultipart:8192 FuzzXLSX:32768 FuzzEventChunks:16384"

echo "fuzz: building Fuzz/ (release, -sanitize=fuzzer) in Fuzz/.build-fuzz"
build_start=$(date +%s)
if ! (cd "$FUZZ" && swift build -c release --scratch-path .build-fuzz \
        -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library > /tmp/pantau-fuzz-build.log 2>&1); then
  grep -E "error" /tmp/pantau-fuzz-build.log | head -30
  echo "fuzz: build FAILED (log: /tmp/pantau-fuzz-build.log)"
  exit 2
fi
BIN="$FUZZ/.build-fuzz/release"
echo "fuzz: built in $(( $(date +%s) - build_start ))s"

WORK="${FUZZ_WORK:-$(mktemp -d /tmp/pantau-fuzz.XXXXXX)}"
mkdir -p "$WORK"
[ "${FUZZ_KEEP:-0}" = 1 ] || [ -n "${FUZZ_WORK:-}" ] || trap 'rm -rf "$WORK"' EXIT
mkdir -p "$ARTIFACTS"

failed=0
printf '%-20s %12s %10s %8s  %s\n' target runs exec/s seconds result > "$WORK/summary"
for entry in $ALL; do
  name="${entry%%:*}"
  maxlen="${entry##*:}"
  # (a loop, not `printf | grep -q`: under pipefail grep's early exit can kill printf with SIGPIPE
  # and silently skip a target that was asked for)
  if [ ${#targets[@]} -gt 0 ]; then
    wanted=0
    for t in "${targets[@]}"; do [ "$t" = "$name" ] && wanted=1; done
    [ "$wanted" = 1 ] || continue
  fi
  corpus="$WORK/corpus/$name"
  mkdir -p "$corpus" "$ARTIFACTS/$name"
  seeds=$(python3 "$FUZZ/make-seeds.py" "$name" "$WORK/seeds/$name" "$ROOT" "$SHARED")
  log="$WORK/$name.log"
  start=$(date +%s)
  runs=0
  stalls=0
  # A timeout is confirmed by running its input again alone: on this shared machine a run can
  # stall for a second under load. One that finishes in time is noted and the fuzzing resumes
  # (at most 3 times); one that times out again is a failure.
  while :; do
    if [ "$mode" = runs ]; then limit=(-runs=$(( amount - runs )));
    else limit=(-max_total_time=$(( amount - ($(date +%s) - start) > 1 ? amount - ($(date +%s) - start) : 1 ))); fi
    nice -n "$NICE" "$BIN/$name" "$corpus" "$WORK/seeds/$name" "${limit[@]}" \
      -timeout=1 -rss_limit_mb=2048 -malloc_limit_mb=2048 -max_len="$maxlen" -print_final_stats=1 \
      -artifact_prefix="$ARTIFACTS/$name/" > "$log" 2>&1
    status=$?
    done_now=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    runs=$(( runs + ${done_now:-0} ))
    if [ "$status" -ne 0 ] && grep -q "ERROR: libFuzzer: timeout" "$log" && [ "$stalls" -lt 3 ]; then
      input=$(ls -t "$ARTIFACTS/$name"/timeout-* 2>/dev/null | head -1)
      if [ -n "$input" ] && "$BIN/$name" -timeout=1 -rss_limit_mb=2048 "$input" > /dev/null 2>&1 \
         && "$BIN/$name" -timeout=1 -rss_limit_mb=2048 "$input" > /dev/null 2>&1; then
        stalls=$(( stalls + 1 ))
        echo "    $name: timeout not reproducible (the input runs in time alone: a load stall); resuming"
        mv "$input" "$input.stall"
        continue
      fi
    fi
    break
  done
  seconds=$(( $(date +%s) - start ))
  rate=$(( runs / (seconds > 0 ? seconds : 1) ))
  if [ "$status" -eq 0 ]; then
    result="ok ($seeds seeds, corpus $(ls "$corpus" | wc -l))"
    [ "$stalls" -eq 0 ] || result="$result, $stalls load stall(s)"
  else
    failed=1
    kind=$(grep -oE 'ERROR: libFuzzer: [a-z-]+|Fatal error|SUMMARY: [A-Za-z]+' "$log" | head -1)
    result="FAILED (exit $status: ${kind:-see log}); artifact: $(ls -t "$ARTIFACTS/$name" | head -1)"
    grep -E "Fatal error|invariant violated|ERROR: libFuzzer" "$log" | head -5 | sed 's/^/    /'
    cp "$log" "$ARTIFACTS/$name/last-run.log"
  fi
  printf '%-20s %12s %10s %8s  %s\n' "$name" "${runs:-?}" "${rate:-?}" "$seconds" "$result" | tee -a "$WORK/summary"
done
echo
cat "$WORK/summary"
if [ "$failed" -ne 0 ]; then
  echo "fuzz: FAILED — crashing inputs and logs in $ARTIFACTS"
  exit 1
fi
echo "fuzz: no crash, timeout or memory blow-up"
