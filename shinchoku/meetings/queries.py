"""Read side of the meetings register: the meeting page and the headquarters dashboard.

``today`` is always a parameter (the views pass the local date or the 基準日 the user chose), so
"overdue" is reproducible in tests and in a report printed for a given date.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q

from shinchoku.core.models import Municipality
from shinchoku.meetings.models import ActionItem, Meeting


def action_items(municipality: Municipality):
    return (
        ActionItem.objects.filter(municipality=municipality)
        .select_related("owner", "meeting", "agenda_item", "selection")
        .prefetch_related("plan_nodes", "procedures")
    )


@dataclass
class ActionRow:
    item: ActionItem
    overdue: bool
    days_overdue: int
    due_soon: bool

    def as_dict(self) -> dict:
        i = self.item
        return {
            "id": i.pk, "meeting": str(i.meeting), "meeting_id": i.meeting_id, "title": i.title, "owner": i.owner.name,
            "due_date": i.due_date, "state": i.get_state_display(), "overdue": self.overdue, "days_overdue": self.days_overdue,
            "progress_note": i.progress_note, "completed_on": i.completed_on,
            "plan_nodes": [n.code for n in i.plan_nodes.all()], "procedures": [p.key for p in i.procedures.all()],
        }


def action_row(item: ActionItem, today: dt.date, soon_days: int = 14) -> ActionRow:
    due_soon = item.is_open and item.due_date is not None and today <= item.due_date <= today + dt.timedelta(days=soon_days)
    return ActionRow(item, item.is_overdue(today), item.days_overdue(today), due_soon)


@dataclass
class MeetingPage:
    meeting: Meeting
    members: list
    secretariat: list
    proposals: list
    reports: list
    open_items: list[ActionRow]
    done_items: list[ActionRow]


def meeting_page(meeting: Meeting, today: dt.date) -> MeetingPage:
    attendees = list(meeting.attendees.order_by("order"))
    agenda = list(meeting.agenda.order_by("order"))
    items = [
        action_row(i, today)
        for i in action_items(meeting.municipality).filter(meeting=meeting).order_by("order", "due_date", "pk")
    ]
    return MeetingPage(
        meeting=meeting,
        members=[a for a in attendees if a.group == a.Group.MEMBER],
        secretariat=[a for a in attendees if a.group != a.Group.MEMBER],
        proposals=[a for a in agenda if a.kind == a.Kind.PROPOSAL],
        reports=[a for a in agenda if a.kind == a.Kind.REPORT],
        open_items=[r for r in items if r.item.is_open],
        done_items=[r for r in items if not r.item.is_open],
    )


@dataclass
class Dashboard:
    today: dt.date
    overdue: list[ActionRow]
    open_items: list[ActionRow]  # every open item, overdue first then by due date
    done_recently: list[ActionRow]
    by_owner: list[tuple[str, int, int]] = field(default_factory=list)  # (department, open, overdue)

    @property
    def due_soon(self) -> list[ActionRow]:
        return [r for r in self.open_items if r.due_soon]

    def as_dict(self) -> dict:
        return {
            "today": self.today,
            "open": len(self.open_items),
            "overdue": [r.as_dict() for r in self.overdue],
            "open_items": [r.as_dict() for r in self.open_items],
            "by_owner": [{"department": d, "open": o, "overdue": od} for d, o, od in self.by_owner],
        }


def dashboard(municipality: Municipality, today: dt.date, *, recent_days: int = 30) -> Dashboard:
    """Open action items of every meeting, overdue ones (due date < today, not done) singled out."""
    open_rows = [
        action_row(i, today)
        for i in action_items(municipality).exclude(state=ActionItem.State.DONE)
    ]
    far = dt.date.max
    open_rows.sort(key=lambda r: (not r.overdue, r.item.due_date or far, r.item.meeting.date, r.item.order, r.item.pk))
    done = [
        action_row(i, today)
        for i in action_items(municipality).filter(
            state=ActionItem.State.DONE, completed_on__gte=today - dt.timedelta(days=recent_days)
        ).order_by("-completed_on", "pk")
    ]
    open_count = Counter(r.item.owner.name for r in open_rows)
    overdue_count = Counter(r.item.owner.name for r in open_rows if r.overdue)
    by_owner = sorted(((d, n, overdue_count.get(d, 0)) for d, n in open_count.items()), key=lambda t: (-t[2], -t[1], t[0]))
    return Dashboard(today, [r for r in open_rows if r.overdue], open_rows, done, by_owner)


def meetings_with_counts(municipality: Municipality, today: dt.date):
    return (
        Meeting.objects.filter(municipality=municipality)
        .annotate(
            agenda_count=Count("agenda", distinct=True),
            open_count=Count("action_items", filter=~Q(action_items__state=ActionItem.State.DONE), distinct=True),
            overdue_count=Count(
                "action_items",
                filter=~Q(action_items__state=ActionItem.State.DONE) & Q(action_items__due_date__lt=today),
                distinct=True,
            ),
        )
        .order_by("-date", "body")
    )
