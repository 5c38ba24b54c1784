"""``shinchoku report KIND --plan ID --fy YEAR …`` — reports from the command line.

- ``status-counts [--json]`` — 進捗状況の区分ごとの取組数 (re-listed rows not counted), as before;
- ``summary | progress-list | department | findings --format html|xlsx|pdf|csv|json --output FILE`` —
  the report in that format (``--output -`` or no ``--output`` for a text format: standard output;
  a binary format without ``--output`` is written to its default file name in the current folder).
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shinchoku.core import fiscal
from shinchoku.plans.models import Plan
from shinchoku.plans.queries import status_counts
from shinchoku.reports.builder import REPORT_KINDS, ReportError, ReportOptions, build_report
from shinchoku.reports.render import FORMATS, render


class Command(BaseCommand):
    help = "集計・報告書を出力します（status-counts / summary / progress-list / department / findings）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
        p = sub.add_parser("status-counts", help="進捗状況の区分ごとの取組数（再掲は数えない）")
        self._common(p)
        p.add_argument("--json", action="store_true")
        for kind, label in REPORT_KINDS.items():
            p = sub.add_parser(kind, help=label)
            self._common(p)
            p.add_argument("--format", choices=FORMATS, default="html", help="出力形式（既定: html）")
            p.add_argument("--output", "-o", help="出力ファイル（- で標準出力）")
            if kind == "progress-list":
                p.add_argument("--department", help="この所管課の取組だけ（共管を含む）")
                p.add_argument("--status", help="この進捗状況の取組だけ（none: 記入なし）")
            p.add_argument("--include-unapproved", action="store_true", help="承認前（下書き・提出済・差戻し）の進捗も含める")

    @staticmethod
    def _common(p):
        p.add_argument("--plan", type=int, required=True, help="計画ID")
        p.add_argument("--fy", required=True, help="年度（2023、令和5年度、R5 など）")

    def handle(self, *args, kind, **options):
        plan = Plan.objects.filter(pk=options["plan"]).select_related("status_scale", "municipality").first()
        if plan is None:
            raise CommandError(f"計画ID {options['plan']} はありません")
        try:
            fy = fiscal.parse_fiscal_year(options["fy"])
        except fiscal.FiscalYearError as exc:
            raise CommandError(f"--fy: {exc}")
        if kind == "status-counts":
            return self._status_counts(plan, fy, options["json"])
        report_options = ReportOptions(
            department=options.get("department"), status=options.get("status"),
            approved_only=not options["include_unapproved"],
        )
        try:
            report = build_report(kind, plan, fy, report_options)
        except ReportError as exc:
            raise CommandError(str(exc))
        rendered = render(report, options["format"])
        output = options.get("output")
        binary = options["format"] in ("xlsx", "pdf")
        if output == "-" or (output is None and not binary):
            if binary:
                sys.stdout.buffer.write(rendered.content)
            else:
                self.stdout.write(rendered.content.decode("utf-8"), ending="")
            return
        path = Path(output or rendered.filename)
        path.write_bytes(rendered.content)
        self.stderr.write(f"{plan.name} {fiscal.label(fy)} {REPORT_KINDS[kind]} → {path}（{len(rendered.content):,}バイト）")

    def _status_counts(self, plan: Plan, fy: int, as_json: bool) -> None:
        counts = status_counts(plan, fy)
        if not counts:
            raise CommandError(f"計画「{plan.name}」には進捗区分がありません（文章のみの計画）")
        if as_json:
            self.stdout.write(json.dumps({
                "plan_id": plan.pk, "plan": plan.name, "fiscal_year": fy, "fiscal_year_label": fiscal.to_wareki(fy),
                "counts": {s: c for s, _, c in counts}, "total": sum(c for _, _, c in counts),
                "legend": [{"symbol": s, "meaning": m, "count": c} for s, m, c in counts],
            }, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(f"{plan.name} {fiscal.label(fy)}")
            for symbol, meaning, count in counts:
                self.stdout.write(f"  {symbol} {count:>5}  {meaning}")
