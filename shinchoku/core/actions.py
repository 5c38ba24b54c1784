"""The write path: every change to the database is an *action* ``(access, …)`` of an app's ``actions``.

An action asks its app's rules (``rules.py``) whether ``access`` may do it, validates with the same
code the form uses, writes, and leaves the change log (the tracked models' signals, attributed to the
actor and batch of the request or command). The screen, the API, the importers, the commands and the
admin call the same action, so they refuse, validate and log alike (Wagtail ``actions/``, Zulip
``zerver/actions/``).

Errors an action raises — each mapped once by the web machinery (``core.web``), the API and the CLI:

- :class:`~shinchoku.core.rules.Refused` (a ``PermissionDenied``): a rule refused → 403 with the reason;
- :class:`ActionError` (or Django's ``ValidationError`` from a form-shaped check): not possible now, or
  invalid input → 400 with the messages;
- :class:`StaleError`: someone saved the row after the editor opened it (optimistic lock) → 409 with
  both versions. Nothing is written in any of the three cases (every action is one transaction).

Locking (:func:`lock`): the row is locked with ``SELECT … FOR UPDATE`` on its own table only and
related rows are read afterwards in separate queries. Joining in the locking query is wrong on
PostgreSQL: after waiting for another transaction's lock it re-reads only the locked row, and an
outer-joined row comes back NULL (a conflict then failed with HTTP 500 instead of 409).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import models, transaction

from shinchoku.core.access import Access
from shinchoku.core.changelog import acting_as, current_actor

F = TypeVar("F", bound=Callable[..., Any])

_ACTIONS: dict[str, Callable[..., Any]] = {}


class ActionError(Exception):
    """The action is not possible now, or its input is invalid. Nothing was written.

    ``message`` is the Japanese sentence for the whole action; ``problems`` are (place, message) pairs
    for items within it (an item code, a form field, a cell).
    """

    def __init__(self, message: str, problems: list[tuple[str, str]] | None = None):
        self.message = message
        self.problems = list(problems or [])
        super().__init__(message if not self.problems else message + "\n" + "\n".join(f"{c}: {m}" for c, m in self.problems))

    @property
    def messages(self) -> list[str]:
        return [self.message, *(f"{place}: {text}" for place, text in self.problems)]


class StaleError(Exception):
    """Optimistic lock: the row changed since the editor opened it. Nothing written.

    ``expected`` / ``current_version`` are versions (integers) or, for a single cell, the texts as
    opened and as now ('' = empty). ``current`` is the row as it is now (None when it was deleted);
    ``theirs`` its values as the conflict screen shows them beside the editor's own.
    """

    def __init__(
        self,
        label: str,
        *,
        expected: Any,
        current: Any = None,
        current_version: Any = None,
        updated_by: str = "",
        theirs: dict[str, Any] | None = None,
    ):
        self.label = label
        self.expected = expected
        self.current = current
        self.current_version = current_version if current_version is not None else getattr(current, "version", 0)
        self.updated_by = updated_by
        self.theirs = theirs or {}
        who = f"（{updated_by}さん）" if updated_by else ""
        if isinstance(expected, int):
            seen = f"開いた版 {expected}、現在の版 {self.current_version}"
        else:
            seen = f"開いたとき {_shown(expected)}、現在 {_shown(self.current_version)}"
        super().__init__(
            f"{label}は、編集を始めた後に他の人{who}が更新しました（{seen}）。"
            "入力内容は保存していません。相手の内容を確認し、採用するか、自分の内容で上書きするか決めてください。"
        )


def _shown(text: Any) -> str:
    return f"「{text}」" if text not in (None, "") else "空欄"


def action(fn: F) -> F:
    """Declare ``fn(access, …)`` an action: registered by name, run in one transaction, attributed.

    The change log attributes the writes to the request's or command's actor; an action called with
    no actor set (the shell, a test) attributes them to ``access``'s user.
    """
    app = fn.__module__.split(".")[1] if fn.__module__.startswith("shinchoku.") else fn.__module__
    name = f"{app}.{fn.__name__}"

    @functools.wraps(fn)
    def run(access, *args, **kwargs):
        if not isinstance(access, Access):
            raise TypeError(f"{name}: the first argument of an action is an Access, not {type(access).__name__}")
        with _attributed(access), transaction.atomic():
            return fn(access, *args, **kwargs)

    run.action_name = name  # type: ignore[attr-defined]
    _ACTIONS[name] = run
    return run  # type: ignore[return-value]


def registered_actions() -> dict[str, Callable[..., Any]]:
    """Every action of every app, by ``app.function`` name (after the apps' ``actions`` are imported)."""
    return dict(_ACTIONS)


def _attributed(access: Access):
    if current_actor().batch:
        return contextlib.nullcontext()
    return acting_as(access.user, name=access.name or "system")


# --------------------------------------------------------------------------- optimistic locking


def lock(model: type[models.Model], **lookup) -> Any:
    """The row matching ``lookup``, locked for the rest of the transaction (None when there is none).

    Only the row's own table is read (see the module docstring); read related rows afterwards. The
    order is the primary key's: a model's default ordering (``Meta.ordering = ["round", "node__path"]``)
    would join the related tables into the locking query — and lock their rows too.
    """
    return model._default_manager.select_for_update(of=("self",)).filter(**lookup).order_by("pk").first()


def lock_all(model: type[models.Model], **lookup) -> list:
    """Every row matching ``lookup``, locked in primary-key order (a fixed order avoids deadlocks)."""
    return list(model._default_manager.select_for_update(of=("self",)).filter(**lookup).order_by("pk"))


def username(user_id: int | None) -> str:
    """The name of the user with ``user_id`` ("" when none) — read after a lock, never joined into it."""
    if not user_id:
        return ""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk=user_id).values_list("username", flat=True).first() or ""


def expect_version(row: Any, expected: int, label: str, *, theirs: Callable[[Any], dict] | None = None) -> None:
    """Raise :class:`StaleError` unless ``row`` (locked; None = not created yet, version 0) is at ``expected``."""
    current = row.version if row is not None else 0
    if expected == current:
        return
    raise StaleError(
        label,
        expected=expected,
        current=row,
        current_version=current,
        updated_by=username(getattr(row, "updated_by_id", None)) if row is not None else "",
        theirs=theirs(row) if (theirs and row is not None) else {},
    )


def read_locked(model: type[models.Model], pk: Any, *fields: str, shared: bool = True) -> tuple | None:
    """``fields`` of row ``pk``, read under a row lock held to the end of the transaction.

    ``shared`` (FOR KEY SHARE on PostgreSQL): many writers that depend on the row's state (saves in an
    open survey round) hold it together, and a writer that changes the state (closing the round) with
    FOR UPDATE waits for them — and they for it. SQLite serialises writers, so a plain read is enough.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return model._default_manager.filter(pk=pk).values_list(*fields).first()
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(model._meta.get_field(f).column) for f in fields)
    mode = "FOR KEY SHARE" if shared else "FOR UPDATE"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} WHERE {connection.ops.quote_name(model._meta.pk.column)} = %s {mode}", [pk])
        return cursor.fetchone()


# --------------------------------------------------------------------------- core records
# Municipalities (団体) and departments (所管課): every importer and form that finds or registers one
# calls these, so the rule and the check of the name are one.


@action
def ensure_municipality(access: Access, code: str, name: str, *, tally=None):
    """The municipality with ``code``; registered (with ``name``) on its first import.

    Refused when ``access`` acts for another municipality, or registers a new one without being the
    operator or a command.
    """
    from shinchoku.core import rules
    from shinchoku.core.models import Municipality

    municipality = Municipality.objects.filter(code=code).first()
    if municipality is None:
        rules.require(rules.register_municipality(access, code))
        municipality = Municipality(code=code, name=name)
        municipality.full_clean()
        municipality.save()
        if tally is not None:
            tally.count("団体", "created")
        return municipality
    rules.require(rules.planning(access, municipality.pk, f"{municipality.name}のデータの取り込み"))
    return municipality


@action
def ensure_department(access: Access, municipality, name: str, *, kind: str | None = None, parent=None, tally=None):
    """The municipality's department called ``name`` (its former names count); created on first mention."""
    from shinchoku.core import rules
    from shinchoku.core.models import Department

    rules.require(rules.planning(access, municipality.pk, "所管課の登録"))
    name = name.strip()
    department = Department.objects.filter(municipality=municipality, name=name).first()
    if department is None:
        department = next(
            (d for d in Department.objects.filter(municipality=municipality).exclude(previous_names=[])
             if any(p.get("name") == name for p in d.previous_names)),
            None,
        )
    if department is not None:
        if tally is not None:
            tally.count("所管課", "unchanged")
        return department
    department = Department.objects.create(
        municipality=municipality, name=name, kind=kind or Department.Kind.DIVISION, parent=parent
    )
    if tally is not None:
        tally.count("所管課", "created")
    return department


@action
def update_department(access: Access, department, **fields):
    """Change a department's name, e-mail address (for reminders), parent, kind or activity."""
    from django.core.exceptions import ValidationError

    from shinchoku.core import rules

    rules.require(rules.planning(access, department.municipality_id, "所管課の変更"))
    allowed = {"name", "email", "parent", "kind", "active"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unknown department fields: {sorted(unknown)}")
    parent = fields.get("parent")
    if parent is not None and parent.municipality_id != department.municipality_id:
        raise ValidationError({"parent": ["上位組織は同じ団体の所管課から選んでください"]})
    changed = [k for k, v in fields.items() if getattr(department, k) != v]
    for k in changed:
        setattr(department, k, fields[k])
    if changed:
        department.full_clean(exclude=["municipality"])
        department.save()
    return department


@action
def admin_save(access: Access, save: Callable[[], Any], what: str = "管理画面での保存") -> Any:
    """A raw edit in Django's admin (the operator's repair door): ``save`` runs inside the action."""
    from shinchoku.core import rules

    rules.require(rules.operator(access, what))
    return save()
