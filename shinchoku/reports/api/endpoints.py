"""API operations. Every read is scoped (:mod:`shinchoku.reports.api.scopes`) and runs a fixed number
of queries per page, whatever the page size; every write goes through the owning app's service
(``plans.actions.save_progress``, ``indicators.actions.save_value``), which ask the same rules as the
screens, and is attributed to the token's user in the change log.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Literal

from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from ninja import Path, Query, Router
from ninja.errors import HttpError

from shinchoku.core.access import Access
from shinchoku.core.changelog import acting_as
from shinchoku.indicators import actions as indicator_actions
from shinchoku.indicators.models import IndicatorValue
from shinchoku.plans import actions as plan_actions
from shinchoku.plans.models import NodeDepartment, Plan, ProgressEntry, StatusSymbol
from shinchoku.reports.api import schemas as s
from shinchoku.reports.api.auth import principal
from shinchoku.reports.api.scopes import (
    department_scope,
    entry_scope,
    finding_scope,
    indicator_scope,
    municipality_scope,
    node_scope,
    plan_scope,
    value_scope,
)

MAX_LIMIT = 500
MAX_OFFSET = 10_000_000

Id = int
Year = int


def _id(description: str = "ID"):
    return Path(..., ge=1, le=s.MAX_ID, description=description)


def _opt_id(description: str):
    return Query(None, ge=1, le=s.MAX_ID, description=description)


def _year(description: str = "年度（西暦、4月始まり。2023 = 令和5年度）"):
    return Query(None, ge=s.MIN_YEAR, le=s.MAX_YEAR, description=description)


def _limit():
    return Query(100, ge=1, le=MAX_LIMIT, description=f"1ページの件数（最大{MAX_LIMIT}）")


def _offset():
    return Query(0, ge=0, le=MAX_OFFSET, description="先頭から飛ばす件数")


def _page(qs, limit: int, offset: int, serialize) -> dict:
    return {"count": qs.count(), "limit": limit, "offset": offset, "items": serialize(list(qs[offset: offset + limit]))}


def _one(qs, pk: int):
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404("見つかりません")
    return obj


READ_ERRORS = {401: s.ErrorOut, 404: s.ErrorOut}
WRITE_ERRORS = {400: s.ErrorOut, 401: s.ErrorOut, 403: s.ErrorOut, 404: s.ErrorOut, 409: s.ErrorOut}

# --------------------------------------------------------------------------------------------------
# Municipalities and departments

catalog = Router(tags=["団体・所管課"])


@catalog.get("/municipalities", response={200: s.MunicipalityPage, **READ_ERRORS}, summary="団体の一覧")
def list_municipalities(request, limit: int = _limit(), offset: int = _offset()):
    qs = municipality_scope(principal(request)).order_by("code")
    return _page(qs.values("id", "code", "name"), limit, offset, lambda rows: rows)


@catalog.get("/municipalities/{municipality_id}", response={200: s.MunicipalityOut, **READ_ERRORS}, summary="団体")
def get_municipality(request, municipality_id: Id = _id()):
    return _one(municipality_scope(principal(request)), municipality_id)


DEPARTMENT_FIELDS = ("id", "municipality_id", "name", "kind", "parent_id", "active")


@catalog.get("/departments", response={200: s.DepartmentPage, **READ_ERRORS}, summary="所管課の一覧")
def list_departments(
    request,
    municipality: Id | None = _opt_id("団体ID"),
    active: bool | None = Query(None, description="現存する所管課だけ"),
    limit: int = _limit(),
    offset: int = _offset(),
):
    qs = department_scope(principal(request))
    if municipality is not None:
        qs = qs.filter(municipality_id=municipality)
    if active is not None:
        qs = qs.filter(active=active)
    return _page(qs.order_by("municipality_id", "name", "id").values(*DEPARTMENT_FIELDS), limit, offset, lambda rows: rows)


@catalog.get("/departments/{department_id}", response={200: s.DepartmentOut, **READ_ERRORS}, summary="所管課")
def get_department(request, department_id: Id = _id()):
    return _one(department_scope(principal(request)), department_id)


# --------------------------------------------------------------------------------------------------
# Plans and nodes

plans = Router(tags=["計画・計画項目"])


def _plan_dicts(rows: list[Plan]) -> list[dict]:
    scale_ids = {p.status_scale_id for p in rows if p.status_scale_id}
    symbols: dict[int, list[dict]] = defaultdict(list)
    for scale_id, symbol, meaning, category in (
        StatusSymbol.objects.filter(scale_id__in=scale_ids).order_by("scale_id", "order")
        .values_list("scale_id", "symbol", "meaning", "category")
    ) if scale_ids else ():
        symbols[scale_id].append({"symbol": symbol, "meaning": meaning, "category": category})
    return [
        {
            "id": p.pk, "municipality_id": p.municipality_id, "name": p.name, "kind": p.kind,
            "period_start": p.period_start, "period_end": p.period_end, "level_names": list(p.level_names or []),
            "is_published": p.is_published, "status_scale": symbols.get(p.status_scale_id, []),
        }
        for p in rows
    ]


@plans.get("/plans", response={200: s.PlanPage, **READ_ERRORS}, summary="計画の一覧")
def list_plans(
    request,
    municipality: Id | None = _opt_id("団体ID"),
    fiscal_year: Year | None = _year("この年度が計画期間に入る計画"),
    department: Id | None = _opt_id("この所管課が所管する項目を含む計画"),
    published: bool | None = Query(None, description="公開されている計画だけ（true）／公開前だけ（false）"),
    limit: int = _limit(),
    offset: int = _offset(),
):
    qs = plan_scope(principal(request))
    if municipality is not None:
        qs = qs.filter(municipality_id=municipality)
    if fiscal_year is not None:
        qs = qs.filter(period_start__lte=fiscal_year, period_end__gte=fiscal_year)
    if department is not None:
        qs = qs.filter(pk__in=NodeDepartment.objects.filter(department_id=department).values("node__plan_id"))
    if published is not None:
        qs = qs.filter(is_published=published)
    return _page(qs.order_by("municipality_id", "-period_start", "name", "id"), limit, offset, _plan_dicts)


@plans.get("/plans/{plan_id}", response={200: s.PlanOut, **READ_ERRORS}, summary="計画")
def get_plan(request, plan_id: Id = _id()):
    return _plan_dicts([_one(plan_scope(principal(request)), plan_id)])[0]


NODE_FIELDS = ("id", "plan_id", "parent_id", "depth", "code", "title", "relisted_from_id", "order")


def _node_dicts(rows: list[dict]) -> list[dict]:
    ids = [r["id"] for r in rows]
    owners: dict[int, list[dict]] = defaultdict(list)
    if ids:
        for node_id, dep_id, name in (
            NodeDepartment.objects.filter(node_id__in=ids).order_by("node_id", "order")
            .values_list("node_id", "department_id", "department__name")
        ):
            owners[node_id].append({"id": dep_id, "name": name})
    return [{**r, "departments": owners.get(r["id"], [])} for r in rows]


@plans.get("/nodes", response={200: s.NodePage, **READ_ERRORS}, summary="計画項目の一覧（木の表示順）")
def list_nodes(
    request,
    plan: Id | None = _opt_id("計画ID"),
    department: Id | None = _opt_id("この所管課が所管する項目"),
    depth: int | None = Query(None, ge=0, le=50, description="階層（0 = 目標）"),
    parent: Id | None = _opt_id("親項目ID"),
    limit: int = _limit(),
    offset: int = _offset(),
):
    qs = node_scope(principal(request))
    if plan is not None:
        qs = qs.filter(plan_id=plan)
    if department is not None:
        qs = qs.filter(pk__in=NodeDepartment.objects.filter(department_id=department).values("node_id"))
    if depth is not None:
        qs = qs.filter(depth=depth)
    if parent is not None:
        qs = qs.filter(parent_id=parent)
    return _page(qs.order_by("plan_id", "path", "id").values(*NODE_FIELDS), limit, offset, _node_dicts)


@plans.get("/nodes/{node_id}", response={200: s.NodeOut, **READ_ERRORS}, summary="計画項目")
def get_node(request, node_id: Id = _id()):
    row = node_scope(principal(request)).filter(pk=node_id).values(*NODE_FIELDS).first()
    if row is None:
        raise Http404("見つかりません")
    return _node_dicts([row])[0]


# --------------------------------------------------------------------------------------------------
# Progress entries

progress = Router(tags=["進捗"])

ENTRY_FIELDS = (
    "id", "node_id", "node__code", "node__plan_id", "fiscal_year", "status__symbol", "result", "next_year_plan",
    "later_plan", "change_reason", "state", "version", "updated_at",
)


def _entry_dicts(rows: list[dict]) -> list[dict]:
    return [
        {
            "id": r["id"], "node_id": r["node_id"], "node_code": r["node__code"], "plan_id": r["node__plan_id"],
            "fiscal_year": r["fiscal_year"], "status": r["status__symbol"], "result": r["result"],
            "next_year_plan": r["next_year_plan"], "later_plan": r["later_plan"], "change_reason": r["change_reason"],
            "state": r["state"], "version": r["version"], "updated_at": r["updated_at"],
        }
        for r in rows
    ]


@progress.get("/progress-entries", response={200: s.ProgressEntryPage, **READ_ERRORS}, summary="進捗の一覧")
def list_entries(
    request,
    plan: Id | None = _opt_id("計画ID"),
    node: Id | None = _opt_id("計画項目ID"),
    fiscal_year: Year | None = _year(),
    department: Id | None = _opt_id("この所管課が所管する項目の進捗"),
    status: str | None = Query(None, max_length=20, pattern=r"^[^\x00-\x1f]*$", description="進捗区分の記号（none: 記入なし）"),
    state: Literal["draft", "submitted", "returned", "approved"] | None = Query(None, description="状態"),
    limit: int = _limit(),
    offset: int = _offset(),
):
    qs = entry_scope(principal(request))
    if plan is not None:
        qs = qs.filter(node__plan_id=plan)
    if node is not None:
        qs = qs.filter(node_id=node)
    if fiscal_year is not None:
        qs = qs.filter(fiscal_year=fiscal_year)
    if department is not None:
        qs = qs.filter(node_id__in=NodeDepartment.objects.filter(department_id=department).values("node_id"))
    if status == "none":
        qs = qs.filter(status__isnull=True)
    elif status:
        qs = qs.filter(status__symbol=status)
    if state is not None:
        qs = qs.filter(state=state)
    qs = qs.order_by("node__plan_id", "node__path", "fiscal_year", "id").values(*ENTRY_FIELDS)
    return _page(qs, limit, offset, _entry_dicts)


@progress.get("/progress-entries/{entry_id}", response={200: s.ProgressEntryOut, **READ_ERRORS}, summary="進捗")
def get_entry(request, entry_id: Id = _id()):
    row = entry_scope(principal(request)).filter(pk=entry_id).values(*ENTRY_FIELDS).first()
    if row is None:
        raise Http404("見つかりません")
    return _entry_dicts([row])[0]


@progress.patch(
    "/progress-entries/{entry_id}", response={200: s.ProgressEntryOut, **WRITE_ERRORS},
    summary="進捗の更新（版の確認つき）",
    description="送った version が現在の版と違うときは 409（他の人が先に更新した）。計画管理者は団体のすべての項目、"
    "所管課担当者は自分の所管課の項目だけ更新できます。",
)
def update_entry(request, payload: s.ProgressUpdateIn, entry_id: Id = _id()):
    who = principal(request)
    who.require_member()
    entry = entry_scope(who).select_related("node__plan", "node__relisted_from").filter(pk=entry_id).first()
    if entry is None:
        raise Http404("見つかりません")
    values = payload.dict(exclude_unset=True)
    values.pop("version", None)
    if "status" in values:
        symbol = values["status"]
        if symbol in (None, ""):
            values["status"] = None
        else:
            status = StatusSymbol.objects.filter(scale_id=entry.node.plan.status_scale_id, symbol=symbol).first()
            if status is None:
                raise HttpError(400, f"進捗状況「{symbol}」はこの計画の進捗区分にありません")
            values["status"] = status
    for key in ("result", "next_year_plan", "later_plan", "change_reason"):
        if key in values and values[key] is None:
            values[key] = ""
    with acting_as(who.user, reason=f"API PATCH /api/progress-entries/{entry_id}"):
        plan_actions.save_progress(Access.for_user(who.user), entry.node, entry.fiscal_year,
                                   expected_version=payload.version, **values)
    return _entry_dicts([ProgressEntry.objects.filter(pk=entry.pk).values(*ENTRY_FIELDS).get()])[0]


# --------------------------------------------------------------------------------------------------
# Indicators and values

indicators = Router(tags=["成果指標"])

INDICATOR_FIELDS = (
    "id", "plan_id", "code", "name", "kind", "unit", "direction", "group", "owner_id", "baseline_year", "final_target_year",
)
VALUE_FIELDS = (
    "id", "indicator_id", "fiscal_year", "kind", "raw_text", "value", "unit", "approximate", "bound", "denominator",
    "readable", "parse_note", "footnote_marks", "as_of", "notes",
)


def _decimal_text(value) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def _value_dicts(rows: list[dict]) -> list[dict]:
    return [
        {**r, "value": _decimal_text(r["value"]), "denominator": _decimal_text(r["denominator"]),
         "footnote_marks": [str(m) for m in (r["footnote_marks"] or [])]}
        for r in rows
    ]


@indicators.get("/indicators", response={200: s.IndicatorPage, **READ_ERRORS}, summary="成果指標の一覧")
def list_indicators(
    request,
    plan: Id | None = _opt_id("計画ID"),
    department: Id | None = _opt_id("担当課ID"),
    fiscal_year: Year | None = _year("この年度の値（実績・目標・見込み）がある指標"),
    limit: int = _limit(),
    offset: int = _offset(),
):
    qs = indicator_scope(principal(request))
    if plan is not None:
        qs = qs.filter(plan_id=plan)
    if department is not None:
        qs = qs.filter(owner_id=department)
    if fiscal_year is not None:
        qs = qs.filter(pk__in=IndicatorValue.objects.filter(fiscal_year=fiscal_year).values("indicator_id"))
    return _page(qs.order_by("plan_id", "order", "code", "id").values(*INDICATOR_FIELDS), limit, offset, lambda rows: rows)


@indicators.get("/indicators/{indicator_id}", response={200: s.IndicatorDetailOut, **READ_ERRORS}, summary="成果指標（値を含む）")
def get_indicator(request, indicator_id: Id = _id()):
    row = indicator_scope(principal(request)).filter(pk=indicator_id).values(
        *INDICATOR_FIELDS, "definition", "data_source", "footnotes"
    ).first()
    if row is None:
        raise Http404("見つかりません")
    values = IndicatorValue.objects.filter(indicator_id=indicator_id).order_by("fiscal_year", "kind").values(*VALUE_FIELDS)
    footnotes = [n for n in (row["footnotes"] or []) if isinstance(n, dict)]
    return {**row, "footnotes": footnotes, "values": _value_dicts(list(values))}


@indicators.get("/indicator-values", response={200: s.IndicatorValuePage, **READ_ERRORS}, summary="指標値の一覧")
def list_values(
    request,
    indicator: Id | None = _opt_id("指標ID"),
    plan: Id | None = _opt_id("計画ID"),
    fiscal_year: Year | None = _year(),
    kind: Literal["actual", "target", "estimate"] | None = Query(None, description="実績・目標・見込み"),
    limit: int = _limit(),
    offset: int = _offset(),
):
    qs = value_scope(principal(request))
    if indicator is not None:
        qs = qs.filter(indicator_id=indicator)
    if plan is not None:
        qs = qs.filter(indicator__plan_id=plan)
    if fiscal_year is not None:
        qs = qs.filter(fiscal_year=fiscal_year)
    if kind is not None:
        qs = qs.filter(kind=kind)
    qs = qs.order_by("indicator_id", "fiscal_year", "kind", "id").values(*VALUE_FIELDS)
    return _page(qs, limit, offset, _value_dicts)


@indicators.put(
    "/indicators/{indicator_id}/values/{fiscal_year}/{kind}", response={200: s.IndicatorValueOut, **WRITE_ERRORS},
    summary="指標値の登録・更新（公表値の表記で）",
    description="公表値の表記（例: 約 200 万件）をそのまま保存し、数値・単位・条件を読み取ります。計画管理者、"
    "または指標の担当課・関連項目の所管課の担当者が登録できます。",
)
def put_value(
    request,
    payload: s.IndicatorValueIn,
    indicator_id: Id = _id(),
    fiscal_year: Year = Path(..., ge=s.MIN_YEAR, le=s.MAX_YEAR),
    kind: Literal["actual", "target", "estimate"] = Path(...),
):
    who = principal(request)
    who.require_member()
    indicator = indicator_scope(who).select_related("municipality").filter(pk=indicator_id).first()
    if indicator is None:
        raise Http404("見つかりません")
    with acting_as(who.user, reason=f"API PUT /api/indicators/{indicator_id}/values/{fiscal_year}/{kind}"):
        change = indicator_actions.save_value(
            Access.for_user(who.user), indicator, fiscal_year, kind, payload.raw_text, confirm_unreadable=True,
            notes=payload.notes, as_of=payload.as_of,
        )
    if change.value is None:
        raise HttpError(400, "値が空欄です（削除するときは画面から削除してください）")
    return _value_dicts([IndicatorValue.objects.filter(pk=change.value.pk).values(*VALUE_FIELDS).get()])[0]


# --------------------------------------------------------------------------------------------------
# Audit findings

findings = Router(tags=["監査の指摘・意見"])


def _official_state():
    from shinchoku.audits.models import Response

    latest = Response.objects.filter(finding=OuterRef("pk"), review=Response.Review.APPROVED).order_by("-date", "-id")
    return Coalesce(Subquery(latest.values("state")[:1]), Value("none"))


def _finding_dicts(rows) -> list[dict]:
    from shinchoku.audits.models import Finding

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


@findings.get("/findings", response={200: s.FindingPage, **READ_ERRORS}, summary="監査の指摘・意見の一覧（APIトークンが必要）")
def list_findings(
    request,
    fiscal_year: Year | None = _year("監査の年度"),
    department: Id | None = _opt_id("対象の所管課ID"),
    status: Literal["none", "in_progress", "done"] | None = Query(None, description="措置状況（承認済の最新の措置）"),
    kind: Literal["shiteki", "iken"] | None = Query(None, description="指摘事項（shiteki）／意見事項（iken）"),
    limit: int = _limit(),
    offset: int = _offset(),
):
    qs = finding_scope(principal(request)).select_related("audit").annotate(official_state=_official_state())
    if fiscal_year is not None:
        qs = qs.filter(audit__fiscal_year=fiscal_year)
    if department is not None:
        qs = qs.filter(pk__in=qs.model.departments.through.objects.filter(department_id=department).values("finding_id"))
    if status is not None:
        qs = qs.filter(official_state=status)
    if kind is not None:
        qs = qs.filter(kind=kind)
    qs = qs.order_by("-audit__fiscal_year", "audit_id", "order", "kind", "number", "id")
    return _page(qs, limit, offset, _finding_dicts)


@findings.get("/findings/{finding_id}", response={200: s.FindingDetailOut, **READ_ERRORS}, summary="監査の指摘・意見（承認済の措置を含む）")
def get_finding(request, finding_id: Id = _id()):
    from shinchoku.audits.models import Response

    f = finding_scope(principal(request)).select_related("audit").annotate(official_state=_official_state()).filter(pk=finding_id).first()
    if f is None:
        raise Http404("見つかりません")
    out = _finding_dicts([f])[0]
    out["summary"] = f.summary
    out["responses"] = list(
        Response.objects.filter(finding=f, review=Response.Review.APPROVED).order_by("date", "id")
        .values("id", "date", "state", "text", "department_id")
    )
    return out


ROUTERS = [catalog, plans, progress, indicators, findings]
