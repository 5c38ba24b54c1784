"""Permission matrix: every role × every page and action of rounds, allowed or refused, from one table.

Roles (SPEC "Users and roles"): planning (all of its municipality), the department editor of the
target department (職員課, ``own``), an editor of another department (戸籍住民課, ``other``), executive
(read-only dashboards), auditor (read everything incl. drafts and history, write nothing), anonymous
(nothing: login), and the planning user of another municipality (``foreign``: 404 for every object).

Refused writes must change nothing: the answers, the rounds, the official entries, the change log and
the mail outbox are compared before and after. The same table is run against the services directly
(PermissionDenied), so hiding a button is never the only protection.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from shinchoku.core.changelog import acting_as
from shinchoku.core.models import ChangeLog
from shinchoku.plans.models import PlanNode, ProgressEntry
from shinchoku.rounds import actions, queries, xlsx
from shinchoku.rounds.models import Round, RoundAnswer, RoundIndicatorActual

from .conftest import SYSTEM, as_access, KOSEKI, SHOKUIN, expected_codes, fill, login

pytestmark = pytest.mark.django_db

ROLES = ["planning", "own", "other", "executive", "auditor", "anonymous", "foreign"]
USERNAMES = {"planning": "planning", "own": "shokuin", "other": "koseki", "executive": "executive", "auditor": "auditor"}

# action: (method, expected status for planning, own, other, executive, auditor). anonymous → login
# redirect, foreign → 404 (list: 200 with nothing of Nakano's), for every action.
OK, DONE, NO = 200, 302, 403
VIEW_MATRIX = {
    "list":               ("get",  OK,   OK,   OK, OK, OK),
    "open":               ("post", DONE, NO,   NO, NO, NO),
    "dashboard":          ("get",  OK,   NO,   NO, OK, OK),
    "dashboard_json":     ("get",  OK,   NO,   NO, OK, OK),
    "review":             ("get",  OK,   NO,   NO, NO, OK),
    "department":         ("get",  OK,   OK,   NO, NO, OK),
    "export":             ("get",  OK,   OK,   NO, NO, OK),
    "import_page":        ("get",  OK,   OK,   NO, NO, NO),
    "import_preview":     ("post", OK,   OK,   NO, NO, NO),
    "save_answer":        ("post", DONE, DONE, NO, NO, NO),
    "save_answer_htmx":   ("post", OK,   OK,   OK, OK, OK),  # htmx: 200, the outcome is in a header
    "save_actual":        ("post", DONE, DONE, NO, NO, NO),
    "submit":             ("post", DONE, DONE, NO, NO, NO),
    "return":             ("post", DONE, NO,   NO, NO, NO),
    "approve":            ("post", DONE, NO,   NO, NO, NO),
    "approve_department": ("post", DONE, NO,   NO, NO, NO),
    "history":            ("get",  OK,   OK,   NO, NO, OK),
    "close":              ("post", DONE, NO,   NO, NO, NO),
    "reopen":             ("post", DONE, NO,   NO, NO, NO),
    "remind":             ("post", DONE, NO,   NO, NO, NO),
}
HTMX_OUTCOME = {"planning": "200", "own": "200", "other": "403", "executive": "403", "auditor": "403"}


@pytest.fixture
def world(round24, nakano_plan, departments, indicator_owners):
    dep = departments[SHOKUIN]
    codes = sorted(expected_codes(nakano_plan, SHOKUIN))
    nodes = [PlanNode.objects.get(plan=nakano_plan, code=c) for c in codes]
    return {"round": round24, "plan": nakano_plan, "dep": dep, "nodes": nodes, "indicator": indicator_owners["目標2-5"],
            "other_dep": departments[KOSEKI]}


def _complete(world):
    """職員課's answers and actual filled in (drafts)."""
    with acting_as(None, name="test"):
        fill(SYSTEM, world["round"], world["nodes"])
        actions.save_actual(as_access(SYSTEM), world["round"], world["indicator"], expected_version=0, raw_text="30名")


def _submitted(world):
    _complete(world)
    with acting_as(None, name="test"):
        actions.submit_department(as_access(SYSTEM), world["round"], world["dep"])
    return RoundAnswer.objects.get(round=world["round"], node=world["nodes"][0])


def _request(action, world):
    """(url, data, extra headers) for an action, after putting the round in the state it needs."""
    r, dep, node = world["round"], world["dep"], world["nodes"][0]
    answer_data = {"version": 0, "department": dep.pk, "status": "○", "result": "結果", "next_year_plan": "", "later_plan": "", "change_reason": ""}
    if action == "list":
        return reverse("rounds:list"), None, {}
    if action == "open":
        return reverse("rounds:list"), {"plan": world["plan"].pk, "fy": "2025", "deadline": "2025-06-30"}, {}
    if action == "dashboard":
        return reverse("rounds:dashboard", args=[r.pk]), None, {}
    if action == "dashboard_json":
        return reverse("rounds:dashboard_json", args=[r.pk]), None, {}
    if action == "review":
        _complete(world)
        return reverse("rounds:review", args=[r.pk]) + "?state=all", None, {}
    if action == "department":
        _complete(world)
        return reverse("rounds:department", args=[r.pk, dep.pk]), None, {}
    if action == "export":
        return reverse("rounds:export", args=[r.pk, dep.pk]), None, {}
    if action == "import_page":
        return reverse("rounds:import", args=[r.pk, dep.pk]), None, {}
    if action == "import_preview":
        data = xlsx.workbook_bytes(queries.department_form(r, dep))
        return reverse("rounds:import", args=[r.pk, dep.pk]) + "?step=preview", {"file": SimpleUploadedFile("f.xlsx", data)}, {}
    if action == "save_answer":
        return reverse("rounds:save_answer", args=[r.pk, node.pk]), answer_data, {}
    if action == "save_answer_htmx":
        return reverse("rounds:save_answer", args=[r.pk, node.pk]), answer_data, {"HTTP_HX_REQUEST": "true"}
    if action == "save_actual":
        return reverse("rounds:save_actual", args=[r.pk, world["indicator"].pk]), {"version": 0, "raw_text": "31名", "note": ""}, {}
    if action == "submit":
        _complete(world)
        return reverse("rounds:submit", args=[r.pk, dep.pk]), {"confirm": "1"}, {}
    if action in ("return", "approve"):
        answer = _submitted(world)
        return reverse(f"rounds:{action}", args=[r.pk, "answers", answer.pk]), {"version": answer.version, "comment": "直してください"}, {}
    if action == "approve_department":
        _submitted(world)
        return reverse("rounds:approve_department", args=[r.pk, dep.pk]), {"confirm": "1"}, {}
    if action == "history":
        answer = _submitted(world)
        return reverse("rounds:history", args=[r.pk, "answers", answer.pk]), None, {}
    if action == "close":
        return reverse("rounds:close", args=[r.pk]), {"confirm": "1"}, {}
    if action == "reopen":
        with acting_as(None, name="test"):
            actions.close_round(as_access(SYSTEM), r)
        return reverse("rounds:reopen", args=[r.pk]), {"reason": "テスト"}, {}
    if action == "remind":
        return reverse("rounds:remind", args=[r.pk]), {"confirm": "1"}, {}
    raise AssertionError(action)


def snapshot():
    return {
        "answers": sorted(RoundAnswer.objects.values_list("id", "state", "version", "result")),
        "actuals": sorted(RoundIndicatorActual.objects.values_list("id", "state", "version", "raw_text")),
        "rounds": sorted(Round.objects.values_list("id", "state", "reminder_log")),
        "official": ProgressEntry.objects.filter(fiscal_year=2024).count(),
        "changelog": ChangeLog.objects.count(),
        "mail": len(mail.outbox),
    }


def _client(role, users, request) -> Client:
    """A logged-in client (force_login: the password check is exercised by the end-to-end test)."""
    client = Client()
    if role == "foreign":
        client.force_login(request.getfixturevalue("other_municipality")["user"])
    elif role != "anonymous":
        client.force_login(users[USERNAMES[role]])
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(VIEW_MATRIX))
def test_view_permission_matrix(action, role, world, users, request):
    method, *allowed = VIEW_MATRIX[action]
    client = _client(role, users, request)
    url, data, headers = _request(action, world)
    before = snapshot()
    response = getattr(client, method)(url, data, **headers) if data is not None else getattr(client, method)(url, **headers)
    after = snapshot()
    if role == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
        assert after == before
        return
    if role == "foreign":
        if action == "list":
            assert response.status_code == 200
            assert world["plan"].name not in response.content.decode()
        else:
            assert response.status_code == 404, response.status_code
        assert after == before
        return
    expected = allowed[["planning", "own", "other", "executive", "auditor"].index(role)]
    assert response.status_code == expected, (action, role, response.status_code, response.content.decode()[:300])
    if action == "save_answer_htmx":
        assert response["X-Shinchoku-Outcome"] == HTMX_OUTCOME[role]
        refused = HTMX_OUTCOME[role] == "403"
    else:
        refused = expected == NO
    if refused:
        assert after == before, "a refused action changed something"
        if expected == NO:
            assert "権限" in response.content.decode() or "だけ" in response.content.decode()
    elif method == "post" and action != "import_preview":
        assert after["changelog"] > before["changelog"], "an allowed write left no change-log row"
    else:
        assert after == before  # reading changes nothing (a dry run neither)


# --- the same rules at the service layer -------------------------------------------------------

SERVICE_MATRIX = {  # action → roles allowed
    "open_round": {"planning"},
    "save_answer": {"planning", "own"},
    "save_actual": {"planning", "own"},
    "submit_department": {"planning", "own"},
    "import_department_form": {"planning", "own"},
    "return_answer": {"planning"},
    "approve_answer": {"planning"},
    "approve_department": {"planning"},
    "close_round": {"planning"},
    "reopen_round": {"planning"},
    "remind": {"planning"},
}


def _service_call(action, world):
    r, dep, node = world["round"], world["dep"], world["nodes"][0]
    if action == "open_round":
        return lambda u: actions.open_round(as_access(u), world["plan"], 2025, dt.date(2025, 6, 30))
    if action == "save_answer":
        return lambda u: actions.save_answer(as_access(u), r, node, expected_version=0, status="○", result="x")
    if action == "save_actual":
        return lambda u: actions.save_actual(as_access(u), r, world["indicator"], expected_version=0, raw_text="1名")
    if action == "submit_department":
        _complete(world)
        return lambda u: actions.submit_department(as_access(u), r, dep)
    if action == "import_department_form":
        data = xlsx.workbook_bytes(queries.department_form(r, dep))
        import io

        parsed = xlsx.parse_workbook(io.BytesIO(data), round=r, department=dep, status_symbols=["◎", "○", "△", "×"], size=len(data), name="f.xlsx")
        return lambda u: actions.import_department_form(as_access(u), r, dep, parsed, dry_run=False)
    if action in ("return_answer", "approve_answer"):
        answer = _submitted(world)
        if action == "return_answer":
            return lambda u: actions.return_answer(as_access(u), answer, "直してください")
        return lambda u: actions.approve_answer(as_access(u), answer)
    if action == "approve_department":
        _submitted(world)
        return lambda u: actions.approve_department(as_access(u), r, dep)
    if action == "close_round":
        return lambda u: actions.close_round(as_access(u), r)
    if action == "reopen_round":
        with acting_as(None, name="test"):
            actions.close_round(as_access(SYSTEM), r)
        return lambda u: actions.reopen_round(as_access(u), Round.objects.get(pk=r.pk))
    if action == "remind":
        return lambda u: actions.remind(as_access(u), r)
    raise AssertionError(action)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(SERVICE_MATRIX))
def test_service_permission_matrix(action, role, world, users, request):
    call = _service_call(action, world)
    if role == "foreign":
        user = request.getfixturevalue("other_municipality")["user"]
    else:
        user = AnonymousUser() if role == "anonymous" else users[USERNAMES[role]]
    before = snapshot()
    if role in SERVICE_MATRIX[action]:
        with acting_as(user):
            call(user)
        if action != "import_department_form":  # an unchanged workbook writes nothing
            assert snapshot()["changelog"] > before["changelog"]
    else:
        with pytest.raises(PermissionDenied) as exc, acting_as(user):
            call(user)
        assert str(exc.value)  # a Japanese reason, shown to the user
        assert snapshot() == before


def test_editor_sees_only_own_answers_on_review_pages(world):
    """Department editors cannot read other departments' drafts by any page."""
    _complete(world)
    koseki = login("koseki")
    answer = RoundAnswer.objects.filter(round=world["round"]).first()
    for url in (
        reverse("rounds:department", args=[world["round"].pk, world["dep"].pk]),
        reverse("rounds:review", args=[world["round"].pk]),
        reverse("rounds:history", args=[world["round"].pk, "answers", answer.pk]),
        reverse("rounds:export", args=[world["round"].pk, world["dep"].pk]),
    ):
        response = koseki.get(url)
        assert response.status_code == 403
        assert answer.result not in response.content.decode()
