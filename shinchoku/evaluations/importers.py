"""``shinchoku import arakawa-sheet PATH [--dry-run] [--json]`` — Arakawa's 事務事業分析シート.

The text (tab-separated conversion of the published PDF) is parsed completely first
(:mod:`shinchoku.evaluations.arakawa`, no database); a layout problem aborts with its line. The
sheets are then written in one transaction (:func:`shinchoku.evaluations.services.import_sheets`),
keyed by municipality + 事務事業コード + fiscal year, so a second import of the same file changes
nothing. The result also runs the arithmetic checks on what was written and reports their counts.
"""

from __future__ import annotations

from collections import Counter

from shinchoku.core.access import Access
from shinchoku.core.importing import (
    ImportFailed,
    ImportResult,
    Problem,
    municipality_code,
    read_text_document,
    run_atomically,
)
from shinchoku.core.upsert import UpsertTally
from shinchoku.evaluations.arakawa import ArakawaFormatError, parse_arakawa_sheets
from shinchoku.evaluations.services import (
    ARAKAWA_CODE,
    ARAKAWA_NAME,
    check_stored,
    import_sheets,
    municipality_for,
    sheets_queryset,
)


class ArakawaSheetImporter:
    help = "荒川区「事務事業分析シート」（行政評価）のテキストを取り込む（複数シートを一括）"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--municipality", default=ARAKAWA_CODE, help=f"団体コード（既定: {ARAKAWA_CODE} {ARAKAWA_NAME}）")
        parser.add_argument("--municipality-name", default=ARAKAWA_NAME, help="団体が未登録のときに使う団体名")

    def run(self, path: str, *, access: Access, dry_run: bool, options: dict) -> ImportResult:
        name, text = read_text_document(path)
        try:
            sheets = parse_arakawa_sheets(text, filename=name)
        except ArakawaFormatError as exc:
            raise ImportFailed(Problem(exc.message, file=name, row=exc.line)) from exc
        code = municipality_code(options, ARAKAWA_CODE, name)
        result = ImportResult(kind="arakawa-sheet", file=name, dry_run=dry_run)

        def apply():
            tally = UpsertTally()
            municipality = municipality_for(code, options.get("municipality_name") or ARAKAWA_NAME, tally)
            outcome = import_sheets(sheets, access=access, municipality=municipality, source=name, tally=tally)
            result.created, result.updated, result.unchanged = (
                dict(tally.created), dict(tally.updated), dict(tally.unchanged)
            )
            if outcome.deleted:
                result.counts["削除"] = dict(outcome.deleted)
            stored = sheets_queryset().filter(pk__in=[s.pk for s in outcome.sheets]).order_by("code")
            checks = Counter()
            for _, results in check_stored(stored):
                for r in results:
                    checks[(r.severity, r.status)] += 1
            return checks

        checks = run_atomically(apply, dry_run=dry_run) or Counter()
        years = sorted({s.fiscal_year for s in sheets})
        result.counts = {
            "シート": len(sheets),
            "年度": years[0] if len(years) == 1 else years,
            "事務事業コード": [s.code for s in sheets],
            "行政コスト計算書の行": sum(len(s.cost_statement.lines) for s in sheets if s.cost_statement),
            "指標": sum(len(s.indicators) for s in sheets),
            "検算": {f"{sev}・{status}": n for (sev, status), n in sorted(checks.items())},
            **result.counts,
        }
        for sheet in sheets:
            for w in sheet.warnings:
                result.notes.append(f"{sheet.code} {w.line}行目: {w.message}")
        if checks.get(("誤り", "不適合")):
            result.notes.append(
                f"取り込んだシートに計算の合わない箇所が {checks[('誤り', '不適合')]} 件あります"
                "（`shinchoku check sheets` で一覧を表示）"
            )
        return result
