import json

from django.core.management.base import BaseCommand, CommandError

from shinchoku.core.changelog import acting_as
from shinchoku.demo.synthetic import build_ward


class Command(BaseCommand):
    help = "架空の区（N項目の計画、所管課、5年分の進捗と指標）を作成します（ベンチマーク用）"

    def add_arguments(self, parser):
        parser.add_argument("--items", type=int, default=1000, help="事業（別紙の行）の数")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, items, seed, json: bool, **options):
        if items < 1 or items > 200_000:
            raise CommandError("--items は 1〜200000 で指定してください")
        with acting_as(None, name="shinchoku demo-data"):
            plan = build_ward(items, seed=seed)
        payload = {"plan_id": plan.pk, "municipality": plan.municipality.code, "items": items,
                   "nodes": plan.nodes.count()}
        if json:
            self.stdout.write(_json(payload))
        else:
            self.stdout.write(f"架空区の計画を作成しました: 計画ID {plan.pk}（{payload['nodes']}項目）")


def _json(payload):
    return json.dumps(payload, ensure_ascii=False)
