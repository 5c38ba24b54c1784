"""Registering meetings, agenda items and action items through the pages (the secretariat only), the
link/unlink screen for plan items and procedures, department editors updating their own items, and
the reminder send log shown on the action item page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from shinchoku.core.models import ChangeLog, Department
from shinchoku.meetings import services
from shinchoku.meetings.models import ActionItem, AgendaItem, Meeting, Publication
from shinchoku.plans.models import Plan, PlanNode
from shinchoku.procedures.models import Procedure

pytestmark = pytest.mark.django_db


def dept(m, name):
    return Department.objects.get(municipality=m, name=name)


def item(meeting, key) -> ActionItem:
    return ActionItem.objects.get(meeting=meeting, key=key)


@pytest.fixture
def linkables(toshima):
    m = toshima.municipality
    plan = Plan.objects.create(municipality=m, name="豊島区DX推進計画", period_start=2022, period_end=2026)
    nodes = [PlanNode.objects.create(municipality=m, plan=plan, code=c, title=t, path=f"{i:05d}")
             for i, (c, t) in enumerate([("1-1", "来庁不要の区役所"), ("1-2", "電子申請の拡充"), ("2-1", "職員のICT研修")])]
    kumin = dept(m, "区民部")
    procs = [Procedure.objects.create(municipality=m, key=k, name=n, department=kumin, yearly_volume=v)
             for k, n, v in [("P001", "住民票の写しの交付申請", 52000), ("P002", "印鑑登録証明書の交付申請", 31000),
                             ("P003", "転出届", 9000)]]
    return plan, nodes, procs


# --------------------------------------------------------------------------- meeting, agenda


def test_secretariat_registers_a_meeting_with_agenda_and_decision(toshima, tusers, client):
    m = toshima.municipality
    client.force_login(tusers["planning"])
    assert client.get(reverse("meetings:new")).status_code == 200
    response = client.post(reverse("meetings:new"), {
        "body": "行政情報化推進本部", "number": "1", "title": "", "date": "2024-07-22", "start_time": "10:00",
        "end_time": "11:00", "place": "庁議室", "secretariat": str(dept(m, "情報管理課").pk),
        "meeting_publication": Publication.PUBLIC, "minutes_publication": Publication.PUBLIC,
        "meeting_publication_reason": "", "minutes_publication_reason": "", "notes": "",
    })
    meeting = Meeting.objects.get(municipality=m, fiscal_year=2024, number=1)
    assert response.status_code == 302 and response["Location"] == reverse("meetings:detail", args=[meeting.pk])
    assert meeting.secretariat.name == "情報管理課" and meeting.start_time == dt.time(10, 0)
    url = reverse("meetings:agenda-new", args=[meeting.pk])
    response = client.post(url, {"kind": AgendaItem.Kind.PROPOSAL, "number": "1", "title": "中間報告について",
                                 "summary": "180事務のオンライン化の進捗", "decision": "了承", "decision_text": "報告のとおり了承"})
    assert response.status_code == 302
    response = client.post(url, {"kind": AgendaItem.Kind.REPORT, "number": "1", "title": "ICT研修の実施状況"})
    assert response.status_code == 302
    proposal = meeting.agenda.get(kind=AgendaItem.Kind.PROPOSAL)
    html = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "令和6年度（2024年度）第1回行政情報化推進本部" in html
    assert "中間報告について" in html and '<span class="decision">了承</span>' in html and "ICT研修の実施状況" in html
    # record another decision on the edit screen
    response = client.post(reverse("meetings:agenda-edit", args=[proposal.pk]), {
        "kind": AgendaItem.Kind.PROPOSAL, "number": "1", "title": "中間報告について", "decision": "継続審議",
    })
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.decision == "継続審議" and proposal.summary == ""
    # a duplicate number is refused with the reason, nothing written
    before = AgendaItem.objects.count()
    response = client.post(url, {"kind": AgendaItem.Kind.PROPOSAL, "number": "1", "title": "重複"})
    assert response.status_code == 400 and "議案（1）は既に登録されています" in response.content.decode()
    assert AgendaItem.objects.count() == before


def test_meeting_form_checks(toshima, tusers, client):
    client.force_login(tusers["planning"])
    before = Meeting.objects.count()
    base = {"body": "行政情報化推進本部", "number": "2", "date": "2024-03-25", "meeting_publication": Publication.CLOSED,
            "minutes_publication": Publication.PUBLIC, "meeting_publication_reason": ""}
    response = client.post(reverse("meetings:new"), base)
    assert response.status_code == 400 and "理由を入力してください" in response.content.decode()
    response = client.post(reverse("meetings:new"), {**base, "meeting_publication_reason": "意思決定過程のため"})
    assert response.status_code == 400 and "既に登録されています" in response.content.decode()  # 令和5年度第2回 exists
    assert Meeting.objects.count() == before
    # editing keeps body and number, changes the rest
    response = client.post(reverse("meetings:edit", args=[toshima.pk]), {
        "body": "別の会議体", "number": "9", "title": toshima.title, "date": "2024-03-25", "place": "第一委員会室",
        "meeting_publication": Publication.CLOSED, "meeting_publication_reason": toshima.meeting_publication_reason,
        "minutes_publication": Publication.PARTIAL, "minutes_publication_reason": toshima.minutes_publication_reason,
        "secretariat": str(toshima.secretariat_id), "start_time": "13:00", "end_time": "14:00", "notes": toshima.notes,
    })
    assert response.status_code == 302
    toshima.refresh_from_db()
    assert toshima.place == "第一委員会室" and toshima.body == "行政情報化推進本部" and toshima.number == 2


# --------------------------------------------------------------------------- action items


def test_secretariat_assigns_an_action_item_with_links(toshima, tusers, client, linkables):
    plan, _nodes, _procs = linkables
    m = toshima.municipality
    client.force_login(tusers["planning"])
    proposal = toshima.agenda.get(kind=AgendaItem.Kind.PROPOSAL, number=1)
    html = client.get(reverse("meetings:action-new", args=[toshima.pk])).content.decode()
    assert "令和6年度来庁不要区役所の取り組みについて" in html and "区民部" in html
    response = client.post(reverse("meetings:action-new", args=[toshima.pk]), {
        "title": "区民部の対象事務の精査", "description": "47事務のうち困難なものを同じ部の事務と入れ替える",
        "agenda_item": str(proposal.pk), "owner": str(dept(m, "区民部").pk), "due_date": "2024-06-28",
        "state": ActionItem.State.IN_PROGRESS, "progress_note": "", "plan": str(plan.pk), "codes": "1-1, 1-2",
        "procedure_keys": "P001、P002",
    })
    new = ActionItem.objects.get(meeting=toshima, title="区民部の対象事務の精査")
    assert response.status_code == 302 and response["Location"] == reverse("meetings:action", args=[new.pk])
    assert new.key == "A7" and new.owner.name == "区民部" and new.state == ActionItem.State.IN_PROGRESS
    assert new.agenda_item == proposal and new.updated_by == tusers["planning"]
    assert sorted(n.code for n in new.plan_nodes.all()) == ["1-1", "1-2"]
    assert sorted(p.key for p in new.procedures.all()) == ["P001", "P002"]
    html = client.get(reverse("meetings:detail", args=[toshima.pk]) + "?as_of=2024-07-01").content.decode()
    assert "区民部の対象事務の精査" in html and "期限超過 3日" in html
    html = client.get(reverse("meetings:action", args=[new.pk])).content.decode()
    assert "1-2 電子申請の拡充" in html and "P002 印鑑登録証明書の交付申請" in html and "対応事項を修正" in html
    # unknown codes are refused with the place, nothing written
    before = (ActionItem.objects.count(), ChangeLog.objects.count())
    response = client.post(reverse("meetings:action-new", args=[toshima.pk]), {
        "title": "x", "owner": str(dept(m, "区民部").pk), "state": ActionItem.State.NOT_STARTED,
        "plan": str(plan.pk), "codes": "9-9", "procedure_keys": "P999",
    })
    body = response.content.decode()
    assert response.status_code == 400 and "この計画にないコードです: 9-9" in body and "登録されていない事務番号です: P999" in body
    assert (ActionItem.objects.count(), ChangeLog.objects.count()) == before


def test_secretariat_edits_an_action_item(toshima, tusers, client):
    m = toshima.municipality
    quota = item(toshima, "quota")
    client.force_login(tusers["planning"])
    response = client.post(reverse("meetings:action-edit", args=[quota.pk]), {
        "title": quota.title, "description": quota.description, "agenda_item": str(quota.agenda_item_id),
        "owner": str(dept(m, "区民部").pk), "due_date": "2024-05-31", "state": ActionItem.State.DONE,
        "progress_note": "区民部と協議し47件で確定", "completed_on": "2024-05-20",
    })
    assert response.status_code == 302
    quota.refresh_from_db()
    assert quota.owner.name == "区民部" and quota.due_date == dt.date(2024, 5, 31)
    assert quota.state == ActionItem.State.DONE and quota.completed_on == dt.date(2024, 5, 20)
    assert quota.progress_note == "区民部と協議し47件で確定"


def test_link_and_unlink_screen(toshima, tusers, client, linkables):
    plan, nodes, procs = linkables
    forms = item(toshima, "forms")
    url = reverse("meetings:action-links", args=[forms.pk])
    client.force_login(tusers["planning"])
    assert "まだ関連付けていません" in client.get(url).content.decode()
    assert client.post(url, {"action": "add-nodes", "plan": str(plan.pk), "codes": "1-1 1-2"}).status_code == 302
    html = client.get(url + "?q=証明書").content.decode()
    assert "P002" in html and "印鑑登録証明書の交付申請" in html and "P003" not in html.split("手続名・事務番号・所管部局で探す")[1]
    assert client.post(url, {"action": "add-procedures", "q": "証明書", "pick": ["P002"]}).status_code == 302
    assert client.post(url, {"action": "add-procedures", "procedure_keys": "P001"}).status_code == 302
    assert sorted(n.code for n in forms.plan_nodes.all()) == ["1-1", "1-2"]
    assert sorted(p.key for p in forms.procedures.all()) == ["P001", "P002"]
    response = client.post(url, {"action": "remove", "node": [str(nodes[0].pk)], "procedure": [str(procs[1].pk)]})
    assert response.status_code == 302
    assert [n.code for n in forms.plan_nodes.all()] == ["1-2"] and [p.key for p in forms.procedures.all()] == ["P001"]
    logs = ChangeLog.objects.filter(model="meetings.ActionItem", object_id=str(forms.pk), user=tusers["planning"])
    assert logs.count() == 5  # 2 adds of nodes/procedures + 1 procedure add + 2 removals (nodes, procedures)
    response = client.post(url, {"action": "add-procedures", "procedure_keys": "P404"})
    assert response.status_code == 400 and "登録されていない事務番号です: P404" in response.content.decode()
    html = client.get(reverse("meetings:detail", args=[toshima.pk])).content.decode()
    assert '<span class="tag">1-2</span>' in html and "P001 住民票の写しの交付申請" in html


@pytest.mark.parametrize("role", ["joho", "kumin", "auditor", "executive"])
def test_only_the_secretariat_uses_the_registration_screens(toshima, tusers, client, linkables, role):
    _plan, _nodes, procs = linkables
    m = toshima.municipality
    forms = item(toshima, "forms")
    before = (Meeting.objects.count(), AgendaItem.objects.count(), ActionItem.objects.count(), ChangeLog.objects.count())
    client.force_login(tusers[role])
    gets = [reverse("meetings:new"), reverse("meetings:edit", args=[toshima.pk]), reverse("meetings:agenda-new", args=[toshima.pk]),
            reverse("meetings:action-new", args=[toshima.pk]), reverse("meetings:action-edit", args=[forms.pk]),
            reverse("meetings:action-links", args=[forms.pk]), reverse("meetings:remind")]
    for url in gets:
        assert client.get(url).status_code == 403, url
    response = client.post(reverse("meetings:action-new", args=[toshima.pk]), {
        "title": "勝手な対応事項", "owner": str(dept(m, "区民部").pk), "state": ActionItem.State.NOT_STARTED})
    assert response.status_code == 403 and "対応事項の登録" in response.content.decode()
    assert client.post(reverse("meetings:action-links", args=[forms.pk]),
                       {"action": "add-procedures", "procedure_keys": "P001"}).status_code == 403
    assert (Meeting.objects.count(), AgendaItem.objects.count(), ActionItem.objects.count(), ChangeLog.objects.count()) == before
    with pytest.raises(PermissionDenied):
        services.add_action_item_links(tusers[role], forms, procedures=procs)
    with pytest.raises(PermissionDenied):
        services.edit_action_item(tusers[role], forms, title="x", owner=forms.owner, due_date=None)
    with pytest.raises(PermissionDenied):
        services.update_agenda_item(tusers[role], toshima.agenda.first(), decision="否決")
    assert forms.procedures.count() == 0


def test_department_editor_updates_own_item_on_its_page_and_other_is_refused(toshima, tusers, client):
    forms = item(toshima, "forms")  # 情報管理課's
    url = reverse("meetings:action", args=[forms.pk])
    client.force_login(tusers["joho"])
    html = client.get(url).content.decode()
    assert "対応状況を更新する" in html and "対応事項を修正" not in html
    response = client.post(reverse("meetings:action-update", args=[forms.pk]),
                           {"state": ActionItem.State.IN_PROGRESS, "progress_note": "60件作成済み", "next": url})
    assert response.status_code == 302 and response["Location"] == url
    forms.refresh_from_db()
    assert forms.state == ActionItem.State.IN_PROGRESS and forms.updated_by == tusers["joho"]
    assert "60件作成済み" in client.get(url).content.decode()
    # 区民部's editor: no form, refused by the view and by the service, nothing written
    before = ChangeLog.objects.count()
    client.force_login(tusers["kumin"])
    assert "対応状況を更新する" not in client.get(url).content.decode()
    response = client.post(reverse("meetings:action-update", args=[forms.pk]), {"state": ActionItem.State.DONE})
    assert response.status_code == 403 and "担当の所管課（情報管理課）" in response.content.decode()
    with pytest.raises(PermissionDenied):
        services.update_action_item(tusers["kumin"], forms, state=ActionItem.State.DONE)
    forms.refresh_from_db()
    assert forms.state == ActionItem.State.IN_PROGRESS and ChangeLog.objects.count() == before


def test_service_rules(toshima, tusers):
    m = toshima.municipality
    with pytest.raises(ValidationError, match="識別子「forms」"):
        services.add_action_item(tusers["planning"], toshima, title="x", owner=dept(m, "区民部"), key="forms")
    with pytest.raises(ValidationError, match="状態"):
        services.add_action_item(tusers["planning"], toshima, title="x", owner=dept(m, "区民部"), state="later")
    with pytest.raises(ValidationError, match="既に登録されています"):
        services.update_agenda_item(tusers["planning"], toshima.agenda.get(kind=AgendaItem.Kind.REPORT, number=2), number=1)
    done = services.add_action_item(tusers["planning"], toshima, title="済んだこと", owner=dept(m, "区民部"),
                                    state=ActionItem.State.DONE, completed_on=dt.date(2024, 4, 1))
    assert done.completed_on == dt.date(2024, 4, 1) and not done.is_open


# --------------------------------------------------------------------------- reminder log


def test_reminder_send_is_logged_and_shown_on_the_action_item(toshima, tusers, client):
    services.send_action_item_reminders(None, toshima.municipality, today=dt.date(2024, 9, 25), dry_run=True)
    assert not ActionItem.objects.exclude(reminder_log=[]).exists()
    reminders = services.send_action_item_reminders(tusers["planning"], toshima.municipality, today=dt.date(2024, 9, 25), dry_run=False)
    assert len(mail.outbox) == 1
    (r,) = reminders
    logged = {i.key for i in ActionItem.objects.exclude(reminder_log=[])}
    assert logged == {"forms", "public", "interim"}
    (entry,) = item(toshima, "forms").reminder_log
    assert entry["by"] == "toshima" and entry["department"] == "情報管理課"
    assert entry["recipients"] == ["toshima-joho@example.invalid"] and entry["subject"] == r.subject
    assert item(toshima, "originals").reminder_log == []  # no due date, not reminded
    url = reverse("meetings:action", args=[item(toshima, "forms").pk])
    for role in ("joho", "planning", "executive"):
        client.force_login(tusers[role])
        html = client.get(url).content.decode()
        assert "督促メールの送信記録" in html and "toshima-joho@example.invalid" in html, role
    client.force_login(tusers["kumin"])
    assert "督促メールの送信記録" not in client.get(url).content.decode()


def test_remind_page_previews_then_sends(toshima, tusers, client):
    client.force_login(tusers["planning"])
    html = client.get(reverse("meetings:remind") + "?within=7").content.decode()
    assert "情報管理課" in html and "toshima-joho@example.invalid" in html  # all of 2024's dates are past by now
    assert not mail.outbox
    assert client.post(reverse("meetings:remind"), {"within": "7"}).status_code == 302
    assert len(mail.outbox) == 1
    assert {i.key for i in ActionItem.objects.exclude(reminder_log=[])} == {"forms", "public", "interim"}
