#!/usr/bin/env bash
# Stops the server started by start-postgres.sh.
set -uo pipefail
DIR=${1:?data dir}
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$BIN" ] && [ -f "$DIR/postmaster.pid" ] || exit 0
if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$BIN/pg_ctl" -D "$DIR" -m fast stop >/dev/null; else "$BIN/pg_ctl" -D "$DIR" -m fast stop >/dev/null; fi
