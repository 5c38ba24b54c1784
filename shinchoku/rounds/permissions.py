"""Who may do what in a survey round — one table of rules, used by the services *and* the views.

=================  =========================================================================
role               in rounds
=================  =========================================================================
planning           everything in its municipality (open, close, reopen, remind, review, edit)
department editor  reads and edits only the answers of activities its departments own or co-own
                   (and the actuals of indicators they own); saves, submits, imports its form
executive          read-only dashboards
auditor            reads everything including drafts and the change log; writes nothing
anonymous/public   nothing
=================  =========================================================================

Another municipality's round does not exist for anyone (views answer 404, services refuse).
Commands run as :data:`SYSTEM` (the operator at the server), which may do what planning may.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied

from shinchoku.core.tenancy import Tenant, tenant_for_user


class _System:
    """The command line: acts for any municipality with planning rights; recorded as no user."""

    is_authenticated = True
    is_superuser = False
    pk = None

    def get_username(self) -> str:
        return "system"

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = _System()


@dataclass(frozen=True)
class Access:
    """What one actor may do in one municipality."""

    municipality_id: int | None
    role: str | None
    department_ids: frozenset[int] = field(default_factory=frozenset)
    planning: bool = False
    auditor: bool = False
    executive: bool = False
    editor: bool = False
    system: bool = False

    @classmethod
    def from_tenant(cls, tenant: Tenant) -> Access:
        return cls(
            municipality_id=tenant.municipality.pk if tenant.municipality is not None else None,
            role=tenant.role,
            department_ids=tenant.department_ids,
            planning=tenant.is_planning,
            auditor=tenant.is_auditor,
            executive=tenant.is_executive,
            editor=tenant.is_editor,
        )

    # --- reading -------------------------------------------------------------------------------
    def in_municipality(self, municipality_id: int) -> bool:
        return self.system or (self.municipality_id is not None and self.municipality_id == municipality_id)

    @property
    def can_list_rounds(self) -> bool:
        return self.system or self.planning or self.auditor or self.executive or self.editor

    @property
    def can_view_dashboard(self) -> bool:
        return self.system or self.planning or self.auditor or self.executive

    @property
    def can_review_read(self) -> bool:
        """See every department's answers (including drafts) on the review page."""
        return self.system or self.planning or self.auditor

    def can_view_department(self, department_id: int) -> bool:
        return self.system or self.planning or self.auditor or (self.editor and department_id in self.department_ids)

    def can_view_item(self, owner_ids) -> bool:
        """An answer (or actual) owned by the departments ``owner_ids``: its values and its history."""
        return self.system or self.planning or self.auditor or (self.editor and bool(self.department_ids & set(owner_ids)))

    # --- writing -------------------------------------------------------------------------------
    @property
    def can_manage(self) -> bool:
        """Open, close, reopen, remind."""
        return self.system or self.planning

    @property
    def can_review(self) -> bool:
        """Return and approve."""
        return self.system or self.planning

    def can_edit_department(self, department_id: int) -> bool:
        return self.system or self.planning or (self.editor and department_id in self.department_ids)

    def can_edit_item(self, owner_ids) -> bool:
        return self.system or self.planning or (self.editor and bool(self.department_ids & set(owner_ids)))

    @property
    def may_edit_submitted(self) -> bool:
        """Planning may correct a submitted answer before approving it; an editor may not."""
        return self.system or self.planning


def access_for(user, municipality=None) -> Access:
    """The actor's rights; ``municipality`` is the one a superuser without membership acts for."""
    if user is SYSTEM:
        return Access(municipality_id=None, role="system", system=True, planning=True)
    return Access.from_tenant(tenant_for_user(user, municipality))


def require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)


def require_same_municipality(access: Access, obj) -> None:
    if not access.in_municipality(obj.municipality_id):
        raise PermissionDenied("他の団体のデータは参照・操作できません。")
