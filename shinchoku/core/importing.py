"""Shared machinery for importers: the registry behind ``shinchoku import KIND PATH``, problems
with places, and the dry-run/all-or-nothing contract.

Every importer parses the whole file first (plain Python, no database), then applies it inside one
transaction. A dry run applies it too and rolls back, so the counts it reports are exactly what a
real run would write. Any problem aborts the import and names its place (file, sheet, row/line,
column); nothing is written.
"""

from __future__ import annotations

import importlib
from dataclasses import asdict, dataclass, field
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

    def place(self) -> str:
        parts = [self.file or "入力"]
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
