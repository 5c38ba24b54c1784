"""Parser for Arakawa ward's 事務事業分析シート (administrative project analysis sheets).

The input is the text of the published PDF after conversion: one line per table row, cells
separated by tabs, with HTML fragments inside some cells (``<p>``, ``<li>``, and radio buttons
``<input type="radio" checked>``).  The conversion is not tidy: the same row can start in a
different column from one sheet to the next, a label and its value can share a cell, empty cells
come and go.  The parser therefore reads each row by its *label* (the first non-empty cell) and
the cells that follow, and it only uses column positions where the layout is a real grid (year
columns, the three-column budget breakdown, indicator rows).

Pure Python: no Django import.  Entry point: :func:`parse_arakawa_sheets`.

Conventions
-----------
* Amounts in the sheets are in thousands of yen (千円); ``▲`` (or ``△``, ``-``) is a minus
  sign.  Every parsed figure keeps the text exactly as printed next to the value.
* Anything absent or blank in the document is ``None`` (or an empty list), never 0.
* Text is stored as published (no NFKC); NFKC is applied only to recognise labels and numbers.

Year rule
---------
The sheets write most years without an era: ``29年度 30年度 元年度 2年度 … 5年度``.
A bare year is read in the era of the sheet's own fiscal year (令和 for a 令和5年度 sheet).
In a series of year columns the years must be consecutive: reading from the latest (rightmost)
column backwards, a bare year that is not exactly one less than its right-hand neighbour in the
sheet's era is read in the preceding era(s) (平成, then 昭和) instead, so the series above is
2017 … 2023.  A series that cannot be made consecutive is a format error.  A year standing alone
(``目標値(8年度)``, the classification years ``5年度 6年度``) is read in the sheet's era.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable

from shinchoku.core.fiscal import FiscalYearError, parse_fiscal_year
from shinchoku.core.text import nfkc, remove_spaces, squash_spaces

__all__ = [
    "ArakawaFormatError",
    "AmountError",
    "Amount",
    "Number",
    "RadioOption",
    "RadioGroup",
    "Department",
    "SmallProject",
    "PolicyLevel",
    "PolicyHierarchy",
    "HistoryEntry",
    "Contract",
    "ImplementationMethod",
    "IndicatorValue",
    "Indicator",
    "Classification",
    "BudgetYear",
    "ActivityValue",
    "ActivitySeries",
    "BreakdownItem",
    "BreakdownColumn",
    "CostLine",
    "CostStatement",
    "Issue",
    "ImprovementRow",
    "ImprovementTable",
    "OtherWards",
    "CouncilField",
    "ParseWarning",
    "EvaluationSheetData",
    "CLASSIFICATIONS",
    "parse_arakawa_sheets",
    "parse_amount",
    "format_amount",
    "parse_number",
    "resolve_year_series",
    "html_to_text",
]

#: The classification scale of the sheets, strongest first.
CLASSIFICATIONS: tuple[str, ...] = ("重点的に推進", "推進", "継続", "見直し", "縮小", "廃止")

ERA_ORDER: tuple[str, ...] = ("令和", "平成", "昭和")  # newest first


# ---------------------------------------------------------------------------------------------
# errors


class ArakawaFormatError(ValueError):
    """The text does not have the layout of an Arakawa 事務事業分析シート.

    ``line`` is the 1-based line of the input the problem was found on (``None`` if it concerns
    the file as a whole); ``message`` is the Japanese explanation without the place.
    """

    def __init__(self, message: str, line: int | None = None, filename: str = "<input>"):
        self.message = message
        self.line = line
        self.filename = filename
        place = f"{filename}:{line}" if line is not None else filename
        super().__init__(f"{place}: {message}")


class AmountError(ValueError):
    """A cell that should hold an amount or a number does not."""


# ---------------------------------------------------------------------------------------------
# numbers

_MINUS_SIGNS = "▲△-−"  # after NFKC (full-width ｰ/－ fold to '-')
_AMOUNT_RE = re.compile(r"^(?P<sign>[▲△\-−])?(?P<digits>\d{1,3}(?:,\d{3})+|\d+)$")
_NUMBER_RE = re.compile(
    r"^(?P<sign>[▲△\-−])?(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?$"
)


def _compact(text: str) -> str:
    return remove_spaces(nfkc(text))


def parse_amount(text: str | None) -> int | None:
    """An amount as printed (``1,234``, ``▲ 114,223``, ``△５``, ``-3``) → int; blank → None.

    Raises :class:`AmountError` for anything else.  Full-width digits and commas are accepted
    (NFKC), spaces anywhere are ignored, commas must group by three.
    """
    if text is None:
        return None
    compact = _compact(text)
    if not compact:
        return None
    m = _AMOUNT_RE.match(compact)
    if not m:
        raise AmountError(f"金額として読めません: 「{text}」")
    value = int(m["digits"].replace(",", ""))
    return -value if m["sign"] else value


def format_amount(
    value: int,
    *,
    minus: str = "▲",
    grouping: bool = True,
    fullwidth: bool = False,
    space_after_sign: bool = False,
) -> str:
    """Format an amount the way the sheets print it: ``▲114,223``.  Inverse of parse_amount."""
    if minus not in "▲△-−－":
        raise ValueError(f"minus sign not supported: {minus!r}")
    digits = f"{abs(value):,}" if grouping else str(abs(value))
    if fullwidth:
        digits = digits.translate(_TO_FULLWIDTH)
    if value < 0:
        return minus + (" " if space_after_sign else "") + digits
    return digits


_TO_FULLWIDTH = str.maketrans("0123456789,", "０１２３４５６７８９，")


def parse_number(text: str | None) -> Decimal | None:
    """A figure as printed (``98,440``, ``3.4``, ``-3.7``, ``▲5``) → Decimal; blank → None."""
    if text is None:
        return None
    compact = _compact(text)
    if not compact:
        return None
    m = _NUMBER_RE.match(compact)
    if not m:
        raise AmountError(f"数値として読めません: 「{text}」")
    value = Decimal(m["int"].replace(",", "") + (m["frac"] or ""))
    return -value if m["sign"] else value


def _is_number(text: str) -> bool:
    compact = _compact(text)
    return bool(compact) and bool(_NUMBER_RE.match(compact))


# ---------------------------------------------------------------------------------------------
# years

_YEAR_IN_TEXT = re.compile(r"(?:(令和|平成|昭和))?(\d{1,2}|元)年度")


def _year_parts(label: str) -> tuple[str | None, str] | None:
    m = _YEAR_IN_TEXT.search(_compact(label))
    if not m:
        return None
    return m.group(1), m.group(2)


def _single_year(label: str, era: str) -> int:
    parts = _year_parts(label)
    if parts is None:
        raise FiscalYearError(f"年度が読めません: 「{label}」")
    explicit, number = parts
    if explicit:
        return parse_fiscal_year(f"{explicit}{number}年度")
    return parse_fiscal_year(f"{number}年度", default_era=era)


def resolve_year_series(labels: list[str], *, era: str = "令和") -> list[int]:
    """Resolve a row of year column labels (oldest first) to western fiscal years.

    See the module docstring for the rule: the rightmost column is read in ``era``; going left
    each bare year must be one less than its neighbour, taking the first era (``era``, then the
    older ones) that makes it so.  Raises :class:`FiscalYearError` when that is impossible.
    """
    if era not in ERA_ORDER:
        raise FiscalYearError(f"元号が分かりません: 「{era}」")
    eras = ERA_ORDER[ERA_ORDER.index(era):]
    years: list[int] = [0] * len(labels)
    for i in range(len(labels) - 1, -1, -1):
        parts = _year_parts(labels[i])
        if parts is None:
            raise FiscalYearError(f"年度が読めません: 「{labels[i]}」")
        explicit, number = parts
        if i == len(labels) - 1:
            years[i] = _single_year(labels[i], era)
            continue
        want = years[i + 1] - 1
        if explicit:
            year = parse_fiscal_year(f"{explicit}{number}年度")
            if year != want:
                raise FiscalYearError(f"年度の並びが連続していません: 「{labels[i]}」")
            years[i] = year
            continue
        for candidate_era in eras:
            try:
                year = parse_fiscal_year(f"{number}年度", default_era=candidate_era)
            except FiscalYearError:
                continue
            if year == want:
                years[i] = year
                break
        else:
            raise FiscalYearError(
                f"年度の並びが連続していません: 「{labels[i]}」の次が「{labels[i + 1]}」"
            )
    return years


# ---------------------------------------------------------------------------------------------
# HTML fragments and radio buttons

_INPUT_RE = re.compile(r"<input\b(?P<attrs>[^>]*)>", re.IGNORECASE)
_TAG_RE = re.compile(
    r"</?(?:p|ul|ol|li|br|span|div|b|i|u|strong|em|table|tbody|thead|tr|td|th|sup|sub|a)\b[^>]*>",
    re.IGNORECASE,
)
_BREAK_RE = re.compile(r"<br\s*/?>|</p>|</li>|<ul\b[^>]*>|</ul>|<ol\b[^>]*>|</ol>", re.IGNORECASE)


def html_to_text(fragment: str) -> str:
    """Plain text of a converted cell: paragraphs and list items become lines, tags go away.

    Radio buttons used as bullets in free text become ``○`` (checked: ``●``).  Only real HTML tag
    names are stripped, so a heading such as ``<システム共通基盤>`` is kept as printed.
    """
    text = _INPUT_RE.sub(lambda m: "●" if _is_checked(m["attrs"]) else "○", fragment)
    text = _BREAK_RE.sub("\n", text)
    text = _TAG_RE.sub("", text)
    text = html.unescape(text)
    lines = [squash_spaces(line) for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def _is_checked(attrs: str) -> bool:
    return re.search(r"\bchecked\b", attrs, re.IGNORECASE) is not None


@dataclass
class RadioOption:
    label: str
    checked: bool


@dataclass
class RadioGroup:
    """A row of radio buttons as printed: every option, and which (if any) is checked."""

    options: list[RadioOption]
    raw: str = ""

    @property
    def checked(self) -> str | None:
        """The checked option's label; None if nothing is checked."""
        for option in self.options:
            if option.checked:
                return option.label
        return None

    @property
    def checked_labels(self) -> list[str]:
        return [o.label for o in self.options if o.checked]

    @property
    def labels(self) -> list[str]:
        return [o.label for o in self.options]


_LABEL_END = re.compile(r"[（(）)]|\s{2,}")


def _clean_radio_label(text: str) -> str:
    text = text.strip()
    text = text.lstrip("（(）) ").strip()
    m = _LABEL_END.search(text)
    if m:
        text = text[: m.start()]
    return text.strip()


def parse_radios(raw: str) -> RadioGroup:
    """All ``<input type="radio">`` options in ``raw`` with the label printed after each."""
    options: list[RadioOption] = []
    matches = list(_INPUT_RE.finditer(raw))
    for n, m in enumerate(matches):
        end = matches[n + 1].start() if n + 1 < len(matches) else len(raw)
        segment = raw[m.end():end].split("\t")[0]
        label = _clean_radio_label(html.unescape(_TAG_RE.sub("", segment)))
        options.append(RadioOption(label=label, checked=_is_checked(m["attrs"])))
    return RadioGroup(options=options, raw=raw)


# ---------------------------------------------------------------------------------------------
# the data model


@dataclass(frozen=True)
class Amount:
    """An amount in thousands of yen (千円) with its printed text."""

    raw: str
    value: int | None

    @classmethod
    def parse(cls, raw: str | None) -> Amount | None:
        if raw is None or not raw.strip():
            return None
        return cls(raw=raw.strip(), value=parse_amount(raw))


@dataclass(frozen=True)
class Number:
    """A figure (count, rate, score) with its printed text."""

    raw: str
    value: Decimal | None


@dataclass
class Department:
    raw: str
    bu: str | None  # 部
    ka: str | None  # 課
    kakari: str | None  # 係


@dataclass
class SmallProject:
    """小事業: budget project code (予算事業コード) and name."""

    code: str
    name: str | None


@dataclass
class PolicyLevel:
    level: str  # 分野 / 政策 / 施策
    code: str  # as printed (Ⅶ, VII, 15, 05)
    title: str | None

    @property
    def key(self) -> str:
        """The code in NFKC form, to compare across sheets (``Ⅶ`` and ``VII`` are the same)."""
        return _compact(self.code)


@dataclass
class PolicyHierarchy:
    field: PolicyLevel | None  # 分野
    policy: PolicyLevel | None  # 政策
    measure: PolicyLevel | None  # 施策

    @property
    def path(self) -> str:
        return "-".join(level.key for level in (self.field, self.policy, self.measure) if level)


@dataclass
class HistoryEntry:
    when: str  # as printed: 平成15年 9月 / 令和4年度
    text: str


@dataclass
class Contract:
    """A contract named under 実施方法, with its amount in yen (円, not 千円)."""

    name: str
    amount_yen: int | None
    amount_raw: str | None
    parts: list[Contract] = field(default_factory=list)

    @property
    def total_yen(self) -> int | None:
        if self.amount_yen is not None:
            return self.amount_yen
        if self.parts and all(p.amount_yen is not None for p in self.parts):
            return sum(p.amount_yen for p in self.parts)  # type: ignore[misc]
        return None


@dataclass
class ImplementationMethod:
    """実施方法: 委託 or 直営, and the contracts with their amounts."""

    raw: str
    mode_printed: str | None  # the text printed as the mode: 一部委託, or a misread such as 3委託
    mode: str | None  # 全部委託 / 一部委託 / 直営 when legible, else None
    mode_radio: RadioGroup | None  # when the mode was printed as radio buttons
    direct_staff: RadioGroup | None  # （直営の場合 ○常勤職員 ○会計年度任用職員）
    contracts: list[Contract]
    contracts_text: str | None
    contract_year: int | None  # （令和5年度）


@dataclass
class IndicatorValue:
    fiscal_year: int
    raw: str | None
    value: Decimal | None
    estimate: bool = False  # 見込み
    target: bool = False  # 目標値


@dataclass
class Indicator:
    number: int  # ① = 1
    name: str
    kind: str  # 成果 / 活動
    unit: str | None
    values: list[IndicatorValue]  # the yearly actuals, oldest first (some are estimates)
    target: IndicatorValue | None
    explanation: str | None
    line: int

    def value_for(self, year: int) -> IndicatorValue | None:
        for v in self.values:
            if v.fiscal_year == year:
                return v
        return None


@dataclass
class Classification:
    fiscal_year: int
    label: str  # one of CLASSIFICATIONS


@dataclass
class BudgetYear:
    """One year of 予算・決算額等の推移 (千円)."""

    fiscal_year: int
    budget: Amount | None  # 予算額
    settlement: Amount | None  # 決算額
    settlement_estimate: bool = False  # 決算額(5年度は見込み)


@dataclass
class ActivityValue:
    fiscal_year: int
    raw: str | None
    value: Decimal | None
    estimate: bool = False


@dataclass
class ActivitySeries:
    """A row of 実績の推移 (activity volumes)."""

    name: str
    unit: str | None
    values: list[ActivityValue]
    line: int

    def value_for(self, year: int) -> ActivityValue | None:
        for v in self.values:
            if v.fiscal_year == year:
                return v
        return None


@dataclass
class BreakdownItem:
    section: str | None  # 節
    description: str | None  # 主な事項
    amount: Amount | None
    line: int


@dataclass
class BreakdownColumn:
    """One year of 予算・決算の内訳 (by 節)."""

    fiscal_year: int
    kind: str  # 決算 / 予算
    heading: str  # as printed: 令和3年度 (決算)
    amounts_printed: bool  # False when the column has no 金額 column at all
    items: list[BreakdownItem]
    total: Amount | None = None  # a printed 合計 row, if any

    @property
    def items_sum(self) -> int | None:
        values = [i.amount.value for i in self.items if i.amount is not None]
        if not values or any(v is None for v in values):
            return None
        return sum(values)  # type: ignore[arg-type]


@dataclass
class CostLine:
    """A line of the 行政コスト計算書, label as printed, values per year and 差額."""

    label: str  # 行政収支差額(a)-(b)=(c)
    name: str  # 行政収支差額
    side: str  # 費用 (left column) / 収入 (right column)
    role: str  # item / total / input / derived
    letter: str | None  # c
    terms: list[tuple[int, str]]  # [(+1, 'a'), (-1, 'b')] for derived lines
    values: dict[int, Amount | None]
    difference: Amount | None  # 差額 as printed (None when the column is blank)
    line: int

    def value(self, year: int) -> int | None:
        amount = self.values.get(year)
        return amount.value if amount is not None else None

    @property
    def formula(self) -> str | None:
        if not self.terms:
            return None
        text = "".join(("+" if s > 0 else "-") + f"({l})" for s, l in self.terms).lstrip("+")
        return text + (f"=({self.letter})" if self.letter and self.role == "derived" else "")


@dataclass
class CostStatement:
    years: tuple[int, int]  # (earlier, later)
    has_difference_column: bool
    lines: list[CostLine]
    line: int

    def by_name(self, name: str) -> CostLine | None:
        for cl in self.lines:
            if cl.name == name:
                return cl
        return None

    def by_letter(self, letter: str) -> CostLine | None:
        for cl in self.lines:
            if cl.letter == letter:
                return cl
        return None

    def items(self, side: str) -> list[CostLine]:
        return [cl for cl in self.lines if cl.side == side and cl.role == "item"]


@dataclass
class Issue:
    number: int | None
    text: str


@dataclass
class ImprovementRow:
    number: int
    planned: str | None  # 令和4年度に取り組む具体的な改善内容
    implemented: str | None  # 令和4年度に実施した改善内容および評価
    next_plan: str | None  # 令和5年度以降に取り組む具体的な改善内容
    line: int


@dataclass
class ImprovementTable:
    headings: list[str]
    rows: list[ImprovementRow]


@dataclass
class OtherWards:
    raw: str
    implemented: int | None  # 実施
    not_implemented: int | None  # 未実施
    unknown: int | None  # 不明
    notes: str | None

    @property
    def total(self) -> int | None:
        parts = (self.implemented, self.not_implemented, self.unknown)
        return None if any(p is None for p in parts) else sum(parts)  # type: ignore[arg-type]


@dataclass
class CouncilField:
    """The council fields at the foot of a sheet (議会質問状況(要旨) …), usually blank."""

    label: str
    text: str | None
    line: int


@dataclass
class ParseWarning:
    line: int
    message: str


@dataclass
class EvaluationSheetData:
    """Every field of one 事務事業分析シート."""

    filename: str
    line_start: int
    line_end: int
    fiscal_year: int  # of the sheet: 令和5年度 → 2023
    heading: str
    page_label: str | None  # No1
    code: str  # 03-04-01
    strategic_plan: RadioGroup | None  # 戦略プラン: 協働 / 業務 / 財務 / 人事
    name: str
    department: Department | None
    manager: str | None  # 課長名
    staff: list[str]  # 担当者名
    staff_raw: str | None
    extension: str | None  # 内線
    small_projects_year: int | None
    small_projects: list[SmallProject]
    project_type: RadioGroup | None  # 新規事業 / 建設事業 / それ以外の継続事業
    new_project_year: RadioGroup | None  # 新規事業（ ○5年度 ○4年度）
    start_year: int | None
    start_year_raw: str | None
    legal_basis: str | None  # 根拠法令等
    end_year_setting: RadioGroup | None  # 終期設定: 有 / 無
    end_year: int | None
    end_year_raw: str | None
    implementation_standard: RadioGroup | None  # 法令基準内 / 都基準内 / 区独自基準
    plan_category: RadioGroup | None  # 計画 / 非計画
    policy: PolicyHierarchy
    purpose: str | None
    target_group: str | None
    content: str | None
    content_raw: str | None
    history: str | None
    history_raw: str | None
    history_entries: list[HistoryEntry]
    necessity: str | None
    method: ImplementationMethod | None
    indicators: list[Indicator]
    indicator_years: list[int]
    indicator_target_year: int | None
    classifications: list[Classification]
    classification_reason: str | None
    budget: list[BudgetYear]
    activities: list[ActivitySeries]
    breakdown: list[BreakdownColumn]
    cost_statement: CostStatement | None
    remarks: str | None
    issues: list[Issue]
    improvements: ImprovementTable | None
    other_wards: OtherWards | None
    council_fields: list[CouncilField]
    warnings: list[ParseWarning] = field(default_factory=list)

    def classification_for(self, year: int) -> str | None:
        for c in self.classifications:
            if c.fiscal_year == year:
                return c.label
        return None

    def budget_for(self, year: int) -> BudgetYear | None:
        for b in self.budget:
            if b.fiscal_year == year:
                return b
        return None

    def indicator(self, number: int) -> Indicator | None:
        for ind in self.indicators:
            if ind.number == number:
                return ind
        return None


# ---------------------------------------------------------------------------------------------
# lines and blocks


@dataclass
class _Line:
    no: int
    raw: str
    cells: list[str]

    @property
    def tokens(self) -> list[str]:
        return [c for c in self.cells if c]

    @property
    def blank(self) -> bool:
        return not self.tokens or all(set(_compact(t)) <= {"-"} for t in self.tokens)


def _make_line(no: int, raw: str) -> _Line:
    return _Line(no=no, raw=raw, cells=[c.strip() for c in raw.split("\t")])


_HEADING_RE = re.compile(r"^#*事務事業分析シート\((?P<year>.+年度)\)$")
_CODE_RE = re.compile(r"^\d{2}-\d{2}-\d{2}$")
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

# block anchors: compact (NFKC, no spaces) first cell → block name
_EXACT_ANCHORS = {
    "事務事業コード": "code",
    "事務事業名": "name",
    "事務事業の種類": "type",
    "開始年度": "start",
    "終期設定": "end",
    "実施基準": "standard",
    "行政評価事業体系": "policy",
    "目的": "purpose",
    "対象者等": "target",
    "内容": "content",
    "経過": "history",
    "必要性": "necessity",
    "実施方法": "method",
    "指標": "indicators",
    "事務事業の分類": "classification",
    "予算・決算額等の推移": "budget",
    "予算・決算の内訳": "breakdown",
    "行政コスト計算書": "cost",
}
_PREFIX_ANCHORS = (
    ("事務事業を構成する小事業名", "small_projects"),
    ("備考", "remarks"),
    ("問題点・課題の改善策", "improvements"),
    ("問題点・課題", "issues"),
    ("他区の", "other_wards"),
)


def _anchor_of(line: _Line) -> str | None:
    tokens = line.tokens
    if not tokens:
        return None
    first = _compact(tokens[0]).lstrip("-")
    if first in _EXACT_ANCHORS:
        return _EXACT_ANCHORS[first]
    for prefix, name in _PREFIX_ANCHORS:
        if first.startswith(prefix):
            return name
    if first == "実績の推移" and sum(1 for t in tokens if _year_parts(t)) >= 2:
        return "activities"
    if "議会" in first and len(first) <= 20:
        return "council"
    return None


@dataclass
class _Block:
    name: str
    lines: list[_Line]

    @property
    def first(self) -> _Line:
        return self.lines[0]


# ---------------------------------------------------------------------------------------------
# the parser


def parse_arakawa_sheets(text: str, filename: str = "<input>") -> list[EvaluationSheetData]:
    """Parse every 事務事業分析シート in ``text`` (tab-separated conversion of the PDF).

    Raises :class:`ArakawaFormatError` (with the line) when the layout is not recognised or a
    figure cannot be read; the whole file is rejected, nothing is half-parsed.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = [_make_line(n, raw) for n, raw in enumerate(text.splitlines(), start=1)]
    starts = [ln for ln in lines if _HEADING_RE.match(_compact(ln.raw))]
    if not starts:
        raise ArakawaFormatError(
            "事務事業分析シートの見出し（例: 事務事業分析シート（令和5年度））が見つかりません",
            line=1 if lines else None,
            filename=filename,
        )
    sheets: list[EvaluationSheetData] = []
    for i, start in enumerate(starts):
        end_no = starts[i + 1].no - 1 if i + 1 < len(starts) else len(lines)
        chunk = lines[start.no - 1 : end_no]
        sheets.append(_SheetParser(chunk, filename).parse())
    seen: dict[str, int] = {}
    for sheet in sheets:
        if sheet.code in seen:
            raise ArakawaFormatError(
                f"事務事業コード {sheet.code} が重複しています（{seen[sheet.code]}行目のシートと同じ）",
                line=sheet.line_start,
                filename=filename,
            )
        seen[sheet.code] = sheet.line_start
    return sheets


class _SheetParser:
    def __init__(self, lines: list[_Line], filename: str):
        self.lines = lines
        self.filename = filename
        self.warnings: list[ParseWarning] = []
        heading = lines[0]
        m = _HEADING_RE.match(_compact(heading.raw))
        assert m is not None
        self.heading = squash_spaces(heading.raw.lstrip("#"))
        try:
            self.year = parse_fiscal_year(m["year"])
        except FiscalYearError as exc:
            raise self.error(f"シートの年度が読めません: {exc}", heading) from exc
        era = _year_parts(m["year"])
        self.era = era[0] if era and era[0] else "令和"

    # -- helpers

    def error(self, message: str, line: _Line | int | None) -> ArakawaFormatError:
        no = line.no if isinstance(line, _Line) else line
        return ArakawaFormatError(message, line=no, filename=self.filename)

    def warn(self, line: _Line, message: str) -> None:
        self.warnings.append(ParseWarning(line=line.no, message=message))

    def year_of(self, label: str, line: _Line) -> int:
        try:
            return _single_year(label, self.era)
        except FiscalYearError as exc:
            raise self.error(f"年度が読めません: 「{label}」", line) from exc

    def series(self, labels: list[str], line: _Line) -> list[int]:
        try:
            return resolve_year_series(labels, era=self.era)
        except FiscalYearError as exc:
            raise self.error(str(exc), line) from exc

    def amount(self, raw: str | None, line: _Line, what: str) -> Amount | None:
        try:
            return Amount.parse(raw)
        except AmountError as exc:
            raise self.error(f"{what}: {exc}", line) from exc

    def number(self, raw: str | None, line: _Line, what: str, *, strict: bool = True) -> Number | None:
        if raw is None or not raw.strip():
            return None
        try:
            return Number(raw=raw.strip(), value=parse_number(raw))
        except AmountError as exc:
            if strict:
                raise self.error(f"{what}: {exc}", line) from exc
            self.warn(line, f"{what}: 数値として読めないため原文のみ保持します（「{raw}」）")
            return Number(raw=raw.strip(), value=None)

    # -- blocks

    def blocks(self) -> dict[str, _Block]:
        blocks: dict[str, _Block] = {}
        current: _Block | None = None
        self.page_label: str | None = None
        for line in self.lines[1:]:
            if line.blank:
                if current is not None:
                    current.lines.append(line)
                continue
            anchor = _anchor_of(line)
            if anchor is None and current is None:
                first = _compact(line.tokens[0])
                if re.fullmatch(r"No\.?\d+", first, re.IGNORECASE):
                    self.page_label = line.tokens[0]
                    continue
                raise self.error(f"シートの先頭に解釈できない行があります: 「{line.tokens[0]}」", line)
            if anchor is None:
                assert current is not None
                current.lines.append(line)
                continue
            if anchor == "council":
                current = blocks.setdefault("council", _Block("council", []))
                current.lines.append(line)
                continue
            if anchor in blocks:
                raise self.error(
                    f"「{line.tokens[0]}」の行が同じシートに二度あります"
                    f"（{blocks[anchor].first.no}行目にもあります）",
                    line,
                )
            current = _Block(anchor, [line])
            blocks[anchor] = current
        return blocks

    # -- main

    def parse(self) -> EvaluationSheetData:
        blocks = self.blocks()
        heading_line = self.lines[0]
        for required, label in (("code", "事務事業コード"), ("name", "事務事業名")):
            if required not in blocks:
                raise self.error(f"「{label}」の行がありません", heading_line)

        code, strategic = self.parse_code(blocks["code"])
        name_fields = self.parse_name(blocks["name"])
        small_year, small_projects = self.parse_small_projects(blocks.get("small_projects"))
        project_type, new_year = self.parse_type(blocks.get("type"))
        start_year, start_raw, legal_basis = self.parse_start(blocks.get("start"))
        end_setting, end_year, end_raw, legal_more = self.parse_end(blocks.get("end"))
        if legal_more:
            legal_basis = f"{legal_basis} {legal_more}" if legal_basis else legal_more
        standard, plan_category = self.parse_standard(blocks.get("standard"))
        history, history_raw, history_entries = self.parse_history(blocks.get("history"))
        content, content_raw = self.parse_text_raw(blocks.get("content"))
        indicators, ind_years, ind_target_year = self.parse_indicators(blocks.get("indicators"))
        classifications, reason = self.parse_classification(blocks.get("classification"))
        budget = self.parse_budget(blocks.get("budget"))
        activities = self.parse_activities(blocks.get("activities"))
        breakdown = self.parse_breakdown(blocks.get("breakdown"))
        cost = self.parse_cost(blocks.get("cost"))

        return EvaluationSheetData(
            filename=self.filename,
            line_start=heading_line.no,
            line_end=self.lines[-1].no,
            fiscal_year=self.year,
            heading=self.heading,
            page_label=self.page_label,
            code=code,
            strategic_plan=strategic,
            name=name_fields["name"],
            department=name_fields["department"],
            manager=name_fields["manager"],
            staff=name_fields["staff"],
            staff_raw=name_fields["staff_raw"],
            extension=name_fields["extension"],
            small_projects_year=small_year,
            small_projects=small_projects,
            project_type=project_type,
            new_project_year=new_year,
            start_year=start_year,
            start_year_raw=start_raw,
            legal_basis=legal_basis,
            end_year_setting=end_setting,
            end_year=end_year,
            end_year_raw=end_raw,
            implementation_standard=standard,
            plan_category=plan_category,
            policy=self.parse_policy(blocks.get("policy")),
            purpose=self.parse_text(blocks.get("purpose")),
            target_group=self.parse_text(blocks.get("target")),
            content=content,
            content_raw=content_raw,
            history=history,
            history_raw=history_raw,
            history_entries=history_entries,
            necessity=self.parse_text(blocks.get("necessity")),
            method=self.parse_method(blocks.get("method")),
            indicators=indicators,
            indicator_years=ind_years,
            indicator_target_year=ind_target_year,
            classifications=classifications,
            classification_reason=reason,
            budget=budget,
            activities=activities,
            breakdown=breakdown,
            cost_statement=cost,
            remarks=self.parse_remarks(blocks.get("remarks")),
            issues=self.parse_issues(blocks.get("issues")),
            improvements=self.parse_improvements(blocks.get("improvements")),
            other_wards=self.parse_other_wards(blocks.get("other_wards")),
            council_fields=self.parse_council(blocks.get("council")),
            warnings=self.warnings,
        )

    # -- labelled rows

    @staticmethod
    def labelled(tokens: Iterable[str], labels: set[str]) -> dict[str, list[str]]:
        """Split a token stream at label tokens: {label: [values…]}."""
        out: dict[str, list[str]] = {}
        current: str | None = None
        for token in tokens:
            key = _compact(token)
            if key in labels:
                current = key
                out.setdefault(key, [])
            elif current is not None:
                out[current].append(token)
        return out

    def parse_code(self, block: _Block) -> tuple[str, RadioGroup | None]:
        line = block.first
        cells = [c for ln in block.lines for c in ln.cells]
        tokens = [c for c in cells if c]
        if len(tokens) < 2:
            raise self.error("事務事業コードが空です", line)
        code = _compact(tokens[1])
        if not _CODE_RE.match(code):
            raise self.error(f"事務事業コードの形式が違います（例: 03-04-01）: 「{tokens[1]}」", line)
        strategic = None
        idx = next((i for i, c in enumerate(cells) if _compact(c) == "戦略プラン"), None)
        if idx is not None:
            strategic = parse_radios("\t".join(cells[idx + 1 :]))
            if not strategic.options:
                strategic = None
        return code, strategic

    def parse_name(self, block: _Block) -> dict:
        tokens = [t for ln in block.lines for t in ln.tokens]
        fields = self.labelled(tokens, {"事務事業名", "部課名", "課長名", "担当者名", "内線"})
        name = " ".join(fields.get("事務事業名", [])).strip()
        if not name:
            raise self.error("事務事業名が空です", block.first)
        dept_raw = " ".join(fields.get("部課名", [])).strip() or None
        department = None
        if dept_raw:
            m = re.fullmatch(r"(?P<bu>.+?部)?(?P<ka>.+?課)?(?P<kakari>.+?係)?", remove_spaces(dept_raw))
            department = Department(
                raw=dept_raw,
                bu=m["bu"] if m else None,
                ka=m["ka"] if m else None,
                kakari=m["kakari"] if m else None,
            )
        staff_raw = " ".join(fields.get("担当者名", [])).strip() or None
        staff = [s.strip() for s in re.split(r"[、,，・]", staff_raw)] if staff_raw else []
        return {
            "name": name,
            "department": department,
            "manager": " ".join(fields.get("課長名", [])).strip() or None,
            "staff": [s for s in staff if s],
            "staff_raw": staff_raw,
            "extension": " ".join(fields.get("内線", [])).strip() or None,
        }

    def parse_small_projects(self, block: _Block | None) -> tuple[int | None, list[SmallProject]]:
        if block is None:
            return None, []
        label = block.first.tokens[0]
        year = self.year_of(label, block.first) if _year_parts(label) else None
        projects: list[SmallProject] = []
        for n, line in enumerate(block.lines):
            tokens = line.tokens[1:] if n == 0 else line.tokens
            for token in tokens:
                if _CODE_RE.match(_compact(token)):
                    projects.append(SmallProject(code=_compact(token), name=None))
                elif projects and projects[-1].name is None:
                    projects[-1].name = token
                else:
                    raise self.error(f"小事業名の前に予算事業コードがありません: 「{token}」", line)
        return year, projects

    def parse_type(self, block: _Block | None) -> tuple[RadioGroup | None, RadioGroup | None]:
        if block is None:
            return None, None
        raw = "\t".join(c for ln in block.lines for c in ln.cells[1:] if c)
        radios = parse_radios(raw)
        years = [o for o in radios.options if _year_parts(o.label) and len(_compact(o.label)) <= 5]
        kinds = [o for o in radios.options if o not in years]
        return RadioGroup(kinds, raw), (RadioGroup(years, raw) if years else None)

    def parse_start(self, block: _Block | None) -> tuple[int | None, str | None, str | None]:
        if block is None:
            return None, None, None
        fields = self.labelled(
            [t for ln in block.lines for t in ln.tokens], {"開始年度", "根拠", "法令等"}
        )
        raw = " ".join(fields.get("開始年度", [])).strip() or None
        legal = " ".join(fields.get("根拠", []) + fields.get("法令等", [])).strip() or None
        year = None
        if raw:
            compact = _compact(raw)
            western = re.search(r"\((\d{4})\)", compact)
            era = re.match(r"^(令和|平成|昭和)(\d{1,2}|元)", compact)
            era_year = None
            if era:
                try:
                    era_year = parse_fiscal_year(f"{era[1]}{era[2]}年度")
                except FiscalYearError as exc:
                    raise self.error(f"開始年度が読めません: {exc}", block.first) from exc
            if western and era_year is not None and int(western[1]) != era_year:
                raise self.error(
                    f"開始年度の和暦と西暦が一致しません: 「{raw}」（{era_year}年度と{western[1]}年度）",
                    block.first,
                )
            year = int(western[1]) if western else era_year
            if year is None:
                try:
                    year = parse_fiscal_year(raw)
                except FiscalYearError as exc:
                    raise self.error(f"開始年度が読めません: 「{raw}」", block.first) from exc
        return year, raw, legal

    def parse_end(
        self, block: _Block | None
    ) -> tuple[RadioGroup | None, int | None, str | None, str | None]:
        if block is None:
            return None, None, None, None
        cells = [c for ln in block.lines for c in ln.cells[1:]]
        idx = next((i for i, c in enumerate(cells) if _compact(c) == "法令等"), len(cells))
        raw = "\t".join(c for c in cells[:idx] if c)
        legal = " ".join(c for c in cells[idx + 1 :] if c).strip() or None
        radios = parse_radios(raw)
        end_raw = None
        end_year = None
        m = re.search(r"[（(]\s*([^（）()]*?)\s*[）)]\s*年度", raw)
        if m:
            end_raw = m.group(0)
            if m.group(1).strip():
                end_year = self.year_of(m.group(1) + "年度", block.first)
        return (radios if radios.options else None), end_year, end_raw, legal

    def parse_standard(self, block: _Block | None) -> tuple[RadioGroup | None, RadioGroup | None]:
        if block is None:
            return None, None
        cells = [c for ln in block.lines for c in ln.cells[1:]]
        idx = next((i for i, c in enumerate(cells) if _compact(c) == "計画区分"), len(cells))
        standard = parse_radios("\t".join(c for c in cells[:idx] if c))
        plan = parse_radios("\t".join(c for c in cells[idx + 1 :] if c))
        return (standard if standard.options else None), (plan if plan.options else None)

    def parse_policy(self, block: _Block | None) -> PolicyHierarchy:
        levels: dict[str, PolicyLevel] = {}
        if block is not None:
            for line in block.lines:
                tokens = [t for t in line.tokens if _compact(t) != "行政評価事業体系"]
                if not tokens:
                    continue
                level = _compact(tokens[0])
                if level not in ("分野", "政策", "施策"):
                    raise self.error(f"行政評価事業体系の区分が分かりません: 「{tokens[0]}」", line)
                if len(tokens) < 2:
                    raise self.error(f"{level}のコードがありません", line)
                levels[level] = PolicyLevel(
                    level=level, code=tokens[1], title=" ".join(tokens[2:]).strip() or None
                )
        return PolicyHierarchy(
            field=levels.get("分野"), policy=levels.get("政策"), measure=levels.get("施策")
        )

    def block_text(self, block: _Block) -> str:
        parts: list[str] = []
        for n, line in enumerate(block.lines):
            tokens = line.tokens[1:] if n == 0 else line.tokens
            if tokens:
                parts.append("\t".join(tokens))
        return "\n".join(parts)

    def parse_text(self, block: _Block | None) -> str | None:
        if block is None:
            return None
        raw = self.block_text(block)
        text = html_to_text(raw.replace("\t", " "))
        return text or None

    def parse_text_raw(self, block: _Block | None) -> tuple[str | None, str | None]:
        if block is None:
            return None, None
        raw = self.block_text(block)
        return (html_to_text(raw.replace("\t", " ")) or None), (raw or None)

    _DATE_CELL = re.compile(r"^(?:昭和|平成|令和)(?:\d{1,2}|元)年(?:度|\d{1,2}月)?$")

    def parse_history(
        self, block: _Block | None
    ) -> tuple[str | None, str | None, list[HistoryEntry]]:
        if block is None:
            return None, None, []
        raw = self.block_text(block) or None
        entries: list[HistoryEntry] = []
        tabular = any(
            self._DATE_CELL.match(_compact(t))
            for n, ln in enumerate(block.lines)
            for t in (ln.tokens[1:] if n == 0 else ln.tokens)[:1]
        )
        if tabular:
            for n, line in enumerate(block.lines):
                for token in line.tokens[1:] if n == 0 else line.tokens:
                    if self._DATE_CELL.match(_compact(token)):
                        entries.append(HistoryEntry(when=token, text=""))
                    elif entries:
                        entries[-1].text = f"{entries[-1].text} {token}".strip()
                    else:
                        raise self.error(f"経過の日付が読めません: 「{token}」", line)
            text = "\n".join(f"{e.when} {e.text}".strip() for e in entries)
            return text or None, raw, entries
        text = html_to_text((raw or "").replace("\t", " "))
        return text or None, raw, entries

    # -- method

    def parse_method(self, block: _Block | None) -> ImplementationMethod | None:
        if block is None:
            return None
        raw = self.block_text(block)
        work = raw.replace("\t", " ")
        direct_staff = None
        m = re.search(r"[（(]\s*直営の場合(?P<body>.*?)[）)]", work)
        before, after = work, ""
        if m:
            direct_staff = parse_radios(m["body"])
            before, after = work[: m.start()], work[m.end():]
        mode_radio = None
        mode_printed = None
        radios = parse_radios(before)
        if radios.options:
            mode_radio = radios
            mode_printed = radios.checked
            rest_before = _INPUT_RE.split(before)[-1]
            # text after the last radio label is not a contract unless nothing else is printed
            tail = re.sub(r"^[^（()）]*[）)]", "", rest_before, count=1).strip()
            after = f"{tail} {after}".strip() if tail else after
        else:
            pm = re.search(r"[（(]\s*(?P<mode>[^（()）]*?委託|直営)\s*[）)]", before)
            if pm:
                mode_printed = pm["mode"].strip()
                tail = (before[: pm.start()] + " " + before[pm.end():]).strip()
                after = f"{tail} {after}".strip() if tail else after
            else:
                after = f"{before} {after}".strip()
        mode = None
        if mode_printed:
            compact = _compact(mode_printed)
            if compact in ("全部委託", "一部委託", "直営"):
                mode = compact
            else:
                self.warn(
                    block.first,
                    f"実施方法の区分「{mode_printed}」は選択肢（全部委託／一部委託／直営）として読めません"
                    "（PDF変換の誤読の可能性）。原文のみ保持します",
                )
        contracts_text = html_to_text(after).replace("\n", " ").strip() or None
        contracts, year = self.parse_contracts(contracts_text or "", block.first)
        return ImplementationMethod(
            raw=raw,
            mode_printed=mode_printed,
            mode=mode,
            mode_radio=mode_radio,
            direct_staff=direct_staff if direct_staff and direct_staff.options else None,
            contracts=contracts,
            contracts_text=contracts_text,
            contract_year=year,
        )

    _YEN_RE = re.compile(r"^(?P<name>.*?)[：:]?\s*(?P<amt>[\d,，０-９]+)\s*円$")

    def parse_contracts(self, text: str, line: _Line) -> tuple[list[Contract], int | None]:
        text = text.strip().lstrip("・").strip()
        year = None
        ym = re.search(r"[（(]?\s*((?:令和|平成)\s*(?:\d{1,2}|元)\s*年度)\s*[）)]?\s*$", text)
        if ym:
            year = self.year_of(ym.group(1), line)
            text = text[: ym.start()].strip()
        items: list[str] = []
        depth = 0
        buf = ""
        for ch in text:
            if ch in "（(":
                depth += 1
            elif ch in "）)":
                depth = max(0, depth - 1)
            if depth == 0 and (ch == "、" or ch.isspace()):
                if buf.strip():
                    items.append(buf.strip())
                buf = ""
                continue
            buf += ch
            if depth == 0 and ch in "）)":
                items.append(buf.strip())
                buf = ""
        if buf.strip():
            items.append(buf.strip())
        contracts: list[Contract] = []
        for item in items:
            item = item.lstrip("・").strip()
            if not item:
                continue
            if re.fullmatch(r"[（(].*[）)]", item) and contracts:
                # a parenthesised amount printed apart from its name
                inner = item[1:-1].strip()
                self._fill_contract(contracts[-1], inner)
                continue
            pm = re.fullmatch(r"(?P<name>[^（(]+)[（(](?P<inner>.*)[）)]", item)
            if pm:
                contract = Contract(name=pm["name"].strip(), amount_yen=None, amount_raw=None)
                self._fill_contract(contract, pm["inner"].strip())
                contracts.append(contract)
                continue
            ym2 = self._YEN_RE.match(item)
            if ym2 and ym2["name"].strip():
                contracts.append(
                    Contract(
                        name=ym2["name"].strip(),
                        amount_yen=parse_amount(ym2["amt"]),
                        amount_raw=item[len(ym2["name"]):].strip(),
                    )
                )
                continue
            contracts.append(Contract(name=item, amount_yen=None, amount_raw=None))
        return contracts, year

    def _fill_contract(self, contract: Contract, inner: str) -> None:
        whole = re.fullmatch(r"([\d,，０-９]+)\s*円", inner)
        if whole:
            contract.amount_yen = parse_amount(whole.group(1))
            contract.amount_raw = inner
            return
        parts = [p.strip() for p in re.split(r"[、,](?![\d]{3})", inner) if p.strip()]
        parsed: list[Contract] = []
        for part in parts:
            pm = self._YEN_RE.match(part)
            if not pm:
                contract.name = f"{contract.name}（{inner}）"
                return
            parsed.append(
                Contract(
                    name=pm["name"].strip(),
                    amount_yen=parse_amount(pm["amt"]),
                    amount_raw=part[len(pm["name"]):].lstrip("：:").strip(),
                )
            )
        contract.parts = parsed

    # -- indicators

    _UNITS = ("千円", "円", "%", "件", "台", "人", "回", "枚", "施設", "箇所", "時間", "日", "点")

    def unit_of(self, name: str) -> str | None:
        for m in re.finditer(r"[（(]([^（）()]+)[）)]", name):
            candidate = _compact(m.group(1))
            if candidate in self._UNITS:
                return candidate
        return None

    def parse_indicators(
        self, block: _Block | None
    ) -> tuple[list[Indicator], list[int], int | None]:
        if block is None:
            return [], [], None
        header = block.first
        kind = "活動" if any("活動" in t for t in header.tokens) else "成果"
        year_line = next(
            (ln for ln in block.lines[1:] if sum(1 for t in ln.tokens if _year_parts(t)) >= 2), None
        )
        if year_line is None:
            raise self.error("指標の年度の見出し行がありません", header)
        actual_labels: list[str] = []
        estimate_flags: list[bool] = []
        target_year = None
        for token in year_line.tokens:
            if not _year_parts(token):
                continue
            if "目標" in token:
                target_year = self.year_of(token, year_line)
            else:
                actual_labels.append(token)
                estimate_flags.append("見込" in token)
        years = self.series(actual_labels, year_line)
        indicators: list[Indicator] = []
        for line in block.lines:
            if line is header or line is year_line or line.blank:
                continue
            indicator = self.parse_indicator_row(line, kind, years, estimate_flags, target_year)
            if indicator is not None:
                indicators.append(indicator)
        return indicators, years, target_year

    def parse_indicator_row(
        self, line: _Line, kind: str, years: list[int], estimate_flags: list[bool], target_year: int | None
    ) -> Indicator | None:
        """One row ①–③: name, the yearly values, the target, the explanation (None for an empty slot)."""
        idx = next(
            (i for i, c in enumerate(line.cells) if c and c.strip()[0] in _CIRCLED), None
        )
        if idx is None:
            raise self.error(f"指標の行が読めません（①〜③の番号がありません）: 「{line.tokens[0]}」", line)
        marker_cell = line.cells[idx].strip()
        number = _CIRCLED.index(marker_cell[0]) + 1
        fused = marker_cell[1:].strip()
        if fused:
            name = fused
            pos = idx + 1
        else:
            name = line.cells[idx + 1] if idx + 1 < len(line.cells) else ""
            pos = idx + 2

        def cell(i: int) -> str | None:
            return line.cells[i] if i < len(line.cells) and line.cells[i] else None

        raw_values = [cell(pos + k) for k in range(len(years))]
        raw_target = cell(pos + len(years)) if target_year is not None else None
        explanation_at = pos + len(years) + (1 if target_year is not None else 0)
        explanation = cell(explanation_at)
        rest = [c for c in line.cells[explanation_at + 1 :] if c]
        if rest:
            explanation = " ".join(([explanation] if explanation else []) + rest)
        if not name and not any(raw_values) and raw_target is None and explanation is None:
            return None  # an empty indicator slot
        if not name:
            raise self.error(f"指標{_CIRCLED[number - 1]}の名称が空です", line)
        estimated_by_note = set()
        if explanation:
            for m in re.finditer(r"(\d{1,2}|元)年度は見込", _compact(explanation)):
                estimated_by_note.add(self.year_of(m.group(1) + "年度", line))
        values = []
        for year, raw, est in zip(years, raw_values, estimate_flags):
            num = self.number(raw, line, f"指標{_CIRCLED[number - 1]}の{year}年度の値", strict=False)
            values.append(
                IndicatorValue(fiscal_year=year, raw=raw, value=num.value if num else None,
                               estimate=est or year in estimated_by_note)
            )
        target = None
        if target_year is not None and raw_target is not None:
            num = self.number(raw_target, line, f"指標{_CIRCLED[number - 1]}の目標値", strict=False)
            target = IndicatorValue(fiscal_year=target_year, raw=raw_target, value=num.value if num else None, target=True)
        return Indicator(number=number, name=name, kind=kind, unit=self.unit_of(name), values=values, target=target,
                         explanation=explanation, line=line.no)

    # -- classification

    def parse_classification(
        self, block: _Block | None
    ) -> tuple[list[Classification], str | None]:
        if block is None:
            return [], None
        lines = [ln for ln in block.lines[1:] if not ln.blank]
        year_line = next(
            (ln for ln in lines if ln.tokens and all(_year_parts(t) for t in ln.tokens)), None
        )
        if year_line is None:
            raise self.error("事務事業の分類の年度の見出し行がありません", block.first)
        years = self.series(year_line.tokens, year_line)
        after = lines[lines.index(year_line) + 1 :]
        if not after:
            raise self.error("事務事業の分類の行がありません", year_line)
        value_line = after[0]
        tokens = value_line.tokens
        if len(tokens) < len(years):
            raise self.error("事務事業の分類が年度の数だけありません", value_line)
        result = []
        for year, token in zip(years, tokens):
            label = _compact(token)
            if label not in CLASSIFICATIONS:
                raise self.error(
                    f"事務事業の分類「{token}」は選択肢（{'／'.join(CLASSIFICATIONS)}）にありません",
                    value_line,
                )
            result.append(Classification(fiscal_year=year, label=label))
        reason_parts = [" ".join(tokens[len(years):])] + [" ".join(ln.tokens) for ln in after[1:]]
        reason = "\n".join(p for p in reason_parts if p).strip() or None
        return result, reason

    # -- year-column tables

    @staticmethod
    def year_columns(line: _Line) -> list[tuple[int, str]]:
        return [(i, c) for i, c in enumerate(line.cells) if c and re.fullmatch(
            r"(?:令和|平成|昭和)?(?:\d{1,2}|元)年度", _compact(c))]

    def align(
        self, line: _Line, columns: list[int], what: str
    ) -> tuple[list[str], list[str | None]]:
        """Split a data row into its label cells and one value per year column."""
        label_cells: list[tuple[int, str]] = []
        value_cells: list[tuple[int, str]] = []
        for i, c in enumerate(line.cells):
            if not c:
                continue
            if not value_cells and not _is_number(c) and i not in columns:
                label_cells.append((i, c))
            else:
                value_cells.append((i, c))
        if all(i in columns for i, _ in value_cells):
            by_index = dict(value_cells)
            values = [by_index.get(i) for i in columns]
        elif len(value_cells) == len(columns):
            values = [c for _, c in value_cells]
        else:
            raise self.error(
                f"{what}の値が年度の列に揃っていません（年度 {len(columns)} 列、値 {len(value_cells)} 個）",
                line,
            )
        return [c for _, c in label_cells], values

    def estimate_year_in(self, texts: Iterable[str], line: _Line) -> int | None:
        for text in texts:
            m = re.search(r"(\d{1,2}|元)年度は見込", _compact(text))
            if m:
                return self.year_of(m.group(1) + "年度", line)
        return None

    def parse_budget(self, block: _Block | None) -> list[BudgetYear]:
        if block is None:
            return []
        header = block.first
        cols = self.year_columns(header)
        if len(cols) < 2:
            raise self.error("予算・決算額等の推移の年度の見出しが読めません", header)
        years = self.series([c for _, c in cols], header)
        columns = [i for i, _ in cols]
        budget: dict[int, Amount | None] = {}
        settlement: dict[int, Amount | None] = {}
        estimate_year = None
        seen_budget = seen_settlement = False
        for line in block.lines[1:]:
            if line.blank:
                continue
            labels, values = self.align(line, columns, "予算・決算額等の推移")
            label = _compact(" ".join(labels))
            if label.startswith("予算額"):
                target, seen_budget = budget, True
            elif label.startswith("決算額"):
                target, seen_settlement = settlement, True
                estimate_year = self.estimate_year_in(labels, line)
            else:
                raise self.error(f"予算・決算額等の推移に解釈できない行があります: 「{line.tokens[0]}」", line)
            for year, raw in zip(years, values):
                target[year] = self.amount(raw, line, f"{label} {year}年度")
        if not seen_budget:
            raise self.error("予算額の行がありません", header)
        if not seen_settlement:
            raise self.error("決算額の行がありません", header)
        return [
            BudgetYear(
                fiscal_year=y,
                budget=budget.get(y),
                settlement=settlement.get(y),
                settlement_estimate=(y == estimate_year),
            )
            for y in years
        ]

    def parse_activities(self, block: _Block | None) -> list[ActivitySeries]:
        if block is None:
            return []
        header = block.first
        cols = self.year_columns(header)
        years = self.series([c for _, c in cols], header)
        columns = [i for i, _ in cols]
        estimate_year = self.estimate_year_in(header.tokens, header)
        series: list[ActivitySeries] = []
        for line in block.lines[1:]:
            if line.blank:
                continue
            labels, values = self.align(line, columns, "実績の推移")
            labels = [t for t in labels if _compact(t) != "実績の推移"]
            if not any(values):
                if any(_compact(t).startswith("事項名") for t in labels):
                    estimate_year = self.estimate_year_in(labels, line) or estimate_year
                    continue
                if not labels:
                    continue
            if any(_compact(t).startswith("事項名") for t in labels):
                estimate_year = self.estimate_year_in(labels, line) or estimate_year
                labels = [t for t in labels if not _compact(t).startswith("事項名")]
            name = " ".join(labels).strip()
            if not name:
                raise self.error("実績の推移の事項名が空です", line)
            vals = []
            for year, raw in zip(years, values):
                num = self.number(raw, line, f"実績「{name}」の{year}年度の値")
                vals.append(
                    ActivityValue(
                        fiscal_year=year,
                        raw=raw,
                        value=num.value if num else None,
                        estimate=(year == estimate_year),
                    )
                )
            series.append(ActivitySeries(name=name, unit=self.unit_of(name), values=vals, line=line.no))
        return series

    # -- breakdown

    def parse_breakdown(self, block: _Block | None) -> list[BreakdownColumn]:
        if block is None:
            return []
        lines = [ln for ln in block.lines[1:] if not ln.blank]
        header_idx = next(
            (n for n, ln in enumerate(lines) if any(_compact(c) == "節" for c in ln.cells)), None
        )
        if header_idx is None:
            raise self.error("予算・決算の内訳の見出し（節・主な事項・金額）がありません", block.first)
        header = lines[header_idx]
        starts = [i for i, c in enumerate(header.cells) if _compact(c) == "節"]
        heading_tokens = [t for ln in lines[:header_idx] for t in ln.tokens]
        if len(heading_tokens) != len(starts):
            raise self.error(
                f"予算・決算の内訳の年度見出し（{len(heading_tokens)}個）と列（{len(starts)}組）の数が合いません",
                header,
            )
        columns: list[BreakdownColumn] = []
        for start, heading in zip(starts, heading_tokens):
            km = re.search(r"(決算|予算)", heading)
            if not km:
                raise self.error(f"予算・決算の内訳の見出しに決算／予算の別がありません: 「{heading}」", header)
            has_amount = start + 2 < len(header.cells) and _compact(header.cells[start + 2]).startswith("金額")
            columns.append(
                BreakdownColumn(
                    fiscal_year=self.year_of(heading, header),
                    kind=km.group(1),
                    heading=heading,
                    amounts_printed=has_amount,
                    items=[],
                )
            )
        for line in lines[header_idx + 1 :]:
            for start, column in zip(starts, columns):
                cells = [
                    line.cells[start + k] if start + k < len(line.cells) else "" for k in range(3)
                ]
                if not any(cells):
                    continue
                section, description, raw_amount = cells
                if _compact(section) in ("合計", "計") or _compact(description) in ("合計", "計"):
                    column.total = self.amount(raw_amount, line, f"{column.heading} 合計")
                    continue
                if raw_amount and not column.amounts_printed:
                    raise self.error(f"{column.heading} に金額の列がないのに金額があります", line)
                column.items.append(
                    BreakdownItem(
                        section=section or None,
                        description=description or None,
                        amount=self.amount(raw_amount, line, f"{column.heading} {section}"),
                        line=line.no,
                    )
                )
        return columns

    # -- cost statement

    _COST_LABEL = re.compile(
        r"^(?P<name>[^()]*?)(?P<expr>\([a-z]\)(?:[+\-]\([a-z]\))*)?(?:=\((?P<result>[a-z])\))?$"
    )
    _REVENUE_NAMES = {
        "地方税等", "国庫支出金", "都支出金", "分担金及び負担金", "使用料及び手数料", "その他",
        "行政収入合計", "行政収支差額", "金融収支差額", "通常収支差額", "特別収入", "当期収支差額",
    }
    _SECTION_LABELS = {"行政費用", "行政収入", "勘定科目", "差額"}

    def parse_cost(self, block: _Block | None) -> CostStatement | None:
        if block is None:
            return None
        year_tokens: list[str] = []
        header_lines: list[_Line] = []
        data_lines: list[_Line] = []
        for line in block.lines:
            if line.blank:
                continue
            tokens = line.tokens
            if line is block.first or all(
                _compact(t) in self._SECTION_LABELS or _year_parts(t) or _compact(t) == "行政コスト計算書"
                for t in tokens
            ):
                header_lines.append(line)
                year_tokens += [t for t in tokens if _year_parts(t)]
            else:
                data_lines.append(line)
        labels = list(dict.fromkeys(_compact(t) for t in year_tokens))
        if len(labels) != 2:
            raise self.error("行政コスト計算書の年度見出し（2か年）が読めません", block.first)
        years = self.series(labels, block.first)
        has_diff = any(_compact(t) == "差額" for ln in header_lines for t in ln.tokens)
        cost_lines: list[CostLine] = []
        for line in data_lines:
            entries = self.cost_entries(line)
            for k, (label, nums) in enumerate(entries):
                side = ("費用" if k == 0 else "収入") if len(entries) == 2 else None
                cost_lines.append(self.cost_line(label, nums, side, line, years))
        if not cost_lines:
            raise self.error("行政コスト計算書に科目の行がありません", block.first)
        letters = [cl.letter for cl in cost_lines if cl.letter]
        duplicates = {x for x in letters if letters.count(x) > 1}
        if duplicates:
            raise self.error(
                f"行政コスト計算書の記号 {'、'.join(sorted(duplicates))} が複数の行にあります", block.first
            )
        return CostStatement(
            years=(years[0], years[1]), has_difference_column=has_diff, lines=cost_lines, line=block.first.no
        )

    def cost_entries(self, line: _Line) -> list[tuple[str, list[str]]]:
        """The (label, figures) pairs of one line: the cost side and, beside it, the revenue side."""
        entries: list[tuple[str, list[str]]] = []
        for token in line.tokens:
            if _is_number(token):
                if not entries:
                    raise self.error(f"行政コスト計算書の金額の前に科目がありません: 「{token}」", line)
                entries[-1][1].append(token)
            else:
                entries.append((token, []))
        # a label with no figures followed by another label is a section heading (行政費用)
        entries = [
            e for k, e in enumerate(entries)
            if not (not e[1] and _compact(e[0]) in self._SECTION_LABELS and k + 1 < len(entries))
        ]
        if len(entries) > 2:
            raise self.error("行政コスト計算書の行に科目が3つ以上あります", line)
        return entries

    def cost_line(self, label: str, nums: list[str], side: str | None, line: _Line, years: list[int]) -> CostLine:
        """One 科目 with its two years and 差額; its letter and formula from the label (合計(b), (a)-(b)=(c))."""
        parsed = self._COST_LABEL.match(_compact(label))
        if parsed is None:
            raise self.error(f"行政コスト計算書の科目名が読めません: 「{label}」", line)
        name = parsed["name"]
        if side is None:
            side = "収入" if name in self._REVENUE_NAMES else "費用"
        if len(nums) not in (2, 3):
            raise self.error(
                f"行政コスト計算書「{label}」の金額は2か年と差額のはずですが {len(nums)} 個あります",
                line,
            )
        terms = [
            (-1 if sign == "-" else 1, letter)
            for sign, letter in re.findall(r"([+\-]?)\(([a-z])\)", parsed["expr"] or "")
        ]
        if len(terms) >= 2:
            role, letter = "derived", parsed["result"]
        elif len(terms) == 1:
            role, letter = ("total" if "合計" in name else "input"), terms[0][1]
            terms = []
        else:
            role, letter = "item", None
        what = f"行政コスト計算書「{label}」"
        y1, y2 = years
        return CostLine(
            label=label, name=name, side=side, role=role, letter=letter, terms=terms,
            values={y1: self.amount(nums[0], line, what), y2: self.amount(nums[1], line, what)},
            difference=self.amount(nums[2], line, what) if len(nums) == 3 else None,
            line=line.no,
        )

    # -- free-text tail

    def parse_remarks(self, block: _Block | None) -> str | None:
        if block is None:
            return None
        first = block.first.tokens
        head = re.sub(r"^備考\s*", "", first[0])
        parts = [" ".join([head] + first[1:]).strip()]
        parts += [" ".join(ln.tokens) for ln in block.lines[1:] if not ln.blank]
        return "\n".join(p for p in parts if p) or None

    def parse_issues(self, block: _Block | None) -> list[Issue]:
        if block is None:
            return []
        texts: list[str] = []
        first = " ".join(block.first.tokens)
        head = re.sub(r"^[-\s]*問題点・課題\s*", "", first)
        if head:
            texts.append(head)
        for line in block.lines[1:]:
            if line.blank:
                continue
            texts.append(re.sub(r"^[-*\s]+", "", " ".join(line.tokens)))
        issues = []
        for text in texts:
            text = text.strip()
            m = re.match(rf"^([{_CIRCLED}])\s*", text)
            number = _CIRCLED.index(m.group(1)) + 1 if m else None
            issues.append(Issue(number=number, text=text[m.end():].strip() if m else text))
        return issues

    def parse_improvements(self, block: _Block | None) -> ImprovementTable | None:
        if block is None:
            return None
        headings: list[str] = []
        rows: list[ImprovementRow] = []
        for line in block.lines[1:]:
            if line.blank:
                continue
            idx = next((i for i, c in enumerate(line.cells) if c), 0)
            marker = line.cells[idx].strip() if line.cells else ""
            if len(marker) == 1 and marker in _CIRCLED:
                texts = [line.cells[idx + k] if idx + k < len(line.cells) else "" for k in (1, 2, 3)]
                rows.append(
                    ImprovementRow(
                        number=_CIRCLED.index(marker) + 1,
                        planned=texts[0] or None,
                        implemented=texts[1] or None,
                        next_plan=texts[2] or None,
                        line=line.no,
                    )
                )
            elif not rows and not headings:
                headings = line.tokens
            else:
                raise self.error(f"問題点・課題の改善策の行が読めません: 「{line.tokens[0]}」", line)
        return ImprovementTable(headings=headings, rows=rows)

    def parse_other_wards(self, block: _Block | None) -> OtherWards | None:
        if block is None:
            return None
        first = block.first
        raw = " ".join(first.tokens[1:]).strip()
        compact = _compact(raw)
        counts = {}
        for key, pattern in (
            ("implemented", r"(?<!未)実施(\d+)区"),
            ("not_implemented", r"未実施(\d+)区"),
            ("unknown", r"不明(\d+)区"),
        ):
            m = re.search(pattern, compact)
            counts[key] = int(m.group(1)) if m else None
        notes = [" ".join(ln.tokens) for ln in block.lines[1:] if not ln.blank]
        return OtherWards(raw=raw, notes="\n".join(notes) or None, **counts)

    def parse_council(self, block: _Block | None) -> list[CouncilField]:
        if block is None:
            return []
        fields: list[CouncilField] = []
        for line in block.lines:
            if line.blank:
                continue
            if _anchor_of(line) == "council":
                fields.append(
                    CouncilField(label=line.tokens[0], text=" ".join(line.tokens[1:]) or None, line=line.no)
                )
            elif fields:
                extra = " ".join(line.tokens)
                fields[-1].text = f"{fields[-1].text}\n{extra}" if fields[-1].text else extra
        return fields
