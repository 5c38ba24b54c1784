"""Demo data of the effects: Koto's RPA and AI-search effects (seed 001, 令和7年度包括外部監査報告書).

The report's plan, 江東区情報化推進プラン（令和2年度～令和6年度）, is created with the items the effects
belong to (指針1 → 施策2 業務を自動化する → 個別施策2 RPA / 個別施策3 AI), then the effects are
loaded through the real importer (``shinchoku import effects``) from ``fixtures/koto_effects.csv``.
Idempotent.
"""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from shinchoku.core.access import Access
from shinchoku.core.importing import ImportResult, get_importer
from shinchoku.core.models import Municipality
from shinchoku.plans.models import Plan, PlanNode
from shinchoku.plans.services import department_by_name, node_path, set_departments

KOTO_CODE = "131083"
KOTO_NAME = "江東区"
KOTO_PLAN = "江東区情報化推進プラン"
KOTO_EFFECTS = Path(__file__).resolve().parent / "fixtures" / "koto_effects.csv"

# (code, parent code, order, title, departments)
KOTO_NODES = (
    ("指針1", None, 1, "ICTを活用した行政運営の更なる効率化", ()),
    ("施策2", "指針1", 2, "業務を自動化する", ()),
    ("個別施策2", "施策2", 1, "RPAを活用した業務の効率化", ("DX推進課",)),
    ("個別施策3", "施策2", 2, "AIを用いた業務の効率化", ("DX推進課",)),
)


def ensure_koto_plan() -> Plan:
    """The plan skeleton the effects hang on (only the items the effects need; created once)."""
    with transaction.atomic():
        municipality, _ = Municipality.objects.get_or_create(code=KOTO_CODE, defaults={"name": KOTO_NAME})
        plan, _ = Plan.objects.get_or_create(
            municipality=municipality, name=KOTO_PLAN,
            defaults={"kind": "情報化推進計画", "period_start": 2020, "period_end": 2024,
                      "level_names": ["指針", "施策", "個別施策"],
                      "source": "令和7年度 江東区包括外部監査報告書（効果の算定に必要な項目のみ）"},
        )
        nodes: dict[str, PlanNode] = {}
        for code, parent_code, order, title, departments in KOTO_NODES:
            parent = nodes.get(parent_code) if parent_code else None
            node = PlanNode.objects.filter(plan=plan, code=code).first()
            if node is None:
                node = PlanNode.objects.create(
                    municipality=municipality, plan=plan, parent=parent, depth=parent.depth + 1 if parent else 0,
                    code=code, title=title, order=order, path=node_path(parent.path if parent else None, order),
                )
                if departments:
                    set_departments(node, [department_by_name(municipality, d) for d in departments])
            nodes[code] = node
    return plan


def load_koto_effects() -> ImportResult:
    ensure_koto_plan()
    return get_importer("effects").run(str(KOTO_EFFECTS), access=Access.system(), dry_run=False, options={})
