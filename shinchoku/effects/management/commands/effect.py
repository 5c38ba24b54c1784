"""``shinchoku effect compute [--json] [--municipality CODE] [--plan ID] [--fy 令和6年度]`` — every stored
effect with its formula and result.

Each effect is computed from its inputs (hours saved × unit labour cost) with the rounding rules
stored on it, and compared with its published figure; the output states the rules, the figure under
the other usual rules, the rules that reproduce the published figure, whether the published figures
need *different* rules, and the roll-ups by plan, measure (施策), department and fiscal year.
"""

from __future__ import annotations

from shinchoku.core.commandline import ShinchokuCommand, resolve_municipality
from shinchoku.core.fiscal import to_wareki
from shinchoku.effects import calc, queries
from shinchoku.effects.models import Effect

ROLL_UP_NAMES = {"plan": "計画", "measure": "施策", "department": "所管課", "year": "年度"}


class Command(ShinchokuCommand):
    help = "効果の算定（削減時間×時間単価＝金額）: 計算式・端数処理・公表値との照合・集計を表示します"
    command_name = "effect"

    def declare(self, sub):
        p = self.subcommand("compute", "保存されている効果をすべて計算し、計算式と結果を表示する", municipality=True, fy=True,
                            json=True)
        p.add_argument("--plan", type=int, help="計画ID")

    def do_compute(self, *, municipality=None, plan=None, fy=None, json=False, **_):
        town = resolve_municipality(municipality, Effect, "効果") if municipality else None
        payload = queries.effect_report(self.access(town), town, plan_id=plan, fiscal_year=fy)
        if json:
            self.out(payload)
            return
        self.write_text(payload)

    def write_text(self, payload: dict) -> None:
        if not payload["effects"]:
            self.stdout.write("効果が登録されていません（`shinchoku import effects ファイル` で取り込めます）")
            return
        for e in payload["effects"]:
            head = f"【{e['name'] or '（名称なし）'}】{e['plan']} {e['node'] or ''} {to_wareki(e['fiscal_year'])}".rstrip()
            self.stdout.write(head)
            if not e["computed"]:
                self.stdout.write(f"  算定できません: {e['error'] or '算定の入力がありません'}"
                                  + (f"（公表値 {e['published']}）" if e["published"] else ""))
                continue
            self.stdout.write(f"  端数処理: 時間単価 {e['rules']['hourly_rate']}／千円換算 {e['rules']['thousand_yen']}")
            for line in e["formula"].splitlines():
                self.stdout.write(f"  {line}")
            self.stdout.write(f"  結果: {e['result']}")
            if e["published"]:
                verdict = "一致" if e["reproduces_published"] else "不一致"
                self.stdout.write(f"  公表値: {e['published']} — {verdict}")
                if e["rules_reproducing_published"]:
                    self.stdout.write("  公表値を再現する端数処理: " + "、".join(e["rules_reproducing_published"]))
                others = [o for o in e["under_other_rules"] if o["rule"].split("／")[0] != f"時間単価: {e['rules']['hourly_rate']}"]
                for o in others:
                    self.stdout.write(f"    （{o['rule']} なら {calc.fmt(calc.to_decimal(o['thousand_yen_per_year']))}千円/年）")
        self.stdout.write("")
        self.stdout.write("端数処理の一貫性: " + payload["rule_consistency"]["message"])
        for kind, rows in payload["roll_ups"].items():
            self.stdout.write(f"集計（{ROLL_UP_NAMES[kind]}別）")
            for r in rows:
                label = r["label"] if r["label"] is not None else "（なし）"
                self.stdout.write(
                    f"  {label}: {r['count']}件 {calc.fmt(calc.to_decimal(r['hours_per_year']))}時間/年 "
                    f"{calc.fmt(calc.to_decimal(r['thousand_yen_per_year']))}千円/年"
                    f"（各効果の千円の合計 {calc.fmt(calc.to_decimal(r['sum_of_thousand_yen']))}千円）"
                )
