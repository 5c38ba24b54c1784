"""Which municipality and role a request acts for.

A user belongs to one municipality through :class:`~shinchoku.core.models.Membership`. A superuser
without a membership (the operator of a shared service) acts for the municipality chosen in the
session, or the first one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shinchoku.core.models import Department, Membership, Municipality, Role


@dataclass
class Tenant:
    municipality: Municipality | None
    role: str | None
    department_ids: frozenset[int] = field(default_factory=frozenset)
    is_superuser: bool = False

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role in Role.values else ""

    @property
    def is_planning(self) -> bool:
        return self.is_superuser or self.role == Role.PLANNING

    @property
    def can_read_all(self) -> bool:
        return self.is_superuser or self.role in {Role.PLANNING, Role.AUDITOR, Role.EXECUTIVE}

    @property
    def is_editor(self) -> bool:
        return not self.is_superuser and self.role == Role.DEPARTMENT_EDITOR

    @property
    def is_auditor(self) -> bool:
        return not self.is_superuser and self.role == Role.AUDITOR

    @property
    def is_executive(self) -> bool:
        return not self.is_superuser and self.role == Role.EXECUTIVE

    def departments(self):
        return Department.objects.filter(pk__in=self.department_ids)


def tenant_for(request) -> Tenant:
    cached = getattr(request, "_shinchoku_tenant", None)
    if cached is not None:
        return cached
    user = request.user
    tenant = Tenant(None, None)
    if user.is_authenticated:
        chosen = request.session.get("municipality_id") if user.is_superuser else None
        municipality = Municipality.objects.filter(pk=chosen).first() if chosen else None
        if municipality is not None:
            # The operator of a shared service chose a municipality: act as its planning division.
            tenant = Tenant(municipality, Role.PLANNING, frozenset(), True)
        else:
            tenant = tenant_for_user(user)
    request._shinchoku_tenant = tenant
    return tenant


def tenant_for_user(user, municipality: Municipality | None = None) -> Tenant:
    """The tenant a user acts for outside a request (services, commands).

    A superuser acts as planning for ``municipality`` when one is given, else through its membership,
    else for the first municipality.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return Tenant(None, None)
    if user.is_superuser and municipality is not None:
        return Tenant(municipality, Role.PLANNING, frozenset(), True)
    membership = Membership.objects.filter(user=user).select_related("municipality").first()
    if membership is not None:
        return Tenant(
            membership.municipality,
            membership.role,
            frozenset(membership.departments.values_list("pk", flat=True)),
            user.is_superuser,
        )
    if user.is_superuser:
        return Tenant(municipality or Municipality.objects.order_by("pk").first(), Role.PLANNING, frozenset(), True)
    return Tenant(None, None)
