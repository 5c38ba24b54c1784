"""``shinchoku load-demo``: the seed documents imported through the real importers, plus demo users.

Idempotent: running it again re-imports (which changes nothing) and keeps the users.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from shinchoku.core.access import Access
from shinchoku.core.changelog import acting_as
from shinchoku.core.importing import get_importer
from shinchoku.core.models import Department, Membership, Municipality, Role
from shinchoku.demo import KOTO_AUDIT, NAKANO_PROGRESS
from shinchoku.demo.arakawa import load_evaluation_demo
from shinchoku.demo.toshima import load_toshima_meeting

ADMIN_PASSWORD = "shinchoku-admin"
DEMO_PASSWORD = "shinchoku-demo"


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    departments: tuple[str, ...] = ()
    superuser: bool = False


NAKANO_USERS = (
    DemoUser("admin", Role.PLANNING, superuser=True),
    DemoUser("planning", Role.PLANNING),
    DemoUser("digital", Role.DEPARTMENT_EDITOR, ("デジタル政策課",)),
    DemoUser("koseki", Role.DEPARTMENT_EDITOR, ("戸籍住民課",)),
    DemoUser("shokuin", Role.DEPARTMENT_EDITOR, ("職員課",)),
    DemoUser("executive", Role.EXECUTIVE),
    DemoUser("auditor", Role.AUDITOR),
)


def ensure_users(municipality: Municipality, users=NAKANO_USERS) -> None:
    User = get_user_model()
    for spec in users:
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = User.objects.create_user(
                spec.username, f"{spec.username}@example.invalid",
                ADMIN_PASSWORD if spec.superuser else DEMO_PASSWORD,
            )
        if spec.superuser and not (user.is_superuser and user.is_staff):
            user.is_superuser = user.is_staff = True
            user.save()
        membership, _ = Membership.objects.get_or_create(user=user, defaults={"municipality": municipality, "role": spec.role})
        if spec.departments:
            membership.departments.set(Department.objects.filter(municipality=municipality, name__in=spec.departments))


def publish_plan(plan_id: int | None) -> None:
    """Mark the demo plan published, so that the public pages (/public/) and open data have content.

    The imported report is itself a published document (the ward's report to the council).
    """
    from shinchoku.plans.models import Plan

    plan = Plan.objects.filter(pk=plan_id).first()
    if plan is not None and not plan.is_published:
        plan.is_published = True
        plan.save(update_fields=["is_published"])


def load_all(stdout=None) -> dict:
    summary = {}
    with acting_as(None, name="shinchoku load-demo"):
        result = get_importer("nakano-progress").run(str(NAKANO_PROGRESS), access=Access.system(), dry_run=False, options={})
        summary["nakano-progress"] = result
        with transaction.atomic():
            ensure_users(Municipality.objects.get(code="131148"))
            publish_plan(result.plan_id)
        summary["toshima-meeting"] = load_toshima_meeting()
        summary["koto-audit-findings"] = get_importer("koto-audit-findings").run(str(KOTO_AUDIT), access=Access.system(), dry_run=False, options={})
        summary.update(load_evaluation_demo())  # Arakawa sheets (arakawa-sheet importer) and Koto effects
    if stdout is not None:
        for kind, res in summary.items():
            plan = f"計画ID {res.plan_id} " if res.plan_id is not None else ""
            stdout.write(f"デモデータ {kind}: {plan}作成 {res.created or '-'} 更新 {res.updated or '-'}\n")
    return summary
