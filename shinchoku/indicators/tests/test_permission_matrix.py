"""Indicators (and the official progress of plan items) in the generated permission matrix
(``core/testing/matrix.py``): every action × every role × every door (action, screen, API)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from shinchoku.core.access import Access
from shinchoku.core.testing.matrix import PLANNING, WRITERS, Case, matrix_params, run_case
from shinchoku.indicators import actions
from shinchoku.indicators.models import Indicator, IndicatorDefinitionChange, IndicatorValue
from shinchoku.plans import actions as plan_actions
from shinchoku.plans.models import ProgressEntry

pytestmark = pytest.mark.django_db
SYSTEM = Access.system(name="matrix setup")


def values(world, target=None):
    return sorted(IndicatorValue.objects.filter(indicator=world.indicator).values_list("fiscal_year", "kind", "raw_text"))


def definition(world, target=None):
    indicator = Indicator.objects.get(pk=world.indicator.pk)
    return (indicator.name, indicator.definition, indicator.direction, indicator.final_target_year,
            list(IndicatorDefinitionChange.objects.filter(indicator=indicator).values_list("effective_fiscal_year", "description")))


def with_values(world):
    actions.import_values(SYSTEM, world.indicator, [(2024, "actual", "100件"), (2024, "estimate", "110件"),
                                                    (2027, "target", "200件")])
    return world.indicator


def with_change(world):
    return actions.add_definition_change(SYSTEM, world.indicator, 2025, "対象手続を拡大")


def put(client, token, indicator, year, kind, text):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.put(f"/api/indicators/{indicator.pk}/values/{year}/{kind}", json.dumps({"raw_text": text}),
                      content_type="application/json", **headers)


def cell_post(client, indicator, year, kind, text, previous="", action=""):
    data = {"fiscal_year": str(year), "kind": kind, "raw_text": text, "previous": previous}
    if action:
        data["action"] = action
    return client.post(reverse("indicators:value_save", args=[indicator.pk]), data)


def progress(world, entry=None):
    return sorted(ProgressEntry.objects.filter(node__plan=world.plan).values_list("node_id", "fiscal_year", "version", "result"))


def with_entry(world):
    return plan_actions.save_progress(SYSTEM, world.activity, 2024, result="公表済みの結果")


def patch_entry(client, token, entry):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.patch(f"/api/progress-entries/{entry.pk}", json.dumps({"version": entry.version, "result": "APIで更新"}),
                        content_type="application/json", **headers)


CASES = [
    Case(
        "indicators.save_value (実績)", WRITERS, build=lambda w: w.indicator, rows=values,
        action=lambda a, w, i: actions.save_value(a, i, 2025, "actual", "150件"),
        screen=lambda c, w, i: cell_post(c, i, 2025, "actual", "150件"),
        api=lambda c, token, w, i: put(c, token, i, 2025, "actual", "150件"),
    ),
    Case(
        "indicators.save_value (目標)", PLANNING, build=lambda w: w.indicator, rows=values,
        action=lambda a, w, i: actions.save_value(a, i, 2026, "target", "180件"),
        screen=lambda c, w, i: cell_post(c, i, 2026, "target", "180件"),
        api=lambda c, token, w, i: put(c, token, i, 2026, "target", "180件"),
    ),
    Case(
        "indicators.clear_value (見込み)", WRITERS, build=with_values, rows=values,
        action=lambda a, w, i: actions.clear_value(a, i, 2024, "estimate"),
        screen=lambda c, w, i: cell_post(c, i, 2024, "estimate", "", previous="110件", action="clear"),
    ),
    Case(
        "indicators.clear_value (目標)", PLANNING, build=with_values, rows=values,
        action=lambda a, w, i: actions.clear_value(a, i, 2027, "target"),
        screen=lambda c, w, i: cell_post(c, i, 2027, "target", "", previous="200件", action="clear"),
    ),
    Case(
        "indicators.import_values", PLANNING, build=lambda w: w.indicator, rows=values,
        action=lambda a, w, i: actions.import_values(a, i, [(2024, "actual", "90件")]),
    ),
    Case(
        "indicators.update_definition", PLANNING, build=lambda w: w.indicator, rows=definition,
        action=lambda a, w, i: actions.update_definition(a, i, definition="電子申請で受け付けた件数"),
        screen=lambda c, w, i: c.post(reverse("indicators:edit", args=[i.pk]), {
            "name": i.name, "kind": i.kind, "unit": i.unit, "direction": i.direction,
            "definition": "電子申請で受け付けた件数", "baseline_year": "2024", "final_target_year": "2027"}),
    ),
    Case(
        "indicators.create_indicator", PLANNING, build=lambda w: w.plan,
        rows=lambda w, p: sorted(Indicator.objects.filter(plan=p).values_list("code", "name")),
        action=lambda a, w, p: actions.create_indicator(a, p, name="窓口の待ち時間", unit="分", direction="lower"),
        screen=lambda c, w, p: c.post(reverse("indicators:new", args=[p.pk]), {
            "code": "KPI-2", "name": "窓口の待ち時間", "kind": "outcome", "unit": "分", "direction": "lower"}),
    ),
    Case(
        "indicators.add_definition_change", PLANNING, build=lambda w: w.indicator, rows=definition,
        action=lambda a, w, i: actions.add_definition_change(a, i, 2026, "算定方法を変更"),
        screen=lambda c, w, i: c.post(reverse("indicators:change_add", args=[i.pk]),
                                      {"effective_fiscal_year": "令和8年度", "description": "算定方法を変更"}),
    ),
    Case(
        "indicators.remove_definition_change", PLANNING, build=with_change, rows=lambda w, ch: definition(w),
        action=lambda a, w, ch: actions.remove_definition_change(a, ch),
        screen=lambda c, w, ch: c.post(reverse("indicators:change_delete", args=[w.indicator.pk, ch.pk])),
    ),
    Case(
        "plans.save_progress", WRITERS, build=with_entry, rows=progress,
        action=lambda a, w, e: plan_actions.save_progress(a, w.activity, 2024, expected_version=e.version, result="更新"),
        api=lambda c, token, w, e: patch_entry(c, token, e),
    ),
]


@pytest.mark.parametrize(("case", "role", "door"), matrix_params(CASES))
def test_matrix(world, case, role, door):
    run_case(world, case, role, door)


def test_api_target_write_by_an_editor_is_refused_with_the_screens_reason(world, client):
    """The same rule through two doors: the screen and the API refuse a department editor's 目標 with
    the same Japanese sentence, and nothing is written."""
    from shinchoku.reports.tokens import create_token

    editor = world.users["editor_owner"]
    token = create_token(editor, name="t")[1]
    before = values(world)
    api = put(client, token, world.indicator, 2026, "target", "999件")
    page = world.client("editor_owner")
    screen = cell_post(page, world.indicator, 2026, "target", "999件")
    assert api.status_code == 403 and screen.status_code == 403
    reason = "目標値の入力は企画・DX推進課（計画管理者）のみが行えます"
    assert reason in api.json()["detail"] and reason in screen.content.decode()
    assert values(world) == before
