"""``shinchoku indicators judge --plan ID --fy 2023 [--kind actual|estimate] [--json]``."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from shinchoku.core import fiscal
from shinchoku.indicators.engine import judge_plan, judgement_dict
from shinchoku.plans.models import Plan


class Command(BaseCommand):
    help = "成果指標の判定（達成 / 順調 / 遅れ / 未達 / 判定不可）と理由を出力します"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        p = sub.add_parser("judge", help="計画のすべての指標を、指定年度について判定する")
        p.add_argument("--plan", type=int, required=True, help="計画ID")
        p.add_argument("--fy", required=True, help="年度（2023、令和5年度、R5 など）")
        p.add_argument("--kind", choices=["actual", "estimate"], default="actual", help="実績（既定）または見込み")
        p.add_argument("--json", action="store_true")

    def handle(self, *args, action, **options):
        plan = Plan.objects.filter(pk=options["plan"]).first()
        if plan is None:
            raise CommandError(f"計画ID {options['plan']} はありません")
        try:
            fy = fiscal.parse_fiscal_year(options["fy"])
        except fiscal.FiscalYearError as exc:
            raise CommandError(f"--fy: {exc}") from exc
        results = judge_plan(plan, fy, options["kind"])
        if options["json"]:
            self.stdout.write(json.dumps(
                {"plan_id": plan.pk, "plan": plan.name, "fiscal_year": fy, "kind": options["kind"],
                 "indicators": [judgement_dict(i, j) for i, j in results]},
                ensure_ascii=False, indent=2,
            ))
            return
        self.stdout.write(f"{plan.name} {fiscal.label(fy)}")
        for indicator, j in results:
            rate = f"{j.achievement_rate}%" if j.achievement_rate is not None else "—"
            self.stdout.write(f"  [{j.grade.value}] {indicator.name}（達成率 {rate}）\n      {j.reason}")
