"""Writes to the audit register, per role: departments answer their own findings, the planning /
audit office approves, auditors and executives read only; evidence files; reminders; change log."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from shinchoku.audits import services
from shinchoku.audits.models import Evidence, Finding, Response, ResponseState
from shinchoku.audits.queries import follow_up_report
from shinchoku.core.changelog import acting_as
from shinchoku.core.models import ChangeLog, Department
from shinchoku.plans.models import PlanNode

pytestmark = pytest.mark.django_db


def finding(municipality, kind=Finding.Kind.SHITEKI, number=1) -> Finding:
    return Finding.objects.get(municipality=municipality, kind=kind, number=number)


def answer(user, f, state=ResponseState.IN_PROGRESS, **kw):
    return services.submit_response(user, f, text="見積の内訳を精査する手順を定めた。", state=state, date=dt.date(2025, 6, 1), **kw)


# --------------------------------------------------------------------------- answering


def test_editor_answers_own_department_finding(users, koto_municipality):
    f = finding(koto_municipality)  # 指摘事項1, DX推進課
    r = answer(users["dx"], f)
    assert r.review == Response.Review.SUBMITTED
    assert r.department.name == "DX推進課"
    assert r.submitted_by == users["dx"]


def test_editor_of_another_department_is_refused(users, koto_municipality):
    f = finding(koto_municipality)
    with pytest.raises(PermissionDenied) as exc:
        answer(users["shokuin"], f)
    assert str(exc.value) == "指摘事項1への回答は、担当の所管課（DX推進課）の担当者または企画・DX推進課のみが行えます"
    assert not Response.objects.exists()


@pytest.mark.parametrize("role, message", [
    ("auditor", "監査の役割は閲覧のみです。指摘事項1への回答はできません"),
    ("executive", "幹部・推進本部の役割は閲覧のみです。指摘事項1への回答はできません"),
])
def test_read_only_roles_cannot_answer(users, koto_municipality, role, message):
    with pytest.raises(PermissionDenied) as exc:
        answer(users[role], finding(koto_municipality))
    assert str(exc.value) == message


def test_member_of_another_municipality_is_refused(users, koto_municipality):
    from django.contrib.auth import get_user_model

    nakano_planner = get_user_model().objects.get(username="planning")  # conftest: Nakano's planning division
    with pytest.raises(PermissionDenied, match="この団体の利用者として登録されていない"):
        answer(nakano_planner, finding(koto_municipality))


def test_joint_finding_is_answered_by_either_department(users, koto_municipality):
    from shinchoku.audits.tests.conftest import make_user
    from shinchoku.core.models import Role

    f = finding(koto_municipality, Finding.Kind.IKEN, 4)  # DX推進課・情報システム課
    joho = make_user("koto-joho", koto_municipality, Role.DEPARTMENT_EDITOR, ["情報システム課"])
    assert answer(joho, f).department.name == "情報システム課"
    assert answer(users["dx"], f).department.name == "DX推進課"
    with pytest.raises(PermissionDenied):
        answer(users["dx"], f, department=Department.objects.get(municipality=koto_municipality, name="情報システム課"))


def test_planning_answers_for_any_department(users, koto_municipality):
    r = answer(users["planning"], finding(koto_municipality, Finding.Kind.IKEN, 3))
    assert r.department.name == "職員課"


def test_bad_values_are_refused(users, koto_municipality):
    f = finding(koto_municipality)
    with pytest.raises(ValidationError, match="措置の内容を入力してください"):
        services.submit_response(users["dx"], f, text="  ", state=ResponseState.DONE)
    with pytest.raises(ValidationError, match="措置状況「finished」は選べません"):
        services.submit_response(users["dx"], f, text="済", state="finished")


# --------------------------------------------------------------------------- review


def test_planning_approves_and_follow_up_shows_it(users, koto_municipality):
    f = finding(koto_municipality)
    r = answer(users["dx"], f, state=ResponseState.DONE)
    report = follow_up_report(koto_municipality, 2025)
    row = next(x for x in report.rows if x.label == "指摘事項1")
    assert row.state == "未措置" and row.response == ""  # a draft is not published
    services.approve_response(users["planning"], r, comment="確認しました")
    r.refresh_from_db()
    assert r.review == Response.Review.APPROVED and r.approved_by == users["planning"] and r.approved_at
    row = next(x for x in follow_up_report(koto_municipality, 2025).rows if x.label == "指摘事項1")
    assert row.state == "措置済" and row.response.startswith("見積の内訳") and row.response_date == dt.date(2025, 6, 1)
    assert follow_up_report(koto_municipality, 2025).state_counts == {"未措置": 37, "措置中": 0, "措置済": 1}


@pytest.mark.parametrize("role", ["dx", "shokuin", "auditor", "executive"])
def test_only_planning_approves_or_returns(users, koto_municipality, role):
    r = answer(users["dx"], finding(koto_municipality))
    with pytest.raises(PermissionDenied) as exc:
        services.approve_response(users[role], r)
    assert "措置の承認" in str(exc.value)
    with pytest.raises(PermissionDenied):
        services.return_response(users[role], r, comment="不十分")
    r.refresh_from_db()
    assert r.review == Response.Review.SUBMITTED


def test_return_needs_a_reason_and_department_corrects(users, koto_municipality):
    r = answer(users["dx"], finding(koto_municipality))
    with pytest.raises(ValidationError, match="差戻しの理由"):
        services.return_response(users["planning"], r, comment="")
    services.return_response(users["planning"], r, comment="措置日を確認してください")
    r.refresh_from_db()
    assert r.review == Response.Review.RETURNED
    with pytest.raises(PermissionDenied):
        services.update_response(users["shokuin"], r, text="他課が直す")
    services.update_response(users["dx"], r, date=dt.date(2025, 7, 1))
    r.refresh_from_db()
    assert r.review == Response.Review.SUBMITTED and r.review_comment == "" and r.date == dt.date(2025, 7, 1)
    services.approve_response(users["planning"], r)
    with pytest.raises(ValidationError, match="承認済みの措置は修正できません"):
        services.update_response(users["dx"], r, text="後から変更")


def test_every_write_is_in_the_change_log(users, koto_municipality):
    with acting_as(users["dx"]):
        r = answer(users["dx"], finding(koto_municipality))
    with acting_as(users["planning"]):
        services.approve_response(users["planning"], r)
    logs = list(ChangeLog.objects.filter(model="audits.Response", object_id=str(r.pk)).order_by("id"))
    assert [(log.action, log.actor) for log in logs] == [("create", "koto-dx"), ("update", "koto-planning")]
    assert logs[1].before["review"] == "submitted" and logs[1].after["review"] == "approved"


# --------------------------------------------------------------------------- evidence


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_evidence_is_stored_under_media_root(users, koto_municipality, media):
    r = answer(users["dx"], finding(koto_municipality))
    ev = services.add_evidence(users["dx"], r, SimpleUploadedFile("見積比較表.pdf", b"%PDF-1.4 test", content_type="application/pdf"))
    assert ev.name == "見積比較表.pdf" and ev.size == 13
    assert (media / ev.file.name).read_bytes() == b"%PDF-1.4 test"
    log = ChangeLog.objects.get(model="audits.Evidence", object_id=str(ev.pk))
    assert log.after["file"] == ev.file.name  # the file's name, not an object JSON cannot hold


def test_evidence_size_limit(users, koto_municipality, media, settings):
    settings.SHINCHOKU_MAX_UPLOAD_BYTES = 10
    r = answer(users["dx"], finding(koto_municipality))
    with pytest.raises(ValidationError, match="ファイルが大きすぎます（13バイト）。上限は10バイト"):
        services.add_evidence(users["dx"], r, SimpleUploadedFile("big.pdf", b"%PDF-1.4 test"))
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("role", ["shokuin", "auditor", "executive"])
def test_evidence_refused_for_others(users, koto_municipality, media, role):
    r = answer(users["dx"], finding(koto_municipality))
    with pytest.raises(PermissionDenied):
        services.add_evidence(users[role], r, SimpleUploadedFile("x.pdf", b"x"))


def test_no_evidence_after_approval(users, koto_municipality, media):
    r = answer(users["dx"], finding(koto_municipality))
    services.approve_response(users["planning"], r)
    with pytest.raises(ValidationError, match="承認済み"):
        services.add_evidence(users["dx"], r, SimpleUploadedFile("x.pdf", b"x"))


# --------------------------------------------------------------------------- plan nodes, registration


def test_linking_plan_nodes_is_planning_only_and_same_tenant(users, koto_municipality, nakano_plan):
    from shinchoku.plans.models import Plan

    f = finding(koto_municipality)
    with pytest.raises(PermissionDenied, match="企画・DX推進課"):
        services.link_plan_nodes(users["dx"], f, [])
    foreign = PlanNode.objects.filter(plan=nakano_plan)[:1]
    with pytest.raises(PermissionDenied, match="同じ団体"):
        services.link_plan_nodes(users["planning"], f, list(foreign))
    plan = Plan.objects.create(municipality=koto_municipality, name="江東区情報化推進プラン", period_start=2020, period_end=2024)
    node = PlanNode.objects.create(municipality=koto_municipality, plan=plan, code="1-1", title="ICTを活用し業務効率化", path="00001")
    services.link_plan_nodes(users["planning"], f, [node])
    assert list(f.plan_nodes.all()) == [node]


@pytest.mark.parametrize("role", ["dx", "auditor", "executive"])
def test_registering_audits_and_findings_is_planning_only(users, koto_municipality, role):
    from shinchoku.audits.models import Audit

    with pytest.raises(PermissionDenied):
        services.create_audit(users[role], koto_municipality, kind=Audit.Kind.SECURITY, fiscal_year=2024, theme="情報セキュリティ内部監査")
    audit = services.create_audit(users["planning"], koto_municipality, kind=Audit.Kind.SECURITY, fiscal_year=2024,
                                  theme="情報セキュリティ内部監査")
    with pytest.raises(PermissionDenied):
        services.add_finding(users[role], audit, kind=Finding.Kind.SHITEKI, number=1, title="パスワード管理について")
    dx = Department.objects.get(municipality=koto_municipality, name="DX推進課")
    f = services.add_finding(users["planning"], audit, kind=Finding.Kind.SHITEKI, number=1, title="パスワード管理について",
                             departments=[dx])
    assert f.label == "指摘事項1" and f.order == 1


# --------------------------------------------------------------------------- reminders


def test_reminders_go_to_departments_with_unanswered_findings(users, koto_municipality):
    Department.objects.filter(municipality=koto_municipality, name="職員課").update(email="shokuin@city.koto.example")
    answer(users["dx"], finding(koto_municipality))  # 指摘事項1 answered; DX推進課 still has 18 unanswered
    reminders = services.send_finding_reminders(None, koto_municipality, dry_run=False)
    by_dept = {r.department.name: r for r in reminders}
    assert len(by_dept["DX推進課"].items) == 18
    assert by_dept["DX推進課"].recipients == ["koto-dx@example.invalid"]
    assert by_dept["職員課"].recipients == ["shokuin@city.koto.example"]  # its own address only (the rounds rule)
    assert by_dept["道路課"].recipients == [] and not by_dept["道路課"].sent
    assert len(mail.outbox) == 2
    msg = next(m for m in mail.outbox if m.to == ["koto-dx@example.invalid"])
    assert "措置状況の回答依頼" in msg.subject and "意見事項1 予定価格を大幅に下回る落札時の調査について" in msg.body
    assert "指摘事項1" not in msg.body


def test_remind_command_dry_run_lists_recipients(users, koto_municipality):
    out = io.StringIO()
    call_command("findings", "remind", "--dry-run", "--municipality", "131083", stdout=out)
    text = out.getvalue()
    assert "【試行】送信はしていません。督促先 9所管課" in text
    assert "DX推進課: 19件 → koto-dx@example.invalid [送信予定]" in text
    assert "道路課: 1件 → 宛先なし" in text
    assert not mail.outbox
    out = io.StringIO()
    call_command("findings", "remind", "--dry-run", "--json", "--municipality", "131083", stdout=out)
    payload = json.loads(out.getvalue())
    assert payload["dry_run"] and len(payload["reminders"]) == 9
