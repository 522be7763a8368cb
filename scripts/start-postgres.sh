#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server on 127.0.0.1 for tests (not for production: fsync off).
# Usage: scripts/start-postgres.sh DIR PORT DBNAME
# Prints the connection URL on its last line. Stop it with: scripts/stop-postgres.sh DIR
# max_connections 500: the test suite runs its PostgreSQL tests in parallel, each with its own pool.
set -euo pipefail
DIR=${1:?data dir}; PORT=${2:-55432}; DB=${3:-pantau_test}
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$BIN" ]; then echo "PostgreSQL is not installed (apt-get install -y postgresql)" >&2; exit 1; fi
mkdir -p "$DIR"
chown postgres:postgres "$DIR" 2>/dev/null || true
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ ! -f "$DIR/PG_VERSION" ]; then
  as_pg "$BIN/initdb" -D "$DIR" -A trust -E UTF8 -U postgres >/dev/null
fi
as_pg "$BIN/pg_ctl" -D "$DIR" -w -l "$DIR/server.log" \
  -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=500" start >/dev/null
as_pg "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres "$DB" 2>/dev/null || true
echo "postgres://postgres@127.0.0.1:$PORT/$DB?sslmode=disable"
