"""The command-line machinery every ``shinchoku`` command shares.

:class:`ShinchokuCommand` — a command with subcommands (``shinchoku round open …``) — gives each one
the same options (``--municipality CODE``, ``--fy 令和6年度``, ``--json``, ``--dry-run``), runs it as the
explicit system actor (:meth:`~shinchoku.core.access.Access.system`) under one change-log batch named
after the command, and turns every error an action or importer raises into a Japanese message and a
non-zero exit — never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Model

from shinchoku.core.access import Access
from shinchoku.core.actions import ActionError, StaleError
from shinchoku.core.changelog import acting_as
from shinchoku.core.fiscal import FiscalYearError, parse_fiscal_year
from shinchoku.core.importing import ImportFailed
from shinchoku.core.models import Municipality


def dumps(payload: Any) -> str:
    return json.dumps(payload, ensure_ascii=False, indent=2, default=str)


def fiscal_year_arg(text: str) -> int:
    """argparse type: a fiscal year in any accepted form (2024, 令和6年度, R6)."""
    try:
        return parse_fiscal_year(text)
    except FiscalYearError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def date_arg(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日付「{text}」は YYYY-MM-DD（例: 2024-06-30）の形で指定してください") from None


def resolve_municipality(code: str | None, model: type[Model] | None = None, what: str = "データ") -> Municipality:
    """The municipality named by ``--municipality``; without it, the only one that has ``model`` rows."""
    if code:
        municipality = Municipality.objects.filter(code=code).first()
        if municipality is None:
            raise CommandError(f"団体コード {code} の団体は登録されていません")
        return municipality
    if model is None:
        candidates = list(Municipality.objects.order_by("code")[:10])
    else:
        ids = list(model.objects.values_list("municipality_id", flat=True).distinct()[:10])
        candidates = list(Municipality.objects.filter(pk__in=ids).order_by("code"))
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise CommandError(f"{what}が登録されている団体がありません")
    names = "、".join(f"{m.code} {m.name}" for m in candidates)
    raise CommandError(f"{what}が登録されている団体が複数あります。--municipality で団体コードを指定してください（{names}）")


def error_text(exc: Exception) -> str:
    """The Japanese message of any error an action, a rule or an importer raises."""
    if isinstance(exc, ImportFailed):
        return "取り込みを中止しました（何も書き込んでいません）:\n" + str(exc)
    if isinstance(exc, ActionError):
        return "\n".join(exc.messages)
    if isinstance(exc, ValidationError):
        return "\n".join(str(m) for m in exc.messages)
    return str(exc)


HANDLED_ERRORS = (ImportFailed, ActionError, StaleError, PermissionDenied, ValidationError)


class ShinchokuCommand(BaseCommand):
    """A command with subcommands: ``do_<name>(access=…, **options)`` methods, declared in :meth:`declare`."""

    command_name = ""  # the word after ``shinchoku``, for the change log

    def declare(self, sub) -> None:  # pragma: no cover - every subclass declares
        raise NotImplementedError

    def add_arguments(self, parser):
        self._sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        self.declare(self._sub)

    def subcommand(self, name: str, help: str, *, municipality: bool = False, fy: bool | str = False,
                   json: bool = False, dry_run: bool | str = False):
        """A subcommand parser with the shared options it asks for."""
        p = self._sub.add_parser(name, help=help, description=help)
        if municipality:
            p.add_argument("--municipality", metavar="CODE", help="団体コード（6桁。1団体だけのときは省略可）")
        if fy:
            p.add_argument("--fy", type=fiscal_year_arg, required=fy == "required",
                           help="年度（2024、令和6年度、R6 など）")
        if json:
            p.add_argument("--json", action="store_true", help="結果をJSONで出力する")
        if dry_run:
            p.add_argument("--dry-run", action="store_true",
                           help=dry_run if isinstance(dry_run, str) else "書き込まずに、行われる内容だけを表示する")
        return p

    def handle(self, *args, action, **options):
        with acting_as(None, name=f"shinchoku {self.command_name} {action}".strip()):
            try:
                return getattr(self, f"do_{action.replace('-', '_')}")(**options)
            except HANDLED_ERRORS as exc:
                if options.get("json") and isinstance(exc, ImportFailed):
                    self.stdout.write(dumps({"ok": False, "problems": [
                        {"place": p.place(), "message": p.message, "sheet": p.sheet, "row": p.row, "column": p.column}
                        for p in exc.problems
                    ]}))
                    sys.exit(1)
                raise CommandError(error_text(exc)) from None

    # --- helpers for the subcommands ------------------------------------------------------------
    def access(self, municipality: Municipality | None = None) -> Access:
        return Access.system(municipality, name=f"shinchoku {self.command_name}")

    def out(self, payload: Any) -> None:
        self.stdout.write(dumps(payload))
