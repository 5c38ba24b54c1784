"""Who may write what — checked in the service layer, so the UI, commands and any API behave alike.

Rules (SPEC "Users and roles"):

- the planning division (企画・DX推進課, role ``planning``; also the audit office's and the
  headquarters secretariat's work) registers audits, meetings and inventories and approves answers;
- a department editor (``editor``) answers only for its own departments: findings, action items and
  procedures whose department is one of the editor's departments *or below one of them* (an editor
  of 区民部 answers for its 課);
- auditors and executives read only;
- ``user=None`` is a system job (a management command run by the operator, the demo loader): allowed.

Every refusal raises :class:`django.core.exceptions.PermissionDenied` with a Japanese message that
says what was refused and who may do it.

Used by the audits, meetings, procedures and indicators apps (the survey rounds keep their own
table of rules in ``rounds/permissions.py``, built on the same :class:`~shinchoku.core.tenancy.Tenant`).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied

from shinchoku.core.models import Department, Municipality, Role
from shinchoku.core.tenancy import Tenant, tenant_for_user

READ_ONLY_ROLES = {Role.AUDITOR: "監査", Role.EXECUTIVE: "幹部・推進本部"}


def tenant_of(user, municipality: Municipality | int) -> Tenant | None:
    """The user's role in ``municipality``; ``None`` for a system job (``user is None``).

    A member of another municipality gets a tenant with no role (everything refused); the operator
    (a superuser) acts as the planning division of whichever municipality it works on.
    """
    if user is None:
        return None
    if not isinstance(municipality, Municipality):
        municipality = Municipality.objects.filter(pk=municipality).first()
    tenant = tenant_for_user(user, municipality)
    if municipality is None or tenant.municipality is None or tenant.municipality.pk != municipality.pk:
        return Tenant(None, None, frozenset(), False)
    return tenant


def covered_department_ids(tenant: Tenant) -> set[int]:
    """The editor's departments and every department below them (部 → 課 → 係)."""
    covered = set(tenant.department_ids)
    frontier = set(covered)
    while frontier:
        children = set(Department.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - covered
        covered |= children
        frontier = children
    return covered


def _department_names(departments: Iterable[Department]) -> str:
    names = [d.name for d in departments]
    return "・".join(names) if names else "所管課なし"


def _refuse_non_member_or_read_only(tenant: Tenant, what: str) -> None:
    if tenant.role is None:
        raise PermissionDenied(f"この団体の利用者として登録されていないため、{what}はできません")
    if tenant.role in READ_ONLY_ROLES and not tenant.is_superuser:
        raise PermissionDenied(f"{READ_ONLY_ROLES[tenant.role]}の役割は閲覧のみです。{what}はできません")


def require_planning(user, municipality: Municipality | int, what: str) -> None:
    """Only the planning division (or a system job) may do ``what``."""
    tenant = tenant_of(user, municipality)
    if tenant is None or tenant.is_planning:
        return
    _refuse_non_member_or_read_only(tenant, what)
    raise PermissionDenied(f"{what}は企画・DX推進課（計画管理者）のみが行えます")


def can_act_for(user, municipality: Municipality | int, departments: Iterable[Department]) -> bool:
    tenant = tenant_of(user, municipality)
    if tenant is None or tenant.is_planning:
        return True
    if tenant.role != Role.DEPARTMENT_EDITOR:
        return False
    wanted = {d.pk for d in departments}
    return bool(wanted & covered_department_ids(tenant))


def require_department(user, municipality: Municipality | int, departments: Iterable[Department], what: str) -> None:
    """The planning division, or an editor of one of ``departments`` (or of a department above one)."""
    departments = list(departments)
    tenant = tenant_of(user, municipality)
    if tenant is None or tenant.is_planning:
        return
    _refuse_non_member_or_read_only(tenant, what)
    if tenant.role == Role.DEPARTMENT_EDITOR and {d.pk for d in departments} & covered_department_ids(tenant):
        return
    raise PermissionDenied(
        f"{what}は、担当の所管課（{_department_names(departments)}）の担当者または企画・DX推進課のみが行えます"
    )


def can_read(user, municipality: Municipality | int) -> bool:
    tenant = tenant_of(user, municipality)
    return tenant is None or tenant.role is not None


# --------------------------------------------------------------------------- views


def forbidden(request, exc: PermissionDenied):
    """A 403 page that shows the service's Japanese reason (Django's default page would hide it)."""
    from shinchoku.core.views_helpers import forbidden_response

    return forbidden_response(request, str(exc))


def service_view(view):
    """Decorator for POST views that call services: PermissionDenied → 403 page with the reason."""
    import functools

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return forbidden(request, exc)

    return wrapped


def validation_messages(exc) -> list[str]:
    """The Japanese messages of a ValidationError, flat."""
    return [str(m) for m in getattr(exc, "messages", [str(exc)])]


def answerable_department_ids(user, municipality: Municipality | int) -> set[int] | None:
    """Departments the user may answer for: ``None`` = all (planning division, system job);
    an empty set for read-only roles and non-members. One computation per page, not per row."""
    tenant = tenant_of(user, municipality)
    if tenant is None or tenant.is_planning:
        return None
    if tenant.role != Role.DEPARTMENT_EDITOR:
        return set()
    return covered_department_ids(tenant)


def may_answer(answerable: set[int] | None, department_ids: Iterable[int]) -> bool:
    return answerable is None or bool(answerable & set(department_ids))
