"""Toshima's headquarters meeting of 25 March 2024: the meeting page (agenda, decisions, open action
items), the headquarters dashboard with overdue items (fixed 'today'), permissions per role,
reminders, the command."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse

from shinchoku.core.changelog import acting_as
from shinchoku.core.models import ChangeLog, Department
from shinchoku.meetings import queries, services
from shinchoku.demo.toshima import load_toshima_meeting
from shinchoku.meetings.models import ActionItem, AgendaItem, Meeting, Publication

pytestmark = pytest.mark.django_db

BEFORE_DEADLINE = dt.date(2024, 9, 1)
AFTER_DEADLINE = dt.date(2024, 10, 15)


def item(meeting, key) -> ActionItem:
    return ActionItem.objects.get(meeting=meeting, key=key)


# --------------------------------------------------------------------------- demo data


def test_toshima_meeting_as_entered(toshima):
    m = toshima
    assert str(m) == "令和5年度第2回豊島区行政情報化推進本部"
    assert m.municipality.code == "131164" and m.municipality.name == "豊島区"
    assert (m.date, m.start_time, m.end_time) == (dt.date(2024, 3, 25), dt.time(13, 0), dt.time(14, 0))
    assert m.place == "庁議室（本庁舎5階）" and m.secretariat.name == "情報管理課"
    assert m.meeting_publication == Publication.CLOSED and "政策意思決定過程途上" in m.meeting_publication_reason
    assert m.minutes_publication == Publication.PARTIAL
    assert m.attendees.filter(group="member").count() == 9 and m.attendees.filter(group="secretariat").count() == 6
    assert m.attendees.get(title="子ども家庭部長").proxy
    assert m.agenda.filter(kind=AgendaItem.Kind.PROPOSAL).count() == 2
    assert m.agenda.filter(kind=AgendaItem.Kind.REPORT).count() == 5
    assert set(m.agenda.filter(kind=AgendaItem.Kind.PROPOSAL).values_list("decision", flat=True)) == {"承認"}
    forms, public, interim = item(m, "forms"), item(m, "public"), item(m, "interim")
    assert forms.due_date == dt.date(2024, 9, 30) and "フォーム" in forms.title
    assert public.due_date == dt.date(2024, 10, 1)
    assert interim.due_date == dt.date(2024, 9, 30) and "中間報告" in interim.title
    assert item(m, "originals").owner.name == "子育て支援課"
    assert item(m, "originals").owner.parent.name == "子ども家庭部"
    assert all(i.agenda_item.title == "令和6年度来庁不要区役所の取り組みについて" for i in m.action_items.all())


def test_demo_is_idempotent_and_keeps_user_answers(toshima, tusers):
    services.update_action_item(tusers["joho"], item(toshima, "forms"), state=ActionItem.State.IN_PROGRESS, progress_note="60件作成済み")
    logs = ChangeLog.objects.count()
    with acting_as(None, name="again"):
        result = load_toshima_meeting()
    assert result.created == {} and result.updated == {}
    assert ChangeLog.objects.count() == logs
    forms = item(toshima, "forms")
    assert forms.state == ActionItem.State.IN_PROGRESS and forms.progress_note == "60件作成済み"


# --------------------------------------------------------------------------- pages


def test_meeting_page_shows_agenda_decisions_and_open_items(toshima, tusers, client):
    client.force_login(tusers["executive"])
    html = client.get(reverse("meetings:detail", args=[toshima.pk]) + "?as_of=2024-04-01").content.decode()
    assert "令和5年度第2回豊島区行政情報化推進本部" in html
    for title in ("令和6年度来庁不要区役所の取り組みについて", "令和5年度情報セキュリティ内部監査報告及び令和6年度計画について",
                  "基幹系業務システムの標準化の進捗について", "令和6年度ICT研修実施計画について"):
        assert title in html
    assert html.count('<span class="decision">承認</span>') == 2
    assert "議題について案のとおり承認" in html
    assert "未完了の対応事項（6件）" in html
    assert "オンライン化対象事務の新規申請フォームの作成" in html and "2024/09/30" in html
    assert "オンライン化の進捗の中間報告" in html and "オンライン申請サービスの公開" in html
    assert "非公開" in html and "一部非公開" in html
    assert "badge-overdue" not in html  # nothing is overdue on 1 April 2024
    html = client.get(reverse("meetings:detail", args=[toshima.pk]) + "?as_of=2024-10-15").content.decode()
    assert html.count('<div class="badge-overdue">期限超過') == 3 and "期限超過 15日" in html


def test_completed_item_leaves_the_open_list(toshima, tusers, client):
    services.update_action_item(tusers["joho"], item(toshima, "notify"), state=ActionItem.State.DONE, completed_on=dt.date(2024, 4, 5))
    page = queries.meeting_page(toshima, AFTER_DEADLINE)
    assert [r.item.key for r in page.open_items] == ["forms", "public", "interim", "originals", "quota"]
    assert [r.item.key for r in page.done_items] == ["notify"]
    client.force_login(tusers["auditor"])
    html = client.get(reverse("meetings:detail", args=[toshima.pk])).content.decode()
    assert "未完了の対応事項（5件）" in html and "完了した対応事項（1件）" in html


def test_overdue_item_appears_on_the_dashboard(toshima, tusers, client):
    board = queries.dashboard(toshima.municipality, BEFORE_DEADLINE)
    assert board.overdue == [] and len(board.open_items) == 6
    board = queries.dashboard(toshima.municipality, AFTER_DEADLINE)
    assert [r.item.key for r in board.overdue] == ["forms", "interim", "public"]
    assert [r.days_overdue for r in board.overdue] == [15, 15, 14]
    # due today is not overdue yet; done is never overdue
    assert not item(toshima, "public").is_overdue(dt.date(2024, 10, 1))
    services.update_action_item(tusers["joho"], item(toshima, "interim"), state=ActionItem.State.DONE, completed_on=dt.date(2024, 9, 20))
    assert [r.item.key for r in queries.dashboard(toshima.municipality, AFTER_DEADLINE).overdue] == ["forms", "public"]

    client.force_login(tusers["executive"])
    html = client.get(reverse("meetings:dashboard") + "?as_of=2024-10-15").content.decode()
    assert 'data-testid="overdue-count">2<' in html
    overdue_section = html.split("期限超過（2件）")[1].split("</table>")[0]
    assert "オンライン化対象事務の新規申請フォームの作成" in overdue_section and "期限超過 15日" in overdue_section
    assert "オンライン申請サービスの公開" in overdue_section
    assert "オンライン化の進捗の中間報告" not in overdue_section
    html = client.get(reverse("meetings:dashboard") + "?as_of=2024-09-01").content.decode()
    assert 'data-testid="overdue-count">0<' in html and "期限を過ぎた対応事項はありません" in html
    assert "基準日「x」を読めません" in client.get(reverse("meetings:dashboard") + "?as_of=x").content.decode()


def test_pages_are_tenant_scoped(toshima, planner_client):
    assert planner_client.get(reverse("meetings:detail", args=[toshima.pk])).status_code == 404
    html = planner_client.get(reverse("meetings:dashboard")).content.decode()
    assert "オンライン化対象事務" not in html


def test_query_count_of_dashboard_is_fixed(toshima, tusers, client, django_assert_max_num_queries):
    client.force_login(tusers["planning"])
    with django_assert_max_num_queries(15):
        client.get(reverse("meetings:dashboard") + "?as_of=2024-10-15")
    for n in range(30):
        services.add_action_item(None, toshima, title=f"追加{n}", owner=Department.objects.get(municipality=toshima.municipality, name="区民部"),
                                 due_date=dt.date(2024, 6, 1))
    with django_assert_max_num_queries(15):
        client.get(reverse("meetings:dashboard") + "?as_of=2024-10-15")


# --------------------------------------------------------------------------- permissions


def test_owner_department_updates_its_item(toshima, tusers):
    forms = services.update_action_item(tusers["joho"], item(toshima, "forms"), state=ActionItem.State.IN_PROGRESS)
    assert forms.state == ActionItem.State.IN_PROGRESS and forms.updated_by == tusers["joho"]
    done = services.update_action_item(tusers["joho"], forms, state=ActionItem.State.DONE, completed_on=dt.date(2024, 9, 27))
    assert done.completed_on == dt.date(2024, 9, 27)
    reopened = services.update_action_item(tusers["joho"], forms, state=ActionItem.State.IN_PROGRESS)
    assert reopened.completed_on is None


def test_editor_of_a_parent_department_answers_for_its_division(toshima, tusers):
    originals = services.update_action_item(tusers["kodomo"], item(toshima, "originals"), progress_note="都に照会中")
    assert originals.progress_note == "都に照会中"


def test_editor_of_another_department_is_refused(toshima, tusers):
    with pytest.raises(PermissionDenied) as exc:
        services.update_action_item(tusers["kumin"], item(toshima, "forms"), state=ActionItem.State.DONE)
    assert str(exc.value) == (
        "対応事項「オンライン化対象事務の新規申請フォームの作成」の更新は、担当の所管課（情報管理課）の担当者"
        "または企画・DX推進課のみが行えます"
    )
    assert item(toshima, "forms").state == ActionItem.State.NOT_STARTED


@pytest.mark.parametrize("role, who", [("auditor", "監査"), ("executive", "幹部・推進本部")])
def test_read_only_roles_are_refused(toshima, tusers, role, who):
    with pytest.raises(PermissionDenied, match=f"{who}の役割は閲覧のみです"):
        services.update_action_item(tusers[role], item(toshima, "forms"), state=ActionItem.State.DONE)
    with pytest.raises(PermissionDenied, match=f"{who}の役割は閲覧のみです"):
        services.add_action_item(tusers[role], toshima, title="x", owner=item(toshima, "forms").owner)


@pytest.mark.parametrize("role", ["joho", "kumin", "auditor", "executive"])
def test_only_the_secretariat_records_meetings_and_assigns(toshima, tusers, role):
    owner = Department.objects.get(municipality=toshima.municipality, name="区民部")
    with pytest.raises(PermissionDenied):
        services.add_action_item(tusers[role], toshima, title="区民部の手続の精査", owner=owner, due_date=dt.date(2024, 6, 30))
    with pytest.raises(PermissionDenied):
        services.create_meeting(tusers[role], toshima.municipality, body="行政情報化推進本部", number=1, date=dt.date(2024, 6, 1))
    with pytest.raises(PermissionDenied):
        services.record_decision(tusers[role], toshima.agenda.first(), decision="否決")
    with pytest.raises(PermissionDenied):
        services.reassign_action_item(tusers[role], item(toshima, "forms"), due_date=dt.date(2024, 12, 27))
    new = services.add_action_item(tusers["planning"], toshima, title="区民部の手続の精査", owner=owner, due_date=dt.date(2024, 6, 30))
    assert new.key == "A7" and new.state == ActionItem.State.NOT_STARTED


def test_meeting_registration_rules(toshima, tusers):
    with pytest.raises(ValidationError, match="理由を入力してください"):
        services.create_meeting(tusers["planning"], toshima.municipality, body="行政情報化推進本部", number=1,
                                date=dt.date(2024, 6, 1), meeting_publication=Publication.CLOSED)
    with pytest.raises(ValidationError, match="既に登録されています"):
        services.create_meeting(tusers["planning"], toshima.municipality, body="行政情報化推進本部", number=2, date=dt.date(2024, 3, 1))
    m = services.create_meeting(tusers["planning"], toshima.municipality, body="行政情報化推進本部", number=1, date=dt.date(2024, 6, 1))
    assert m.fiscal_year == 2024 and str(m) == "令和6年度（2024年度）第1回行政情報化推進本部"


@pytest.mark.parametrize("role, status", [("kumin", 403), ("auditor", 403), ("executive", 403), ("joho", 302)])
def test_action_update_post_per_role(toshima, tusers, client, role, status):
    client.force_login(tusers[role])
    response = client.post(reverse("meetings:action-update", args=[item(toshima, "forms").pk]),
                           {"state": ActionItem.State.IN_PROGRESS, "progress_note": "着手"})
    assert response.status_code == status
    expected = ActionItem.State.IN_PROGRESS if status == 302 else ActionItem.State.NOT_STARTED
    assert item(toshima, "forms").state == expected
    if status == 403:
        assert "対応事項「オンライン化対象事務の新規申請フォームの作成」の更新" in response.content.decode()


def test_update_form_only_for_those_who_may(toshima, tusers, client):
    url = reverse("meetings:detail", args=[toshima.pk])
    client.force_login(tusers["joho"])
    html = client.get(url).content.decode()
    assert html.count(">更新</summary>") == 5  # 情報管理課's five items, not 子育て支援課's
    client.force_login(tusers["auditor"])
    assert ">更新</summary>" not in client.get(url).content.decode()


# --------------------------------------------------------------------------- reminders and commands


def test_reminders_for_overdue_and_due_soon(toshima, tusers):
    reminders = services.send_action_item_reminders(None, toshima.municipality, today=dt.date(2024, 9, 25), dry_run=False)
    (r,) = reminders
    assert r.department.name == "情報管理課" and r.recipients == ["toshima-joho@example.invalid"]
    assert len(r.items) == 3 and r.sent
    (msg,) = mail.outbox
    assert "期限超過0件・期限間近3件" in msg.subject
    reminders = services.send_action_item_reminders(None, toshima.municipality, today=AFTER_DEADLINE, dry_run=True)
    assert "（15日超過）" in reminders[0].body and len(mail.outbox) == 1
    with pytest.raises(PermissionDenied):
        services.send_action_item_reminders(tusers["joho"], toshima.municipality, today=AFTER_DEADLINE, dry_run=True)


def test_remind_command_dry_run(toshima):
    out = io.StringIO()
    call_command("meetings", "remind", "--dry-run", "--today", "2024-10-15", "--municipality", "131164", stdout=out)
    assert "情報管理課: 3件 → toshima-joho@example.invalid [送信予定]" in out.getvalue()
    assert not mail.outbox


def test_meetings_list_json(toshima):
    out = io.StringIO()
    call_command("meetings", "list", "--json", "--today", "2024-10-15", "--municipality", "131164", stdout=out)
    payload = json.loads(out.getvalue())
    (m,) = payload["meetings"]
    assert m["title"] == "令和5年度第2回豊島区行政情報化推進本部" and m["date"] == "2024-03-25"
    assert [a["decision"] for a in m["agenda"] if a["kind"] == "議案"] == ["承認", "承認"]
    assert len(m["open_action_items"]) == 6 and m["overdue"] == 3
    assert m["minutes_publication"] == "一部非公開"
    out = io.StringIO()
    call_command("meetings", "actions", "--overdue", "--json", "--today", "2024-10-15", stdout=out)
    assert json.loads(out.getvalue())["items"][0]["title"] == "オンライン化対象事務の新規申請フォームの作成"


def test_meeting_list_page(toshima, tusers, client):
    client.force_login(tusers["planning"])
    html = client.get(reverse("meetings:list") + "?as_of=2024-10-15").content.decode()
    assert "令和5年度第2回豊島区行政情報化推進本部" in html and '<span class="badge-overdue">3</span>' in html
    assert Meeting.objects.count() == 1
