"""Read side of survey rounds: which activities and indicators a department answers for, the
department form, the dashboard counts and the review list.

Every function runs a fixed number of queries whatever the plan's size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from shinchoku.core.models import Department
from shinchoku.indicators.models import Indicator, IndicatorValue
from shinchoku.plans.models import NodeDepartment, PlanNode, ProgressEntry
from shinchoku.rounds.models import (
    NOT_STARTED,
    STATE_LABELS,
    STATE_ORDER,
    Round,
    RoundAnswer,
    RoundIndicatorActual,
)


@dataclass(frozen=True)
class Owner:
    id: int
    name: str


@dataclass
class PlanOwnership:
    """The plan's answerable activities and indicators with the departments that own them."""

    nodes: list[PlanNode]  # activities with an official-progress slot, in plan order
    node_owners: dict[int, list[Owner]]
    indicators: list[Indicator]
    indicator_owners: dict[int, list[Owner]]

    def node_ids_of(self, department_id: int) -> list[int]:
        return [n.pk for n in self.nodes if any(o.id == department_id for o in self.node_owners.get(n.pk, []))]

    def indicator_ids_of(self, department_id: int) -> list[int]:
        return [i.pk for i in self.indicators if any(o.id == department_id for o in self.indicator_owners.get(i.pk, []))]

    def departments(self) -> list[Owner]:
        """Every department that answers in this plan's rounds, by name."""
        seen: dict[int, Owner] = {}
        for owners in list(self.node_owners.values()) + list(self.indicator_owners.values()):
            for o in owners:
                seen.setdefault(o.id, o)
        return sorted(seen.values(), key=lambda o: o.name)


def plan_ownership(plan) -> PlanOwnership:
    nodes = list(PlanNode.objects.filter(plan=plan).order_by("path"))
    by_id = {n.pk: n for n in nodes}
    has_children = {n.parent_id for n in nodes if n.parent_id}
    for n in nodes:
        if n.parent_id:
            n.parent = by_id[n.parent_id]
    direct: dict[int, list[Owner]] = defaultdict(list)
    for node_id, dep_id, name in (
        NodeDepartment.objects.filter(node__plan=plan).order_by("node_id", "order").values_list("node_id", "department_id", "department__name")
    ):
        direct[node_id].append(Owner(dep_id, name))
    answerable = [n for n in nodes if n.pk not in has_children and n.relisted_from_id is None]

    def owners_of_any(node_id: int) -> list[Owner]:
        """A linked node's owners: its own, a 再掲 row's original's, or (an initiative) its activities'."""
        node = by_id.get(node_id)
        if node is None:
            return []
        if node.relisted_from_id:
            return owners_of_any(node.relisted_from_id)
        if direct.get(node_id):
            return direct[node_id]
        prefix = node.path + "."
        found: dict[int, Owner] = {}
        for other in nodes:
            if other.path.startswith(prefix):
                for o in direct.get(other.pk, []):
                    found.setdefault(o.id, o)
        return list(found.values())

    indicators = list(Indicator.objects.filter(plan=plan).select_related("owner").order_by("order", "code"))
    links: dict[int, list[int]] = defaultdict(list)
    for ind_id, node_id in Indicator.nodes.through.objects.filter(indicator__plan=plan).values_list("indicator_id", "plannode_id"):
        links[ind_id].append(node_id)
    indicator_owners: dict[int, list[Owner]] = {}
    for ind in indicators:
        found: dict[int, Owner] = {}
        if ind.owner_id:
            found[ind.owner_id] = Owner(ind.owner_id, ind.owner.name)
        for node_id in links.get(ind.pk, []):
            for o in owners_of_any(node_id):
                found.setdefault(o.id, o)
        indicator_owners[ind.pk] = list(found.values())
    return PlanOwnership(answerable, {n.pk: direct.get(n.pk, []) for n in answerable}, indicators, indicator_owners)


def node_owner_ids(node: PlanNode) -> set[int]:
    return set(NodeDepartment.objects.filter(node=node).values_list("department_id", flat=True))


def indicator_owner_ids(indicator: Indicator) -> set[int]:
    """Indicator.owner plus the departments of its linked nodes (see :func:`plan_ownership`)."""
    if indicator.plan_id is None:
        return {indicator.owner_id} if indicator.owner_id else set()
    return {o.id for o in plan_ownership(indicator.plan).indicator_owners.get(indicator.pk, [])}


# --- counts ------------------------------------------------------------------------------------


def _state_of(item) -> str:
    return item.state if item is not None else NOT_STARTED


@dataclass
class StateCounts:
    total: int = 0
    counts: dict[str, int] = field(default_factory=lambda: {s: 0 for s in STATE_ORDER})

    def add(self, state: str) -> None:
        self.total += 1
        self.counts[state] += 1

    def percent(self, state: str) -> float:
        return round(100.0 * self.counts[state] / self.total, 1) if self.total else 0.0

    @property
    def cells(self) -> list[tuple[str, str, int, float]]:
        """(state, label, count, percent) in display order."""
        return [(s, STATE_LABELS[s], self.counts[s], self.percent(s)) for s in STATE_ORDER]

    @property
    def done(self) -> int:
        """Answered: submitted or approved."""
        return self.counts["submitted"] + self.counts["approved"]

    @property
    def done_percent(self) -> float:
        return round(100.0 * self.done / self.total, 1) if self.total else 0.0

    @property
    def not_approved(self) -> int:
        return self.total - self.counts["approved"]

    @property
    def answered(self) -> bool:
        return self.total > 0 and self.done == self.total

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            "counts": dict(self.counts),
            "percent": {s: self.percent(s) for s in STATE_ORDER},
            "answered": self.answered,
        }


@dataclass
class DepartmentRow:
    department: Owner
    answers: StateCounts
    actuals: StateCounts


@dataclass
class Dashboard:
    round: Round
    rows: list[DepartmentRow]
    answers: StateCounts  # every answerable activity once (co-owned rows are not double counted)
    actuals: StateCounts
    unassigned_indicators: int

    @property
    def departments_answered(self) -> int:
        return sum(1 for r in self.rows if r.answers.answered and (r.actuals.total == 0 or r.actuals.answered))

    def as_dict(self) -> dict:
        r = self.round
        return {
            "round": {
                "id": r.pk, "title": r.display_title, "plan_id": r.plan_id, "plan": r.plan.name,
                "fiscal_year": r.fiscal_year, "fiscal_year_label": r.fiscal_year_label,
                "deadline": r.deadline.isoformat(), "state": r.state,
            },
            "states": {s: STATE_LABELS[s] for s in STATE_ORDER},
            "answers": self.answers.as_dict(),
            "indicator_actuals": self.actuals.as_dict(),
            "unassigned_indicators": self.unassigned_indicators,
            "departments_total": len(self.rows),
            "departments_answered": self.departments_answered,
            "departments": [
                {"id": row.department.id, "name": row.department.name, **row.answers.as_dict(),
                 "indicator_actuals": row.actuals.as_dict()}
                for row in self.rows
            ],
        }


def dashboard(round: Round, ownership: PlanOwnership | None = None) -> Dashboard:
    ownership = ownership or plan_ownership(round.plan)
    answer_state = dict(RoundAnswer.objects.filter(round=round).values_list("node_id", "state"))
    actual_state = dict(RoundIndicatorActual.objects.filter(round=round).values_list("indicator_id", "state"))
    total_answers, total_actuals = StateCounts(), StateCounts()
    per_dep: dict[int, DepartmentRow] = {}
    for dep in ownership.departments():
        per_dep[dep.id] = DepartmentRow(dep, StateCounts(), StateCounts())
    for node in ownership.nodes:
        state = answer_state.get(node.pk, NOT_STARTED)
        total_answers.add(state)
        for o in ownership.node_owners.get(node.pk, []):
            per_dep[o.id].answers.add(state)
    unassigned = 0
    for ind in ownership.indicators:
        state = actual_state.get(ind.pk, NOT_STARTED)
        total_actuals.add(state)
        owners = ownership.indicator_owners.get(ind.pk, [])
        if not owners:
            unassigned += 1
        for o in owners:
            per_dep[o.id].actuals.add(state)
    return Dashboard(round, list(per_dep.values()), total_answers, total_actuals, unassigned)


# --- the department form -----------------------------------------------------------------------


@dataclass
class AnswerRow:
    node: PlanNode
    owners: list[Owner]
    answer: RoundAnswer | None
    previous: ProgressEntry | None  # the official answer of the year before, for reference

    @property
    def state(self) -> str:
        return _state_of(self.answer)

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def version(self) -> int:
        return self.answer.version if self.answer is not None else 0


@dataclass
class ActualRow:
    indicator: Indicator
    owners: list[Owner]
    actual: RoundIndicatorActual | None
    previous: IndicatorValue | None  # last year's actual
    target: IndicatorValue | None  # this year's target, if any

    @property
    def state(self) -> str:
        return _state_of(self.actual)

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def version(self) -> int:
        return self.actual.version if self.actual is not None else 0


@dataclass
class AnswerGroup:
    parent: PlanNode | None
    rows: list[AnswerRow] = field(default_factory=list)


@dataclass
class DepartmentForm:
    round: Round
    department: Department | None
    groups: list[AnswerGroup]
    actual_rows: list[ActualRow]
    counts: StateCounts
    actual_counts: StateCounts

    @property
    def rows(self) -> list[AnswerRow]:
        return [r for g in self.groups for r in g.rows]


def answer_rows(round: Round, node_ids: Iterable[int], ownership: PlanOwnership) -> list[AnswerRow]:
    wanted = list(node_ids)
    wanted_set = set(wanted)
    nodes = [n for n in ownership.nodes if n.pk in wanted_set]
    answers = {
        a.node_id: a
        for a in RoundAnswer.objects.filter(round=round, node_id__in=wanted_set).select_related(
            "status", "submitted_by", "approved_by", "returned_by", "updated_by"
        )
    }
    for a in answers.values():
        a.round = round
    previous = {
        e.node_id: e
        for e in ProgressEntry.objects.filter(node_id__in=wanted_set, fiscal_year=round.fiscal_year - 1).select_related("status")
    }
    node_by_id = {n.pk: n for n in nodes}
    for a in answers.values():
        a.node = node_by_id[a.node_id]
    return [AnswerRow(n, ownership.node_owners.get(n.pk, []), answers.get(n.pk), previous.get(n.pk)) for n in nodes]


def actual_rows(round: Round, indicator_ids: Iterable[int], ownership: PlanOwnership) -> list[ActualRow]:
    wanted_set = set(indicator_ids)
    indicators = [i for i in ownership.indicators if i.pk in wanted_set]
    actuals = {a.indicator_id: a for a in RoundIndicatorActual.objects.filter(round=round, indicator_id__in=wanted_set)}
    by_id = {i.pk: i for i in indicators}
    for a in actuals.values():
        a.round = round
        a.indicator = by_id[a.indicator_id]
    previous, targets = {}, {}
    for v in IndicatorValue.objects.filter(
        indicator_id__in=wanted_set, fiscal_year__in=[round.fiscal_year - 1, round.fiscal_year]
    ):
        if v.kind == IndicatorValue.Kind.ACTUAL and v.fiscal_year == round.fiscal_year - 1:
            previous[v.indicator_id] = v
        elif v.kind == IndicatorValue.Kind.TARGET and v.fiscal_year == round.fiscal_year:
            targets[v.indicator_id] = v
    return [
        ActualRow(i, ownership.indicator_owners.get(i.pk, []), actuals.get(i.pk), previous.get(i.pk), targets.get(i.pk))
        for i in indicators
    ]


def group_rows(rows: list[AnswerRow]) -> list[AnswerGroup]:
    groups: list[AnswerGroup] = []
    for row in rows:
        parent = row.node.parent if row.node.parent_id else None
        if not groups or groups[-1].parent != parent:
            groups.append(AnswerGroup(parent))
        groups[-1].rows.append(row)
    return groups


def department_form(round: Round, department: Department, ownership: PlanOwnership | None = None) -> DepartmentForm:
    ownership = ownership or plan_ownership(round.plan)
    rows = answer_rows(round, ownership.node_ids_of(department.pk), ownership)
    actuals = actual_rows(round, ownership.indicator_ids_of(department.pk), ownership)
    counts, actual_counts = StateCounts(), StateCounts()
    for r in rows:
        counts.add(r.state)
    for r in actuals:
        actual_counts.add(r.state)
    return DepartmentForm(round, department, group_rows(rows), actuals, counts, actual_counts)


def unassigned_indicator_ids(ownership: PlanOwnership) -> list[int]:
    return [i.pk for i in ownership.indicators if not ownership.indicator_owners.get(i.pk)]
