"""``shinchoku report KIND --plan ID --fy YEAR [--json]``."""

import json

from django.core.management.base import BaseCommand, CommandError

from shinchoku.core import fiscal
from shinchoku.plans.models import Plan
from shinchoku.plans.queries import status_counts


class Command(BaseCommand):
    help = "集計・報告を出力します"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
        p = sub.add_parser("status-counts", help="進捗状況の区分ごとの取組数（再掲は数えない）")
        p.add_argument("--plan", type=int, required=True, help="計画ID")
        p.add_argument("--fy", required=True, help="年度（2023、令和5年度、R5 など）")
        p.add_argument("--json", action="store_true")

    def handle(self, *args, kind, **options):
        plan = Plan.objects.filter(pk=options["plan"]).select_related("status_scale", "municipality").first()
        if plan is None:
            raise CommandError(f"計画ID {options['plan']} はありません")
        try:
            fy = fiscal.parse_fiscal_year(options["fy"])
        except fiscal.FiscalYearError as exc:
            raise CommandError(f"--fy: {exc}") from exc
        if kind == "status-counts":
            counts = status_counts(plan, fy)
            if not counts:
                raise CommandError(f"計画「{plan.name}」には進捗区分がありません（文章のみの計画）")
            if options["json"]:
                self.stdout.write(json.dumps({
                    "plan_id": plan.pk, "plan": plan.name, "fiscal_year": fy, "fiscal_year_label": fiscal.to_wareki(fy),
                    "counts": {s: c for s, _, c in counts}, "total": sum(c for _, _, c in counts),
                    "legend": [{"symbol": s, "meaning": m, "count": c} for s, m, c in counts],
                }, ensure_ascii=False, indent=2))
            else:
                self.stdout.write(f"{plan.name} {fiscal.label(fy)}")
                for symbol, meaning, count in counts:
                    self.stdout.write(f"  {symbol} {count:>5}  {meaning}")
