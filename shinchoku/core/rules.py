"""The building blocks of every app's ``rules.py``: who may do what, as the reason for a refusal.

A rule is a pure function ``(access, …) -> str | None``: ``None`` when the actor may, else the Japanese
sentence that tells them what was refused and who may do it (「目標値の入力は企画・DX推進課（計画管理者）
のみが行えます」). Rules never query the database — the :class:`~shinchoku.core.access.Access` is
resolved, and the caller passes what the rule needs (the owning departments' ids and names). The same
rule answers the screen (to show or hide a button), the actions (to refuse a write: :func:`require`),
the API, the importers and the commands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from django.core.exceptions import PermissionDenied

from shinchoku.core.access import Access

PLANNING_DIVISION = "企画・DX推進課（計画管理者）"


@dataclass(frozen=True)
class Owners:
    """The departments that answer for a record (所管課), as a rule needs them: ids to compare with
    ``Access.department_ids`` and names for the refusal's sentence. Read by the caller, once."""

    ids: frozenset[int] = field(default_factory=frozenset)
    names: tuple[str, ...] = ()

    @classmethod
    def of(cls, departments: Iterable) -> Owners:
        departments = list(departments)
        return cls(frozenset(d.pk for d in departments), tuple(sorted(d.name for d in departments)))


class Refused(PermissionDenied):
    """An action was refused by a rule; ``str(exc)`` is the rule's Japanese reason."""


def require(reason: str | None) -> None:
    """Raise :class:`Refused` with ``reason`` when a rule refused (``reason`` is not None)."""
    if reason:
        raise Refused(reason)


def allowed(reason: str | None) -> bool:
    return not reason


def names(values: Iterable[str], empty: str = "所管課なし") -> str:
    listed = [v for v in values if v]
    return "・".join(listed) if listed else empty


def member(access: Access, municipality_id: int | None, what: str) -> str | None:
    """Any role of this municipality (reading its internal records)."""
    if not access.is_authenticated:
        return f"{what}にはログインが必要です"
    if not access.is_member or not access.in_municipality(municipality_id):
        return f"この団体の利用者として登録されていないため、{what}はできません"
    return None


def writer(access: Access, municipality_id: int | None, what: str) -> str | None:
    """A member who may write at all (not the read-only roles)."""
    refusal = member(access, municipality_id, what)
    if refusal:
        return refusal
    if access.is_read_only:
        return f"{access.read_only_name}の役割は閲覧のみです。{what}はできません"
    return None


def planning(access: Access, municipality_id: int | None, what: str, *, hint: str = "") -> str | None:
    """The planning division only (and the operator, and commands)."""
    refusal = writer(access, municipality_id, what)
    if refusal:
        return refusal
    if access.is_planning:
        return None
    return f"{what}は{PLANNING_DIVISION}のみが行えます" + (f"（{hint}）" if hint else "")


def department(
    access: Access,
    municipality_id: int | None,
    owner_ids: Iterable[int],
    what: str,
    *,
    owner_names: Iterable[str] = (),
    owners_label: str = "担当の所管課",
) -> str | None:
    """The planning division, or an editor of one of ``owner_ids`` (or of a department above one)."""
    refusal = writer(access, municipality_id, what)
    if refusal:
        return refusal
    if access.is_planning:
        return None
    if access.is_editor and access.covers(owner_ids):
        return None
    return f"{what}は、{owners_label}（{names(owner_names, '未設定')}）の担当者または{PLANNING_DIVISION}のみが行えます"


def reads_department(access: Access, municipality_id: int | None, owner_ids: Iterable[int], what: str) -> str | None:
    """Reading a department's unapproved records: the roles that read everything, or its own editor."""
    refusal = member(access, municipality_id, what)
    if refusal:
        return refusal
    if access.can_read_all or (access.is_editor and access.covers(owner_ids)):
        return None
    return f"{what}は、担当の所管課の担当者・{PLANNING_DIVISION}・監査・幹部のみが行えます"


def operator(access: Access, what: str = "管理画面での変更") -> str | None:
    """The operator of the service (a Django superuser) or a command: raw edits in the admin."""
    if access.is_system or access.is_operator:
        return None
    return f"{what}はシステム管理者のみが行えます"


def register_municipality(access: Access, code: str) -> str | None:
    """Registering a new municipality (団体) on its first import: a command or the operator."""
    if access.is_system and access.municipality is None:
        return None
    if access.is_operator:
        return None
    return f"団体コード {code} の団体は登録されていません（新しい団体の登録はシステム管理者のみが行えます）"
