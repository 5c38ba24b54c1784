"""The API of audit findings — 監査の指摘・意見 — mounted by ``shinchoku/api.py``. Read only.

Findings are internal records: only a member of the municipality reads them (no token: 401; a token of
a user of no municipality: 403), and only the municipality's own. The state shown is the official one
(the latest approved response, 措置状況); unapproved responses stay off the API.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Literal

from django.db.models import OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from ninja import Query, Router, Schema
from pydantic import Field

from shinchoku.audits.models import Finding, Response
from shinchoku.core.access import Access
from shinchoku.core.apikit import (
    READ_ERRORS,
    DepartmentRef,
    Id,
    Page,
    Year,
    id_path,
    id_query,
    limit_query,
    member,
    offset_query,
    one,
    page,
    year_query,
)

# --------------------------------------------------------------------------- scope


def _official_state():
    latest = Response.objects.filter(finding=OuterRef("pk"), review=Response.Review.APPROVED).order_by("-date", "-id")
    return Coalesce(Subquery(latest.values("state")[:1]), Value("none"))


def finding_scope(access: Access) -> QuerySet[Finding]:
    return (
        Finding.objects.filter(municipality_id=access.municipality_id)
        .select_related("audit").annotate(official_state=_official_state())
    )


# --------------------------------------------------------------------------- schemas


class AuditRef(Schema):
    id: int
    kind: str
    fiscal_year: int
    theme: str


class ResponseOut(Schema):
    id: int
    date: dt.date
    state: str
    text: str
    department_id: int | None


class FindingOut(Schema):
    id: int
    audit: AuditRef
    kind: str
    number: int
    label: str
    title: str
    departments: list[DepartmentRef]
    department_text: str
    page: int | None
    state: Literal["none", "in_progress", "done"] = Field(description="措置状況（承認済の最新の措置）")


class FindingDetailOut(FindingOut):
    summary: str
    responses: list[ResponseOut] = Field(description="承認済の措置（古い順）")


class FindingPage(Page):
    items: list[FindingOut]


# --------------------------------------------------------------------------- operations

router = Router(tags=["監査の指摘・意見"])
READING = "監査の指摘・意見の閲覧"


def _finding_dicts(rows: list[Finding]) -> list[dict]:
    ids = [f.pk for f in rows]
    departments: dict[int, list[dict]] = defaultdict(list)
    if ids:
        for finding_id, dep_id, name in (
            Finding.departments.through.objects.filter(finding_id__in=ids).order_by("finding_id", "department__name")
            .values_list("finding_id", "department_id", "department__name")
        ):
            departments[finding_id].append({"id": dep_id, "name": name})
    return [
        {
            "id": f.pk, "audit": {"id": f.audit.pk, "kind": f.audit.kind, "fiscal_year": f.audit.fiscal_year, "theme": f.audit.theme},
            "kind": f.kind, "number": f.number, "label": f.label, "title": f.title, "departments": departments.get(f.pk, []),
            "department_text": f.department_text, "page": f.page, "state": f.official_state,
        }
        for f in rows
    ]


@router.get("/findings", response={200: FindingPage, **READ_ERRORS}, summary="監査の指摘・意見の一覧（APIトークンが必要）")
def list_findings(
    request,
    fiscal_year: Year | None = year_query("監査の年度"),
    department: Id | None = id_query("対象の所管課ID"),
    status: Literal["none", "in_progress", "done"] | None = Query(None, description="措置状況（承認済の最新の措置）"),
    kind: Literal["shiteki", "iken"] | None = Query(None, description="指摘事項（shiteki）／意見事項（iken）"),
    limit: int = limit_query(),
    offset: int = offset_query(),
):
    qs = finding_scope(member(request, READING))
    if fiscal_year is not None:
        qs = qs.filter(audit__fiscal_year=fiscal_year)
    if department is not None:
        qs = qs.filter(pk__in=Finding.departments.through.objects.filter(department_id=department).values("finding_id"))
    if status is not None:
        qs = qs.filter(official_state=status)
    if kind is not None:
        qs = qs.filter(kind=kind)
    qs = qs.order_by("-audit__fiscal_year", "audit_id", "order", "kind", "number", "id")
    return page(qs, limit, offset, _finding_dicts)


@router.get("/findings/{finding_id}", response={200: FindingDetailOut, **READ_ERRORS}, summary="監査の指摘・意見（承認済の措置を含む）")
def get_finding(request, finding_id: Id = id_path()):
    finding = one(finding_scope(member(request, READING)), finding_id)
    out = _finding_dicts([finding])[0]
    out["summary"] = finding.summary
    out["responses"] = list(
        Response.objects.filter(finding=finding, review=Response.Review.APPROVED).order_by("date", "id")
        .values("id", "date", "state", "text", "department_id")
    )
    return out
