"""Read side of the audit register: finding rows with their state, the follow-up list (措置状況一覧).

Each function runs a fixed number of queries whatever the number of findings (responses and
departments are prefetched), so pages stay fast and the follow-up list of 1,000 findings is quick.

The *official* state of a finding — what the follow-up list publishes — is its latest approved
response (by 措置日, then entry order); without one it is 未措置. Answers waiting for approval are
counted separately and shown only to those who may see them (the planning division, auditors,
executives, and the editors of the finding's departments).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from django.db.models import Prefetch, QuerySet

from shinchoku.audits.models import Audit, Finding, Response, ResponseState
from shinchoku.core.fiscal import label as fy_label
from shinchoku.core.fiscal import to_wareki
from shinchoku.core.models import Municipality

STATE_ORDER = [ResponseState.NONE.label, ResponseState.IN_PROGRESS.label, ResponseState.DONE.label]


@dataclass
class FindingRow:
    finding: Finding
    audit: Audit
    label: str
    departments: list[str]
    official: Response | None  # latest approved response
    latest: Response | None  # latest response of any review state
    pending: int  # responses waiting for approval

    @property
    def state_label(self) -> str:
        return self.official.get_state_display() if self.official else ResponseState.NONE.label

    @property
    def state(self) -> str:
        return self.official.state if self.official else ResponseState.NONE.value

    @property
    def answered(self) -> bool:
        return self.latest is not None and self.latest.review != Response.Review.RETURNED


def findings_queryset(municipality: Municipality) -> QuerySet[Finding]:
    return (
        Finding.objects.filter(municipality=municipality)
        .select_related("audit")
        .prefetch_related(
            "departments",
            Prefetch("responses", queryset=Response.objects.order_by("date", "id").select_related("department")),
        )
        .order_by("-audit__fiscal_year", "audit_id", "order", "kind", "number")
    )


def finding_rows(findings: Iterable[Finding]) -> list[FindingRow]:
    rows = []
    for f in findings:
        responses = list(f.responses.all())
        approved = [r for r in responses if r.review == Response.Review.APPROVED]
        rows.append(FindingRow(
            finding=f,
            audit=f.audit,
            label=f.label,
            departments=[d.name for d in f.departments.all()],
            official=approved[-1] if approved else None,
            latest=responses[-1] if responses else None,
            pending=sum(1 for r in responses if r.review == Response.Review.SUBMITTED),
        ))
    return rows


def state_counts(rows: Iterable[FindingRow]) -> dict[str, int]:
    c = Counter(r.state_label for r in rows)
    return {s: c.get(s, 0) for s in STATE_ORDER}


def department_counts(rows: Iterable[FindingRow]) -> dict[str, int]:
    """Findings per department; a joint finding counts once for each department."""
    c: Counter[str] = Counter()
    for r in rows:
        for d in dict.fromkeys(r.departments):
            c[d] += 1
    return dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0])))


def audit_years(municipality: Municipality) -> list[int]:
    return sorted(set(Audit.objects.filter(municipality=municipality).values_list("fiscal_year", flat=True)), reverse=True)


# --------------------------------------------------------------------------- follow-up list


@dataclass
class FollowUpRow:
    no: int
    audit: str
    label: str
    kind: str
    number: int
    title: str
    summary: str
    departments: list[str]
    page: int | None
    state: str
    response: str
    response_date: dt.date | None
    approved_at: dt.date | None
    finding_id: int

    def as_dict(self) -> dict:
        d = asdict(self)
        d["response_date"] = self.response_date.isoformat() if self.response_date else None
        d["approved_at"] = self.approved_at.isoformat() if self.approved_at else None
        return d


@dataclass
class FollowUpReport:
    municipality: str
    fiscal_year: int | None
    title: str
    audits: list[str]
    as_of: dt.date
    rows: list[FollowUpRow] = field(default_factory=list)
    state_counts: dict[str, int] = field(default_factory=dict)
    department_counts: dict[str, int] = field(default_factory=dict)

    @property
    def several_audits(self) -> bool:
        return len(self.audits) > 1

    def as_dict(self) -> dict:
        return {
            "municipality": self.municipality,
            "fiscal_year": self.fiscal_year,
            "fiscal_year_label": fy_label(self.fiscal_year) if self.fiscal_year else None,
            "title": self.title,
            "audits": self.audits,
            "as_of": self.as_of.isoformat(),
            "several_audits": self.several_audits,
            "state_counts": self.state_counts,
            "department_counts": self.department_counts,
            "rows": [r.as_dict() for r in self.rows],
        }


def latest_audit_year(municipality: Municipality) -> int | None:
    years = audit_years(municipality)
    return years[0] if years else None


def follow_up_report(
    municipality: Municipality, fiscal_year: int | None = None, *, audit: Audit | None = None, as_of: dt.date | None = None,
) -> FollowUpReport:
    """措置状況一覧: the findings of the audits of ``fiscal_year`` (default: the latest audit year) or of
    one ``audit``, each with its official state, answer and dates."""
    from django.utils import timezone

    qs = findings_queryset(municipality).order_by("audit__kind", "audit_id", "order", "kind", "number")
    if audit is not None:
        qs = qs.filter(audit=audit)
        fiscal_year = audit.fiscal_year
    else:
        if fiscal_year is None:
            fiscal_year = latest_audit_year(municipality)
        qs = qs.filter(audit__fiscal_year=fiscal_year)
    rows = finding_rows(qs)
    audits = list(dict.fromkeys(str(r.audit) for r in rows))
    if audit is not None and not audits:
        audits = [str(audit)]
    if len(audits) == 1 and rows:
        a = rows[0].audit
        title = f"{to_wareki(a.fiscal_year)} {a.get_kind_display()} 指摘事項・意見事項 措置状況一覧"
    else:
        title = (f"{to_wareki(fiscal_year)} " if fiscal_year else "") + "監査の指摘事項・意見事項 措置状況一覧"
    report = FollowUpReport(
        municipality=municipality.name, fiscal_year=fiscal_year, title=title, audits=audits,
        as_of=as_of or timezone.localdate(),
    )
    for no, r in enumerate(rows, start=1):
        f = r.finding
        report.rows.append(FollowUpRow(
            no=no,
            audit=f"{r.audit.get_kind_display()}（{r.audit.theme}）",
            label=r.label,
            kind=f.get_kind_display(),
            number=f.number,
            title=f.title,
            summary=f.summary,
            departments=r.departments,
            page=f.page,
            state=r.state_label,
            response=r.official.text if r.official else "",
            response_date=r.official.date if r.official else None,
            approved_at=timezone.localtime(r.official.approved_at).date() if r.official and r.official.approved_at else None,
            finding_id=f.pk,
        ))
    report.state_counts = state_counts(rows)
    report.department_counts = department_counts(rows)
    return report
