"""Reminder e-mails to departments (findings to answer, action items due).

Generic: who to write to for a department, and one message per department. Used by the audits and
meetings apps; ``--dry-run`` of the commands lists the same recipients without sending.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from shinchoku.core.models import Department, Membership, Role


def ancestors_and_self(department: Department, by_id: dict[int, Department]) -> list[Department]:
    chain, seen = [], set()
    current: Department | None = department
    while current is not None and current.pk not in seen:
        chain.append(current)
        seen.add(current.pk)
        current = by_id.get(current.parent_id) if current.parent_id else None
    return chain


def department_recipients(departments: Sequence[Department]) -> dict[int, list[str]]:
    """E-mail addresses per department, by the survey rounds' rule: the department's own address when it
    has one; otherwise its editors' addresses — the members of the department or of a department
    above it (an editor of 区民部 hears about its 課)."""
    if not departments:
        return {}
    municipality_ids = {d.municipality_id for d in departments}
    by_id = {d.pk: d for d in Department.objects.filter(municipality_id__in=municipality_ids)}
    editors: dict[int, list[str]] = {}
    memberships = (
        Membership.objects.filter(municipality_id__in=municipality_ids, role=Role.DEPARTMENT_EDITOR)
        .select_related("user").prefetch_related("departments").order_by("user__email")
    )
    for m in memberships:
        if not m.user.is_active or not m.user.email:
            continue
        for d in m.departments.all():
            editors.setdefault(d.pk, []).append(m.user.email)
    out: dict[int, list[str]] = {}
    for dept in departments:
        if dept.email:
            out[dept.pk] = [dept.email]
            continue
        addresses: list[str] = []
        for d in ancestors_and_self(by_id.get(dept.pk, dept), by_id):
            addresses.extend(editors.get(d.pk, []))
        out[dept.pk] = list(dict.fromkeys(addresses))
    return out


def base_url(request=None) -> str:
    """The address people reach shinchoku at, for links in e-mails (no trailing slash).

    Sent from the web: the address of the request (scheme and host as the browser used them, so the
    link works whatever the port or proxy). From the command line: ``SHINCHOKU_BASE_URL``; when that
    is not set, the local server ``http://127.0.0.1:$PORT`` that ``scripts/serve.sh`` starts.
    """
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    configured = getattr(settings, "SHINCHOKU_BASE_URL", "")
    if configured:
        return configured.rstrip("/")
    return f"http://127.0.0.1:{getattr(settings, 'SHINCHOKU_PORT', 8000)}"


def link(path: str, base: str | None = None) -> str:
    """An absolute link for e-mails: ``path`` under ``base`` (a :func:`base_url`; by default the configured one)."""
    return f"{(base or base_url()).rstrip('/')}{path}"


@dataclass
class Reminder:
    department: Department
    recipients: list[str]
    subject: str
    body: str
    items: list[str] = field(default_factory=list)
    sent: bool = False
    targets: list = field(default_factory=list, repr=False)  # the findings / action items the message is about

    def as_dict(self) -> dict:
        return {
            "department": self.department.name,
            "recipients": self.recipients,
            "subject": self.subject,
            "items": self.items,
            "sent": self.sent,
        }


def send_reminders(reminders: Iterable[Reminder], *, dry_run: bool) -> list[Reminder]:
    """Send one message per reminder that has recipients (none when ``dry_run``)."""
    reminders = list(reminders)
    if dry_run:
        return reminders
    messages = []
    for r in reminders:
        if r.recipients:
            messages.append(EmailMessage(r.subject, r.body, settings.DEFAULT_FROM_EMAIL, r.recipients))
    if messages:
        get_connection().send_messages(messages)
    for r in reminders:
        r.sent = bool(r.recipients)
    return reminders


def log_reminders(reminders: Iterable[Reminder], user=None) -> int:
    """Record each sent message on the rows it was about (``reminder_log``, as the survey rounds keep
    theirs on the round): when, sent by whom, to which department and addresses, with the subject.

    Only messages actually sent are recorded (not a dry run, not a department without addresses).
    Each row is saved on its own (``update_fields``), so the change log shows the entry too. Returns
    the number of rows written.
    """
    from django.utils import timezone

    from shinchoku.core.changelog import current_actor

    at = timezone.localtime().isoformat(timespec="seconds")
    by = user.get_username() if user is not None and getattr(user, "is_authenticated", False) else (current_actor().name or "system")
    entries: dict[tuple[str, int], tuple[object, list[dict]]] = {}
    for r in reminders:
        if not r.sent:
            continue
        entry = {"at": at, "by": by, "department": r.department.name, "recipients": list(r.recipients), "subject": r.subject}
        for obj in r.targets:
            entries.setdefault((obj._meta.label, obj.pk), (obj, []))[1].append(entry)
    for obj, new in entries.values():
        # Re-read the log: another send may have added to it since the rows were loaded.
        current = type(obj)._default_manager.filter(pk=obj.pk).values_list("reminder_log", flat=True).first() or []
        obj.reminder_log = list(current) + new
        obj.save(update_fields=["reminder_log"])
    return len(entries)


def reminder_log_rows(log) -> list[dict]:
    """A row's ``reminder_log`` for a page: newest first, ``at`` as a local datetime."""
    import datetime as dt

    from django.utils import timezone

    rows = []
    for entry in reversed(list(log or [])):
        row = dict(entry)
        try:
            at = dt.datetime.fromisoformat(entry.get("at", ""))
            row["at"] = timezone.localtime(at) if timezone.is_aware(at) else at
        except (TypeError, ValueError):
            row["at"] = None
        row.setdefault("recipients", [])
        rows.append(row)
    return rows


def describe(reminders: Sequence[Reminder], *, dry_run: bool) -> list[str]:
    """Lines for a command's output: department, recipients (or the lack of them), number of items."""
    lines = []
    for r in reminders:
        to = "、".join(r.recipients) if r.recipients else "宛先なし（所管課のメールアドレスまたは担当者を登録してください）"
        verb = "送信予定" if dry_run else ("送信済" if r.sent else "未送信")
        lines.append(f"{r.department.name}: {len(r.items)}件 → {to} [{verb}]")
    return lines
