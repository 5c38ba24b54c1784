"""The generated permission matrix: every action × every role × every door that exists for it.

An app declares its actions once, as :class:`Case` rows in its ``tests/test_permission_matrix.py``:
what the action is, which roles may do it, how to build the object it acts on (in a small world of
two municipalities), and how each door calls it — the action function itself, the screen (a POST
through Django's test client with a real session), the API (a bearer token), an importer row, a
command. :func:`matrix_params` expands the rows into tests and :func:`run_case` runs one: an allowed
call succeeds and writes; a refused call is refused (403, or 404 for another municipality's object,
the login page or 401 for an anonymous caller, ``PermissionDenied`` from the action) and leaves the
change log and the rows exactly as they were.

Roles (SPEC "Users and roles")::

    planning        the planning division of the municipality
    editor_owner    an editor of the 課 that owns the object
    editor_bureau   an editor of the 部 above that 課 (acts for its 課)
    editor_other    an editor of another 課
    executive       executives (read only)
    auditor         auditors (read only)
    other_planning  another municipality's planning division
    anonymous       nobody signed in
    system          a command (``Access.system``)

Adding an action adds its rows; ``core/tests/test_permission_matrix_coverage.py`` fails when a
registered action has none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ROLES = (
    "planning", "editor_owner", "editor_bureau", "editor_other", "executive", "auditor", "other_planning",
    "anonymous", "system",
)
WRITERS = frozenset({"planning", "editor_owner", "editor_bureau", "system"})
PLANNING = frozenset({"planning", "system"})
DOORS = ("action", "screen", "api", "importer", "command")
PASSWORD = "matrix-pass-1234"

_CASES: list[Case] = []


@dataclass
class World:
    """Two municipalities: ``municipality`` with 部 ``bureau`` → 課 ``owner`` (owns the objects) and
    another 課 ``other``; and ``foreign`` with its own planning user. ``users[role]`` for every role
    but anonymous and system; ``plan`` with the ◎○△× scale, a goal and two activities owned by
    ``owner``; ``indicator`` owned by ``owner``."""

    municipality: Any
    foreign: Any
    bureau: Any
    owner: Any
    other: Any
    users: dict[str, Any]
    plan: Any
    scale: Any
    goal: Any
    activity: Any
    activity2: Any
    indicator: Any
    extra: dict[str, Any] = field(default_factory=dict)

    def access(self, role: str):
        from shinchoku.core.access import Access

        if role == "system":
            return Access.system(name="matrix")
        if role == "anonymous":
            return Access.anonymous()
        return Access.for_user(self.users[role])

    def client(self, role: str):
        from django.test import Client

        client = Client()
        if role != "anonymous":
            assert client.login(username=self.users[role].username, password=PASSWORD)
        return client

    def token(self, role: str) -> str | None:
        if role == "anonymous":
            return None
        from shinchoku.reports.tokens import create_token

        return create_token(self.users[role], name="matrix")[1]


@dataclass
class Case:
    """One action's rows of the matrix.

    ``build(world)`` makes the object the action needs and returns it (any value, passed on).
    Each door is a callable or None: ``action(access, world, target)``; ``screen(client, world,
    target)`` returns the response of the page that performs it; ``api(client, token, world, target)``
    likewise; ``importer(access, world, target)`` imports a file carrying the write;
    ``command(world, target)`` runs the command (as the system). ``allowed`` is the set of roles that may. ``rows(world, target)`` returns
    a snapshot of the rows the action would change (compared before and after a refused call).
    ``writes``: an allowed call must leave a change-log row (False for actions that only send mail).
    """

    name: str
    allowed: frozenset[str]
    build: Callable[[World], Any]
    rows: Callable[[World, Any], Any]
    action: Callable[[Any, World, Any], Any] | None = None
    screen: Callable[[Any, World, Any], Any] | None = None
    api: Callable[[Any, str | None, World, Any], Any] | None = None
    importer: Callable[[Any, World, Any], Any] | None = None
    command: Callable[[World, Any], Any] | None = None
    writes: bool = True

    def __post_init__(self):
        _CASES.append(self)

    def doors(self) -> list[str]:
        return [d for d in DOORS if getattr(self, d) is not None]

    def __str__(self) -> str:
        return self.name


def declared_cases() -> list[Case]:
    return list(_CASES)


def matrix_params(cases: list[Case]):
    """pytest parameters (case, role, door) for every door of every case and every role it applies to."""
    import pytest

    params = []
    for case in cases:
        for door in case.doors():
            for role in ROLES:
                if door in ("screen", "api") and role == "system":
                    continue  # the system has no session or token
                if door == "command" and role != "system":
                    continue  # commands run as the system
                params.append(pytest.param(case, role, door, id=f"{case.name}-{door}-{role}"))
    return params


def _changelog_count() -> int:
    from shinchoku.core.models import ChangeLog

    return ChangeLog.objects.count()


def _http_refused(role: str, response) -> bool:
    outcome = response.get("X-Shinchoku-Outcome") if hasattr(response, "get") else None
    status = int(outcome) if outcome else response.status_code
    if role == "anonymous":
        if status == 401:
            return True
        return status == 302 and "/login/" in response.get("Location", "")
    return status in (403, 404)


def _http_ok(response) -> bool:
    outcome = response.get("X-Shinchoku-Outcome") if hasattr(response, "get") else None
    status = int(outcome) if outcome else response.status_code
    if status == 302 and "/login/" in response.get("Location", ""):
        return False
    return status < 400


def run_case(world: World, case: Case, role: str, door: str) -> None:
    """Run one cell of the matrix and check its outcome (see the module docstring)."""
    from django.core.exceptions import PermissionDenied

    target = case.build(world)
    client = world.client(role) if door in ("screen", "api") else None
    token = world.token(role) if door == "api" else None
    before_rows = case.rows(world, target)
    before_log = _changelog_count()
    allowed = role in case.allowed
    if door in ("action", "importer"):
        call = getattr(case, door)
        if allowed:
            call(world.access(role), world, target)
        else:
            try:
                call(world.access(role), world, target)
            except PermissionDenied:
                pass
            else:
                raise AssertionError(f"{case.name} via {door} was not refused for {role}")
    elif door == "command":
        case.command(world, target)
    else:
        if door == "screen":
            response = case.screen(client, world, target)
        else:
            response = case.api(client, token, world, target)
        body = response.content.decode(errors="replace")[:400]
        if allowed:
            assert _http_ok(response), f"{case.name} via {door} refused for {role}: {response.status_code} {body}"
        else:
            assert _http_refused(role, response), f"{case.name} via {door} not refused for {role}: {response.status_code} {body}"
    if allowed:
        if case.writes:
            assert _changelog_count() > before_log, f"{case.name} via {door} as {role} wrote no change-log row"
    else:
        assert case.rows(world, target) == before_rows, f"{case.name} via {door}: rows changed for refused {role}"
        assert _changelog_count() == before_log, f"{case.name} via {door}: change log written for refused {role}"


def build_world() -> World:
    """The matrix's world (see :class:`World`), written directly: tests may, the product may not."""
    from django.contrib.auth import get_user_model

    from shinchoku.core.models import Department, Membership, Municipality, Role
    from shinchoku.indicators.models import Indicator
    from shinchoku.plans.models import NodeDepartment, Plan, PlanNode, StatusScale, StatusSymbol

    User = get_user_model()
    municipality = Municipality.objects.create(code="990019", name="試験市")
    foreign = Municipality.objects.create(code="990027", name="隣接町")
    bureau = Department.objects.create(municipality=municipality, name="総務部", kind=Department.Kind.BUREAU)
    owner = Department.objects.create(municipality=municipality, name="情報政策課", parent=bureau, email="joho@example.invalid")
    other = Department.objects.create(municipality=municipality, name="子育て支援課", email="kosodate@example.invalid")
    foreign_department = Department.objects.create(municipality=foreign, name="企画課")

    def user(name: str, town, role: str, departments=()):
        u = User.objects.create_user(username=f"m-{name}", password=PASSWORD, email=f"{name}@example.invalid")
        membership = Membership.objects.create(user=u, municipality=town, role=role)
        membership.departments.set(departments)
        return u

    users = {
        "planning": user("planning", municipality, Role.PLANNING),
        "editor_owner": user("owner", municipality, Role.DEPARTMENT_EDITOR, [owner]),
        "editor_bureau": user("bureau", municipality, Role.DEPARTMENT_EDITOR, [bureau]),
        "editor_other": user("other", municipality, Role.DEPARTMENT_EDITOR, [other]),
        "executive": user("executive", municipality, Role.EXECUTIVE),
        "auditor": user("auditor", municipality, Role.AUDITOR),
        "other_planning": user("foreign", foreign, Role.PLANNING, [foreign_department]),
    }
    scale = StatusScale.objects.create(municipality=municipality, name="4段階")
    for order, (symbol, category) in enumerate((("◎", "ahead"), ("○", "on_plan"), ("△", "late"), ("×", "not_started"))):
        StatusSymbol.objects.create(municipality=municipality, scale=scale, symbol=symbol, meaning=symbol,
                                    category=category, order=order)
    plan = Plan.objects.create(municipality=municipality, name="試験市DX推進計画", period_start=2024, period_end=2027,
                               status_scale=scale, level_names=["目標", "事業"])
    goal = PlanNode.objects.create(municipality=municipality, plan=plan, code="1", title="目標1", depth=0, order=1, path="00001")
    activity = PlanNode.objects.create(municipality=municipality, plan=plan, parent=goal, code="1-1", title="電子申請の拡大",
                                       depth=1, order=1, path="00001.00001")
    activity2 = PlanNode.objects.create(municipality=municipality, plan=plan, parent=goal, code="1-2", title="窓口の予約",
                                        depth=1, order=2, path="00001.00002")
    for node in (activity, activity2):
        NodeDepartment.objects.create(municipality=municipality, node=node, department=owner)
    indicator = Indicator.objects.create(municipality=municipality, plan=plan, code="KPI-1", name="電子申請の件数",
                                         unit="件", direction="higher", owner=owner, baseline_year=2024,
                                         final_target_year=2027)
    return World(municipality, foreign, bureau, owner, other, users, plan, scale, goal, activity, activity2, indicator,
                 extra={"foreign_department": foreign_department})
