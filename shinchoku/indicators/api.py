"""The API of outcome indicators — 成果指標 — and their values, mounted by ``shinchoku/api.py``.

Who reads what: anyone reads the indicators of published plans and their values; a member reads
every indicator of the own municipality as well. The one write, ``PUT /indicators/{id}/values/{year}/{kind}``,
is :func:`shinchoku.indicators.actions.save_value`: the same rule as the screen (a department editor
enters 実績・見込み of the indicators it answers for; 目標 is the planning division's), the same
parser, the same change log.
"""

from __future__ import annotations

from typing import Literal

from django.db.models import Q, QuerySet
from ninja import Path, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field, field_validator

from shinchoku.core.access import Access
from shinchoku.core.apikit import (
    MAX_TEXT,
    MAX_YEAR,
    MIN_YEAR,
    READ_ERRORS,
    WRITE_ERRORS,
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
from shinchoku.indicators import actions
from shinchoku.indicators.models import Indicator, IndicatorValue

# --------------------------------------------------------------------------- scopes


def indicator_scope(access: Access) -> QuerySet[Indicator]:
    if access.is_member:
        return Indicator.objects.filter(Q(municipality_id=access.municipality_id) | Q(plan__is_published=True))
    return Indicator.objects.filter(plan__is_published=True)


def value_scope(access: Access) -> QuerySet[IndicatorValue]:
    if access.is_member:
        return IndicatorValue.objects.filter(
            Q(municipality_id=access.municipality_id) | Q(indicator__plan__is_published=True)
        )
    return IndicatorValue.objects.filter(indicator__plan__is_published=True)


# --------------------------------------------------------------------------- schemas


class IndicatorValueOut(Schema):
    id: int
    indicator_id: int
    fiscal_year: int
    kind: Literal["actual", "target", "estimate"]
    raw_text: str = Field(description="公表されたとおりの表記")
    value: str | None = Field(description="基本単位の数値（10進の文字列、丸めない）")
    unit: str
    approximate: bool
    bound: str
    denominator: str | None
    readable: bool
    parse_note: str
    footnote_marks: list[str]
    as_of: str
    notes: str


class IndicatorValuePage(Page):
    items: list[IndicatorValueOut]


class IndicatorOut(Schema):
    id: int
    plan_id: int | None
    code: str
    name: str
    kind: str
    unit: str
    direction: str
    group: str
    owner_id: int | None
    baseline_year: int | None
    final_target_year: int | None


class IndicatorDetailOut(IndicatorOut):
    definition: str
    data_source: str
    footnotes: list[dict]
    values: list[IndicatorValueOut]


class IndicatorPage(Page):
    items: list[IndicatorOut]


class IndicatorValueIn(Schema):
    raw_text: str = Field(max_length=300, description="公表する表記（例: 約 200 万件、85%以下、0/15、—）")
    as_of: str | None = Field(None, max_length=100)
    notes: str | None = Field(None, max_length=MAX_TEXT)

    _check = field_validator("raw_text", "as_of", "notes")(no_control)


# --------------------------------------------------------------------------- operations

router = Router(tags=["成果指標"])

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


@router.get("/indicators", response={200: IndicatorPage, **READ_ERRORS}, summary="成果指標の一覧")
def list_indicators(
    request,
    plan: Id | None = id_query("計画ID"),
    department: Id | None = id_query("担当課ID"),
    fiscal_year: Year | None = year_query("この年度の値（実績・目標・見込み）がある指標"),
    limit: int = limit_query(),
    offset: int = offset_query(),
):
    qs = indicator_scope(caller(request))
    if plan is not None:
        qs = qs.filter(plan_id=plan)
    if department is not None:
        qs = qs.filter(owner_id=department)
    if fiscal_year is not None:
        qs = qs.filter(pk__in=IndicatorValue.objects.filter(fiscal_year=fiscal_year).values("indicator_id"))
    return page(qs.order_by("plan_id", "order", "code", "id").values(*INDICATOR_FIELDS), limit, offset)


@router.get("/indicators/{indicator_id}", response={200: IndicatorDetailOut, **READ_ERRORS}, summary="成果指標（値を含む）")
def get_indicator(request, indicator_id: Id = id_path()):
    row = one(indicator_scope(caller(request)).values(*INDICATOR_FIELDS, "definition", "data_source", "footnotes"), indicator_id)
    values = IndicatorValue.objects.filter(indicator_id=indicator_id).order_by("fiscal_year", "kind").values(*VALUE_FIELDS)
    footnotes = [n for n in (row["footnotes"] or []) if isinstance(n, dict)]
    return {**row, "footnotes": footnotes, "values": _value_dicts(list(values))}


@router.get("/indicator-values", response={200: IndicatorValuePage, **READ_ERRORS}, summary="指標値の一覧")
def list_values(
    request,
    indicator: Id | None = id_query("指標ID"),
    plan: Id | None = id_query("計画ID"),
    fiscal_year: Year | None = year_query(),
    kind: Literal["actual", "target", "estimate"] | None = Query(None, description="実績・目標・見込み"),
    limit: int = limit_query(),
    offset: int = offset_query(),
):
    qs = value_scope(caller(request))
    if indicator is not None:
        qs = qs.filter(indicator_id=indicator)
    if plan is not None:
        qs = qs.filter(indicator__plan_id=plan)
    if fiscal_year is not None:
        qs = qs.filter(fiscal_year=fiscal_year)
    if kind is not None:
        qs = qs.filter(kind=kind)
    qs = qs.order_by("indicator_id", "fiscal_year", "kind", "id").values(*VALUE_FIELDS)
    return page(qs, limit, offset, _value_dicts)


@router.put(
    "/indicators/{indicator_id}/values/{fiscal_year}/{kind}", response={200: IndicatorValueOut, **WRITE_ERRORS},
    summary="指標値の登録・更新（公表値の表記で）",
    description="公表値の表記（例: 約 200 万件）をそのまま保存し、数値・単位・条件を読み取ります。計画管理者、"
    "または指標の担当課・関連項目の所管課の担当者が登録できます。",
)
def put_value(
    request,
    payload: IndicatorValueIn,
    indicator_id: Id = id_path(),
    fiscal_year: Year = Path(..., ge=MIN_YEAR, le=MAX_YEAR),
    kind: Literal["actual", "target", "estimate"] = Path(...),
):
    access = member(request, "APIでの指標値の登録")
    indicator = one(indicator_scope(access).select_related("municipality"), indicator_id)
    if not payload.raw_text.strip():
        # save_value clears a cell given a blank text; over the API a blank is a mistake, not a delete.
        raise HttpError(400, "値が空欄です（削除するときは画面から削除してください）")
    with attributed(access, f"API PUT /api/indicators/{indicator_id}/values/{fiscal_year}/{kind}"):
        change = actions.save_value(
            access, indicator, fiscal_year, kind, payload.raw_text, confirm_unreadable=True,
            notes=payload.notes, as_of=payload.as_of,
        )
    return _value_dicts([IndicatorValue.objects.filter(pk=change.value.pk).values(*VALUE_FIELDS).get()])[0]
