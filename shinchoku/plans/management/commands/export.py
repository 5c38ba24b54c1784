"""``shinchoku export workbook --plan ID --output FILE [--format xlsx|csv-zip]`` and
``shinchoku export template --output FILE [--format xlsx|csv-zip]`` — the plan workbook (計画ワークブック).

The format defaults to the output file's extension (``.zip`` → csv-zip, otherwise xlsx).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shinchoku.plans.models import Plan
from shinchoku.plans.workbook.writer import export_plan, export_template

FORMATS = ("xlsx", "csv-zip")


class Command(BaseCommand):
    help = "計画ワークブック（XLSX または CSV の ZIP）を書き出します"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True, metavar="WHAT")
        p = sub.add_parser("workbook", help="計画を計画ワークブックとして書き出す（取り込み直せる形）")
        p.add_argument("--plan", type=int, required=True, help="計画ID")
        p.add_argument("--output", required=True, help="書き出すファイル")
        p.add_argument("--format", choices=FORMATS, help="xlsx（既定）または csv-zip（拡張子 .zip なら既定で csv-zip）")
        t = sub.add_parser("template", help="空の計画ワークブック（記入方法・ドロップダウンつき）を書き出す")
        t.add_argument("--output", required=True, help="書き出すファイル")
        t.add_argument("--format", choices=FORMATS, help="xlsx（既定）または csv-zip")

    def handle(self, *args, what, output, format=None, **options):
        path = Path(output)
        chosen = format or ("csv-zip" if path.suffix.lower() == ".zip" else "xlsx")
        if what == "workbook":
            plan = Plan.objects.filter(pk=options["plan"]).select_related("municipality", "status_scale").first()
            if plan is None:
                raise CommandError(f"計画ID {options['plan']} はありません")
            data = export_plan(plan, chosen)
            described = f"計画「{plan.name}」"
        else:
            data = export_template(chosen)
            described = "空の計画ワークブック"
        try:
            path.write_bytes(data)
        except OSError as exc:
            raise CommandError(f"{output} に書き込めません: {exc}")
        self.stdout.write(f"{described}を {output}（{chosen}、{len(data):,} バイト）に書き出しました。")
