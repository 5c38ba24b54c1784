"""Writes to the meetings register — meetings, agenda, decisions and action items change only here.

Permission rules (:mod:`shinchoku.core.permissions`): the headquarters secretariat (the planning
division) records meetings, agenda items, decisions and assigns action items; the owner
department's editors update the state and progress of *their* action items; auditors and
executives read only. ``user=None`` is a system job (demo loader, commands).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from shinchoku.core.notify import Reminder, department_recipients, link, log_reminders, send_reminders
from shinchoku.core.permissions import require_department, require_planning
from shinchoku.core.fiscal import fiscal_year_of
from shinchoku.core.models import Department, Municipality
from shinchoku.meetings.models import ActionItem, AgendaItem, Attendee, Meeting, Publication
from shinchoku.plans.models import PlanNode
from shinchoku.procedures.models import Procedure, TargetSelection

MEETING_FIELDS = {
    "title", "place", "start_time", "end_time", "secretariat", "meeting_publication", "meeting_publication_reason",
    "minutes_publication", "minutes_publication_reason", "materials", "notes", "source", "date",
}


def _same_tenant(municipality_id: int, objects, what: str) -> None:
    for obj in objects:
        if obj is not None and obj.municipality_id != municipality_id:
            raise PermissionDenied(f"{what}は同じ団体のものだけを指定できます")


def _check_publication(values: dict) -> None:
    for field in ("meeting_publication", "minutes_publication"):
        value = values.get(field)
        if value is None:
            continue
        if value not in Publication.values:
            raise ValidationError(f"公開の可否「{value}」は選べません（公開・非公開・一部非公開）")
        if value != Publication.PUBLIC and not (values.get(f"{field}_reason") or "").strip():
            what = "会議" if field == "meeting_publication" else "会議録"
            raise ValidationError(f"{what}を非公開・一部非公開とする場合は、その理由を入力してください")


def create_meeting(user, municipality: Municipality, *, body: str, number: int, date: dt.date, **values) -> Meeting:
    require_planning(user, municipality, "会議の登録")
    unknown = set(values) - MEETING_FIELDS
    if unknown:
        raise TypeError(f"unknown meeting fields: {sorted(unknown)}")
    _check_publication(values)
    _same_tenant(municipality.pk, [values.get("secretariat")], "事務局")
    fiscal_year = fiscal_year_of(date)
    if Meeting.objects.filter(municipality=municipality, body=body, fiscal_year=fiscal_year, number=number).exists():
        raise ValidationError(f"{fiscal_year}年度第{number}回{body}は既に登録されています")
    return Meeting.objects.create(
        municipality=municipality, body=body, number=number, date=date, fiscal_year=fiscal_year, **values
    )


def update_meeting(user, meeting: Meeting, **values) -> Meeting:
    require_planning(user, meeting.municipality_id, "会議の更新")
    unknown = set(values) - MEETING_FIELDS
    if unknown:
        raise TypeError(f"unknown meeting fields: {sorted(unknown)}")
    merged = {f: getattr(meeting, f) for f in ("meeting_publication", "meeting_publication_reason",
                                                 "minutes_publication", "minutes_publication_reason")}
    merged.update(values)
    _check_publication(merged)
    _same_tenant(meeting.municipality_id, [values.get("secretariat")], "事務局")
    changed = [k for k, v in values.items() if getattr(meeting, k) != v]
    if "date" in changed:
        fiscal_year = fiscal_year_of(values["date"])
        if fiscal_year != meeting.fiscal_year and Meeting.objects.filter(
            municipality_id=meeting.municipality_id, body=meeting.body, fiscal_year=fiscal_year, number=meeting.number
        ).exclude(pk=meeting.pk).exists():
            raise ValidationError(f"{fiscal_year}年度第{meeting.number}回{meeting.body}は既に登録されています")
    for k in changed:
        setattr(meeting, k, values[k])
    if "date" in changed:
        meeting.fiscal_year = fiscal_year_of(meeting.date)
    if changed:
        meeting.save()
    return meeting


def add_attendee(user, meeting: Meeting, *, title: str, group: str = Attendee.Group.MEMBER, role: str = "",
                 proxy: bool = False) -> Attendee:
    require_planning(user, meeting.municipality_id, "出席者の登録")
    order = meeting.attendees.count() + 1
    return Attendee.objects.create(
        municipality_id=meeting.municipality_id, meeting=meeting, title=title, group=group, role=role, proxy=proxy, order=order
    )


def add_agenda_item(user, meeting: Meeting, *, kind: str, number: int, title: str, summary: str = "",
                    presenter: str = "", discussion: str = "", decision: str = "", decision_text: str = "",
                    materials: Sequence[dict] = ()) -> AgendaItem:
    require_planning(user, meeting.municipality_id, "議題の登録")
    if kind not in AgendaItem.Kind.values:
        raise ValidationError(f"議題の種別「{kind}」は選べません（議案・報告事項）")
    if number is None or int(number) < 1:
        raise ValidationError("番号は1以上の整数で入力してください")
    if not (title or "").strip():
        raise ValidationError("件名を入力してください")
    if AgendaItem.objects.filter(meeting=meeting, kind=kind, number=number).exists():
        raise ValidationError(f"{AgendaItem.Kind(kind).label}（{number}）は既に登録されています")
    order = meeting.agenda.count() + 1
    return AgendaItem.objects.create(
        municipality_id=meeting.municipality_id, meeting=meeting, kind=kind, number=number, title=title, summary=summary,
        presenter=presenter, discussion=discussion, decision=decision, decision_text=decision_text,
        materials=list(materials), order=order,
    )


AGENDA_FIELDS = ("kind", "number", "title", "presenter", "summary", "discussion", "decision", "decision_text")


def update_agenda_item(user, item: AgendaItem, **values) -> AgendaItem:
    """Correct an agenda item or record its decision (secretariat). Unknown fields are a programming error."""
    require_planning(user, item.municipality_id, "議題の修正")
    unknown = set(values) - set(AGENDA_FIELDS)
    if unknown:
        raise TypeError(f"unknown agenda item fields: {sorted(unknown)}")
    kind = values.get("kind", item.kind)
    number = values.get("number", item.number)
    if kind not in AgendaItem.Kind.values:
        raise ValidationError(f"議題の種別「{kind}」は選べません（議案・報告事項）")
    if number is None or int(number) < 1:
        raise ValidationError("番号は1以上の整数で入力してください")
    if not (values.get("title", item.title) or "").strip():
        raise ValidationError("件名を入力してください")
    if (kind, number) != (item.kind, item.number) and AgendaItem.objects.filter(
        meeting_id=item.meeting_id, kind=kind, number=number
    ).exclude(pk=item.pk).exists():
        raise ValidationError(f"{AgendaItem.Kind(kind).label}（{number}）は既に登録されています")
    changed = [k for k, v in values.items() if getattr(item, k) != v]
    for k in changed:
        setattr(item, k, values[k])
    if changed:
        item.save()
    return item


def record_decision(user, item: AgendaItem, *, decision: str, decision_text: str = "") -> AgendaItem:
    require_planning(user, item.municipality_id, "議題の結果の記録")
    if (item.decision, item.decision_text) != (decision, decision_text):
        item.decision, item.decision_text = decision, decision_text
        item.save()
    return item


def add_action_item(
    user, meeting: Meeting, *, title: str, owner: Department, due_date: dt.date | None = None, key: str | None = None,
    description: str = "", agenda_item: AgendaItem | None = None, plan_nodes: Sequence[PlanNode] = (),
    procedures: Sequence[Procedure] = (), selection: TargetSelection | None = None,
    state: str = ActionItem.State.NOT_STARTED, progress_note: str = "", completed_on: dt.date | None = None,
) -> ActionItem:
    """Assign an action item to a department (headquarters secretariat)."""
    require_planning(user, meeting.municipality_id, "対応事項の登録")
    _same_tenant(meeting.municipality_id, [owner, selection, *plan_nodes, *procedures], "担当部局・関連項目")
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise ValidationError("議題はこの会議のものを指定してください")
    if not title.strip():
        raise ValidationError("対応事項を入力してください")
    if state not in ActionItem.State.values:
        raise ValidationError(f"状態「{state}」は選べません（未着手・対応中・完了）")
    with transaction.atomic():
        order = meeting.action_items.count() + 1
        if key:
            if ActionItem.objects.filter(meeting=meeting, key=key).exists():
                raise ValidationError(f"識別子「{key}」の対応事項はこの会議に既にあります")
        else:
            key = f"A{order}"
            while ActionItem.objects.filter(meeting=meeting, key=key).exists():
                key = f"A{int(key[1:]) + 1}"
        item = ActionItem.objects.create(
            municipality_id=meeting.municipality_id, meeting=meeting, agenda_item=agenda_item, key=key,
            title=title.strip(), description=description, owner=owner, due_date=due_date, selection=selection, order=order,
            state=state, progress_note=progress_note,
            completed_on=(completed_on or timezone.localdate()) if state == ActionItem.State.DONE else None,
            updated_by=user if getattr(user, "is_authenticated", False) else None,
        )
        if plan_nodes:
            item.plan_nodes.set(plan_nodes)
        if procedures:
            item.procedures.set(procedures)
    return item


def update_action_item(
    user, item: ActionItem, *, state: str | None = None, progress_note: str | None = None,
    completed_on: dt.date | None = None,
) -> ActionItem:
    """The owner department (or the secretariat) reports progress; 完了 records the completion date."""
    require_department(user, item.municipality_id, [item.owner], f"対応事項「{item.title}」の更新")
    if state is not None and state not in ActionItem.State.values:
        raise ValidationError(f"状態「{state}」は選べません（未着手・対応中・完了）")
    changed = False
    if state is not None and state != item.state:
        item.state = state
        changed = True
        if state == ActionItem.State.DONE:
            item.completed_on = completed_on or timezone.localdate()
        else:
            item.completed_on = None
    elif completed_on is not None and item.state == ActionItem.State.DONE and completed_on != item.completed_on:
        item.completed_on = completed_on
        changed = True
    if progress_note is not None and progress_note != item.progress_note:
        item.progress_note = progress_note
        changed = True
    if changed:
        item.updated_by = user if getattr(user, "is_authenticated", False) else None
        item.save()
    return item


def reassign_action_item(user, item: ActionItem, *, owner: Department | None = None, due_date: dt.date | None = None,
                         clear_due_date: bool = False) -> ActionItem:
    """Change the owner or the due date — the headquarters' decision, not the department's."""
    require_planning(user, item.municipality_id, "対応事項の担当・期限の変更")
    _same_tenant(item.municipality_id, [owner], "担当部局")
    if owner is not None:
        item.owner = owner
    if due_date is not None or clear_due_date:
        item.due_date = due_date
    item.save()
    return item


def edit_action_item(
    user, item: ActionItem, *, title: str, description: str = "", owner: Department, due_date: dt.date | None,
    agenda_item: AgendaItem | None = None, state: str | None = None, progress_note: str | None = None,
    completed_on: dt.date | None = None,
) -> ActionItem:
    """Correct an action item as a whole (secretariat): what, for whom, by when, under which agenda
    item, and — as the owner department could — its state and progress. All or nothing."""
    require_planning(user, item.municipality_id, "対応事項の修正")
    _same_tenant(item.municipality_id, [owner], "担当部局")
    if agenda_item is not None and agenda_item.meeting_id != item.meeting_id:
        raise ValidationError("議題はこの会議のものを指定してください")
    if not (title or "").strip():
        raise ValidationError("対応事項を入力してください")
    if state is not None and state not in ActionItem.State.values:
        raise ValidationError(f"状態「{state}」は選べません（未着手・対応中・完了）")
    with transaction.atomic():
        values = {"title": title.strip(), "description": description, "owner_id": owner.pk, "due_date": due_date,
                  "agenda_item_id": agenda_item.pk if agenda_item is not None else None}
        changed = [k for k, v in values.items() if getattr(item, k) != v]
        for k in changed:
            setattr(item, k, values[k])
        if "owner_id" in changed:
            item.owner = owner
        if changed:
            item.updated_by = user if getattr(user, "is_authenticated", False) else None
            item.save()
        update_action_item(user, item, state=state, progress_note=progress_note, completed_on=completed_on)
    return item


def add_action_item_links(user, item: ActionItem, *, plan_nodes: Sequence[PlanNode] = (),
                          procedures: Sequence[Procedure] = ()) -> ActionItem:
    """Link the action item to more plan items / procedures (the current links stay)."""
    require_planning(user, item.municipality_id, "対応事項と計画項目・行政手続の関連付け")
    _same_tenant(item.municipality_id, [*plan_nodes, *procedures], "計画項目・行政手続")
    with transaction.atomic():
        new_nodes = [n for n in plan_nodes if n.pk not in set(item.plan_nodes.values_list("pk", flat=True))]
        new_procs = [p for p in procedures if p.pk not in set(item.procedures.values_list("pk", flat=True))]
        if new_nodes:
            item.plan_nodes.add(*new_nodes)
        if new_procs:
            item.procedures.add(*new_procs)
    return item


def remove_action_item_links(user, item: ActionItem, *, plan_nodes: Sequence[PlanNode] = (),
                             procedures: Sequence[Procedure] = ()) -> ActionItem:
    """Unlink plan items / procedures from the action item."""
    require_planning(user, item.municipality_id, "対応事項と計画項目・行政手続の関連付けの解除")
    with transaction.atomic():
        if plan_nodes:
            item.plan_nodes.remove(*plan_nodes)
        if procedures:
            item.procedures.remove(*procedures)
    return item


def link_action_item(user, item: ActionItem, *, plan_nodes: Sequence[PlanNode] | None = None,
                     procedures: Sequence[Procedure] | None = None) -> ActionItem:
    require_planning(user, item.municipality_id, "対応事項と計画項目・行政手続の関連付け")
    if plan_nodes is not None:
        _same_tenant(item.municipality_id, plan_nodes, "計画項目")
        item.plan_nodes.set(plan_nodes)
    if procedures is not None:
        _same_tenant(item.municipality_id, procedures, "行政手続")
        item.procedures.set(procedures)
    return item


# --------------------------------------------------------------------------- reminders


def action_item_reminders(municipality: Municipality, *, today: dt.date, within_days: int = 7,
                          base_url: str | None = None) -> list[Reminder]:
    """One reminder per owner department: its open action items that are overdue or due within ``within_days``."""
    horizon = today + dt.timedelta(days=within_days)
    items = list(
        ActionItem.objects.filter(municipality=municipality, due_date__isnull=False, due_date__lte=horizon)
        .exclude(state=ActionItem.State.DONE)
        .select_related("owner", "meeting").order_by("owner__name", "due_date", "pk")
    )
    by_owner: dict[int, list[ActionItem]] = {}
    owners: dict[int, Department] = {}
    for item in items:
        by_owner.setdefault(item.owner_id, []).append(item)
        owners[item.owner_id] = item.owner
    recipients = department_recipients(list(owners.values()))
    out = []
    for owner_id, owner_items in by_owner.items():
        owner = owners[owner_id]
        overdue = [i for i in owner_items if i.is_overdue(today)]
        lines = [
            f"・{i.due_date:%Y年%m月%d日}期限{'（' + str(i.days_overdue(today)) + '日超過）' if i.is_overdue(today) else ''} "
            f"{i.title}［{i.get_state_display()}］ — {i.meeting}"
            for i in owner_items
        ]
        body = (
            f"{owner.name} ご担当者様\n\n"
            f"推進本部で決定した対応事項のうち、期限を過ぎたもの（{len(overdue)}件）と{within_days}日以内に期限を迎えるもの"
            f"（{len(owner_items) - len(overdue)}件）があります。shinchoku の「会議」から対応状況を更新してください。\n\n"
            + "\n".join(lines) + f"\n\n{link('/meetings/dashboard/', base_url)}\n\n（このメールは shinchoku から自動で送信しています）\n"
        )
        subject = f"【対応事項の期限】{owner.name} 期限超過{len(overdue)}件・期限間近{len(owner_items) - len(overdue)}件"
        out.append(Reminder(owner, recipients.get(owner_id, []), subject, body, [i.title for i in owner_items],
                            targets=list(owner_items)))
    return out


def send_action_item_reminders(user, municipality: Municipality, *, today: dt.date, within_days: int = 7,
                               dry_run: bool, base_url: str | None = None) -> list[Reminder]:
    """Remind each owner department of its overdue and soon-due items; each message sent is recorded on
    its action items (``ActionItem.reminder_log``: when, by whom, to whom). ``base_url``: the address for
    the link (``core.notify.base_url``)."""
    require_planning(user, municipality, "対応事項の督促メールの送信")
    reminders = send_reminders(
        action_item_reminders(municipality, today=today, within_days=within_days, base_url=base_url), dry_run=dry_run
    )
    if not dry_run:
        with transaction.atomic():
            log_reminders(reminders, user)
    return reminders
