"""``shinchoku import KIND PATH [--dry-run] [--json] …`` — every importer behind one command."""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from shinchoku.core.access import Access
from shinchoku.core.changelog import acting_as
from shinchoku.core.importing import ImportFailed, get_importer, importer_kinds


class Command(BaseCommand):
    help = "ファイルを取り込みます（必ず全件成功か全件取消し）。種類: " + "、".join(importer_kinds())

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
        for kind in importer_kinds():
            importer = get_importer(kind)
            p = sub.add_parser(kind, help=importer.help, description=importer.help)
            p.add_argument("path", help="取り込むファイル")
            p.add_argument("--dry-run", action="store_true", help="書き込まずに、作成・更新される内容だけを表示する")
            p.add_argument("--json", action="store_true", help="結果をJSONで出力する")
            importer.add_arguments(p)

    def handle(self, *args, kind, path, dry_run, json: bool, **options):
        importer = get_importer(kind)
        with acting_as(None, name=f"shinchoku import {kind}", reason=f"import {path}"):
            try:
                result = importer.run(
                    path, access=Access.system(name=f"shinchoku import {kind}"), dry_run=dry_run, options=options
                )
            except ImportFailed as exc:
                if json:
                    payload = {"ok": False, "kind": kind, "file": path, "problems": [
                        {"place": p.place(), "message": p.message, "sheet": p.sheet, "member": p.member, "row": p.row,
                         "column": p.column}
                        for p in exc.problems
                    ]}
                    self.stdout.write(_dumps(payload))
                    sys.exit(1)
                raise CommandError("取り込みを中止しました（何も書き込んでいません）:\n" + str(exc)) from exc
        if json:
            self.stdout.write(_dumps({"ok": True, **result.as_dict()}))
            return
        self.stdout.write(("【試行】" if result.dry_run else "") + f"{result.file} を取り込み{'可能' if result.dry_run else 'ました'}。")
        if result.plan_id is not None:
            self.stdout.write(f"計画ID: {result.plan_id}")
        for key, value in result.counts.items():
            self.stdout.write(f"  {key}: {value}")
        for label, table in (("作成", result.created), ("更新", result.updated), ("変更なし", result.unchanged)):
            if table:
                self.stdout.write(f"{label}: " + "、".join(f"{k} {v}" for k, v in table.items()))
        for note in result.notes:
            self.stdout.write(f"注: {note}")


def _dumps(payload) -> str:
    return json.dumps(payload, ensure_ascii=False, indent=2, default=str)
