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
echo "  ログイン: admin / shinchoku-admin（運用管理者。画面上部で団体を切り替えられます）"
echo "  中野区: planning（企画・DX推進課）、digital・koseki・shokuin（所管課）、executive、auditor"
echo "  豊島区: toshima、荒川区: arakawa、江東区: koto（いずれもパスワード shinchoku-demo。一覧は README）"
exec "$VENV/bin/shinchoku" runserver "127.0.0.1:$PORT"
