"""``effects.actions.save_effect``: the one write of an effect line (the importers call it)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from shinchoku.core.access import Access
from shinchoku.core.models import ChangeLog
from shinchoku.effects import actions
from shinchoku.effects.models import Effect

pytestmark = pytest.mark.django_db
SYSTEM = Access.system(name="effects test")


def test_a_line_is_created_then_left_alone_then_updated(world):
    saved = actions.save_effect(SYSTEM, world.plan, 2024, "saving", node=world.activity, raw_value="182百万円")
    assert saved.outcome == "created"
    assert (saved.effect.amount, saved.effect.unit, saved.effect.period) == (Decimal(182000000), "円", "")
    log = ChangeLog.objects.count()
    assert actions.save_effect(SYSTEM, world.plan, 2024, "saving", node=world.activity, raw_value="182百万円").outcome == "unchanged"
    assert ChangeLog.objects.count() == log
    again = actions.save_effect(SYSTEM, world.plan, 2024, "saving", node=world.activity, raw_value="15百万円/年", basis="決算")
    assert (again.outcome, sorted(again.changed)) == ("updated", ["amount", "basis", "period", "raw_value"])
    assert Effect.objects.filter(plan=world.plan).count() == 1


def test_lines_of_the_plan_as_a_whole_are_told_apart_by_name(world):
    for name in ("RPA", "AI検索"):
        actions.save_effect(SYSTEM, world.plan, 2024, "hours", name=name, raw_value="1,400時間/月")
    assert sorted(Effect.objects.filter(plan=world.plan, node=None).values_list("name", flat=True)) == ["AI検索", "RPA"]


@pytest.mark.parametrize(("fields", "field", "text"), [
    ({"raw_value": "40,268件"}, "raw_value", "公表値「40,268件」"),
    ({"raw_value": "1,400時間"}, "raw_value", "円の値として読めません"),
    ({"hours_saved": Decimal(10)}, "hours_saved", "月あたり稼働日数"),
    ({"rate_rounding": "five:0"}, "rate_rounding", "端数処理の指定が読めません"),
])
def test_what_the_importer_refuses_the_action_refuses(world, fields, field, text):
    with pytest.raises(ValidationError) as exc:
        actions.save_effect(SYSTEM, world.plan, 2024, "effect", node=world.activity, **fields)
    assert text in " ".join(exc.value.message_dict[field])
    assert not Effect.objects.filter(plan=world.plan).exists()


def test_an_item_of_another_plan_or_a_department_of_another_town_is_refused(world):
    from shinchoku.plans.models import Plan, PlanNode

    other = Plan.objects.create(municipality=world.municipality, name="別の計画", period_start=2024, period_end=2027)
    node = PlanNode.objects.create(municipality=world.municipality, plan=other, code="9", title="別", depth=0, order=1, path="00009")
    with pytest.raises(ValidationError) as exc:
        actions.save_effect(SYSTEM, world.plan, 2024, "effect", node=node,
                            department=world.extra["foreign_department"])
    assert set(exc.value.message_dict) == {"node", "department"}
