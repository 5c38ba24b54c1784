"""Who may change an indicator — checked by the services (every write), asked by the views (buttons).

Rules (SPEC "Users and roles"; the same wording as the audits and procedures apps):

- the planning division (企画・DX推進課, role ``planning``; a superuser without a membership acts as
  planning) defines and changes every indicator of its municipality and adds new ones;
- a department editor (``editor``) changes an indicator only when it answers for it: the indicator's
  owner (担当課) is one of the editor's departments, or the indicator is linked to a plan node one of
  them owns (a re-listed node 再掲 counts with its original's departments). A department covers the
  departments below it (部 → 課 → 係). Who answers for an indicator — its owner, its linked nodes,
  its group in the plan table — is the planning division's decision: an editor may not change it;
- executives and auditors read only;
- nobody changes another municipality's indicator (the views answer 404 before asking).

Every refusal is a :class:`django.core.exceptions.PermissionDenied` whose message says what was
refused and who may do it.

``actor`` is a :class:`~shinchoku.core.tenancy.Tenant` (what a view has) or a user (commands, the
shell, tests); there is no anonymous "system" actor here — importers write through
``services.set_indicator_value`` directly.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from shinchoku.core.models import Department, Role
from shinchoku.core.tenancy import Tenant, tenant_for_user
from shinchoku.indicators.models import Indicator
from shinchoku.plans.models import NodeDepartment, Plan

READ_ONLY_ROLES = {Role.AUDITOR: "監査", Role.EXECUTIVE: "幹部・推進本部"}
PLANNING_ONLY = "企画・DX推進課（計画管理者）"


def tenant_of(actor, municipality=None) -> Tenant:
    """The tenant ``actor`` acts as (a Tenant passes through; a user is looked up)."""
    if isinstance(actor, Tenant):
        return actor
    return tenant_for_user(actor, municipality)


def covered_department_ids(tenant: Tenant) -> set[int]:
    """The editor's departments and every department below them (部 → 課 → 係)."""
    covered = set(tenant.department_ids)
    frontier = set(covered)
    while frontier:
        children = set(Department.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - covered
        covered |= children
        frontier = children
    return covered


def responsible_department_ids(indicator: Indicator) -> set[int]:
    """Departments that answer for the indicator: its owner and the owners of its linked nodes."""
    ids = {indicator.owner_id} if indicator.owner_id else set()
    if indicator.pk is not None:
        node_ids = set(indicator.nodes.values_list("pk", flat=True))
        node_ids |= set(indicator.nodes.exclude(relisted_from=None).values_list("relisted_from_id", flat=True))
        ids |= set(NodeDepartment.objects.filter(node_id__in=node_ids).values_list("department_id", flat=True))
    return ids


def _same_municipality(tenant: Tenant, municipality_id: int) -> bool:
    return tenant.municipality is not None and tenant.municipality.pk == municipality_id


def edit_refusal(tenant: Tenant, indicator: Indicator, what: str = "この指標の編集") -> str | None:
    """Why ``tenant`` may not change ``indicator`` (Japanese), or None when it may."""
    if tenant.role is None or not _same_municipality(tenant, indicator.municipality_id):
        return f"この団体の利用者として登録されていないため、{what}はできません"
    if tenant.is_planning:
        return None
    if tenant.role in READ_ONLY_ROLES:
        return f"{READ_ONLY_ROLES[tenant.role]}の役割は閲覧のみです。{what}はできません"
    if tenant.role == Role.DEPARTMENT_EDITOR:
        responsible = responsible_department_ids(indicator)
        if responsible & covered_department_ids(tenant):
            return None
        names = "・".join(Department.objects.filter(pk__in=responsible).order_by("name").values_list("name", flat=True))
        return (
            f"{what}は、指標の担当課・関連項目の所管課（{names or '未設定'}）の担当者または"
            f"{PLANNING_ONLY}のみが行えます"
        )
    return f"{what}は許可されていません"


def planning_refusal(tenant: Tenant, municipality_id: int, what: str) -> str | None:
    if tenant.role is None or not _same_municipality(tenant, municipality_id):
        return f"この団体の利用者として登録されていないため、{what}はできません"
    if tenant.is_planning:
        return None
    if tenant.role in READ_ONLY_ROLES:
        return f"{READ_ONLY_ROLES[tenant.role]}の役割は閲覧のみです。{what}はできません"
    return f"{what}は{PLANNING_ONLY}のみが行えます"


def can_edit(actor, indicator: Indicator) -> bool:
    return edit_refusal(tenant_of(actor, indicator.municipality), indicator) is None


def can_create(actor, plan: Plan) -> bool:
    return planning_refusal(tenant_of(actor, plan.municipality), plan.municipality_id, "指標の追加") is None


def require_edit(actor, indicator: Indicator, what: str = "この指標の編集") -> Tenant:
    tenant = tenant_of(actor, indicator.municipality)
    refusal = edit_refusal(tenant, indicator, what)
    if refusal:
        raise PermissionDenied(refusal)
    return tenant


def require_planning(actor, municipality, what: str) -> Tenant:
    tenant = tenant_of(actor, municipality)
    refusal = planning_refusal(tenant, municipality.pk, what)
    if refusal:
        raise PermissionDenied(refusal)
    return tenant
