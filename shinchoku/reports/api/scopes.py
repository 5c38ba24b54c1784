"""What each caller may read and write through the API — always within one municipality.

Readers
    *public* (no token, or a user without a membership): published plans (``Plan.is_published``),
    their items, approved progress entries only, their indicators and values, the municipalities
    and departments that appear in them; no audit findings.
    *member* (token of a user with a membership): everything of the user's municipality, except that
    a department editor sees other departments' entries only once approved (drafts, submitted and
    returned answers of other departments stay hidden, as on the screens) — plus, like anyone, the
    published data of other municipalities. Findings: the own municipality's only.

Writes go through the apps' actions, which ask the apps' rules (``plans.rules``, ``indicators.rules``).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from shinchoku.core.models import Department, Municipality
from shinchoku.indicators.models import Indicator, IndicatorValue
from shinchoku.plans.models import NodeDepartment, Plan, PlanNode, ProgressEntry
from shinchoku.reports.api.auth import Principal

APPROVED = ProgressEntry.State.APPROVED


def _public_plans():
    return Plan.objects.filter(is_published=True)


def plan_scope(who: Principal) -> QuerySet[Plan]:
    if who.is_member:
        return Plan.objects.filter(Q(municipality_id=who.municipality_id) | Q(is_published=True))
    return _public_plans()


def municipality_scope(who: Principal) -> QuerySet[Municipality]:
    public = Q(pk__in=_public_plans().values("municipality_id"))
    if who.is_member:
        return Municipality.objects.filter(Q(pk=who.municipality_id) | public)
    return Municipality.objects.filter(public)


def department_scope(who: Principal) -> QuerySet[Department]:
    public = Q(pk__in=NodeDepartment.objects.filter(node__plan__is_published=True).values("department_id"))
    if who.is_member:
        return Department.objects.filter(Q(municipality_id=who.municipality_id) | public)
    return Department.objects.filter(public)


def node_scope(who: Principal) -> QuerySet[PlanNode]:
    if who.is_member:
        return PlanNode.objects.filter(Q(municipality_id=who.municipality_id) | Q(plan__is_published=True))
    return PlanNode.objects.filter(plan__is_published=True)


def _own_nodes(who: Principal):
    return NodeDepartment.objects.filter(
        municipality_id=who.municipality_id, department_id__in=who.tenant.department_ids
    ).values("node_id")


def entry_scope(who: Principal) -> QuerySet[ProgressEntry]:
    public = Q(state=APPROVED, node__plan__is_published=True)
    if not who.is_member:
        return ProgressEntry.objects.filter(public)
    own = Q(municipality_id=who.municipality_id)
    if not who.tenant.can_read_all:
        own &= Q(state=APPROVED) | Q(node_id__in=_own_nodes(who))
    return ProgressEntry.objects.filter(own | public)


def indicator_scope(who: Principal) -> QuerySet[Indicator]:
    if who.is_member:
        return Indicator.objects.filter(Q(municipality_id=who.municipality_id) | Q(plan__is_published=True))
    return Indicator.objects.filter(plan__is_published=True)


def value_scope(who: Principal) -> QuerySet[IndicatorValue]:
    if who.is_member:
        return IndicatorValue.objects.filter(Q(municipality_id=who.municipality_id) | Q(indicator__plan__is_published=True))
    return IndicatorValue.objects.filter(indicator__plan__is_published=True)


def finding_scope(who: Principal):
    from shinchoku.audits.models import Finding

    who.require_member()
    return Finding.objects.filter(municipality_id=who.municipality_id)
