"""Helpers for the test suite (imported by tests only).

A program that a test runs (``pdftotext`` to read a PDF back, ``pg_dump`` for a backup) is installed by
``scripts/env.sh``. When it is missing the test fails and names the Debian package — it never skips,
so a machine without the package cannot pass the suite by accident.
"""

from __future__ import annotations

import shutil


def need_program(program: str, *, package: str) -> str:
    """The path of ``program``; fails the calling test, naming the Debian ``package``, when it is absent."""
    path = shutil.which(program)
    if path is None:
        import pytest

        pytest.fail(
            f"{program} が見つかりません: Debian パッケージ {package} が必要です"
            f"（scripts/env.sh が入れます。手動なら apt-get install {package}）",
            pytrace=False,
        )
    return path
