"""Who may change an indicator — checked by the services (every write), asked by the views (buttons).

Rules (SPEC "Users and roles": the planning division "defines plans, indicators"; a department
editor "fills in … indicator actuals"; the same wording as the audits and procedures apps):

- the planning division (企画・DX推進課, role ``planning``; a superuser without a membership acts as
  planning) does everything: it adds indicators, changes their definition (name, kind, unit,
  direction, definition, data source, baseline year and value, final target year, cumulative
  start, reference amounts 基準量, owner, linked nodes, group), registers and removes definition
  changes, and enters and clears every value — 実績, 見込み *and* 目標;
- a department editor (``editor``) enters and clears only the 実績 (actual) and 見込み (estimate)
  values of an indicator it answers for: the indicator's owner (担当課) is one of the editor's
  departments, or the indicator is linked to a plan node one of them owns (a re-listed node 再掲
  counts with its original's departments). A department covers the departments below it
  (部 → 課 → 係). It may not set or clear a 目標 (target) value, change the definition or the
  definition changes, nor add an indicator: targets, direction, baseline and the rest decide the
  grade, and a department must not set the bar it is judged against;
- executives and auditors read only;
- nobody changes another municipality's indicator (the views answer 404 before asking).

Every refusal is a :class:`django.core.exceptions.PermissionDenied` whose message says what was
refused and who may do it (e.g. 「目標値の入力は企画・DX推進課（計画管理者）のみが行えます」).

``actor`` is a :class:`~shinchoku.core.tenancy.Tenant` (what a view has) or a user (commands, the
shell, tests); there is no anonymous "system" actor here — importers write through
``services.set_indicator_value`` directly.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from shinchoku.core.models import Department, Role
from shinchoku.core.permissions import READ_ONLY_ROLES, covered_department_ids
from shinchoku.core.tenancy import Tenant, tenant_for_user
from shinchoku.indicators.models import Indicator, IndicatorValue
from shinchoku.plans.models import NodeDepartment, Plan

PLANNING_ONLY = "企画・DX推進課（計画管理者）"
EDITOR_HINT = "所管課の担当者が入力できるのは、担当する指標の実績・見込みの値です"


def tenant_of(actor, municipality=None) -> Tenant:
    """The tenant ``actor`` acts as (a Tenant passes through; a user is looked up)."""
    if isinstance(actor, Tenant):
        return actor
    return tenant_for_user(actor, municipality)


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
    """Why ``tenant`` may not enter ``indicator``'s 実績・見込み (Japanese), or None when it may.

    Planning, or an editor who answers for the indicator. The definition and the targets need
    :func:`definition_refusal` / :func:`value_refusal` as well.
    """
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


def planning_refusal(tenant: Tenant, municipality_id: int, what: str, *, hint: str = "") -> str | None:
    """Why ``tenant`` may not do a planning-only ``what`` (Japanese), or None when it may."""
    if tenant.role is None or not _same_municipality(tenant, municipality_id):
        return f"この団体の利用者として登録されていないため、{what}はできません"
    if tenant.is_planning:
        return None
    if tenant.role in READ_ONLY_ROLES:
        return f"{READ_ONLY_ROLES[tenant.role]}の役割は閲覧のみです。{what}はできません"
    return f"{what}は{PLANNING_ONLY}のみが行えます" + (f"（{hint}）" if hint else "")


def definition_refusal(tenant: Tenant, indicator: Indicator, what: str = "指標の定義の変更") -> str | None:
    """Why ``tenant`` may not change the definition (or the definition changes) of ``indicator``."""
    return planning_refusal(tenant, indicator.municipality_id, what, hint=EDITOR_HINT)


def value_action(kind: str, verb: str = "入力") -> str:
    """What a refusal names: 「目標値の入力」「実績値の削除」… (「指標の値の入力」 for an unknown kind)."""
    if kind in IndicatorValue.Kind.values:
        return f"{IndicatorValue.Kind(kind).label}値の{verb}"
    return f"指標の値の{verb}"


def value_refusal(tenant: Tenant, indicator: Indicator, kind: str, what: str | None = None) -> str | None:
    """Why ``tenant`` may not enter (or clear) the ``kind`` value of ``indicator``, or None.

    実績・見込み: planning, or an editor who answers for the indicator. 目標: planning only.
    An unknown kind is judged as a value entry (the service then rejects the kind itself).
    """
    what = what or value_action(kind)
    if kind == IndicatorValue.Kind.TARGET:
        return planning_refusal(tenant, indicator.municipality_id, what, hint=EDITOR_HINT)
    return edit_refusal(tenant, indicator, what)


def can_edit(actor, indicator: Indicator) -> bool:
    """May open the values grid and enter 実績・見込み (planning, or an editor who answers for it)."""
    return edit_refusal(tenant_of(actor, indicator.municipality), indicator) is None


def can_define(actor, indicator: Indicator) -> bool:
    """May change the definition and definition changes, and enter 目標 (planning only)."""
    return definition_refusal(tenant_of(actor, indicator.municipality), indicator) is None


def editable_kinds(actor, indicator: Indicator) -> tuple[str, ...]:
    """The value kinds ``actor`` may enter for ``indicator`` (in the grid's order), () when none."""
    tenant = tenant_of(actor, indicator.municipality)
    return tuple(
        kind for kind in (IndicatorValue.Kind.ACTUAL, IndicatorValue.Kind.TARGET, IndicatorValue.Kind.ESTIMATE)
        if value_refusal(tenant, indicator, kind) is None
    )


def can_create(actor, plan: Plan) -> bool:
    return planning_refusal(tenant_of(actor, plan.municipality), plan.municipality_id, "指標の追加") is None


def require_edit(actor, indicator: Indicator, what: str = "この指標の編集") -> Tenant:
    tenant = tenant_of(actor, indicator.municipality)
    refusal = edit_refusal(tenant, indicator, what)
    if refusal:
        raise PermissionDenied(refusal)
    return tenant


def require_define(actor, indicator: Indicator, what: str = "指標の定義の変更") -> Tenant:
    tenant = tenant_of(actor, indicator.municipality)
    refusal = definition_refusal(tenant, indicator, what)
    if refusal:
        raise PermissionDenied(refusal)
    return tenant


def require_value(actor, indicator: Indicator, kind: str, what: str | None = None) -> Tenant:
    tenant = tenant_of(actor, indicator.municipality)
    refusal = value_refusal(tenant, indicator, kind, what)
    if refusal:
        raise PermissionDenied(refusal)
    return tenant


def require_planning(actor, municipality, what: str) -> Tenant:
    tenant = tenant_of(actor, municipality)
    refusal = planning_refusal(tenant, municipality.pk, what)
    if refusal:
        raise PermissionDenied(refusal)
    return tenant
