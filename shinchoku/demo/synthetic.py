"""A fictional ward of any size, for benchmarks and load tests (``shinchoku demo-data --items N``).

Deterministic (seeded): the same N gives the same ward. ``items`` counts the activities (the rows of
the 別紙 list); goals and initiatives are added above them, five fiscal years of entries for each
activity, and one indicator per twenty activities with five years of actuals and targets.
"""

from __future__ import annotations

import random

from django.db import transaction

from shinchoku.core.changelog import log_bulk
from shinchoku.core.models import Department, Municipality
from shinchoku.indicators.models import Indicator, IndicatorValue
from shinchoku.indicators.values import parsed_fields
from shinchoku.plans.models import NodeDepartment, Plan, PlanNode, ProgressEntry, StatusScale, StatusSymbol
from shinchoku.plans.services import create_scale, node_path

FICTIONAL_CODE = "990001"  # outside the range of real 全国地方公共団体コード prefixes (01–47)
DEPARTMENT_NAMES = [
    "企画課", "デジタル政策課", "総務課", "職員課", "税務課", "戸籍住民課", "区民サービス課", "子ども・若者課",
    "保育園・幼稚園課", "介護保険課", "福祉推進課", "障害福祉課", "保健企画課", "保健予防課", "環境課",
    "ごみゼロ推進課", "都市計画課", "道路管理課", "産業振興課", "地域活動推進課", "学務課", "防災危機管理課",
]
STATUS = [("◎", "予定を上回る", "ahead"), ("○", "予定どおり", "on_plan"), ("△", "遅れ", "late"), ("×", "未着手", "not_started")]
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def build_ward(items: int, *, first_year: int = 2021, years: int = 5, seed: int = 1, name: str | None = None) -> Plan:
    rng = random.Random(seed)
    with transaction.atomic():
        municipality, _ = Municipality.objects.get_or_create(code=FICTIONAL_CODE, defaults={"name": name or "架空区"})
        plan_name = f"架空区DX推進計画（{items}項目）"
        Plan.objects.filter(municipality=municipality, name=plan_name).delete()
        departments = [Department.objects.get_or_create(municipality=municipality, name=n)[0] for n in DEPARTMENT_NAMES]
        scale = StatusScale.objects.filter(municipality=municipality, name="架空区 進捗区分").first() or create_scale(
            municipality, "架空区 進捗区分", STATUS
        )
        symbols = list(StatusSymbol.objects.filter(scale=scale).order_by("order"))
        plan = Plan.objects.create(
            municipality=municipality, name=plan_name, kind="DX推進計画", period_start=first_year,
            period_end=first_year + years - 1, status_scale=scale, level_names=["目標", "施策", "取組"],
            source="shinchoku demo-data",
        )
        nodes: list[PlanNode] = []
        goals = max(1, min(9, items // 100 or 1))
        per_initiative = 5
        initiatives = max(1, -(-items // per_initiative))
        goal_nodes = []
        for g in range(goals):
            goal = PlanNode(
                municipality=municipality, plan=plan, depth=0, code=f"目標{g + 1}", title=f"目標{g + 1} 架空の目標 {g + 1}",
                order=g + 1, path=node_path(None, g + 1),
            )
            goal_nodes.append(goal)
        PlanNode.objects.bulk_create(goal_nodes)
        nodes += goal_nodes
        init_nodes = []
        for i in range(initiatives):
            goal = goal_nodes[i % goals]
            n_in_goal = i // goals + 1
            code = f"{goal.order}-{n_in_goal}"
            init_nodes.append(PlanNode(
                municipality=municipality, plan=plan, parent=goal, depth=1, code=code,
                title=f"施策 {code} デジタル化の推進（架空）", order=n_in_goal, path=node_path(goal.path, n_in_goal),
            ))
        PlanNode.objects.bulk_create(init_nodes)
        nodes += init_nodes
        acts = []
        for a in range(items):
            parent = init_nodes[a // per_initiative]
            order = a % per_initiative + 1
            code = f"{parent.code}-{CIRCLED[order - 1]}"
            acts.append(PlanNode(
                municipality=municipality, plan=plan, parent=parent, depth=2, code=code,
                title=f"取組 {code} 手続のオンライン化と窓口の見直し（架空の取組 {a + 1}）", order=order,
                path=node_path(parent.path, order),
            ))
        PlanNode.objects.bulk_create(acts)
        nodes += acts
        links = []
        for act in acts:
            for k, dep in enumerate(rng.sample(departments, rng.choice([1, 1, 1, 2, 3]))):
                links.append(NodeDepartment(municipality=municipality, node=act, department=dep, order=k))
        NodeDepartment.objects.bulk_create(links)
        entries = []
        weights = [1, 20, 3, 1]
        for act in acts:
            for y in range(first_year, first_year + years):
                status = rng.choices(symbols, weights=weights)[0]
                entries.append(ProgressEntry(
                    municipality=municipality, node=act, fiscal_year=y, status=status,
                    result=f"{y}年度は計画どおり手続を見直し、申請の{rng.randint(10, 90)}%をオンライン化した。",
                    next_year_plan="（推進）", later_plan="（継続）",
                    change_reason="人員不足のため着手が遅れた。" if status.category in ("late", "not_started") else "",
                ))
        ProgressEntry.objects.bulk_create(entries, batch_size=1000)
        indicators = []
        for k in range(max(1, items // 20)):
            indicators.append(Indicator(
                municipality=municipality, plan=plan, code=f"KPI-{k + 1}", name=f"オンライン申請件数（架空 {k + 1}）",
                unit="件", direction=Indicator.Direction.HIGHER, baseline_year=first_year,
                final_target_year=first_year + years - 1, group=goal_nodes[k % goals].title, order=k + 1,
            ))
        Indicator.objects.bulk_create(indicators)
        values = []
        for ind in indicators:
            base = rng.randint(1000, 50000)
            for y in range(first_year, first_year + years):
                step = y - first_year
                for kind, raw in (("actual", f"{base + step * rng.randint(0, 4000):,}件"), ("target", f"{base + step * 3000:,}件")):
                    values.append(IndicatorValue(
                        municipality=municipality, indicator=ind, fiscal_year=y, kind=kind, raw_text=raw, **parsed_fields(raw)
                    ))
        IndicatorValue.objects.bulk_create(values, batch_size=1000)
        log_bulk([plan, *nodes, *links, *entries, *indicators, *values])
    return plan
