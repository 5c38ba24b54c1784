"""``shinchoku check sheets [--json]`` — the arithmetic checks of the stored evaluation sheets.

``check`` is also Django's system-check command; this command extends it: ``shinchoku check``
with no argument or with app labels runs Django's checks exactly as before, ``shinchoku check
sheets`` runs :mod:`shinchoku.evaluations.checks` on the sheets *as stored in the database*
(rebuilt by :func:`shinchoku.evaluations.services.sheet_data`), so an edit made after the import is
checked too. Exit status 1 when a printed figure contradicts the others (severity 誤り, 不適合).
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict

from django.core.management.base import CommandError
from django.core.management.commands.check import Command as DjangoCheckCommand

from shinchoku.core.fiscal import FiscalYearError, parse_fiscal_year
from shinchoku.evaluations.checks import ERROR, NG, OK, UNDECIDABLE
from shinchoku.evaluations.models import EvaluationSheet
from shinchoku.evaluations.services import check_stored, sheets_queryset

COST_CHECKS = ("行政コスト計算書の合計", "行政コスト計算書の差額計算", "行政コスト計算書の差額列")
KINDS = {"sheets": "事務事業分析シートの検算（行政コスト計算書・執行率・内訳・他区の状況）"}


class Command(DjangoCheckCommand):
    help = (
        "Django のシステムチェック、または `check sheets`: 保存されている事務事業分析シートの検算"
        "（行政コスト計算書の合計・差額、執行率、予算・決算の内訳、他区の状況）"
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--json", action="store_true", help="check sheets: 結果をJSONで出力する")
        parser.add_argument("--municipality", help="check sheets: 団体コード（既定: すべて）")
        parser.add_argument("--fy", help="check sheets: 年度（2023、令和5年度、R5 など）")
        parser.add_argument("--code", action="append", help="check sheets: 事務事業コード（複数可）")
        parser.add_argument("--all", action="store_true", help="check sheets: 適合した検算も一行ずつ表示する")

    def handle(self, *app_labels, **options):
        if app_labels and app_labels[0] in KINDS:
            if len(app_labels) > 1:
                raise CommandError(f"`check {app_labels[0]}` の後に余分な引数があります: {' '.join(app_labels[1:])}")
            return self.check_sheets(**options)
        return super().handle(*app_labels, **options)

    # -----------------------------------------------------------------------------------------

    def check_sheets(self, **options):
        qs = EvaluationSheet.objects.all()
        if options.get("municipality"):
            qs = qs.filter(municipality__code=options["municipality"])
        if options.get("fy"):
            try:
                qs = qs.filter(fiscal_year=parse_fiscal_year(options["fy"]))
            except FiscalYearError as exc:
                raise CommandError(f"--fy: {exc}") from exc
        if options.get("code"):
            qs = qs.filter(code__in=options["code"])
        checked = check_stored(sheets_queryset(qs).order_by("municipality__code", "fiscal_year", "code"))
        payload = report(checked)
        if options.get("json"):
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
        else:
            self.write_text(payload, show_all=options.get("all", False))
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
