"""Who is acting, for which municipality, in which role — one object per request or command.

:class:`Access` — 利用者の権限 — is built once (:meth:`Access.for_request`, :meth:`Access.for_user`,
:meth:`Access.system`) from the user's membership, with the 部 → 課 → 係 hierarchy already resolved:
``department_ids`` holds the departments the user answers for *and every department below them*.
After construction it never queries the database, so rules can ask it anything per row.

Roles (SPEC "Users and roles"):

=================  ==========================================================================
planning           the planning division (企画・DX推進課): everything in its municipality
editor             a department editor (所管課担当者): its departments' items (and those below)
executive          executives / headquarters (幹部・推進本部): read everything, write nothing
auditor            auditors (監査): read everything including drafts and the change log
(none)             anonymous or a user of another municipality: public data only
=================  ==========================================================================

The operator of a shared service (a Django superuser) acts as the planning division of the
municipality chosen in the header (``is_operator``). A command or the demo loader acts as
:meth:`Access.system` — an explicit actor with the planning division's rights, bound to one
municipality when the command names one; there is no "``None`` means allowed" anywhere.

Whether an actor may do a given thing is not decided here but by each app's ``rules.py`` (pure
functions that return the Japanese reason for a refusal, or ``None``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from shinchoku.core.models import Department, Membership, Municipality, Role

READ_ONLY_ROLE_NAMES = {Role.AUDITOR: "監査", Role.EXECUTIVE: "幹部・推進本部"}


@dataclass(frozen=True)
class Access:
    """What one actor may do, resolved once. Compare with ``rules.py`` of each app."""

    user: Any = None  # the User, or None (anonymous, system)
    municipality: Municipality | None = None
    role: str | None = None
    own_department_ids: frozenset[int] = field(default_factory=frozenset)
    department_ids: frozenset[int] = field(default_factory=frozenset)  # own + every department below
    is_operator: bool = False
    is_system: bool = False
    name: str = ""

    # --- construction ----------------------------------------------------------------------------
    @classmethod
    def anonymous(cls) -> Access:
        return cls(name="anonymous")

    @classmethod
    def system(cls, municipality: Municipality | None = None, name: str = "system") -> Access:
        """A command or background job: the planning division's rights, in ``municipality`` only when
        one is given (a command without ``--municipality`` may create and touch any municipality)."""
        return cls(municipality=municipality, role=Role.PLANNING, is_system=True, name=name)

    @classmethod
    def for_user(cls, user, municipality: Municipality | None = None) -> Access:
        """The access of ``user``; ``municipality`` is the one an operator (superuser) acts for."""
        if user is None or not getattr(user, "is_authenticated", False):
            return cls.anonymous()
        name = user.get_username()
        if user.is_superuser and municipality is not None:
            return cls(user=user, municipality=municipality, role=Role.PLANNING, is_operator=True, name=name)
        membership = Membership.objects.filter(user=user).select_related("municipality").first()
        if membership is not None:
            own = frozenset(membership.departments.values_list("pk", flat=True))
            return cls(
                user=user, municipality=membership.municipality, role=membership.role,
                own_department_ids=own, department_ids=covered_departments(membership.municipality_id, own),
                is_operator=user.is_superuser, name=name,
            )
        if user.is_superuser:
            first = municipality or Municipality.objects.order_by("pk").first()
            return cls(user=user, municipality=first, role=Role.PLANNING if first else None, is_operator=True, name=name)
        return cls(user=user, name=name)

    @classmethod
    def for_request(cls, request) -> Access:
        """The request's access, computed once per request (the operator's chosen municipality first)."""
        cached = getattr(request, "_shinchoku_access", None)
        if cached is not None:
            return cached
        user = getattr(request, "user", None)
        chosen = None
        if user is not None and getattr(user, "is_superuser", False) and hasattr(request, "session"):
            chosen_id = request.session.get("municipality_id")
            chosen = Municipality.objects.filter(pk=chosen_id).first() if chosen_id else None
        access = cls.for_user(user, chosen)
        request._shinchoku_access = access
        return access

    # --- who -------------------------------------------------------------------------------------
    @property
    def municipality_id(self) -> int | None:
        return self.municipality.pk if self.municipality is not None else None

    @property
    def is_authenticated(self) -> bool:
        return self.is_system or self.user is not None

    @property
    def is_member(self) -> bool:
        """Acting for a municipality in a role (otherwise: public data only)."""
        return self.role is not None and (self.municipality is not None or self.is_system)

    @property
    def is_planning(self) -> bool:
        return self.is_system or self.is_operator or self.role == Role.PLANNING

    @property
    def is_editor(self) -> bool:
        return not self.is_planning and self.role == Role.DEPARTMENT_EDITOR

    @property
    def is_auditor(self) -> bool:
        return not self.is_planning and self.role == Role.AUDITOR

    @property
    def is_executive(self) -> bool:
        return not self.is_planning and self.role == Role.EXECUTIVE

    @property
    def is_read_only(self) -> bool:
        return self.is_auditor or self.is_executive

    @property
    def can_read_all(self) -> bool:
        """Reads every department's records, drafts included (planning, auditors, executives)."""
        return self.is_planning or self.is_auditor or self.is_executive

    @property
    def role_label(self) -> str:
        if self.is_system:
            return "システム"
        return Role(self.role).label if self.role in Role.values else ""

    @property
    def read_only_name(self) -> str:
        return READ_ONLY_ROLE_NAMES.get(self.role, "") if self.is_read_only else ""

    # --- where -----------------------------------------------------------------------------------
    def in_municipality(self, municipality_id: int | None) -> bool:
        if self.is_system and self.municipality is None:
            return True
        return municipality_id is not None and municipality_id == self.municipality_id

    def covers(self, department_ids: Iterable[int]) -> bool:
        """One of ``department_ids`` is the editor's department or below one of them."""
        return not self.department_ids.isdisjoint(department_ids)

    # --- for the change log ----------------------------------------------------------------------
    @property
    def log_user(self):
        """The User to record in ``*_by`` columns (None for commands and anonymous callers)."""
        return self.user

    def __repr__(self) -> str:  # short, for test output
        where = self.municipality.code if self.municipality is not None else "-"
        return f"Access({self.name or 'anonymous'}, {self.role_label or 'no role'}, {where})"


def covered_departments(municipality_id: int, own: Iterable[int]) -> frozenset[int]:
    """``own`` and every department below them (部 → 課 → 係), from one query."""
    own = set(own)
    if not own:
        return frozenset()
    children: dict[int, list[int]] = {}
    for pk, parent in Department.objects.filter(municipality_id=municipality_id).values_list("pk", "parent_id"):
        if parent is not None:
            children.setdefault(parent, []).append(pk)
    covered = set(own)
    frontier = list(own)
    while frontier:
        for child in children.get(frontier.pop(), ()):
            if child not in covered:
                covered.add(child)
                frontier.append(child)
    return frozenset(covered)
