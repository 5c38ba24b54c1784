"""The API (``shinchoku/api.py`` mounting ``core``, ``plans``, ``indicators`` and ``audits`` routers):
anonymous callers read published data and nothing else; tokens act as their user's ``Access``
(municipality, role, departments and those below); writes go through the actions with the version
check; fixed query counts (see also ``test_api_query_budgets.py``)."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shinchoku.core.access import Access
from shinchoku.core.actions import create_api_token, revoke_api_token
from shinchoku.core.models import ApiToken, ChangeLog, Membership, Role
from shinchoku.core.tokens import user_for_token
from shinchoku.demo.synthetic import build_ward
from shinchoku.indicators.models import Indicator, IndicatorValue
from shinchoku.plans.models import ProgressEntry

pytestmark = pytest.mark.django_db
SYSTEM = Access.system(name="test setup")


def create_token(user, name: str = "", **kwargs):
    return create_api_token(SYSTEM, user, name, **kwargs)

LISTS = ["/api/municipalities", "/api/departments", "/api/plans", "/api/nodes", "/api/progress-entries",
         "/api/indicators", "/api/indicator-values"]


def token_for(username: str) -> str:
    return create_token(get_user_model().objects.get(username=username), "test")[1]


def get(client, url: str, token: str | None = None, **params):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.get(url, params, **headers)


def send(client, method: str, url: str, body: dict, token: str | None = None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json", **headers)


def entry(plan, code: str, fy: int = 2023) -> ProgressEntry:
    return ProgressEntry.objects.get(node__plan=plan, node__code=code, fiscal_year=fy)


def make_draft(plan, code: str, text: str) -> ProgressEntry:
    e = entry(plan, code)
    e.state = ProgressEntry.State.DRAFT
    e.result = text
    e.save()
    return e


# --------------------------------------------------------------------------------------------------
# Anonymous: published data and nothing else


def test_anonymous_sees_nothing_of_an_unpublished_plan(client, nakano_plan):
    for url in LISTS:
        response = get(client, url)
        assert response.status_code == 200, url
        assert response.json()["count"] == 0, f"{url} leaks unpublished data"
    e = entry(nakano_plan, "1-1-①-1")
    for url in (f"/api/plans/{nakano_plan.pk}", f"/api/progress-entries/{e.pk}", f"/api/nodes/{e.node_id}",
                f"/api/municipalities/{nakano_plan.municipality_id}", f"/api/indicators/{Indicator.objects.first().pk}"):
        assert get(client, url).status_code == 404, url
    assert get(client, "/api/findings").status_code == 401


def test_anonymous_reads_published_official_data(client, nakano_plan):
    nakano_plan.is_published = True
    nakano_plan.save()
    draft = make_draft(nakano_plan, "1-1-①-2", "未承認の文")
    other = build_ward(5)  # another municipality, not published
    plans = get(client, "/api/plans").json()
    assert [p["id"] for p in plans["items"]] == [nakano_plan.pk]
    assert plans["items"][0]["status_scale"][1] == {"symbol": "○", "meaning": "予定どおり取り組んだ", "category": "on_plan"}
    entries = get(client, "/api/progress-entries", fiscal_year=2023, limit=500).json()
    assert entries["count"] == 104 and all(e["state"] == "approved" for e in entries["items"])
    assert "未承認の文" not in json.dumps(entries, ensure_ascii=False)
    assert get(client, f"/api/progress-entries/{draft.pk}").status_code == 404
    assert get(client, "/api/progress-entries", state="draft").json()["count"] == 0
    assert get(client, "/api/indicators").json()["count"] == 10
    assert get(client, "/api/indicator-values", fiscal_year=2023, kind="actual").json()["count"] == 10
    detail = get(client, f"/api/indicators/{Indicator.objects.get(plan=nakano_plan, code='目標1-2').pk}").json()
    assert [v["raw_text"] for v in detail["values"]] == ["約 179 万件", "約 200 万件", "170 万件", "200 万件"]
    assert detail["values"][1]["value"] == "2000000"
    assert [m["code"] for m in get(client, "/api/municipalities").json()["items"]] == ["131148"]
    departments = get(client, "/api/departments", limit=500).json()["items"]
    assert departments and {d["municipality_id"] for d in departments} == {nakano_plan.municipality_id}
    assert get(client, f"/api/plans/{other.pk}").status_code == 404
    assert get(client, "/api/nodes", plan=other.pk).json()["count"] == 0
    assert get(client, "/api/findings").status_code == 401


def test_anonymous_cannot_write(client, nakano_plan):
    nakano_plan.is_published = True
    nakano_plan.save()
    e = entry(nakano_plan, "1-1-①-1")
    assert send(client, "patch", f"/api/progress-entries/{e.pk}", {"version": e.version, "result": "x"}).status_code == 401
    ind = Indicator.objects.get(plan=nakano_plan, code="目標1-2")
    assert send(client, "put", f"/api/indicators/{ind.pk}/values/2024/actual", {"raw_text": "1件"}).status_code == 401
    e.refresh_from_db()
    assert e.result != "x"


def test_bad_tokens_are_refused_not_read_as_public(client, nakano_plan):
    assert get(client, "/api/plans", token="shk_not-a-token").status_code == 401
    assert client.get("/api/plans", HTTP_AUTHORIZATION="Basic abc").status_code == 401
    user = get_user_model().objects.get(username="planning")
    row, raw = create_token(user)
    assert get(client, "/api/plans", token=raw).status_code == 200
    assert revoke_api_token(SYSTEM, row) is True
    assert get(client, "/api/plans", token=raw).status_code == 401
    expired, raw2 = create_token(user, expires_at=dt.datetime(2001, 1, 1, tzinfo=dt.timezone.utc))
    assert user_for_token(raw2) is None


# --------------------------------------------------------------------------------------------------
# Tokens: the user's municipality and role


def test_member_reads_everything_of_the_municipality(client, nakano_plan):
    draft = make_draft(nakano_plan, "1-1-①-1", "下書き")
    token = token_for("planning")
    plans = get(client, "/api/plans", token).json()
    assert [p["id"] for p in plans["items"]] == [nakano_plan.pk] and not plans["items"][0]["is_published"]
    assert get(client, "/api/progress-entries", token, fiscal_year=2023).json()["count"] == 105
    assert get(client, f"/api/progress-entries/{draft.pk}", token).json()["result"] == "下書き"
    assert get(client, "/api/nodes", token, plan=nakano_plan.pk).json()["count"] == 152
    assert get(client, "/api/progress-entries", token, status="○", department=_dept(nakano_plan, "戸籍住民課")).json()["count"] > 0


def _dept(plan, name: str) -> int:
    return plan.municipality.department_set.get(name=name).pk


def test_editor_sees_only_own_departments_drafts(client, nakano_plan):
    own = make_draft(nakano_plan, "1-1-②-1", "自課の下書き")  # デジタル政策課 (co-owned)
    other = make_draft(nakano_plan, "1-1-①-1", "他課の下書き")  # 戸籍住民課
    token = token_for("digital")
    assert get(client, f"/api/progress-entries/{own.pk}", token).status_code == 200
    assert get(client, f"/api/progress-entries/{other.pk}", token).status_code == 404
    listed = get(client, "/api/progress-entries", token, fiscal_year=2023, limit=500).json()
    assert listed["count"] == 104
    assert "他課の下書き" not in json.dumps(listed, ensure_ascii=False)


def test_other_municipalities_members_see_only_published_data(client, nakano_plan):
    ward = build_ward(5)
    User = get_user_model()
    stranger = User.objects.create_user("stranger", password="x-password-1")
    Membership.objects.create(user=stranger, municipality=ward.municipality, role=Role.PLANNING)
    token = create_token(stranger)[1]
    assert [p["id"] for p in get(client, "/api/plans", token).json()["items"]] == [ward.pk]
    assert get(client, f"/api/plans/{nakano_plan.pk}", token).status_code == 404
    e = entry(nakano_plan, "1-1-①-1")
    assert send(client, "patch", f"/api/progress-entries/{e.pk}", {"version": e.version, "result": "x"}, token).status_code == 404
    nakano_plan.is_published = True
    nakano_plan.save()
    assert get(client, f"/api/plans/{nakano_plan.pk}", token).status_code == 200
    assert send(client, "patch", f"/api/progress-entries/{e.pk}", {"version": e.version, "result": "x"}, token).status_code == 403


# --------------------------------------------------------------------------------------------------
# Writes


def test_planner_updates_an_entry_with_the_version_check(client, nakano_plan):
    token = token_for("planning")
    e = entry(nakano_plan, "1-1-①-1")
    url = f"/api/progress-entries/{e.pk}"
    response = send(client, "patch", url, {"version": e.version, "status": "△", "change_reason": "窓口改修の遅れ"}, token)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["change_reason"], body["version"]) == ("△", "窓口改修の遅れ", e.version + 1)
    assert body["result"] == e.result  # fields not sent are kept
    stale = send(client, "patch", url, {"version": e.version, "result": "古い版からの更新"}, token)
    assert stale.status_code == 409 and "他の人が更新しました" in stale.json()["detail"]
    assert entry(nakano_plan, "1-1-①-1").result == e.result
    log = ChangeLog.objects.filter(model="plans.ProgressEntry", object_id=str(e.pk)).order_by("-id").first()
    assert log.user.username == "planning" and "API PATCH" in log.reason
    assert send(client, "patch", url, {"version": e.version + 1, "status": "★"}, token).status_code == 400
    assert send(client, "patch", url, {"version": e.version + 1, "result": "a\x00b"}, token).status_code == 422
    assert send(client, "patch", url, {"result": "版なし"}, token).status_code == 422


def test_editor_writes_only_own_departments_items(client, nakano_plan):
    token = token_for("digital")
    own = entry(nakano_plan, "1-1-②-1")  # デジタル政策課 子育て支援課 介護保険課
    other = entry(nakano_plan, "1-1-①-1")  # 戸籍住民課
    ok = send(client, "patch", f"/api/progress-entries/{own.pk}", {"version": own.version, "result": "更新"}, token)
    assert ok.status_code == 200 and ok.json()["result"] == "更新"
    refused = send(client, "patch", f"/api/progress-entries/{other.pk}", {"version": other.version, "result": "x"}, token)
    assert refused.status_code == 403


@pytest.mark.parametrize("username", ["auditor", "executive"])
def test_read_only_roles_cannot_write(client, nakano_plan, username):
    token = token_for(username)
    e = entry(nakano_plan, "1-1-①-1")
    assert get(client, f"/api/progress-entries/{e.pk}", token).status_code == 200
    assert send(client, "patch", f"/api/progress-entries/{e.pk}", {"version": e.version, "result": "x"}, token).status_code == 403
    ind = Indicator.objects.get(plan=nakano_plan, code="目標1-2")
    assert send(client, "put", f"/api/indicators/{ind.pk}/values/2024/actual", {"raw_text": "1件"}, token).status_code == 403


def test_indicator_value_is_stored_as_published_and_parsed(client, nakano_plan):
    ind = Indicator.objects.get(plan=nakano_plan, code="目標1-2")
    url = f"/api/indicators/{ind.pk}/values/2024/actual"
    response = send(client, "put", url, {"raw_text": "約 230 万件", "as_of": "令和7年3月末"}, token_for("planning"))
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["raw_text"], body["value"], body["unit"], body["approximate"], body["as_of"]) == (
        "約 230 万件", "2300000", "件", True, "令和7年3月末")
    assert send(client, "put", url, {"raw_text": "1件"}, token_for("digital")).status_code == 403  # not its indicator
    ind.owner = nakano_plan.municipality.department_set.get(name="デジタル政策課")
    ind.save()
    assert send(client, "put", url, {"raw_text": "約 231 万件"}, token_for("digital")).status_code == 200
    assert send(client, "put", f"/api/indicators/{ind.pk}/values/2024/guess", {"raw_text": "1件"}, token_for("planning")).status_code == 422
    assert send(client, "put", f"/api/indicators/{ind.pk}/values/1800/actual", {"raw_text": "1件"}, token_for("planning")).status_code == 422


def test_findings_for_members(client, nakano_plan):
    from shinchoku.audits.models import Audit, Finding, Response

    m = nakano_plan.municipality
    audit = Audit.objects.create(municipality=m, kind="security", fiscal_year=2023, theme="情報セキュリティ")
    f = Finding.objects.create(municipality=m, audit=audit, kind="shiteki", number=1, title="パスワード管理")
    f.departments.add(m.department_set.get(name="デジタル政策課"))
    Response.objects.create(municipality=m, finding=f, text="措置中の回答", date=dt.date(2024, 1, 5), state="in_progress", review="approved")
    Response.objects.create(municipality=m, finding=f, text="未承認", date=dt.date(2024, 2, 5), state="done", review="submitted")
    token = token_for("auditor")
    listed = get(client, "/api/findings", token).json()
    assert listed["count"] == 1 and listed["items"][0]["state"] == "in_progress"
    assert listed["items"][0]["departments"][0]["name"] == "デジタル政策課"
    assert get(client, "/api/findings", token, status="done").json()["count"] == 0
    assert get(client, "/api/findings", token, fiscal_year=2023, kind="shiteki").json()["count"] == 1
    detail = get(client, f"/api/findings/{f.pk}", token).json()
    assert [r["text"] for r in detail["responses"]] == ["措置中の回答"]
    assert get(client, "/api/findings").status_code == 401


# --------------------------------------------------------------------------------------------------
# Query budgets, documents, tokens


def _queries(client, url: str, token: str | None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert get(client, url, token, limit=100).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("anonymous", [True, False])
def test_list_query_counts_do_not_grow(client, db, anonymous):
    small = build_ward(20)
    municipality = small.municipality
    User = get_user_model()
    user = User.objects.create_user("ward-planner", password="x-password-1")
    Membership.objects.create(user=user, municipality=municipality, role=Role.PLANNING)
    token = None if anonymous else create_token(user)[1]
    small.is_published = True
    small.save()
    before = {url: _queries(client, url, token) for url in LISTS}
    large = build_ward(400)
    large.is_published = True
    large.save()
    after = {url: _queries(client, url, token) for url in LISTS}
    assert before == after, f"queries grew with the data: {before} → {after}"
    assert max(after.values()) <= 6


def test_openapi_document_and_docs(client):
    doc = client.get("/api/openapi.json")
    assert doc.status_code == 200
    schema = doc.json()
    assert schema["openapi"].startswith("3.") and schema["info"]["title"] == "shinchoku API"
    for path in ("/api/municipalities", "/api/departments/{department_id}", "/api/plans", "/api/nodes/{node_id}",
                 "/api/progress-entries/{entry_id}", "/api/indicators/{indicator_id}/values/{fiscal_year}/{kind}",
                 "/api/indicator-values", "/api/findings/{finding_id}"):
        assert path in schema["paths"], path
    assert "patch" in schema["paths"]["/api/progress-entries/{entry_id}"]
    assert "bearerAuth" in json.dumps(schema["components"]["securitySchemes"]) or schema["components"]["securitySchemes"]
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and b"/api/docs/assets/swagger-ui-bundle.js" in docs.content
    assert b"cdn" not in docs.content.lower()
    asset = client.get("/api/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200
    assert client.get("/api/docs/assets/..%2Fsettings.py").status_code == 404


def test_api_token_command(db):
    out, err = StringIO(), StringIO()
    call_command("api-token", "create", "planning", "--name", "BI連携", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    assert raw.startswith("shk_") and user_for_token(raw).username == "planning"
    token = ApiToken.objects.get(prefix=raw[:12])
    assert token.key_hash != raw and raw not in json.dumps(list(ChangeLog.objects.filter(model="core.ApiToken").values("after")), default=str)
    listing = StringIO()
    call_command("api-token", "list", "planning", stdout=listing)
    assert raw[:12] in listing.getvalue() and raw not in listing.getvalue()
    call_command("api-token", "revoke", raw[:12], stdout=StringIO())
    assert user_for_token(raw) is None


def test_operation_ids_stay_as_first_published(client):
    """Generated clients name their methods after the operation ids: moving an operation's code to its
    app's ``api.py`` must not rename them."""
    paths = client.get("/api/openapi.json").json()["paths"]
    assert paths["/api/plans"]["get"]["operationId"] == "shinchoku_reports_api_endpoints_list_plans"
    assert paths["/api/progress-entries/{entry_id}"]["patch"]["operationId"] == "shinchoku_reports_api_endpoints_update_entry"
    assert paths["/api/findings"]["get"]["operationId"] == "shinchoku_reports_api_endpoints_list_findings"


def test_a_blank_value_is_refused_and_deletes_nothing(client, nakano_plan):
    ind = Indicator.objects.get(plan=nakano_plan, code="目標1-2")
    before = list(IndicatorValue.objects.filter(indicator=ind).values_list("fiscal_year", "kind", "raw_text"))
    year, kind, _ = before[0]
    response = send(client, "put", f"/api/indicators/{ind.pk}/values/{year}/{kind}", {"raw_text": "   "}, token_for("planning"))
    assert response.status_code == 400 and "空欄" in response.json()["detail"]
    assert list(IndicatorValue.objects.filter(indicator=ind).values_list("fiscal_year", "kind", "raw_text")) == before


def test_an_editor_of_a_bureau_reads_and_writes_for_its_divisions(client, world):
    """The token's Access resolves 部 → 課: the bureau's editor sees the drafts of its division's items
    and may update them; an editor of another division sees neither."""
    from shinchoku.plans import actions as plan_actions

    draft = plan_actions.save_progress(SYSTEM, world.activity, 2025, result="課の下書き")
    ProgressEntry.objects.filter(pk=draft.pk).update(state=ProgressEntry.State.DRAFT)  # as a round leaves it
    url = f"/api/progress-entries/{draft.pk}"
    bureau, other = world.token("editor_bureau"), world.token("editor_other")
    assert get(client, url, bureau).json()["result"] == "課の下書き"
    assert get(client, url, other).status_code == 404
    assert send(client, "patch", url, {"version": draft.version, "result": "部が更新"}, other).status_code == 404
    assert send(client, "patch", url, {"version": draft.version, "result": "部が更新"}, bureau).status_code == 200
    assert ProgressEntry.objects.get(pk=draft.pk).result == "部が更新"


def test_a_token_of_a_user_of_no_municipality_reads_only_public_data(client, nakano_plan):
    loner = get_user_model().objects.create_user("loner", password="x-password-1")
    token = create_token(loner)[1]
    assert get(client, "/api/plans", token).json()["count"] == 0
    refused = get(client, "/api/findings", token)
    assert refused.status_code == 403 and "この団体の利用者として登録されていないため" in refused.json()["detail"]
    e = entry(nakano_plan, "1-1-①-1")
    nakano_plan.is_published = True
    nakano_plan.save()
    patch = send(client, "patch", f"/api/progress-entries/{e.pk}", {"version": e.version, "result": "x"}, token)
    assert patch.status_code == 403 and entry(nakano_plan, "1-1-①-1").result == e.result
