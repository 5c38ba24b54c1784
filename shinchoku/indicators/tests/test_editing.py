"""Editing indicators in the UI: who may do what (a matrix generated from a table), the definition
form, the values grid with per-cell save, confirmation of unreadable text, fiscal-year input and
the change log."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from shinchoku.core.models import ChangeLog, Department, Municipality
from shinchoku.core.access import Access
from shinchoku.indicators import actions, rules
from shinchoku.indicators.queries import responsible_departments
from shinchoku.indicators.engine import judge_indicator, judge_plan
from shinchoku.indicators.forms import FiscalYearField, ReferenceAmountsField, initial_of
from shinchoku.indicators.judgement import Grade
from shinchoku.indicators.models import Indicator, IndicatorDefinitionChange, IndicatorValue
from shinchoku.plans.models import Plan, PlanNode

pytestmark = pytest.mark.django_db


def _publish(indicator, year, kind, raw):
    """A published value, as an importer stores it."""
    return actions.import_values(Access.system(), indicator, [(year, kind, raw)])[0]


def _can_edit(user, indicator) -> bool:
    return rules.edit(Access.for_user(user), indicator, responsible_departments(indicator)) is None

ROLES = ("planning", "digital", "koseki", "executive", "auditor")
DOCUMENTS = "本庁舎の執務室等で保有し、組織で共有している文書量 (fm)"
INCIDENTS = "情報セキュリティ事故発生件数"
ONLINE = "オンラインによる申請受付件数"


def _table(text: str) -> dict[tuple[str, str], str]:
    """A whitespace-separated table (first row: column names) → {(row, column): cell}."""
    lines = [line.split() for line in text.strip().splitlines()]
    header, rows = lines[0][1:], lines[1:]
    return {(row[0], col): cell for row in rows for col, cell in zip(header, row[1:], strict=True)}


# Pages and forms, for an indicator the editor "digital" (デジタル政策課) answers for — as its owner
# ("owned") or through a linked plan node ("linked"). koseki (戸籍住民課) answers for neither. Any
# indicator of another municipality is 404 for everyone: the matrix adds that column itself.
# An editor enters and clears 実績・見込み only; the definition, definition changes, 目標 and new
# indicators are the planning division's (a department must not set the bar it is judged against).
HTTP_MATRIX = _table("""
action          planning  digital  koseki  executive  auditor
edit_page       ok        403      403     403        403
values_page     ok        ok       403     403        403
update          ok        403      403     403        403
add_change      ok        403      403     403        403
remove_change   ok        403      403     403        403
set_actual      ok        ok       403     403        403
clear_actual    ok        ok       403     403        403
set_estimate    ok        ok       403     403        403
clear_estimate  ok        ok       403     403        403
set_target      ok        403      403     403        403
clear_target    ok        403      403     403        403
new_page        ok        403      403     403        403
create          ok        403      403     403        403
""")

# The services themselves (what the API and commands get): allowed or PermissionDenied. Every
# definition field — the ones that decide the grade (direction, baseline, final target year, unit,
# reference amounts) and the ones that decide who answers (owner, linked nodes, group) — is the
# planning division's, like the targets.
SERVICE_MATRIX = _table("""
action                    planning  digital  koseki   executive  auditor
update_definition         allowed   refused  refused  refused    refused
change_direction          allowed   refused  refused  refused    refused
change_baseline           allowed   refused  refused  refused    refused
change_final_target_year  allowed   refused  refused  refused    refused
change_unit               allowed   refused  refused  refused    refused
change_reference_amounts  allowed   refused  refused  refused    refused
change_owner              allowed   refused  refused  refused    refused
change_nodes              allowed   refused  refused  refused    refused
change_group              allowed   refused  refused  refused    refused
add_change                allowed   refused  refused  refused    refused
remove_change             allowed   refused  refused  refused    refused
set_actual                allowed   allowed  refused  refused    refused
clear_actual              allowed   allowed  refused  refused    refused
set_estimate              allowed   allowed  refused  refused    refused
clear_estimate            allowed   allowed  refused  refused    refused
set_target                allowed   refused  refused  refused    refused
clear_target              allowed   refused  refused  refused    refused
create                    allowed   refused  refused  refused    refused
""")

MUTATING = {
    "update", "add_change", "remove_change", "set_actual", "clear_actual", "set_estimate", "clear_estimate",
    "set_target", "clear_target", "create",
}
TARGET_ONLY_PLANNING = "目標値の入力は企画・DX推進課（計画管理者）のみが行えます"


@pytest.fixture
def users(db):
    return {u.username: u for u in get_user_model().objects.filter(username__in=ROLES)}


@pytest.fixture
def targets(nakano_plan):
    """owned: 文書量 with owner デジタル政策課; linked: オンライン申請 linked to a デジタル政策課 node;
    foreign: an indicator of another municipality. Each has a definition change and an actual,
    a target and an estimate value."""
    digital = Department.objects.get(municipality=nakano_plan.municipality, name="デジタル政策課")
    owned = Indicator.objects.get(plan=nakano_plan, name=DOCUMENTS)
    owned.owner = digital
    owned.save()
    linked = Indicator.objects.get(plan=nakano_plan, name=ONLINE)
    node = (
        PlanNode.objects.filter(plan=nakano_plan, departments=digital)
        .exclude(departments__name="戸籍住民課").order_by("path").first()
    )
    linked.nodes.add(node)
    town = Municipality.objects.create(code="139998", name="架空町")
    plan = Plan.objects.create(municipality=town, name="架空町DX計画", period_start=2022, period_end=2025)
    foreign = Indicator.objects.create(
        municipality=town, plan=plan, code="F-1", name="架空町の指標", unit="件", direction="higher"
    )
    _publish(foreign, 2023, "actual", "5件")
    _publish(foreign, 2025, "target", "10件")
    for ind in (owned, linked, foreign):
        _publish(ind, 2024, "estimate", "約 3,500" if ind is owned else "約 210 万件")
        IndicatorDefinitionChange.objects.get_or_create(
            municipality_id=ind.municipality_id, indicator=ind, effective_fiscal_year=2021,
            defaults={"description": "集計方法を変更"},
        )
    return {"owned": owned, "linked": linked, "foreign": foreign}


def definition_data(indicator: Indicator, **changes) -> dict:
    """What the definition form posts when nothing but ``changes`` is edited."""
    data = {**initial_of(indicator), **changes}
    post = {}
    for key, value in data.items():
        if key == "nodes":
            post[key] = [str(v) for v in value]
        elif key == "reference_amounts" and isinstance(value, dict):
            post[key] = "\n".join(f"{y}: {a}" for y, a in value.items())
        else:
            post[key] = "" if value is None else str(value)
    return post


def _some_value(indicator: Indicator, kind: str = "actual") -> IndicatorValue:
    return indicator.values.filter(kind=kind).order_by("fiscal_year").first()


def _clear_post(value: IndicatorValue) -> dict:
    return {
        "fiscal_year": str(value.fiscal_year), "kind": value.kind, "raw_text": value.raw_text,
        "previous": value.raw_text, "action": "clear",
    }


def _http(client, action: str, ind: Indicator):
    change = ind.definition_changes.first()
    save = reverse("indicators:value_save", args=[ind.pk])
    return {
        "edit_page": lambda: client.get(reverse("indicators:edit", args=[ind.pk])),
        "values_page": lambda: client.get(reverse("indicators:values", args=[ind.pk])),
        "update": lambda: client.post(
            reverse("indicators:edit", args=[ind.pk]), definition_data(ind, definition="測り方の説明を追記")
        ),
        "add_change": lambda: client.post(
            reverse("indicators:change_add", args=[ind.pk]), {"effective_fiscal_year": "R6", "description": "対象を拡大"}
        ),
        "remove_change": lambda: client.post(reverse("indicators:change_delete", args=[ind.pk, change.pk])),
        "set_actual": lambda: client.post(
            save, {"fiscal_year": "2024", "kind": "actual", "raw_text": "123件", "previous": ""}
        ),
        "clear_actual": lambda: client.post(save, _clear_post(_some_value(ind, "actual"))),
        "set_estimate": lambda: client.post(
            save, {"fiscal_year": "2025", "kind": "estimate", "raw_text": "123件", "previous": ""}
        ),
        "clear_estimate": lambda: client.post(save, _clear_post(_some_value(ind, "estimate"))),
        "set_target": lambda: client.post(
            save, {"fiscal_year": "2024", "kind": "target", "raw_text": "123件", "previous": ""}
        ),
        "clear_target": lambda: client.post(save, _clear_post(_some_value(ind, "target"))),
        "new_page": lambda: client.get(reverse("indicators:new", args=[ind.plan_id])),
        "create": lambda: client.post(
            reverse("indicators:new", args=[ind.plan_id]), {"name": "新しい指標", "kind": "outcome", "unit": "件"}
        ),
    }[action]()


HTTP_CASES = [
    (action, role, target, "404" if target == "foreign" else expected)
    for (action, role), expected in HTTP_MATRIX.items()
    for target in ("owned", "linked", "foreign")
]


@pytest.mark.parametrize("action,role,target,expected", HTTP_CASES, ids=[f"{a}-{r}-{t}" for a, r, t, _ in HTTP_CASES])
def test_permission_matrix_pages(client, users, targets, action, role, target, expected):
    client.force_login(users[role])
    ind = targets[target]
    logged = ChangeLog.objects.count()
    response = _http(client, action, ind)
    body = response.content.decode()
    if expected == "ok":
        assert response.status_code == (302 if action in MUTATING else 200), body[:500]
        if action in MUTATING:
            assert ChangeLog.objects.count() > logged
    else:
        assert response.status_code == int(expected)
        assert ChangeLog.objects.count() == logged  # nothing written
        if expected == "403":
            reason = "閲覧のみ" if role in ("executive", "auditor") else "のみが行えます"
            assert reason in body, body


def _service(action: str, user, ind: Indicator):
    staff = Department.objects.get(municipality=ind.municipality, name="職員課") if ind.municipality.code == "131148" else None
    node = PlanNode.objects.filter(plan=ind.plan).order_by("-path").first()
    return {
        "update_definition": lambda: actions.update_definition(Access.for_user(user), ind, definition="測り方の説明を追記"),
        "change_direction": lambda: actions.update_definition(Access.for_user(user), ind, direction="higher" if ind.direction != "higher" else "lower"
        ),
        "change_baseline": lambda: actions.update_definition(Access.for_user(user), ind, baseline_year=2019, baseline_text="1"),
        "change_final_target_year": lambda: actions.update_definition(Access.for_user(user), ind, final_target_year=2026),
        "change_unit": lambda: actions.update_definition(Access.for_user(user), ind, unit="件" if ind.unit != "件" else "団体"),
        "change_reference_amounts": lambda: actions.update_definition(Access.for_user(user), ind, reference_amounts={"2024": "120,000,000"}
        ),
        "change_owner": lambda: actions.update_definition(Access.for_user(user), ind, owner=staff),
        "change_nodes": lambda: actions.update_definition(Access.for_user(user), ind, nodes=[node] if node else []),
        "change_group": lambda: actions.update_definition(Access.for_user(user), ind, group="別の区分"),
        "add_change": lambda: actions.add_definition_change(Access.for_user(user), ind, "令和6年度", "対象を拡大"),
        "remove_change": lambda: actions.remove_definition_change(Access.for_user(user), ind.definition_changes.first()),
        "set_actual": lambda: actions.save_value(Access.for_user(user), ind, 2024, "actual", "123件"),
        "clear_actual": lambda: actions.clear_value(Access.for_user(user), ind, _some_value(ind, "actual").fiscal_year, "actual"),
        "set_estimate": lambda: actions.save_value(Access.for_user(user), ind, 2025, "estimate", "123件"),
        "clear_estimate": lambda: actions.clear_value(Access.for_user(user), ind, _some_value(ind, "estimate").fiscal_year, "estimate"
        ),
        "set_target": lambda: actions.save_value(Access.for_user(user), ind, 2024, "target", "123件"),
        "clear_target": lambda: actions.clear_value(Access.for_user(user), ind, _some_value(ind, "target").fiscal_year, "target"),
        "create": lambda: actions.create_indicator(Access.for_user(user), ind.plan, name="新しい指標"),
    }[action]()


SERVICE_CASES = [
    (action, role, target, "refused" if target == "foreign" else expected)
    for (action, role), expected in SERVICE_MATRIX.items()
    for target in ("owned", "linked", "foreign")
]


@pytest.mark.parametrize(
    "action,role,target,expected", SERVICE_CASES, ids=[f"{a}-{r}-{t}" for a, r, t, _ in SERVICE_CASES]
)
def test_permission_matrix_services(users, targets, action, role, target, expected):
    ind = targets[target]
    logged = ChangeLog.objects.count()
    if expected == "allowed":
        _service(action, users[role], ind)
        assert ChangeLog.objects.count() > logged
    else:
        with pytest.raises(PermissionDenied) as exc:
            _service(action, users[role], ind)
        assert str(exc.value)  # a Japanese reason, never empty
        if role in ("digital", "koseki") and target != "foreign":
            assert "企画・DX推進課（計画管理者）のみが行えます" in str(exc.value), str(exc.value)
        assert ChangeLog.objects.count() == logged


def test_edit_buttons_only_for_those_who_may_edit(client, users, targets, nakano_plan):
    detail = reverse("indicators:detail", args=[targets["owned"].pk])
    edit = reverse("indicators:edit", args=[targets["owned"].pk])
    values = reverse("indicators:values", args=[targets["owned"].pk])
    new = reverse("indicators:new", args=[nakano_plan.pk])
    for role, may_define, may_enter, may_create in [
        ("planning", True, True, True), ("digital", False, True, False), ("koseki", False, False, False),
        ("executive", False, False, False), ("auditor", False, False, False),
    ]:
        client.force_login(users[role])
        html = client.get(detail).content.decode()
        assert (edit in html) is may_define, role
        assert (values in html) is may_enter, role
        plan_page = client.get(reverse("indicators:plan", args=[nakano_plan.pk])).content.decode()
        assert (new in plan_page) is may_create, role
        if may_enter:  # the grid's tabs: the definition tab only for those who may open it
            assert (edit in client.get(values).content.decode()) is may_define, role


def test_editor_may_not_open_or_post_the_definition(client, users, targets):
    """The definition decides the grade (direction, baseline, targets' year …): planning only, even
    for the department that answers for the indicator — 403 with the reason, nothing written."""
    owned = targets["owned"]
    client.force_login(users["digital"])
    edit = reverse("indicators:edit", args=[owned.pk])
    response = client.get(edit)
    html = response.content.decode()
    assert response.status_code == 403
    assert "指標の定義の変更は企画・DX推進課（計画管理者）のみが行えます" in html
    assert "実績・見込み" in html  # and what the editor may do instead
    assert 'name="direction"' not in html

    logged = ChangeLog.objects.count()
    staff = Department.objects.get(municipality=owned.municipality, name="職員課")
    data = definition_data(owned, direction="higher", baseline_text="10000", final_target_year="令和8年度", owner=str(staff.pk))
    response = client.post(edit, data)
    assert response.status_code == 403 and "のみが行えます" in response.content.decode()
    change = owned.definition_changes.first()
    response = client.post(reverse("indicators:change_delete", args=[owned.pk, change.pk]))
    assert response.status_code == 403 and "定義変更の削除は企画・DX推進課（計画管理者）のみが行えます" in response.content.decode()
    owned.refresh_from_db()
    assert (owned.direction, owned.baseline_text, owned.final_target_year, owned.owner.name) == ("lower", "", 2025, "デジタル政策課")
    assert owned.definition_changes.filter(pk=change.pk).exists()
    assert ChangeLog.objects.count() == logged


def test_editor_post_of_a_target_value_is_refused_and_writes_nothing(client, users, targets):
    """A department editor may not set its own target (and so its own grade): any way the target
    comes in — the grid cell, htmx, the other-year form, a blank text, 削除 — it is 403 with the
    reason, and neither a value nor a change-log row is written."""
    owned = targets["owned"]
    client.force_login(users["digital"])
    save = reverse("indicators:value_save", args=[owned.pk])
    before = sorted(owned.values.values_list("fiscal_year", "kind", "raw_text"))
    logged = ChangeLog.objects.count()
    posts = [
        ({"fiscal_year": "2024", "kind": "target", "raw_text": "約 3,800fm", "previous": ""}, {}),
        ({"fiscal_year": "2025", "kind": "target", "raw_text": "約 9,000fm", "previous": "約 3,000fm"}, {"HTTP_HX_REQUEST": "true"}),
        ({"origin": "extra", "fiscal_year": "令和8年度", "kind": "target", "raw_text": "10fm"}, {}),
        ({"origin": "extra", "fiscal_year": "平成40年度", "kind": "target", "raw_text": "10fm"}, {}),  # refused before the bad year
        ({"fiscal_year": "2025", "kind": "target", "raw_text": "ゼロ", "previous": "約 3,000fm", "confirm": "on", "confirm_text": "ゼロ"}, {}),
        ({"fiscal_year": "2025", "kind": "target", "raw_text": "", "previous": "約 3,000fm"}, {}),
    ]
    for post, headers in posts:
        response = client.post(save, post, **headers)
        html = response.content.decode()
        # htmx swaps only 2xx answers: an htmx request gets the reason with the outcome in a header.
        status = int(response["X-Shinchoku-Outcome"]) if headers else response.status_code
        assert status == 403, (post, html[:500])
        assert TARGET_ONLY_PLANNING in html, html
    response = client.post(save, {**_clear_post(_some_value(owned, "target"))})
    assert response.status_code == 403
    assert "目標値の削除は企画・DX推進課（計画管理者）のみが行えます" in response.content.decode()

    assert sorted(owned.values.values_list("fiscal_year", "kind", "raw_text")) == before
    assert ChangeLog.objects.count() == logged
    # The service says the same to the shell and commands.
    with pytest.raises(PermissionDenied) as exc:
        actions.save_value(Access.for_user(users["digital"]), owned, 2024, "target", "約 3,800fm")
    assert str(exc.value).startswith(TARGET_ONLY_PLANNING)
    assert ChangeLog.objects.count() == logged
    # … while the same editor's actual and estimate go through.
    assert client.post(save, {"fiscal_year": "2024", "kind": "actual", "raw_text": "約 3,700fm", "previous": ""}).status_code == 302
    assert client.post(save, {"fiscal_year": "2025", "kind": "estimate", "raw_text": "約 3,400fm", "previous": ""}).status_code == 302
    assert ChangeLog.objects.filter(model="indicators.IndicatorValue", user=users["digital"]).count() == 2


def test_values_grid_shows_targets_read_only_to_an_editor(client, users, targets):
    owned = targets["owned"]
    url = reverse("indicators:values", args=[owned.pk])
    client.force_login(users["digital"])
    html = client.get(url).content.decode()
    assert '<form id="cell-2023-actual"' in html and '<form id="cell-2024-estimate"' in html
    assert '<form id="cell-2023-target"' not in html and '<form id="cell-2024-target"' not in html
    assert '<div id="cell-2023-target" class="ind-cell ind-readonly"' in html
    assert "約 3,600fm" in html and "読み取り: 3,600fm（概数）" in html  # the target is shown, with its reading
    assert "目標</strong>は企画・DX推進課が設定します" in html and "入力できるのは実績・見込みです" in html
    assert '<option value="target"' not in html  # the other-year form offers 実績・見込み only
    assert '<option value="actual"' in html and '<option value="estimate"' in html

    client.force_login(users["planning"])
    html = client.get(url).content.decode()
    assert '<form id="cell-2023-target"' in html and "ind-readonly" not in html
    assert '<option value="target"' in html and "表示のみ" not in html


def _grade(plan, name, fy=2023, kind="actual") -> Grade:
    return next(j for ind, j in judge_plan(plan, fy, kind) if ind.name == name).grade


def test_editing_the_direction_changes_the_grade(planner_client, nakano_plan):
    documents = Indicator.objects.get(plan=nakano_plan, name=DOCUMENTS)
    assert _grade(nakano_plan, DOCUMENTS) is Grade.DELAYED  # 約3,900fm against 約3,600fm, lower is better
    url = reverse("indicators:edit", args=[documents.pk])
    response = planner_client.post(url, definition_data(documents, direction="higher"), follow=True)
    html = response.content.decode()
    assert "保存しました（方向）" in html and "遅れ → 達成" in html
    assert _grade(nakano_plan, DOCUMENTS) is Grade.ACHIEVED
    log = ChangeLog.objects.filter(model="indicators.Indicator", object_id=str(documents.pk), action="update").first()
    assert log.before["direction"] == "lower" and log.after["direction"] == "higher"
    assert log.user.username == "planning"


def test_unreadable_text_needs_confirmation_then_is_judged_undecidable(planner_client, nakano_plan):
    incidents = Indicator.objects.get(plan=nakano_plan, name=INCIDENTS)
    assert _grade(nakano_plan, INCIDENTS) is Grade.NOT_ACHIEVED  # 10件 against 0件
    url = reverse("indicators:value_save", args=[incidents.pk])
    post = {"fiscal_year": "令和5年度", "kind": "actual", "raw_text": "10件（速報値）", "previous": "10件"}
    logged = ChangeLog.objects.count()

    html = planner_client.post(url, post).content.decode()
    assert "「件(速報値)」を単位として読めません" in html  # the parser's own words
    assert "読めないまま保存" in html and "判定不可" in html
    assert incidents.values.get(fiscal_year=2023, kind="actual").raw_text == "10件"
    assert ChangeLog.objects.count() == logged

    # A confirmation given for another text does not count: asked again, nothing stored.
    html = planner_client.post(url, {**post, "confirm": "on", "confirm_text": "10件（暫定）"}).content.decode()
    assert "読めないまま保存" in html
    assert incidents.values.get(fiscal_year=2023, kind="actual").raw_text == "10件"

    response = planner_client.post(url, {**post, "confirm": "on", "confirm_text": "10件（速報値）"})
    assert response.status_code == 302
    stored = incidents.values.get(fiscal_year=2023, kind="actual")
    assert stored.raw_text == "10件（速報値）"  # verbatim, full-width brackets kept
    assert stored.readable is False and stored.value is None and "読めません" in stored.parse_note
    judgement = judge_indicator(incidents, 2023)
    assert judgement.grade is Grade.UNDECIDABLE  # not a wrong 未達 from a guessed 10
    assert "数値として読めない" in judgement.reason


def test_htmx_cell_save_returns_the_cell_with_reading_and_grade(planner_client, nakano_plan):
    incidents = Indicator.objects.get(plan=nakano_plan, name=INCIDENTS)
    url = reverse("indicators:value_save", args=[incidents.pk])
    html = planner_client.post(
        url, {"fiscal_year": "2023", "kind": "actual", "raw_text": "0件", "previous": "10件"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in html and 'id="cell-2023-actual"' in html
    assert "読み取り: 0件" in html and "判定（実績）: 達成" in html
    assert 'id="grade-2023-actual" class="ind-grade-cell" hx-swap-oob="true"' in html  # grades refresh out of band
    assert 'id="values-chart"' in html

    # Unreadable with htmx: the cell comes back asking for confirmation.
    html = planner_client.post(
        url, {"fiscal_year": "2023", "kind": "actual", "raw_text": "ゼロ件", "previous": "0件"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in html and "読めないまま保存" in html and "数値が含まれていません" in html
    assert incidents.values.get(fiscal_year=2023, kind="actual").raw_text == "0件"


def test_a_changed_cell_is_not_overwritten(planner_client, nakano_plan):
    incidents = Indicator.objects.get(plan=nakano_plan, name=INCIDENTS)
    url = reverse("indicators:value_save", args=[incidents.pk])
    html = planner_client.post(
        url, {"fiscal_year": "2023", "kind": "actual", "raw_text": "11件", "previous": "9件"}
    ).content.decode()
    assert "他の人が更新しました" in html
    assert incidents.values.get(fiscal_year=2023, kind="actual").raw_text == "10件"


def test_bad_fiscal_year_shows_a_field_error_and_changes_nothing(planner_client, nakano_plan):
    incidents = Indicator.objects.get(plan=nakano_plan, name=INCIDENTS)
    logged, values = ChangeLog.objects.count(), IndicatorValue.objects.count()
    url = reverse("indicators:value_save", args=[incidents.pk])
    response = planner_client.post(url, {"origin": "extra", "fiscal_year": "平成40年度", "kind": "actual", "raw_text": "3件"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "平成40年度は存在しません" in html and "ind-has-error" in html
    edit = reverse("indicators:edit", args=[incidents.pk])
    html = planner_client.post(edit, definition_data(incidents, baseline_year="令和五年度", direction="higher")).content.decode()
    assert "年度として読めません" in html
    html = planner_client.post(
        reverse("indicators:change_add", args=[incidents.pk]), {"effective_fiscal_year": "令和", "description": "x"}
    ).content.decode()
    assert "年度として読めません" in html
    assert (ChangeLog.objects.count(), IndicatorValue.objects.count()) == (logged, values)
    incidents.refresh_from_db()
    assert incidents.direction == "lower" and incidents.baseline_year == 2022


@pytest.mark.parametrize("text", ["令和6年度", "R6", "2024", "２０２４年度", "令6"])
def test_fiscal_years_in_any_accepted_form(planner_client, nakano_plan, text):
    incidents = Indicator.objects.get(plan=nakano_plan, name=INCIDENTS)
    url = reverse("indicators:value_save", args=[incidents.pk])
    assert planner_client.post(url, {"origin": "extra", "fiscal_year": text, "kind": "target", "raw_text": "0件"}).status_code == 302
    assert incidents.values.get(fiscal_year=2024, kind="target").raw_text == "0件"
    assert FiscalYearField().clean(text) == 2024


def test_reference_amounts_as_lines():
    field = ReferenceAmountsField()
    assert field.clean("2024: 120,000,000\nR7：1.5億円\n\n") == {2024: "120,000,000", 2025: "1.5億円"}
    assert "2024: 120,000,000" in field.prepare_value({"2024": "120000000"})
    with pytest.raises(Exception) as exc:
        field.clean("2024: 120,000,000\n2024: 1\n令和: 5\n2026 約1億")
    messages = " ".join(exc.value.messages)
    assert "2行目: 2024年度が2回書かれています" in messages
    assert "3行目" in messages and "4行目" in messages


def test_reference_amounts_reach_the_engine(planner_client, nakano_plan):
    online = Indicator.objects.get(plan=nakano_plan, name=ONLINE)
    response = planner_client.post(
        reverse("indicators:edit", args=[online.pk]),
        definition_data(online, reference_amounts="2024: 120,000,000\nR7: 1.5億円"),
    )
    assert response.status_code == 302
    online.refresh_from_db()
    assert online.reference_amounts == {"2024": "120000000", "2025": "150000000"}
    html = planner_client.get(reverse("indicators:edit", args=[online.pk])).content.decode()
    assert "2024: 120,000,000" in html


def test_every_change_leaves_a_change_log_row_with_before_and_after(planner_client, nakano_plan):
    incidents = Indicator.objects.get(plan=nakano_plan, name=INCIDENTS)
    pk = incidents.pk

    def last(model: str) -> ChangeLog:
        row = ChangeLog.objects.filter(model=model).order_by("-id").first()
        assert row.user.username == "planning" and row.actor == "planning"
        return row

    planner_client.post(reverse("indicators:edit", args=[pk]), definition_data(incidents, data_source="情報政策課調べ"))
    row = last("indicators.Indicator")
    assert (row.action, row.before["data_source"], row.after["data_source"]) == ("update", "", "情報政策課調べ")

    planner_client.post(reverse("indicators:change_add", args=[pk]), {"effective_fiscal_year": "R6", "description": "対象を拡大"})
    row = last("indicators.IndicatorDefinitionChange")
    assert row.action == "create" and row.before is None and row.after["effective_fiscal_year"] == 2024
    change = incidents.definition_changes.get(effective_fiscal_year=2024)
    planner_client.post(reverse("indicators:change_delete", args=[pk, change.pk]))
    row = last("indicators.IndicatorDefinitionChange")
    assert row.action == "delete" and row.before["description"] == "対象を拡大" and row.after is None

    save = reverse("indicators:value_save", args=[pk])
    planner_client.post(save, {"fiscal_year": "2024", "kind": "actual", "raw_text": "3件", "previous": ""})
    row = last("indicators.IndicatorValue")
    assert row.action == "create" and row.before is None and row.after["raw_text"] == "3件"
    planner_client.post(save, {"fiscal_year": "2024", "kind": "actual", "raw_text": "約4件", "previous": "3件"})
    row = last("indicators.IndicatorValue")
    assert row.action == "update" and (row.before["raw_text"], row.after["raw_text"]) == ("3件", "約4件")
    assert (row.before["approximate"], row.after["approximate"]) == (False, True)
    planner_client.post(save, {"fiscal_year": "2024", "kind": "actual", "raw_text": "", "previous": "約4件"})
    row = last("indicators.IndicatorValue")
    assert row.action == "delete" and row.before["raw_text"] == "約4件" and row.after is None
    assert not incidents.values.filter(fiscal_year=2024, kind="actual").exists()

    response = planner_client.post(reverse("indicators:new", args=[nakano_plan.pk]), {"name": "窓口の待ち時間", "kind": "outcome"})
    assert response.status_code == 302
    row = last("indicators.Indicator")
    assert row.action == "create" and row.before is None and row.after["name"] == "窓口の待ち時間"


def test_saving_the_same_text_writes_nothing(planner_client, nakano_plan):
    incidents = Indicator.objects.get(plan=nakano_plan, name=INCIDENTS)
    logged = ChangeLog.objects.count()
    save = reverse("indicators:value_save", args=[incidents.pk])
    response = planner_client.post(save, {"fiscal_year": "2023", "kind": "actual", "raw_text": " 10件 ", "previous": "10件"}, follow=True)
    assert "変更はありません" in response.content.decode()
    response = planner_client.post(reverse("indicators:edit", args=[incidents.pk]), definition_data(incidents), follow=True)
    assert "変更はありませんでした" in response.content.decode()
    assert ChangeLog.objects.count() == logged


def test_new_indicator_goes_after_its_group(planner_client, nakano_plan):
    group = Indicator.objects.get(plan=nakano_plan, code="目標1-5").group
    response = planner_client.post(reverse("indicators:new", args=[nakano_plan.pk]), {
        "group": group, "name": "窓口の平均待ち時間", "kind": "outcome", "unit": "分", "direction": "lower",
        "baseline_year": "令和4年度", "final_target_year": "R7",
    })
    created = Indicator.objects.get(plan=nakano_plan, name="窓口の平均待ち時間")
    assert response.status_code == 302 and response["Location"] == reverse("indicators:values", args=[created.pk])
    assert created.code == "目標1-6" and (created.baseline_year, created.final_target_year) == (2022, 2025)
    codes = list(Indicator.objects.filter(plan=nakano_plan).order_by("order", "code").values_list("code", flat=True))
    assert codes.index("目標1-6") == codes.index("目標1-5") + 1 and codes.index("目標2-1") == codes.index("目標1-6") + 1
    html = planner_client.get(reverse("indicators:plan", args=[nakano_plan.pk])).content.decode()
    assert html.count(group) == 1  # still one heading for the group

    response = planner_client.post(reverse("indicators:new", args=[nakano_plan.pk]), {"name": "重複", "kind": "outcome", "code": "目標1-6"})
    assert "既に使われています" in response.content.decode()
    response = planner_client.post(reverse("indicators:new", args=[nakano_plan.pk]), {"name": "x", "kind": "outcome", "unit": "ぴよ"})
    assert "登録されていない単位" in response.content.decode()


def test_final_target_year_before_baseline_is_refused(planner_client, nakano_plan):
    documents = Indicator.objects.get(plan=nakano_plan, name=DOCUMENTS)
    html = planner_client.post(
        reverse("indicators:edit", args=[documents.pk]), definition_data(documents, final_target_year="令和3年度")
    ).content.decode()
    assert "基準年度" in html and "より前です" in html
    documents.refresh_from_db()
    assert documents.final_target_year == 2025


def test_foreign_owner_or_node_is_refused_by_the_service(users, targets):
    town_department = Department.objects.create(municipality=targets["foreign"].municipality, name="総務課")
    with pytest.raises(PermissionDenied):
        actions.update_definition(Access.for_user(users["planning"]), targets["owned"], owner=town_department)
    foreign_node = PlanNode.objects.create(
        municipality=targets["foreign"].municipality, plan=targets["foreign"].plan, code="1", title="x", path="00001"
    )
    with pytest.raises(PermissionDenied):
        actions.update_definition(Access.for_user(users["planning"]), targets["owned"], nodes=[foreign_node])


def test_values_page_shows_readings_and_grades(planner_client, nakano_plan):
    online = Indicator.objects.get(plan=nakano_plan, name=ONLINE)
    html = planner_client.get(reverse("indicators:values", args=[online.pk])).content.decode()
    assert "令和5年度" in html and "約200万件" in html.replace(" ", "")
    assert "読み取り: 2,000,000件（概数）" in html
    assert 'id="grade-2023-actual"' in html and "grade-達成" in html
    assert "<svg" in html  # the chart next to the grid


class _FormFields(HTMLParser):
    """The fields a browser would submit from a page's main form (enough for the admin change form)."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.setdefault(name, []).append(a.get("value") or ("on" if a.get("type") == "checkbox" else ""))
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data


def test_admin_edits_of_the_published_text_are_read_again(client, nakano_plan):
    """Bug found while building the editing UI: the admin saved a changed 公表値 with the old number
    and readability next to it (and could not add a value row: no municipality)."""
    incidents = Indicator.objects.get(plan=nakano_plan, name=INCIDENTS)
    client.force_login(get_user_model().objects.get(username="admin"))
    url = reverse("admin:indicators_indicator_change", args=[incidents.pk])
    parser = _FormFields()
    parser.feed(client.get(url).content.decode())
    data = {k: v for k, v in parser.data.items() if not k.startswith("_")}
    rows = int(data["values-TOTAL_FORMS"][0])
    row = next(i for i in range(rows) if data[f"values-{i}-fiscal_year"] == ["2023"] and data[f"values-{i}-kind"] == ["actual"])
    data[f"values-{row}-raw_text"] = ["10件（速報値）"]
    data["values-TOTAL_FORMS"] = [str(rows + 1)]
    data.update({f"values-{rows}-fiscal_year": ["2024"], f"values-{rows}-kind": ["actual"], f"values-{rows}-raw_text": ["約 3 件"],
                 f"values-{rows}-indicator": [str(incidents.pk)]})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    edited = incidents.values.get(fiscal_year=2023, kind="actual")
    assert edited.readable is False and edited.value is None and "読めません" in edited.parse_note
    added = incidents.values.get(fiscal_year=2024, kind="actual")
    assert added.municipality_id == incidents.municipality_id and added.value == 3 and added.approximate


def test_editing_pages_require_login(client, targets, nakano_plan):
    for url in (reverse("indicators:edit", args=[targets["owned"].pk]), reverse("indicators:values", args=[targets["owned"].pk]),
                reverse("indicators:new", args=[nakano_plan.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]
    response = client.post(reverse("indicators:value_save", args=[targets["owned"].pk]), {"fiscal_year": "2024", "kind": "actual", "raw_text": "1"})
    assert response.status_code == 302 and not targets["owned"].values.filter(fiscal_year=2024, kind="actual").exists()


def test_unreadable_text_in_the_other_year_form_is_confirmed_there(planner_client, nakano_plan):
    incidents = Indicator.objects.get(plan=nakano_plan, name=INCIDENTS)
    url = reverse("indicators:value_save", args=[incidents.pk])
    post = {"origin": "extra", "fiscal_year": "令和8年度", "kind": "target", "raw_text": "ゼロ"}
    html = planner_client.post(url, post).content.decode()
    assert "読めないまま保存" in html and 'value="令和8年度"' in html
    assert not incidents.values.filter(fiscal_year=2026).exists()
    assert planner_client.post(url, {**post, "confirm": "on", "confirm_text": "ゼロ"}).status_code == 302
    stored = incidents.values.get(fiscal_year=2026, kind="target")
    assert stored.raw_text == "ゼロ" and not stored.readable
    html = planner_client.get(reverse("indicators:values", args=[incidents.pk])).content.decode()
    assert 'id="cell-2026-target"' in html  # the new year has its row in the grid


def test_definition_errors_land_on_their_fields(users, targets):
    with pytest.raises(Exception) as exc:
        actions.update_definition(Access.for_user(users["planning"]), targets["owned"], baseline_text="約", unit="ぴよ", direction="sideways", name=" "
        )
    errors = exc.value.message_dict
    assert set(errors) == {"baseline_text", "unit", "direction", "name"}
    assert "基準値「約」を読めません" in errors["baseline_text"][0]
    targets["owned"].refresh_from_db()
    assert targets["owned"].direction == "lower" and targets["owned"].unit == "fm"


def test_a_relisted_node_counts_with_its_original_departments(users, nakano_plan):

    relisting = PlanNode.objects.filter(plan=nakano_plan, relisted_from__departments__name="デジタル政策課").first()
    assert not relisting.departments.exists()  # a 再掲 row has no departments of its own
    indicator = Indicator.objects.get(plan=nakano_plan, name=INCIDENTS)
    assert not _can_edit(users["digital"], indicator)
    indicator.nodes.add(relisting)
    assert _can_edit(users["digital"], indicator)
    assert not _can_edit(users["koseki"], indicator)


def test_an_editor_of_a_bureau_answers_for_its_divisions(targets):
    from shinchoku.core.models import Membership

    town = targets["owned"].municipality
    bureau = Department.objects.create(municipality=town, name="政策室", kind=Department.Kind.BUREAU)
    Department.objects.filter(municipality=town, name="デジタル政策課").update(parent=bureau)
    user = get_user_model().objects.create_user("bureau-editor", password="x" * 12)
    Membership.objects.create(user=user, municipality=town, role="editor").departments.add(bureau)
    assert _can_edit(user, targets["owned"]) and _can_edit(user, targets["linked"])
    assert not _can_edit(user, Indicator.objects.get(plan=targets["owned"].plan, name=INCIDENTS))
