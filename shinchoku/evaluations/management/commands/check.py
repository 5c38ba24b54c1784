"""``shinchoku check sheets [--json]`` — the arithmetic checks of the stored evaluation sheets.

``check`` is also Django's system-check command; this command extends it: ``shinchoku check``
with no argument, with options or with app labels runs Django's checks exactly as before,
``shinchoku check sheets`` runs :mod:`shinchoku.evaluations.checks` on the sheets *as stored in the
database* (rebuilt by :func:`shinchoku.evaluations.queries.sheet_data`), so an edit made after the
import is checked too. Exit status 1 when a printed figure contradicts the others (severity 誤り,
不適合). It reads as the system (``core.commandline.ShinchokuCommand``): every sheet, or those of
``--municipality``.
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict

from django.core.management.commands.check import Command as DjangoCheckCommand

from shinchoku.core.commandline import ShinchokuCommand, resolve_municipality
from shinchoku.evaluations import queries
from shinchoku.evaluations.checks import ERROR, NG, OK, UNDECIDABLE
from shinchoku.evaluations.models import EvaluationSheet

COST_CHECKS = ("行政コスト計算書の合計", "行政コスト計算書の差額計算", "行政コスト計算書の差額列")
ACTIONS = ("sheets",)
SYSTEM_CHECK_DEFAULTS = {"tags": None, "list_tags": False, "deploy": False, "fail_level": "ERROR", "databases": None}


class Command(ShinchokuCommand):
    help = (
        "Django のシステムチェック（ACTION なし。app_label・--deploy・--tag などは Django の check と同じ）、"
        "または `check sheets`: 保存されている事務事業分析シートの検算"
        "（行政コスト計算書の合計・差額、執行率、予算・決算の内訳、他区の状況）"
    )
    command_name = "check"
    requires_system_checks = []  # as Django's check: it runs them itself

    def declare(self, sub):
        p = self.subcommand("sheets", "事務事業分析シートの検算（行政コスト計算書・執行率・内訳・他区の状況）",
                            municipality=True, fy=True, json=True)
        p.add_argument("--code", action="append", help="事務事業コード（複数可）")
        p.add_argument("--all", action="store_true", help="適合した検算も一行ずつ表示する")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        self._sub.required = False  # no action: Django's system checks

    def run_from_argv(self, argv):
        """``shinchoku check [app_label …] [--deploy …]`` is Django's command, untouched."""
        if len(argv) < 3 or argv[2] not in (*ACTIONS, "-h", "--help"):
            return DjangoCheckCommand().run_from_argv(argv)
        return super().run_from_argv(argv)

    def handle(self, *args, action=None, **options):
        if action is None:
            return DjangoCheckCommand.handle(self, *args, **{**SYSTEM_CHECK_DEFAULTS, **options})
        return super().handle(*args, action=action, **options)

    # -----------------------------------------------------------------------------------------

    def do_sheets(self, *, municipality=None, fy=None, code=None, json=False, all=False, **_):
        town = resolve_municipality(municipality, EvaluationSheet, "事務事業分析シート") if municipality else None
        qs = queries.readable_sheets(self.access(town))
        if fy is not None:
            qs = qs.filter(fiscal_year=fy)
        if code:
            qs = qs.filter(code__in=code)
        checked = queries.check_stored(queries.sheets_queryset(qs).order_by("municipality__code", "fiscal_year", "code"))
        payload = report(checked)
        if json:
            self.out(payload)
        else:
            self.write_text(payload, show_all=all)
        if not payload["ok"]:
            sys.exit(1)

    def write_text(self, payload: dict, *, show_all: bool) -> None:
        if not payload["sheets"]:
            self.stdout.write("検算するシートがありません（`shinchoku import arakawa-sheet ファイル` で取り込んでください）")
            return
        for sheet in payload["sheets"]:
            c = sheet["counts"]
            self.stdout.write(
                f"{sheet['municipality']} {sheet['fiscal_year_label']} {sheet['code']} {sheet['name']}: "
                f"適合 {c.get(OK, 0)}・不適合 {c.get(NG, 0)}・判定不可 {c.get(UNDECIDABLE, 0)}"
            )
        cs = payload["summary"]["cost_statement"]
        self.stdout.write(
            f"行政コスト計算書: 印字された計算結果 {cs['figures']} 件のうち再現 {cs['reproduced']} 件、"
            f"不一致 {cs['mismatches']} 件、判定不可 {cs['undecidable']} 件"
        )
        for r in payload["results"]:
            if show_all or r["status"] != OK:
                self.stdout.write(f"  [{r['status']}・{r['severity']}] {r['message']}")
        self.stdout.write("結果: " + ("計算の合わない箇所はありません" if payload["ok"] else "計算の合わない箇所があります"))


def result_dict(sheet: EvaluationSheet, r) -> dict:
    return {
        "municipality": sheet.municipality.code,
        "fiscal_year": sheet.fiscal_year,
        "sheet_code": r.sheet_code,
        "sheet_name": r.sheet_name,
        "check": r.check,
        "label": r.label,
        "column": r.column,
        "year": r.year,
        "expected": r.expected,
        "printed": r.printed,
        "status": r.status,
        "severity": r.severity,
        "line": r.line,
        "message": r.message,
    }


def report(checked) -> dict:
    sheets = []
    results = []
    by_check: dict[str, Counter] = defaultdict(Counter)
    for sheet, sheet_results in checked:
        counts = Counter(r.status for r in sheet_results)
        sheets.append({
            "municipality": sheet.municipality.code,
            "municipality_name": sheet.municipality.name,
            "fiscal_year": sheet.fiscal_year,
            "fiscal_year_label": sheet.fiscal_year_label,
            "code": sheet.code,
            "name": sheet.name,
            "department": sheet.department.name if sheet.department else None,
            "counts": dict(counts),
        })
        for r in sheet_results:
            results.append(result_dict(sheet, r))
            by_check[r.check][r.status] += 1
    cost = [r for r in results if r["check"] in COST_CHECKS]
    errors = [r for r in results if r["status"] == NG and r["severity"] == ERROR]
    return {
        "ok": not errors,
        "sheets": sheets,
        "summary": {
            "sheets": len(sheets),
            "results": len(results),
            "by_check": {k: dict(v) for k, v in by_check.items()},
            "cost_statement": {
                "figures": len(cost),
                "reproduced": sum(1 for r in cost if r["status"] == OK),
                "mismatches": sum(1 for r in cost if r["status"] == NG),
                "undecidable": sum(1 for r in cost if r["status"] == UNDECIDABLE),
            },
        },
        "mismatches": [r for r in results if r["status"] == NG],
        "undecidable": [r for r in results if r["status"] == UNDECIDABLE],
        "results": results,
    }
