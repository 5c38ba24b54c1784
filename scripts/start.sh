#!/usr/bin/env bash
# Start shinchoku on the embedded default: SQLite, demo data imported from the seed documents,
# server on http://127.0.0.1:8000 (PORT to change).
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
ensure_debian_packages "${BASE_DEBIAN_PACKAGES[@]}"
ensure_venv
cd "$ROOT"
PORT="${PORT:-8000}"
"$VENV/bin/shinchoku" migrate --noinput >/dev/null
"$VENV/bin/shinchoku" load-demo
echo
echo "shinchoku: http://127.0.0.1:$PORT/"
echo "  ログイン: admin / shinchoku-admin（企画・DX推進課）"
echo "  所管課担当者の例: digital / shinchoku-demo、koseki / shinchoku-demo、shokuin / shinchoku-demo"
exec "$VENV/bin/shinchoku" runserver "127.0.0.1:$PORT"
