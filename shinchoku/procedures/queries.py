"""Read side of the online drive: online rates, the inventory list, progress against each quota.

Fixed query counts: the inventory is read once per page (a ward has a few hundred to a few
thousand procedures), the rules run in Python (:mod:`shinchoku.procedures.selection`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from shinchoku.core.models import Municipality
from shinchoku.procedures import selection as rules
from shinchoku.procedures.models import (
    DepartmentQuota,
    PeerAchievement,
    Procedure,
    SelectionItem,
    TargetSelection,
)
from shinchoku.procedures.services import procedure_data


def pct(rate: Decimal | None, places: int = 1) -> str:
    if rate is None:
        return "—"
    return f"{(rate * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)}%"


@dataclass
class RateRow:
    department: str
    rate: rules.OnlineRate

    @property
    def by_count(self) -> str:
        return pct(self.rate.rate_by_count)

    @property
    def by_volume(self) -> str:
        return pct(self.rate.rate_by_volume)

    def as_dict(self) -> dict:
        r = self.rate
        return {
            "department": self.department, "count_total": r.count_total, "count_online": r.count_online,
            "volume_total": r.volume_total, "volume_online": r.volume_online,
            "rate_by_count": str(r.rate_by_count) if r.rate_by_count is not None else None,
            "rate_by_volume": str(r.rate_by_volume) if r.rate_by_volume is not None else None,
            "rate_by_count_pct": self.by_count, "rate_by_volume_pct": self.by_volume,
        }


def procedures(municipality: Municipality):
    return Procedure.objects.filter(municipality=municipality).select_related("department")


def rates(municipality: Municipality) -> tuple[RateRow, list[RateRow]]:
    result = rules.online_rates(procedure_data(p) for p in procedures(municipality))
    return RateRow("全体", result.overall), [RateRow(d, r) for d, r in result.by_department.items()]


@dataclass
class QuotaRow:
    department_id: int
    department: str
    quota: int
    chosen: int
    done: int
    already_online: int
    swaps: int
    peers: list[tuple[str, int]] = field(default_factory=list)
    warning: rules.QuotaWarning | None = None

    @property
    def remaining(self) -> int:
        return max(self.quota - self.done, 0)

    @property
    def rate(self) -> Decimal | None:
        return Decimal(self.done) / Decimal(self.quota) if self.quota else None

    @property
    def rate_pct(self) -> str:
        return pct(self.rate)

    @property
    def bar(self) -> int:
        """Percent for the progress bar (0–100)."""
        return int((self.rate or 0) * 100)

    @property
    def planned_total(self) -> int:
        return self.already_online + self.quota

    def as_dict(self) -> dict:
        return {
            "department": self.department, "quota": self.quota, "chosen": self.chosen, "done": self.done,
            "remaining": self.remaining, "rate": str(self.rate) if self.rate is not None else None,
            "rate_pct": self.rate_pct, "already_online": self.already_online, "planned_total": self.planned_total,
            "swaps": self.swaps, "peers": [{"peer": p, "online_count": c} for p, c in self.peers],
            "warning": self.warning.message if self.warning else None,
        }


@dataclass
class ItemRow:
    item: SelectionItem
    procedure: Procedure

    @property
    def done(self) -> bool:
        return self.procedure.online


@dataclass
class SelectionDashboard:
    selection: TargetSelection
    rows: list[QuotaRow]
    items_by_department: dict[int, list[ItemRow]]
    online_now: int
    warnings: list[rules.QuotaWarning]

    @property
    def quota_total(self) -> int:
        return sum(r.quota for r in self.rows)

    @property
    def done_total(self) -> int:
        return sum(r.done for r in self.rows)

    @property
    def remaining_total(self) -> int:
        return sum(r.remaining for r in self.rows)

    @property
    def progress_pct(self) -> str:
        return pct(Decimal(self.done_total) / Decimal(self.quota_total)) if self.quota_total else "—"

    @property
    def target_gap(self) -> int | None:
        t = self.selection.target_total
        return None if t is None else max(t - self.online_now, 0)

    def as_dict(self) -> dict:
        s = self.selection
        return {
            "selection": {
                "id": s.pk, "name": s.name, "fiscal_year": s.fiscal_year, "n": s.n, "target_total": s.target_total,
                "already_online": s.already_online, "needed_for_target": s.needed_for_target,
                "eligible_count": s.eligible_count, "blocked_count": s.blocked_count,
                "not_online_count": s.not_online_count, "shortfall": s.shortfall, "notes": s.notes,
            },
            "online_now": self.online_now,
            "target_gap": self.target_gap,
            "quota_total": self.quota_total,
            "done_total": self.done_total,
            "remaining_total": self.remaining_total,
            "departments": [r.as_dict() for r in self.rows],
            "warnings": [w.message for w in self.warnings],
        }


def peer_figures(municipality: Municipality) -> dict[str, list[tuple[str, int]]]:
    out: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for dept, peer, count in PeerAchievement.objects.filter(municipality=municipality).values_list(
        "department__name", "peer", "online_count"
    ).order_by("department__name", "peer"):
        out[dept].append((peer, count))
    return dict(out)


def dashboard(selection: TargetSelection) -> SelectionDashboard:
    """Progress of each department against its quota, with the far-above-peers warnings."""
    items = list(
        selection.items.select_related("procedure", "procedure__department", "department").order_by("rank")
    )
    quotas = list(DepartmentQuota.objects.filter(selection=selection).select_related("department"))
    swaps: dict[int, int] = defaultdict(int)
    for dept_id in selection.swaps.values_list("department_id", flat=True):
        swaps[dept_id] += 1
    by_dept: dict[int, list[ItemRow]] = defaultdict(list)
    for item in items:
        by_dept[item.procedure.department_id].append(ItemRow(item, item.procedure))
    peers = peer_figures(selection.municipality)
    warnings = rules.quota_warnings(
        {q.department.name: q.quota for q in quotas},
        {d: [c for _, c in v] for d, v in peers.items()},
        already_online={q.department.name: q.already_online for q in quotas},
        factor=selection.factor,
    )
    warning_by_dept = {w.department: w for w in warnings}
    rows = []
    for q in quotas:
        chosen = by_dept.get(q.department_id, [])
        rows.append(QuotaRow(
            department_id=q.department_id, department=q.department.name, quota=q.quota, chosen=len(chosen),
            done=sum(1 for r in chosen if r.done), already_online=q.already_online, swaps=swaps.get(q.department_id, 0),
            peers=peers.get(q.department.name, []), warning=warning_by_dept.get(q.department.name),
        ))
    rows.sort(key=lambda r: (-r.quota, r.department))
    online_now = Procedure.objects.filter(municipality_id=selection.municipality_id, online=True).count()
    return SelectionDashboard(selection, rows, dict(by_dept), online_now, warnings)


def swap_candidates(selection: TargetSelection, department_id: int) -> list[Procedure]:
    """Procedures of the department that could be swapped in: not online, no blocker, not chosen."""
    chosen = selection.items.values_list("procedure_id", flat=True)
    return [
        p for p in Procedure.objects.filter(
            municipality_id=selection.municipality_id, department_id=department_id, online=False
        ).exclude(pk__in=chosen).order_by("-yearly_volume", "name", "key")
        if not p.blockers
    ]
