#!/usr/bin/env bash
# Run shinchoku for real: gunicorn (WSGI server, several worker processes) on HOST:PORT, production
# settings (SHINCHOKU_DEBUG=0 unless set), migrations applied, static files collected into the data
# folder and served by WhiteNoise. SQLite under SHINCHOKU_DATA_DIR, or DATABASE_URL.
#
#   HOST             bind address (default 127.0.0.1; 0.0.0.0 only without a reverse proxy in front)
#   PORT             port (default 8000)
#   WEB_CONCURRENCY  worker processes (gunicorn's own variable; default 2 × cores + 1)
#   GUNICORN_CMD_ARGS  any further gunicorn option, e.g. "--timeout 60"
# Behind a TLS reverse proxy set SHINCHOKU_HTTPS=1 and SHINCHOKU_ALLOWED_HOSTS (docs/deploy.md).
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
ensure_debian_packages "${BASE_DEBIAN_PACKAGES[@]}"
# On PostgreSQL, `shinchoku backup` / `restore` run pg_dump, pg_restore and psql.
case "${DATABASE_URL:-}" in postgres*) ensure_debian_packages postgresql-client ;; esac
ensure_venv
cd "$ROOT"

export SHINCHOKU_DEBUG="${SHINCHOKU_DEBUG:-0}"
export PORT="${PORT:-8000}"  # also the port in reminder links when SHINCHOKU_BASE_URL is not set
HOST="${HOST:-127.0.0.1}"
# Sync workers, each serving one request at a time: gunicorn's rule of two per core plus one keeps the
# cores busy while some workers wait on the database.
export WEB_CONCURRENCY="${WEB_CONCURRENCY:-$(( 2 * $(nproc) + 1 ))}"

# migrate first: a weak secret key or an unreachable database stops here with its message.
"$VENV/bin/shinchoku" migrate --noinput >/dev/null
"$VENV/bin/shinchoku" collectstatic --noinput >/dev/null

echo "shinchoku: http://$HOST:$PORT/ (gunicorn, $WEB_CONCURRENCY workers, SHINCHOKU_DEBUG=$SHINCHOKU_DEBUG)"
# --preload: the application is imported once and the workers fork from it (shared memory; wsgi.py
# freezes the loaded objects out of the garbage collector's reach before the fork).
exec "$VENV/bin/gunicorn" shinchoku.wsgi:application \
  --bind "$HOST:$PORT" --preload --no-control-socket --access-logfile - --error-logfile - --capture-output
