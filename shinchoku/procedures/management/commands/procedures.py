"""``shinchoku procedures select|progress|rates|swap|export|peer`` — the online-procedure drive."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from shinchoku.core.commandline import dumps, resolve_municipality
from shinchoku.core import fiscal
from shinchoku.core.changelog import acting_as
from shinchoku.core.importing import run_atomically
from shinchoku.core.models import Department
from shinchoku.procedures import queries, services
from shinchoku.procedures.inventory_io import export_csv, export_xlsx
from shinchoku.procedures.models import Procedure, TargetSelection


def _fy(value):
    if not value:
        return None
    try:
        return fiscal.parse_fiscal_year(value)
    except fiscal.FiscalYearError as exc:
        raise CommandError(f"--fy: {exc}")


def selection_payload(sel: TargetSelection) -> dict:
    items = list(sel.items.select_related("procedure", "department").order_by("rank"))
    difference = sel.n - sel.needed_for_target if sel.needed_for_target is not None else None
    return {
        "id": sel.pk,
        "name": sel.name,
        "fiscal_year": sel.fiscal_year,
        "n": sel.n,
        "target_total": sel.target_total,
        "already_online": sel.already_online,
        "not_online": sel.not_online_count,
        "needed_for_target": sel.needed_for_target,
        "difference": difference,
        "eligible": sel.eligible_count,
        "blocked": sel.blocked_count,
        "chosen": len(items),
        "shortfall": sel.shortfall,
        "quotas": {q.department.name: q.quota for q in sel.quotas.select_related("department").order_by("-quota", "department__name")},
        "notes": sel.notes,
        "procedures": [
            {"rank": i.rank, "key": i.procedure.key, "name": i.procedure.name, "department": i.department.name,
             "yearly_volume": i.procedure.yearly_volume}
            for i in items
        ],
    }


class Command(BaseCommand):
    help = "行政手続のオンライン化（対象事務の選定、割当に対する進捗、オンライン化率、入替え、一覧の出力）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        p = sub.add_parser("select", help="利用件数の多い順にオンライン化対象事務を選定し、部局ごとの割当件数を決める")
        p.add_argument("--target-total", type=int, help="オンライン化の目標総数（例: 300）")
        p.add_argument("--n", type=int, help="選定する件数（例: 180。省略時は 目標総数 − オンライン化済）")
        p.add_argument("--fy", help="目標年度（既定: 今年度）")
        p.add_argument("--name", help="選定の名称（既定: 「2024年度 オンライン化対象事務」）")
        p.add_argument("--dry-run", action="store_true", help="保存せずに結果だけを表示する")
        p.add_argument("--json", action="store_true")
        p = sub.add_parser("progress", help="部局ごとの割当件数に対する進捗と、他自治体比の警告")
        p.add_argument("--selection", type=int, help="選定ID（既定: 最新の選定）")
        p.add_argument("--json", action="store_true")
        p = sub.add_parser("rates", help="オンライン化率（件数ベース・利用件数ベース、全体と部局別）")
        p.add_argument("--json", action="store_true")
        p = sub.add_parser("swap", help="選定された事務を同じ部局の別の事務と入れ替える（割当件数は減らせない）")
        p.add_argument("--selection", type=int, help="選定ID（既定: 最新の選定）")
        p.add_argument("--out", required=True, dest="out_key", help="外す事務の事務番号")
        p.add_argument("--in", required=True, dest="in_key", help="代わりに指定する事務の事務番号")
        p.add_argument("--reason", default="", help="理由")
        p = sub.add_parser("export", help="行政手続の一覧を XLSX / CSV で出力する（取り込みと同じ書式）")
        p.add_argument("--format", choices=["xlsx", "csv"], required=True)
        p.add_argument("--output", required=True)
        p = sub.add_parser("peer", help="他自治体の同部局の実績を登録する（例: 江戸川区 区民部 36件）")
        p.add_argument("--department", required=True, help="比較する自団体の部局名")
        p.add_argument("--peer", required=True, help="他自治体名")
        p.add_argument("--count", type=int, required=True, help="オンライン化済の手続数")
        p.add_argument("--fy", help="年度")
        p.add_argument("--source", default="", help="出典")
        for p in sub.choices.values():
            p.add_argument("--municipality", help="団体コード（行政手続が登録された団体が1つなら省略可）")

    def handle(self, *args, action: str, **options):
        municipality = resolve_municipality(options.get("municipality"), Procedure, "行政手続")
        with acting_as(None, name=f"shinchoku procedures {action}"):
            try:
                getattr(self, f"_{action}")(municipality, options)
            except ValidationError as exc:
                raise CommandError("\n".join(exc.messages))

    def _selection(self, municipality, options) -> TargetSelection:
        qs = TargetSelection.objects.filter(municipality=municipality)
        sel = qs.filter(pk=options["selection"]).first() if options.get("selection") else qs.order_by("-created_at", "-pk").first()
        if sel is None:
            raise CommandError("選定がありません（shinchoku procedures select で作成してください）")
        return sel

    def _select(self, municipality, options):
        if options.get("n") is None and options.get("target_total") is None:
            raise CommandError("--n か --target-total のどちらかを指定してください")

        def apply():
            sel = services.create_selection(
                None, municipality, n=options.get("n"), target_total=options.get("target_total"),
                fiscal_year=_fy(options.get("fy")), name=options.get("name"),
            )
            return selection_payload(sel)

        payload = run_atomically(apply, dry_run=options["dry_run"])
        payload["dry_run"] = options["dry_run"]
        if options["dry_run"]:
            payload["id"] = None
        if options["json"]:
            self.stdout.write(dumps(payload))
            return
        head = "【試行】保存していません。" if options["dry_run"] else f"選定ID {payload['id']}「{payload['name']}」を保存しました。"
        self.stdout.write(head)
        self.stdout.write(
            f"オンライン化済 {payload['already_online']}件、未オンライン化 {payload['not_online']}件"
            f"（うち阻害要因あり {payload['blocked']}件、対象となり得る {payload['eligible']}件）から {payload['chosen']}件を選定"
        )
        for note in payload["notes"]:
            self.stdout.write(f"注: {note}")
        self.stdout.write("部局ごとの割当件数:")
        for dept, q in payload["quotas"].items():
            self.stdout.write(f"  {dept:<12} {q:>4}件")

    def _progress(self, municipality, options):
        board = queries.dashboard(self._selection(municipality, options))
        if options["json"]:
            self.stdout.write(dumps(board.as_dict()))
            return
        s = board.selection
        self.stdout.write(f"{s.name}（{s.fiscal_year_label}）: 割当 {board.quota_total}件、完了 {board.done_total}件（{board.progress_pct}）")
        if s.target_total:
            self.stdout.write(f"目標総数 {s.target_total}件に対し、現在オンライン化済 {board.online_now}件（残り {board.target_gap}件）")
        for r in board.rows:
            self.stdout.write(f"  {r.department:<12} 割当 {r.quota:>4} 完了 {r.done:>4} 残り {r.remaining:>4}  {r.rate_pct}")
        for w in board.warnings:
            self.stdout.write(f"警告: {w.message}")

    def _rates(self, municipality, options):
        overall, by_dept = queries.rates(municipality)
        if options["json"]:
            self.stdout.write(dumps({"overall": overall.as_dict(), "departments": [r.as_dict() for r in by_dept]}))
            return
        self.stdout.write(overall.rate.formula)
        for r in by_dept:
            self.stdout.write(
                f"  {r.department:<12} {r.rate.count_online:>4}/{r.rate.count_total:<4} {r.by_count:>7}  "
                f"利用件数 {r.rate.volume_online:,}/{r.rate.volume_total:,} {r.by_volume:>7}"
            )

    def _swap(self, municipality, options):
        sel = self._selection(municipality, options)
        swap = services.swap_procedure(None, sel, out_key=options["out_key"], in_key=options["in_key"], reason=options["reason"])
        self.stdout.write(f"入れ替えました: {swap.department.name} {swap.out_procedure} → {swap.in_procedure}")

    def _export(self, municipality, options):
        data = export_xlsx(municipality) if options["format"] == "xlsx" else export_csv(municipality)
        out = Path(options["output"])
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        self.stdout.write(f"{municipality.name}の行政手続 {Procedure.objects.filter(municipality=municipality).count()}件を {out} に出力しました")

    def _peer(self, municipality, options):
        dept = Department.objects.filter(municipality=municipality, name=options["department"]).first()
        if dept is None:
            raise CommandError(f"部局「{options['department']}」は登録されていません")
        obj = services.record_peer_achievement(
            None, municipality, department=dept, peer=options["peer"], online_count=options["count"],
            fiscal_year=_fy(options.get("fy")), source=options["source"],
        )
        self.stdout.write(f"登録しました: {obj}")
