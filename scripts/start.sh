#!/usr/bin/env bash
# Start shinchoku on the embedded default: SQLite, demo data imported from the seed documents, the
# production server (scripts/serve.sh) on http://127.0.0.1:8000 (PORT to change). The demo logins
# are public, so it listens on this machine only. Developers who want Django's debug pages run
# `SHINCHOKU_DEBUG=1 .venv/bin/shinchoku runserver` instead.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
ensure_debian_packages "${BASE_DEBIAN_PACKAGES[@]}"
ensure_venv
cd "$ROOT"
export PORT="${PORT:-8000}"
"$VENV/bin/shinchoku" migrate --noinput >/dev/null
"$VENV/bin/shinchoku" load-demo
echo
echo "shinchoku: http://127.0.0.1:$PORT/"
echo "  ログイン: admin / shinchoku-admin（運用管理者。画面上部で団体を切り替えられます）"
echo "  中野区: planning（企画・DX推進課）、digital・koseki・shokuin（所管課）、executive、auditor"
echo "  豊島区: toshima、荒川区: arakawa、江東区: koto（いずれもパスワード shinchoku-demo。一覧は README）"
HOST=127.0.0.1 exec bash "$ROOT/scripts/serve.sh"
