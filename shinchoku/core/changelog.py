"""Change log writing — 変更履歴.

Every save and delete of a *tracked* model (a model class with ``track_changes = True``) writes a
:class:`~shinchoku.core.models.ChangeLog` row with the row's fields before and after. The acting user
and a batch id come from :func:`acting_as`, which the web middleware sets per request and commands
set per run, so the admin, the UI, the API, importers and scripts all leave the same trail.

Signals rather than explicit calls in each service: a write that forgets to log is then impossible,
except through ``QuerySet.update()`` / ``bulk_create``; code that uses those must call
:func:`log_bulk` itself (the importers and the demo-data builder do).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import decimal
import uuid
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save


@dataclass(frozen=True)
class Actor:
    user: Any = None  # a User or None for system jobs
    name: str = ""
    batch: str = ""
    reason: str = ""


_current: contextvars.ContextVar[Actor] = contextvars.ContextVar("shinchoku_actor", default=Actor(name="system"))


@contextlib.contextmanager
def acting_as(user=None, *, name: str = "", reason: str = "", batch: str | None = None) -> Iterator[Actor]:
    """Attribute every change inside the block to ``user`` (or a named job), under one batch id."""
    actor = Actor(
        user=user if (user is not None and getattr(user, "is_authenticated", False)) else None,
        name=name or (user.get_username() if user is not None and getattr(user, "is_authenticated", False) else "anonymous"),
        batch=batch if batch is not None else uuid.uuid4().hex,
        reason=reason,
    )
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def current_actor() -> Actor:
    return _current.get()


def _jsonable(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The row's concrete field values, JSON-ready; foreign keys by id."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if getattr(field, "primary_key", False):
            continue
        data[field.attname] = _jsonable(field.value_from_object(instance))
    return data


def _is_tracked(sender) -> bool:
    return getattr(sender, "track_changes", False)


def _municipality_id(instance) -> int | None:
    if instance._meta.label == "core.Municipality":
        return instance.pk  # the tenant's own rows belong to it
    return getattr(instance, "municipality_id", None)


def _write(instance, action: str, before, after) -> None:
    from shinchoku.core.models import ChangeLog

    actor = current_actor()
    ChangeLog.objects.create(
        municipality_id=_municipality_id(instance),
        user=actor.user,
        actor=actor.name[:150],
        action=action,
        model=instance._meta.label,
        object_id=str(instance.pk),
        object_repr=str(instance)[:300],
        before=before,
        after=after,
        reason=actor.reason[:300],
        batch=actor.batch,
    )


def _pre_save(sender, instance, raw=False, **kwargs):
    if raw or not _is_tracked(sender):
        return
    instance._changelog_before = None
    if instance.pk is not None:
        old = sender._default_manager.filter(pk=instance.pk).first()
        if old is not None:
            instance._changelog_before = snapshot(old)


def _post_save(sender, instance, created, raw=False, **kwargs):
    if raw or not _is_tracked(sender):
        return
    after = snapshot(instance)
    before = getattr(instance, "_changelog_before", None)
    if created or before is None:
        _write(instance, "create", None, after)
    elif before != after:
        _write(instance, "update", before, after)


def _post_delete(sender, instance, **kwargs):
    if _is_tracked(sender):
        _write(instance, "delete", snapshot(instance), None)


def _m2m_changed(sender, instance, action, model, pk_set, **kwargs):
    if not _is_tracked(type(instance)) or action not in {"post_add", "post_remove", "post_clear"}:
        return
    field = next(
        (f for f in instance._meta.many_to_many if f.remote_field.through is sender),
        None,
    )
    if field is None:
        return
    ids = sorted(getattr(instance, field.name).values_list("pk", flat=True))
    verb = {"post_add": "added", "post_remove": "removed", "post_clear": "cleared"}[action]
    _write(instance, "update", {field.name: None}, {field.name: ids, "m2m": verb, "changed": sorted(pk_set or [])})


def log_bulk(instances: Iterable[models.Model], action: str = "create") -> None:
    """Change log rows for objects written with ``bulk_create`` (which sends no signals)."""
    from shinchoku.core.models import ChangeLog

    actor = current_actor()
    rows = [
        ChangeLog(
            municipality_id=_municipality_id(obj),
            user=actor.user,
            actor=actor.name[:150],
            action=action,
            model=obj._meta.label,
            object_id=str(obj.pk),
            object_repr=str(obj)[:300],
            before=None,
            after=snapshot(obj),
            reason=actor.reason[:300],
            batch=actor.batch,
        )
        for obj in instances
    ]
    ChangeLog.objects.bulk_create(rows, batch_size=500)


def history_for(instance: models.Model):
    from shinchoku.core.models import ChangeLog

    return ChangeLog.objects.filter(model=instance._meta.label, object_id=str(instance.pk)).select_related("user")


def connect_signals() -> None:
    pre_save.connect(_pre_save, dispatch_uid="shinchoku_changelog_pre_save")
    post_save.connect(_post_save, dispatch_uid="shinchoku_changelog_post_save")
    post_delete.connect(_post_delete, dispatch_uid="shinchoku_changelog_post_delete")
    m2m_changed.connect(_m2m_changed, dispatch_uid="shinchoku_changelog_m2m")
