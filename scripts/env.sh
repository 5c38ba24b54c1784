# Shared set-up for scripts/start.sh and scripts/test.sh: Debian packages and the virtual environment.
# Sourced, not run. Idempotent: a second run only checks.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null 2>&1 || PY=python3

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
    echo "root 権限が必要です: $*" >&2; return 1; fi
}

# ensure_debian_packages PKG... — install the Debian packages that are not installed yet.
ensure_debian_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "==> Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# ensure_venv EXTRAS — create .venv and install shinchoku (editable) with the given extras.
ensure_venv() {
  local extras="${1:-}"
  if [ ! -x "$VENV/bin/python" ]; then
    echo "==> virtual environment $VENV"
    "$PY" -m venv "$VENV" 2>/dev/null || { ensure_debian_packages python3-venv; "$PY" -m venv "$VENV"; }
  fi
  local stamp="$VENV/.shinchoku-installed${extras:+-$extras}"
  local with_test="$VENV/.shinchoku-installed-test"
  # An install with the test extras has everything the product needs (scripts/serve.sh inside a test).
  if [ -z "$extras" ] && [ -f "$with_test" ] && [ ! "$ROOT/pyproject.toml" -nt "$with_test" ]; then return 0; fi
  if [ ! -f "$stamp" ] || [ "$ROOT/pyproject.toml" -nt "$stamp" ]; then
    echo "==> Python packages"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e "$ROOT${extras:+[$extras]}"
    touch "$stamp"
  fi
}

# Fonts for the PDF reports (Noto CJK, embedded by Typst); fontconfig to find them.
BASE_DEBIAN_PACKAGES=(fonts-noto-cjk fontconfig)
# What the tests and benchmarks run besides the product: PostgreSQL (a real server for the second run
# and the race tests), poppler-utils (pdftotext/pdftoppm read the PDF reports back).
TEST_DEBIAN_PACKAGES=(postgresql poppler-utils)
