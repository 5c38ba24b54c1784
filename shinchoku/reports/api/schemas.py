"""Typed request and response bodies of the API (pydantic via django-ninja → the OpenAPI document)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import Field, field_validator

MAX_ID = 2**53  # JSON-safe integers; larger ids never exist and would overflow SQLite's INTEGER
MIN_YEAR, MAX_YEAR = 1926, 2200
MAX_TEXT = 20_000


def _no_control(value: str | None) -> str | None:
    """Refuse NUL and other control characters (PostgreSQL cannot store NUL; nobody types them) and
    lone surrogates (JSON can carry ``\\ud800``, which no database encoding can store)."""
    if value is not None and any((ord(ch) < 32 and ch not in "\t\n\r") or 0xD800 <= ord(ch) <= 0xDFFF for ch in value):
        raise ValueError("制御文字や不正な文字は使えません")
    return value


class ErrorOut(Schema):
    detail: str


class Page(Schema):
    count: int = Field(description="条件に合う件数（全ページ）")
    limit: int
    offset: int


class MunicipalityOut(Schema):
    id: int
    code: str = Field(description="全国地方公共団体コード（6桁）")
    name: str


class MunicipalityPage(Page):
    items: list[MunicipalityOut]


class DepartmentOut(Schema):
    id: int
    municipality_id: int
    name: str
    kind: str
    parent_id: int | None
    active: bool


class DepartmentPage(Page):
    items: list[DepartmentOut]


class PlanOut(Schema):
    id: int
    municipality_id: int
    name: str
    kind: str
    period_start: int = Field(description="計画期間開始年度（西暦）")
    period_end: int
    level_names: list[str]
    is_published: bool
    status_scale: list["StatusSymbolOut"] = Field(description="進捗区分の記号（表示順）")


class StatusSymbolOut(Schema):
    symbol: str
    meaning: str
    category: str


class PlanPage(Page):
    items: list[PlanOut]


class DepartmentRef(Schema):
    id: int
    name: str


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

    _check = field_validator("status", "result", "next_year_plan", "later_plan", "change_reason")(_no_control)


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

    _check = field_validator("raw_text", "as_of", "notes")(_no_control)


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


PlanOut.model_rebuild()
