"""The plan workbook as plain data: what the reader produces, the checks verify and ``apply`` writes.

Every row keeps its place in the file (``row``: 1-based row or line number) so that a problem found
later — an unknown parent, a cycle, a status off the scale — can still name sheet, row and column.
Text is kept exactly as written (no trimming) except for keys (codes, years, vocabulary words).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PlanInfo:
    municipality_code: str = ""
    municipality_name: str = ""
    plan_name: str = ""
    period_start: int | None = None
    period_end: int | None = None
    levels: list[str] = field(default_factory=list)
    status_scale: list[tuple[str, str]] = field(default_factory=list)  # (symbol, meaning); [] = narrative only
    plan_kind: str = ""
    description: str = ""
    rows: dict[str, int] = field(default_factory=dict)  # key → row it was read from


@dataclass
class ItemRow:
    row: int
    code: str
    parent_code: str = ""
    level: str = ""
    title: str = ""
    departments: list[str] = field(default_factory=list)
    relisted_from: str = ""
    tags: list[str] = field(default_factory=list)
    description: str = ""


@dataclass
class ProgressRow:
    row: int
    code: str
    fiscal_year: int
    status: str = ""
    result: str = ""
    next_year_plan: str = ""
    later_plan: str = ""
    change_reason: str = ""


@dataclass
class IndicatorRow:
    row: int
    code: str
    name: str
    kind: str = "outcome"  # outcome / activity
    unit: str = ""
    direction: str = ""  # higher / lower / within / qualitative / ''
    item_codes: list[str] = field(default_factory=list)
    definition: str = ""
    source: str = ""
    notes: str = ""


@dataclass
class IndicatorValueRow:
    row: int
    indicator_code: str
    fiscal_year: int
    kind: str  # actual / target / estimate
    value: str = ""  # as published
    as_of: str = ""
    notes: str = ""


@dataclass
class EffectRow:
    row: int
    item_code: str
    fiscal_year: int
    until_fiscal_year: int | None
    kind: str  # effect / saving / revenue / hours
    value: str = ""
    basis: str = ""
    notes: str = ""


@dataclass
class WorkbookData:
    """A whole plan workbook, read and cell-checked; ``columns`` maps (sheet key, column key) → letter."""

    source: str
    plan: PlanInfo
    items: list[ItemRow] = field(default_factory=list)
    progress: list[ProgressRow] = field(default_factory=list)
    indicators: list[IndicatorRow] = field(default_factory=list)
    indicator_values: list[IndicatorValueRow] = field(default_factory=list)
    effects: list[EffectRow] = field(default_factory=list)
    columns: dict[tuple[str, str], str] = field(default_factory=dict)
    sheet_names: dict[str, str] = field(default_factory=dict)  # sheet key → name in the file
    notes: list[str] = field(default_factory=list)  # ignored columns, …

    def column(self, sheet: str, key: str) -> str:
        return self.columns.get((sheet, key), "")

    def sheet_name(self, sheet: str) -> str:
        return self.sheet_names.get(sheet, sheet)
