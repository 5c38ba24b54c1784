"""``shinchoku import effects PATH [--dry-run] [--json]`` — effects with their computation inputs.

The file is read and checked completely first (:mod:`.effects`, no database); any problem is reported
with its row and column and nothing is written. The rows are then applied in one transaction by
:func:`shinchoku.effects.actions.import_effects` (the importer writes no model itself), keyed by plan +
item + fiscal year + kind (or plan + fiscal year + kind + name for an effect without an item), so
importing the same file twice changes nothing.
"""

from __future__ import annotations

from pathlib import Path

from shinchoku.core import filereaders
from shinchoku.core.access import Access
from shinchoku.core.importing import ImportFailed, ImportResult, Problem, run_atomically
from shinchoku.core.upsert import UpsertTally
from shinchoku.effects import actions
from shinchoku.effects.importers.effects import read_effects


class EffectsImporter:
    help = "効果（削減時間×時間単価＝金額）の算定の入力をCSV・XLSXから取り込む（行・列ごとにエラーを表示、全件成功か全件取消し）"

    def add_arguments(self, parser) -> None:
        pass

    def run(self, path: str, *, access: Access, dry_run: bool, options: dict) -> ImportResult:
        name = Path(path).name
        data, _ = filereaders.read_bytes(Path(path))
        if Path(path).suffix.lower() in (".xlsx", ".xlsm"):
            book = filereaders.open_xlsx(data, name)
            if not book.sheet_names:
                raise ImportFailed(Problem("シートがありません", file=name))
            sheet = book.sheet_names[0]
            parsed = read_effects(name, sheet, book.rows(sheet))
        else:
            parsed = read_effects(name, "", filereaders.read_csv(data, name))
        if parsed.problems:
            raise ImportFailed([Problem(p.message, file=name, sheet=parsed.sheet, row=p.row, column=p.column)
                                for p in parsed.problems])
        result = ImportResult(kind="effects", file=name, dry_run=dry_run)

        def apply():
            tally = UpsertTally()
            actions.import_effects(access, parsed.lines, file=name, sheet=parsed.sheet, tally=tally)
            result.created, result.updated, result.unchanged = (
                dict(tally.created), dict(tally.updated), dict(tally.unchanged))

        run_atomically(apply, dry_run=dry_run)
        result.counts = {"効果": len(parsed.lines)}
        return result
