"""Registering audits and findings through the pages (planning division only), correcting a finding,
and the reminder send log shown on the finding page."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from shinchoku.audits import services
from shinchoku.audits.models import Audit, Finding
from shinchoku.core.changelog import acting_as
from shinchoku.core.models import ChangeLog, Department
from shinchoku.plans.models import Plan, PlanNode

pytestmark = pytest.mark.django_db


@pytest.fixture
def audit(koto_municipality):
    return Audit.objects.get(municipality=koto_municipality)


def dept(m, name):
    return Department.objects.get(municipality=m, name=name)


def finding_post(m, **over):
    data = {"kind": Finding.Kind.IKEN, "number": "38", "title": "RPA導入効果の検証について",
            "summary": "導入効果を年度ごとに検証し、公表すべきである。", "departments": [str(dept(m, "DX推進課").pk)],
            "page": "120", "codes": ""}
    data.update(over)
    return data


# --------------------------------------------------------------------------- new audit


def test_planning_registers_an_audit_through_the_page(users, koto_municipality, client):
    client.force_login(users["planning"])
    assert client.get(reverse("audits:new")).status_code == 200
    response = client.post(reverse("audits:new"), {
        "kind": Audit.Kind.SECURITY, "fiscal_year": "令和6年度", "theme": "情報セキュリティ内部監査",
        "auditor": "情報セキュリティ監査担当", "auditor_qualification": "", "report_date": "2025-03-14",
    })
    audit = Audit.objects.get(municipality=koto_municipality, kind=Audit.Kind.SECURITY)
    assert response.status_code == 302 and response["Location"] == reverse("audits:detail", args=[audit.pk])
    assert audit.fiscal_year == 2024 and audit.theme == "情報セキュリティ内部監査"
    assert ChangeLog.objects.filter(model="audits.Audit", object_id=str(audit.pk), action="create", user=users["planning"]).exists()
    html = client.get(reverse("audits:list")).content.decode()
    assert "情報セキュリティ内部監査" in html and "令和6年度" in html
    # the same theme again: an error on the page, nothing written
    response = client.post(reverse("audits:new"), {"kind": Audit.Kind.SECURITY, "fiscal_year": "R6",
                                                   "theme": "情報セキュリティ内部監査"})
    assert response.status_code == 400 and "既に登録されています" in response.content.decode()
    response = client.post(reverse("audits:new"), {"kind": Audit.Kind.SECURITY, "fiscal_year": "来年", "theme": "x"})
    assert response.status_code == 400 and "年度" in response.content.decode()
    assert Audit.objects.filter(municipality=koto_municipality).count() == 2


# --------------------------------------------------------------------------- new finding


def test_planning_creates_a_finding_and_it_shows_in_the_list(users, koto_municipality, audit, client):
    m = koto_municipality
    plan = Plan.objects.create(municipality=m, name="江東区DX推進計画", period_start=2023, period_end=2027)
    node = PlanNode.objects.create(municipality=m, plan=plan, code="2-1-①", title="RPAの活用", path="00001")
    client.force_login(users["planning"])
    form = client.get(reverse("audits:finding-new", args=[audit.pk])).content.decode()
    assert 'value="38"' in form  # next 意見事項 number proposed
    response = client.post(reverse("audits:finding-new", args=[audit.pk]),
                           finding_post(m, departments=[str(dept(m, "DX推進課").pk), str(dept(m, "情報システム課").pk)],
                                        plan=str(plan.pk), codes="2-1-①"))
    f = Finding.objects.get(audit=audit, kind=Finding.Kind.IKEN, number=38)
    assert response.status_code == 302 and response["Location"] == reverse("audits:finding", args=[f.pk])
    assert f.title == "RPA導入効果の検証について" and f.page == 120 and f.order == 39
    assert sorted(d.name for d in f.departments.all()) == ["DX推進課", "情報システム課"]
    assert list(f.plan_nodes.all()) == [node]
    html = client.get(reverse("audits:detail", args=[audit.pk])).content.decode()
    assert "意見事項38" in html and "RPA導入効果の検証について" in html and "P120" in html
    html = client.get(reverse("audits:detail", args=[audit.pk]) + "?department=情報システム課").content.decode()
    assert "RPA導入効果の検証について" in html
    html = client.get(reverse("audits:finding", args=[f.pk])).content.decode()
    assert "2-1-①" in html and "指摘・意見を修正" in html
    # the follow-up list counts it as 未措置
    assert "RPA導入効果の検証について" in client.get(reverse("audits:follow-up")).content.decode()


def test_finding_form_errors_write_nothing(users, koto_municipality, audit, client):
    m = koto_municipality
    client.force_login(users["planning"])
    before = (Finding.objects.count(), ChangeLog.objects.count())
    url = reverse("audits:finding-new", args=[audit.pk])
    response = client.post(url, finding_post(m, number="37"))  # 意見事項37 exists
    assert response.status_code == 400 and "意見事項37は既に登録されています" in response.content.decode()
    response = client.post(url, finding_post(m, departments=[]))
    assert response.status_code == 400 and "対象部局を1つ以上選んでください" in response.content.decode()
    response = client.post(url, finding_post(m, title="", page="0"))
    assert response.status_code == 400
    plan = Plan.objects.create(municipality=m, name="計画", period_start=2023, period_end=2027)
    before = (Finding.objects.count(), ChangeLog.objects.count())
    response = client.post(url, finding_post(m, plan=str(plan.pk), codes="9-9-⑨"))
    assert response.status_code == 400 and "この計画にないコードです: 9-9-⑨" in response.content.decode()
    assert (Finding.objects.count(), ChangeLog.objects.count()) == before


@pytest.mark.parametrize("role", ["dx", "shokuin", "auditor", "executive"])
def test_only_planning_registers_findings_page_and_service(users, koto_municipality, audit, client, role):
    m = koto_municipality
    before = (Finding.objects.count(), ChangeLog.objects.count())
    with pytest.raises(PermissionDenied):
        services.add_finding(users[role], audit, kind=Finding.Kind.IKEN, number=38, title="x", departments=[dept(m, "DX推進課")])
    client.force_login(users[role])
    for url in (reverse("audits:finding-new", args=[audit.pk]), reverse("audits:new")):
        assert client.get(url).status_code == 403
    response = client.post(reverse("audits:finding-new", args=[audit.pk]), finding_post(m))
    assert response.status_code == 403
    assert "指摘・意見の登録" in response.content.decode()
    assert (Finding.objects.count(), ChangeLog.objects.count()) == before
    assert "指摘・意見を追加" not in client.get(reverse("audits:detail", args=[audit.pk])).content.decode()


# --------------------------------------------------------------------------- edit finding


def test_planning_corrects_a_finding(users, koto_municipality, audit, client):
    m = koto_municipality
    f = Finding.objects.get(audit=audit, kind=Finding.Kind.IKEN, number=34)
    client.force_login(users["planning"])
    html = client.get(reverse("audits:finding-edit", args=[f.pk])).content.decode()
    assert f.title in html
    response = client.post(reverse("audits:finding-edit", args=[f.pk]), finding_post(
        m, number="34", title=f.title + "（修正）", summary=f.summary, page="", departments=[str(dept(m, "経済課").pk), str(dept(m, "DX推進課").pk)],
    ))
    assert response.status_code == 302
    f.refresh_from_db()
    assert f.title.endswith("（修正）") and f.page is None
    assert sorted(d.name for d in f.departments.all()) == ["DX推進課", "経済課"]
    log = ChangeLog.objects.filter(model="audits.Finding", object_id=str(f.pk), action="update", user=users["planning"])
    assert log.count() == 2  # the fields, then the departments
    # renumbering onto a taken number is refused, nothing changes
    response = client.post(reverse("audits:finding-edit", args=[f.pk]), finding_post(m, number="1", title="x"))
    assert response.status_code == 400 and "意見事項1は既に登録されています" in response.content.decode()
    f.refresh_from_db()
    assert f.number == 34 and f.title.endswith("（修正）")


def test_editor_of_another_department_cannot_edit_a_finding(users, koto_municipality, audit, client):
    m = koto_municipality
    f = Finding.objects.get(audit=audit, kind=Finding.Kind.SHITEKI, number=1)  # DX推進課's
    before = (f.title, ChangeLog.objects.count())
    with pytest.raises(PermissionDenied, match="企画・DX推進課"):
        services.update_finding(users["shokuin"], f, title="書き換え")
    client.force_login(users["shokuin"])
    assert client.get(reverse("audits:finding-edit", args=[f.pk])).status_code == 403
    response = client.post(reverse("audits:finding-edit", args=[f.pk]), finding_post(m, kind=Finding.Kind.SHITEKI, number="1",
                                                                                     title="書き換え"))
    assert response.status_code == 403 and "指摘事項1の修正は企画・DX推進課" in response.content.decode()
    f.refresh_from_db()
    assert (f.title, ChangeLog.objects.count()) == before
    # the department's own editor may answer but not rewrite the finding either
    with pytest.raises(PermissionDenied):
        services.update_finding(users["dx"], f, title="書き換え")


def test_update_finding_service_rules(users, koto_municipality, audit):
    m = koto_municipality
    f = Finding.objects.get(audit=audit, kind=Finding.Kind.IKEN, number=2)
    with pytest.raises(ValidationError, match="対象部局を1つ以上"):
        services.update_finding(users["planning"], f, departments=[])
    with pytest.raises(ValidationError, match="題名を入力"):
        services.update_finding(users["planning"], f, title="  ")
    logs = ChangeLog.objects.count()
    services.update_finding(users["planning"], f, title=f.title)  # nothing changes, nothing logged
    assert ChangeLog.objects.count() == logs
    text = f.department_text
    services.update_finding(users["planning"], f, departments=[dept(m, "経済課")])
    f.refresh_from_db()
    assert f.department_text == text  # the report's wording is kept


# --------------------------------------------------------------------------- reminder log


def test_reminder_send_is_logged_on_each_finding_and_shown(users, koto_municipality, audit, client):
    m = koto_municipality
    Department.objects.filter(municipality=m, name="職員課").update(email="shokuin@city.koto.example")
    services.send_finding_reminders(None, m, dry_run=True)
    assert not Finding.objects.exclude(reminder_log=[]).exists()  # a dry run logs nothing
    with acting_as(users["planning"]):
        reminders = services.send_finding_reminders(users["planning"], m, dry_run=False)
    sent = {r.department.name for r in reminders if r.sent}
    assert sent == {"DX推進課", "職員課"} and len(mail.outbox) == 2
    shiteki = Finding.objects.get(audit=audit, kind=Finding.Kind.SHITEKI, number=1)
    (entry,) = shiteki.reminder_log
    assert entry["by"] == "koto-planning" and entry["department"] == "DX推進課"
    assert entry["recipients"] == ["koto-dx@example.invalid"] and "措置状況の回答依頼" in entry["subject"]
    assert entry["at"]
    # 道路課 has no address: nothing sent, nothing logged
    road = Finding.objects.get(audit=audit, departments__name="道路課")
    assert road.reminder_log == []
    logged = Finding.objects.exclude(reminder_log=[]).count()
    assert logged == len({f.pk for r in reminders if r.sent for f in r.targets})
    # a second send appends
    services.send_finding_reminders(None, m, dry_run=False)
    shiteki.refresh_from_db()
    assert len(shiteki.reminder_log) == 2 and shiteki.reminder_log[1]["by"] == "system"
    # shown on the finding page to the department and the planning division, not to other editors
    for role in ("dx", "planning", "auditor"):
        client.force_login(users[role])
        html = client.get(reverse("audits:finding", args=[shiteki.pk])).content.decode()
        assert "督促メールの送信記録" in html and "koto-dx@example.invalid" in html and "koto-planning" in html, role
    client.force_login(users["shokuin"])
    assert "督促メールの送信記録" not in client.get(reverse("audits:finding", args=[shiteki.pk])).content.decode()


def test_remind_page_previews_and_sends(users, koto_municipality, audit, client):
    client.force_login(users["planning"])
    html = client.get(reverse("audits:remind")).content.decode()
    assert "DX推進課" in html and "koto-dx@example.invalid" in html and "宛先なし" in html
    assert not mail.outbox and not Finding.objects.exclude(reminder_log=[]).exists()
    response = client.post(reverse("audits:remind"))
    assert response.status_code == 302 and len(mail.outbox) == 2  # DX推進課 and 職員課 have editors
    dx_findings = Finding.objects.filter(audit=audit, departments__name="DX推進課").count()
    shokuin_findings = Finding.objects.filter(audit=audit, departments__name="職員課").exclude(departments__name="DX推進課").count()
    assert Finding.objects.exclude(reminder_log=[]).count() == dx_findings + shokuin_findings
    assert "督促メールを2所管課に送信しました" in client.get(reverse("audits:remind")).content.decode()
    client.force_login(users["dx"])
    assert client.get(reverse("audits:remind")).status_code == 403
    assert client.post(reverse("audits:remind")).status_code == 403
    assert len(mail.outbox) == 2
