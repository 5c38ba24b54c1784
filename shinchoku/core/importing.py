"""Shared machinery for importers: the registry behind ``shinchoku import KIND PATH``, problems
with places, and the dry-run/all-or-nothing contract.

Every importer parses the whole file first (plain Python, no database), then applies it inside one
transaction. A dry run applies it too and rolls back, so the counts it reports are exactly what a
real run would write. Any problem aborts the import and names its place (file, sheet, row/line,
column); nothing is written.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction


@dataclass(frozen=True)
class Problem:
    """A problem with one place in an input file."""

    message: str
    file: str = ""
    sheet: str = ""
    row: int | None = None  # row or line number, 1-based
    column: str = ""
    member: str = ""  # a part of an archive that is not a sheet (xl/styles.xml, a CSV's ZIP member …)

    def place(self) -> str:
        parts = [self.file or "入力"]
        if self.member:
            parts.append(f"の「{self.member}」")
        if self.sheet:
            parts.append(f"シート「{self.sheet}」")
        if self.row is not None:
            parts.append(f"{self.row}行目" if not self.sheet else f"{self.row}行")
        if self.column:
            parts.append(f"{self.column}列")
        return " ".join(parts)

    def __str__(self) -> str:
        return f"{self.place()}: {self.message}"


class ImportFailed(Exception):
    """The input cannot be imported; ``problems`` says where and why. Nothing was written."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = problems if isinstance(problems, list) else [problems]
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class ImportResult:
    kind: str
    file: str
    dry_run: bool
    plan_id: int | None = None
    counts: dict[str, Any] = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_text_document(path: str | Path) -> tuple[str, str]:
    """(file name, text) of a published document converted to UTF-8 text; ImportFailed otherwise.

    Refuses a missing file, a folder, a file over ``SHINCHOKU_MAX_UPLOAD_BYTES`` and bytes that are not
    UTF-8, each with a message naming the file.
    """
    from django.conf import settings

    path = Path(path)
    name = path.name
    if not path.is_file():
        raise ImportFailed(Problem("ファイルが見つかりません", file=name))
    limit = settings.SHINCHOKU_MAX_UPLOAD_BYTES
    size = path.stat().st_size
    if size > limit:
        raise ImportFailed(Problem(
            f"ファイルが大きすぎます（{size / 1024 / 1024:.1f} MB、上限 {limit / 1024 / 1024:.0f} MB）", file=name
        ))
    try:
        return name, path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ImportFailed(Problem(f"UTF-8 のテキストとして読めません（{exc.start}バイト目）", file=name)) from exc


def municipality_code(options: dict, default: str, file: str) -> str:
    """The ``--municipality`` option, checked: a 6-digit 全国地方公共団体コード."""
    code = options.get("municipality") or default
    if not re.fullmatch(r"\d{6}", code):
        raise ImportFailed(Problem(f"団体コード「{code}」は6桁の数字ではありません", file=file))
    return code


class _DryRunRollback(Exception):
    pass


def run_atomically(apply, *, dry_run: bool):
    """Run ``apply()`` in one transaction; roll it back when ``dry_run``. Returns apply's result."""
    outcome = None
    try:
        with transaction.atomic():
            outcome = apply()
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    return outcome


_REGISTRY: dict[str, str] = {}


def register_importer(kind: str, dotted: str) -> None:
    """Register ``module:Class`` as the importer for ``shinchoku import KIND``."""
    _REGISTRY[kind] = dotted


def importer_kinds() -> list[str]:
    return sorted(_REGISTRY)


def get_importer(kind: str):
    module_name, class_name = _REGISTRY[kind].split(":")
    return getattr(importlib.import_module(module_name), class_name)()
