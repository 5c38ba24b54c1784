"""``shinchoku import workbook PATH [--dry-run] [--json]`` — a plan workbook into the database.

Read (:mod:`.reader`) and check (:mod:`.check`) the whole file first, without the database; then
write it in one transaction (:mod:`.apply`). A dry run writes and rolls back, so its counts are
exactly what a real run would write.
"""

from __future__ import annotations

from pathlib import Path

from shinchoku.core.access import Access
from shinchoku.core.importing import ImportResult
from shinchoku.plans.workbook.apply import apply_workbook
from shinchoku.plans.workbook.check import check
from shinchoku.plans.workbook.reader import read_workbook


def import_workbook(
    source: str | Path | bytes,
    *,
    dry_run: bool,
    filename: str | None = None,
    expect_municipality: str | None = None,
) -> ImportResult:
    """Import a workbook file (path or bytes). Raises ImportFailed, naming every problem's place."""
    data = read_workbook(source, filename=filename)
    checked = check(data)
    return apply_workbook(checked, dry_run=dry_run, source=data.source, expect_municipality=expect_municipality)


class WorkbookImporter:
    help = "計画ワークブック（XLSX、または CSV を6つまとめた ZIP）を取り込む: 計画・項目・進捗・指標・指標値・効果"

    def add_arguments(self, parser) -> None:
        pass

    def run(self, path: str, *, access: Access, dry_run: bool, options: dict) -> ImportResult:
        return import_workbook(path, dry_run=dry_run)
