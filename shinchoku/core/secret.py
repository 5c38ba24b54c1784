"""The secret key (署名鍵) that signs sessions, CSRF tokens and password-reset links.

Plain Python, read by ``shinchoku/settings.py`` before Django starts. ``SHINCHOKU_SECRET_KEY`` wins;
without it a random key is made once into the data folder (``secret_key``, mode 600) and read from
there on every start, so a restart keeps everyone logged in and no key is ever shared between two
installations. In production (``SHINCHOKU_DEBUG=0``) a short or publicly known key is refused.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

KEY_FILE_NAME = "secret_key"
MIN_LENGTH = 50  # Django's own deploy check (security.W009) asks for 50 characters, 5 distinct
MIN_DISTINCT = 5
# Keys that were ever printed in this repository: anybody can forge sessions signed with them.
KNOWN_KEYS = frozenset({
    "insecure-development-key-do-not-use-in-production",
    "benchmark-only-secret-key-0123456789",
})


class InsecureSecretKey(Exception):
    """The configured key must not be used in production; the message says why, in Japanese."""


def weakness(key: str) -> str | None:
    """Why ``key`` is unfit for production, or None when it is fit."""
    if key in KNOWN_KEYS or key.startswith("django-insecure-"):
        return "公開されている開発用の鍵です"
    if len(key) < MIN_LENGTH:
        return f"短すぎます（{len(key)}文字。{MIN_LENGTH}文字以上が必要です）"
    if len(set(key)) < MIN_DISTINCT:
        return f"使われている文字が{len(set(key))}種類しかありません（{MIN_DISTINCT}種類以上が必要です）"
    return None


def generate() -> str:
    return secrets.token_urlsafe(64)  # 86 characters from 64 random bytes


def load_or_create(data_dir: Path) -> str:
    """The key in ``data_dir/secret_key``, made (mode 600) if the file does not exist yet.

    The key is written to a private temporary file and linked into place, which fails if the file
    exists: when several server processes start at once, one key wins and every process reads it.
    """
    data_dir = Path(data_dir)
    path = data_dir / KEY_FILE_NAME
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        tmp = data_dir / f".{KEY_FILE_NAME}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as f:
                f.write(generate() + "\n")
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
        finally:
            tmp.unlink(missing_ok=True)
    return path.read_text(encoding="ascii").strip()


def secret_key(configured: str | None, data_dir: Path, *, production: bool) -> str:
    """The key to use: ``configured`` (the environment's) or the data folder's; refused in production when weak."""
    if configured:
        where = "環境変数 SHINCHOKU_SECRET_KEY"
        key = configured
    else:
        where = f"鍵ファイル {Path(data_dir) / KEY_FILE_NAME}"
        key = load_or_create(data_dir)
    if production:
        reason = weakness(key)
        if reason:
            raise InsecureSecretKey(
                f"本番モード（SHINCHOKU_DEBUG=0）では、この秘密鍵では起動できません: {where} の鍵は{reason}。"
                "SHINCHOKU_SECRET_KEY を外して自動生成の鍵を使うか、"
                "`python3 -c 'import secrets; print(secrets.token_urlsafe(64))'` で作った鍵を設定してください。"
            )
    return key
