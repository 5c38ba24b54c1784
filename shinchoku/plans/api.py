"""The API of plans — 計画: plans, their items (計画項目) and the official progress entries (進捗),
mounted by ``shinchoku/api.py``.

Who reads what (the scopes below):
    *anyone* (no token, or a user without a membership): published plans (``Plan.is_published``),
    their items and their approved progress entries only;
    *a member* (token of a user with a membership): everything of the user's municipality, except that
    a department editor sees other departments' entries only once approved (drafts, submitted and
    returned answers stay with their department and the departments above it, as on the screens) —
    plus, like anyone, the published data of other municipalities.

The one write, ``PATCH /progress-entries/{id}``, is :func:`shinchoku.plans.actions.save_progress`, which
asks :mod:`shinchoku.plans.rules` as every other door does. Every list runs a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Literal

from django.db.models import Q, QuerySet
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field, field_validator

from shinchoku.core import api as core_api
from shinchoku.core.access import Access
from shinchoku.core.apikit import (
    MAX_ID,
    MAX_TEXT,
    READ_ERRORS,
    WRITE_ERRORS,
    DepartmentRef,
    Id,
    Page,
    Year,
    attributed,
    caller,
    id_path,
    id_query,
    limit_query,
    member,
    no_control,
    offset_query,
    one,
    page,
    year_query,
)
from shinchoku.plans import actions
from shinchoku.plans.models import NodeDepartment, Plan, PlanNode, ProgressEntry, StatusSymbol

APPROVED = ProgressEntry.State.APPROVED

# --------------------------------------------------------------------------- scopes


def published_plans() -> QuerySet[Plan]:
    return Plan.objects.filter(is_published=True)


core_api.published_by(
    municipality_ids=lambda: published_plans().values("municipality_id"),
    department_ids=lambda: NodeDepartment.objects.filter(node__plan__is_published=True).values("department_id"),
)


def plan_scope(access: Access) -> QuerySet[Plan]:
    if access.is_member:
        return Plan.objects.filter(Q(municipality_id=access.municipality_id) | Q(is_published=True))
    return published_plans()


def node_scope(access: Access) -> QuerySet[PlanNode]:
    if access.is_member:
        return PlanNode.objects.filter(Q(municipality_id=access.municipality_id) | Q(plan__is_published=True))
    return PlanNode.objects.filter(plan__is_published=True)


def entry_scope(access: Access) -> QuerySet[ProgressEntry]:
    public = Q(state=APPROVED, node__plan__is_published=True)
    if not access.is_member:
        return ProgressEntry.objects.filter(public)
    own = Q(municipality_id=access.municipality_id)
    if not access.can_read_all:
        own_nodes = NodeDepartment.objects.filter(
            municipality_id=access.municipality_id, department_id__in=access.department_ids
        ).values("node_id")
        own &= Q(state=APPROVED) | Q(node_id__in=own_nodes)
    return ProgressEntry.objects.filter(own | public)


# --------------------------------------------------------------------------- schemas


class StatusSymbolOut(Schema):
    symbol: str
    meaning: str
    category: str


class PlanOut(Schema):
    id: int
    municipality_id: int
    name: str
    kind: str
    period_start: int = Field(description="計画期間開始年度（西暦）")
    period_end: int
    level_names: list[str]
    is_published: bool
    status_scale: list[StatusSymbolOut] = Field(description="進捗区分の記号（表示順）")


class PlanPage(Page):
    items: list[PlanOut]


class NodeOut(Schema):
    id: int
    plan_id: int
    parent_id: int | None
    depth: int
    code: str
    title: str
    relisted_from_id: int | None = Field(description="再掲のとき元の項目のID（進捗は元の項目にだけある）")
    order: int
    departments: list[DepartmentRef]


class NodePage(Page):
    items: list[NodeOut]


class ProgressEntryOut(Schema):
    id: int
    node_id: int
    node_code: str
    plan_id: int
    fiscal_year: int
    status: str | None = Field(description="進捗区分の記号（◎○△× など）")
    result: str
    next_year_plan: str
    later_plan: str
    change_reason: str
    state: Literal["draft", "submitted", "returned", "approved"]
    version: int = Field(description="楽観ロックの版。更新のときに送り返す")
    updated_at: dt.datetime


class ProgressEntryPage(Page):
    items: list[ProgressEntryOut]


class ProgressUpdateIn(Schema):
    """Fields to change; ``version`` is the version the change starts from (409 when stale)."""

    version: int = Field(ge=1, le=MAX_ID)
    status: str | None = Field(None, max_length=20, description="記号。空文字で進捗状況を消す")
    result: str | None = Field(None, max_length=MAX_TEXT)
    next_year_plan: str | None = Field(None, max_length=MAX_TEXT)
    later_plan: str | None = Field(None, max_length=MAX_TEXT)
    change_reason: str | None = Field(None, max_length=MAX_TEXT)

    _check = field_validator("status", "result", "next_year_plan", "later_plan", "change_reason")(no_control)


# --------------------------------------------------------------------------- plans and nodes

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


@plans.get("/plans", response={200: PlanPage, **READ_ERRORS}, summary="計画の一覧")
def list_plans(
    request,
    municipality: Id | None = id_query("団体ID"),
    fiscal_year: Year | None = year_query("この年度が計画期間に入る計画"),
    department: Id | None = id_query("この所管課が所管する項目を含む計画"),
    published: bool | None = Query(None, description="公開されている計画だけ（true）／公開前だけ（false）"),
    limit: int = limit_query(),
    offset: int = offset_query(),
):
    qs = plan_scope(caller(request))
    if municipality is not None:
        qs = qs.filter(municipality_id=municipality)
    if fiscal_year is not None:
        qs = qs.filter(period_start__lte=fiscal_year, period_end__gte=fiscal_year)
    if department is not None:
        qs = qs.filter(pk__in=NodeDepartment.objects.filter(department_id=department).values("node__plan_id"))
    if published is not None:
        qs = qs.filter(is_published=published)
    return page(qs.order_by("municipality_id", "-period_start", "name", "id"), limit, offset, _plan_dicts)


@plans.get("/plans/{plan_id}", response={200: PlanOut, **READ_ERRORS}, summary="計画")
def get_plan(request, plan_id: Id = id_path()):
    return _plan_dicts([one(plan_scope(caller(request)), plan_id)])[0]


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


@plans.get("/nodes", response={200: NodePage, **READ_ERRORS}, summary="計画項目の一覧（木の表示順）")
def list_nodes(
    request,
    plan: Id | None = id_query("計画ID"),
    department: Id | None = id_query("この所管課が所管する項目"),
    depth: int | None = Query(None, ge=0, le=50, description="階層（0 = 目標）"),
    parent: Id | None = id_query("親項目ID"),
    limit: int = limit_query(),
    offset: int = offset_query(),
):
    qs = node_scope(caller(request))
    if plan is not None:
        qs = qs.filter(plan_id=plan)
    if department is not None:
        qs = qs.filter(pk__in=NodeDepartment.objects.filter(department_id=department).values("node_id"))
    if depth is not None:
        qs = qs.filter(depth=depth)
    if parent is not None:
        qs = qs.filter(parent_id=parent)
    return page(qs.order_by("plan_id", "path", "id").values(*NODE_FIELDS), limit, offset, _node_dicts)


@plans.get("/nodes/{node_id}", response={200: NodeOut, **READ_ERRORS}, summary="計画項目")
def get_node(request, node_id: Id = id_path()):
    return _node_dicts([one(node_scope(caller(request)).values(*NODE_FIELDS), node_id)])[0]


# --------------------------------------------------------------------------- progress entries

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


@progress.get("/progress-entries", response={200: ProgressEntryPage, **READ_ERRORS}, summary="進捗の一覧")
def list_entries(
    request,
    plan: Id | None = id_query("計画ID"),
    node: Id | None = id_query("計画項目ID"),
    fiscal_year: Year | None = year_query(),
    department: Id | None = id_query("この所管課が所管する項目の進捗"),
    status: str | None = Query(None, max_length=20, pattern=r"^[^\x00-\x1f]*$", description="進捗区分の記号（none: 記入なし）"),
    state: Literal["draft", "submitted", "returned", "approved"] | None = Query(None, description="状態"),
    limit: int = limit_query(),
    offset: int = offset_query(),
):
    qs = entry_scope(caller(request))
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
    return page(qs, limit, offset, _entry_dicts)


def _entry_out(access: Access, entry_id: int) -> dict:
    return _entry_dicts([one(entry_scope(access).values(*ENTRY_FIELDS), entry_id)])[0]


@progress.get("/progress-entries/{entry_id}", response={200: ProgressEntryOut, **READ_ERRORS}, summary="進捗")
def get_entry(request, entry_id: Id = id_path()):
    return _entry_out(caller(request), entry_id)


def _changes(entry: ProgressEntry, payload: ProgressUpdateIn) -> dict:
    """The payload as the action's fields: the status symbol as this plan's symbol, null texts as ''."""
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
    return values


@progress.patch(
    "/progress-entries/{entry_id}", response={200: ProgressEntryOut, **WRITE_ERRORS},
    summary="進捗の更新（版の確認つき）",
    description="送った version が現在の版と違うときは 409（他の人が先に更新した）。計画管理者は団体のすべての項目、"
    "所管課担当者は自分の所管課の項目だけ更新できます。",
)
def update_entry(request, payload: ProgressUpdateIn, entry_id: Id = id_path()):
    access = member(request, "APIでの進捗の更新")
    entry = one(entry_scope(access).select_related("node__plan"), entry_id)
    with attributed(access, f"API PATCH /api/progress-entries/{entry_id}"):
        actions.save_progress(access, entry.node, entry.fiscal_year, expected_version=payload.version,
                              **_changes(entry, payload))
    return _entry_out(access, entry.pk)


router = Router()
router.add_router("", plans)
router.add_router("", progress)
