#!/usr/bin/env bash
# Run the whole test suite twice: on SQLite (embedded default) and on a real PostgreSQL server that
# this script installs from Debian packages and starts on loopback for the run.
# Extra arguments go to pytest (e.g. scripts/test.sh -k nakano).
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
ensure_debian_packages "${BASE_DEBIAN_PACKAGES[@]}" "${TEST_DEBIAN_PACKAGES[@]}"
ensure_venv test
cd "$ROOT"

PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
PG_DIR="$(mktemp -d /tmp/shinchoku-pg.XXXXXX)"
PG_PORT="${PG_PORT:-55432}"
while (echo > /dev/tcp/127.0.0.1/$PG_PORT) 2>/dev/null; do PG_PORT=$((PG_PORT + 1)); done
PG_USER=postgres
run_pg() { if [ "$(id -u)" = 0 ]; then runuser -u "$PG_USER" -- "$@"; else "$@"; fi; }
if [ "$(id -u)" = 0 ]; then chown "$PG_USER" "$PG_DIR"; else PG_USER="$(id -un)"; fi
cleanup() { run_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$PG_DIR"; }
trap cleanup EXIT

echo "==> PostgreSQL on 127.0.0.1:$PG_PORT"
run_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U shinchoku --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
run_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null

# The two runs go side by side (one per core); each writes its own log, printed when both are done.
echo "==> tests on SQLite and on PostgreSQL (in parallel)"
SHINCHOKU_DATA_DIR="$PG_DIR/data-sqlite" DATABASE_URL="sqlite:///$PG_DIR/unused.sqlite3" "$VENV/bin/python" -m pytest -q "$@" > "$PG_DIR/sqlite.log" 2>&1 &
sqlite_pid=$!
SHINCHOKU_DATA_DIR="$PG_DIR/data-postgres" DATABASE_URL="postgres://shinchoku@127.0.0.1:$PG_PORT/shinchoku" "$VENV/bin/python" -m pytest -q "$@" > "$PG_DIR/postgres.log" 2>&1 &
postgres_pid=$!
sqlite_status=0; postgres_status=0
wait $sqlite_pid || sqlite_status=$?
wait $postgres_pid || postgres_status=$?
echo "==> SQLite"; cat "$PG_DIR/sqlite.log"
echo "==> PostgreSQL"; cat "$PG_DIR/postgres.log"
echo "==> SQLite: exit $sqlite_status, PostgreSQL: exit $postgres_status"
if [ $sqlite_status -ne 0 ] || [ $postgres_status -ne 0 ]; then
  echo "FAILED: $(tail -n 1 "$PG_DIR/sqlite.log") (SQLite) / $(tail -n 1 "$PG_DIR/postgres.log") (PostgreSQL)"
  exit 1
fi
tail -n 1 "$PG_DIR/postgres.log"
