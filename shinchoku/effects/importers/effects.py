"""The effects file (効果の算定の入力): CSV (UTF-8, with or without BOM) or XLSX (first worksheet),
one effect per row — read and checked in plain Python (no Django), for ``shinchoku import effects``.

Every row is read and checked here first; any problem (unreadable figure or year, unknown column,
inputs that cannot be computed) is reported with its row and column. The rows are then applied by
:func:`shinchoku.effects.actions.import_effects`, which finds the municipality, plan, item, department
and evaluation sheet each row names. The file's columns are exactly those of :data:`COLUMNS` (the
effects page offers the same layout as CSV: :func:`export_rows`).

Columns (header row; Japanese names, order free; only the first five are required)::

    団体コード, 計画, 効果の名称, 年度, 種別 (効果額 / 削減額 / 増収額 / 削減時間; default 効果額),
    計画項目コード, 所管課, 事務事業コード, 公表値,
    削減時間 (時間: 15085 / 1.5 / 7時間45分 / 30分 — a value with 分 is stored as minutes),
    削減時間の内訳 (「きっずクラブ 利用状況集計=10080; 現金出納簿 記帳業務=4800」),
    乗数 (「20日(月平均稼働日数); 140ユーザー」), 期間 (年 / 月), 年あたり期間数,
    時間単価, 月額人件費, 月あたり稼働日数, 1日あたり所定労働時間 (7.75 or 7時間45分), 人件費の根拠,
    時間単価の端数処理, 円の端数処理, 千円換算の端数処理 (なし / 円未満四捨五入 / 円未満切り捨て /
    小数第3位を四捨五入 / 千円未満四捨五入 …), 算定根拠, 注記
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from shinchoku.core.fiscal import FiscalYearError, parse_fiscal_year
from shinchoku.core.text import nfkc, remove_spaces
from shinchoku.effects import calc
from shinchoku.effects.inputs import (
    KIND_LABELS,
    ROUNDING_CHOICES,
    THOUSAND_ROUNDING_CHOICES,
    InputError,
    input_problem,
    published_figure,
    rule_from_text,
)

COLUMNS: tuple[str, ...] = (
    "団体コード", "計画", "計画項目コード", "効果の名称", "年度", "種別", "所管課", "事務事業コード", "公表値",
    "削減時間", "削減時間の内訳", "乗数", "期間", "年あたり期間数",
    "時間単価", "月額人件費", "月あたり稼働日数", "1日あたり所定労働時間", "人件費の根拠",
    "時間単価の端数処理", "円の端数処理", "千円換算の端数処理", "算定根拠", "注記",
)
REQUIRED = ("団体コード", "計画", "効果の名称", "年度")
KINDS = {label: value for value, label in KIND_LABELS.items()}
PERIODS = {"年": "year", "年あたり": "year", "year": "year", "月": "month", "月あたり": "month", "month": "month"}
# The column of the file that holds each field of an effect (for problems found when applying a row).
FIELD_COLUMNS = {
    "name": "効果の名称", "fiscal_year": "年度", "kind": "種別", "raw_value": "公表値", "hours_saved": "削減時間",
    "minutes_saved": "削減時間", "hours_breakdown": "削減時間の内訳", "multipliers": "乗数", "period_unit": "期間",
    "periods_per_year": "年あたり期間数", "hourly_rate": "時間単価", "monthly_salary": "月額人件費",
    "working_days": "月あたり稼働日数", "hours_per_day": "1日あたり所定労働時間", "labour_cost_label": "人件費の根拠",
    "rate_rounding": "時間単価の端数処理", "yen_rounding": "円の端数処理", "thousand_rounding": "千円換算の端数処理",
    "basis": "算定根拠", "notes": "注記", "node": "計画項目コード", "department": "所管課", "sheet": "事務事業コード",
}
class EffectsFileError(ValueError):
    """The file cannot be read at all (not UTF-8, not a workbook)."""


@dataclass(frozen=True)
class RowProblem:
    message: str
    row: int | None = None
    column: str = ""


@dataclass
class EffectLine:
    """One row of the file, read: the effect's fields and the names of what it belongs to."""

    row: int
    municipality_code: str = ""
    plan_name: str = ""
    node_code: str = ""
    department_name: str = ""
    sheet_code: str = ""
    fields: dict = field(default_factory=dict)  # name, fiscal_year, kind, raw_value, inputs, basis, notes


@dataclass
class EffectsFile:
    name: str
    sheet: str = ""  # the worksheet read (XLSX)
    lines: list[EffectLine] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    def problem(self, message: str, row: int | None = None, column: str = "") -> None:
        self.problems.append(RowProblem(message, row, column))


# --------------------------------------------------------------------------------------------- cells


def _decimal(text: str) -> Decimal:
    return calc.to_decimal(text)


def _duration_or_number(text: str) -> tuple[str, Decimal]:
    """'7時間45分' / '30分' / '1.5' → ('hours' | 'minutes', value)."""
    compact = remove_spaces(nfkc(text))
    if compact.endswith("分") and "時間" not in compact:
        return "minutes", _decimal(compact[:-1])
    if "時間" in compact or "分" in compact:
        return "hours", calc.parse_duration(compact)
    return "hours", _decimal(compact)


_PART = re.compile(r"^(?P<label>.+?)\s*[=＝:：]\s*(?P<hours>[\d,.，０-９]+)\s*(?:時間)?$")
_FACTOR = re.compile(r"^(?P<value>[\d,.，０-９]+)\s*(?P<unit>[^\d(（]*?)\s*(?:[(（](?P<label>[^)）]*)[)）])?$")


def _split(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"[;；\n]|×", text) if p.strip()]


def parse_breakdown(text: str) -> list[dict]:
    parts = []
    for item in _split(text):
        m = _PART.match(item)
        if not m:
            raise InputError(f"内訳「{item}」が読めません（例: きっずクラブ 利用状況集計=10080）")
        parts.append({"label": m["label"].strip(), "hours": str(_decimal(m["hours"]))})
    return parts


def parse_multipliers(text: str) -> list[dict]:
    out = []
    for item in _split(text):
        m = _FACTOR.match(nfkc(item))
        if not m:
            raise InputError(f"乗数「{item}」が読めません（例: 20日(月平均稼働日数); 140ユーザー）")
        out.append({"value": str(_decimal(m["value"])), "unit": m["unit"].strip(), "label": (m["label"] or "").strip()})
    return out


def format_breakdown(parts: list[dict]) -> str:
    return "; ".join(f"{p['label']}={p['hours']}" for p in parts)


def format_multipliers(factors: list[dict]) -> str:
    return "; ".join(f"{m['value']}{m.get('unit', '')}" + (f"({m['label']})" if m.get("label") else "") for m in factors)


# --------------------------------------------------------------------------------------------- the file


def read_effects(name: str, sheet: str, raw_rows: list[tuple[int, list[str]]]) -> EffectsFile:
    """Read and check every row (problems collected, nothing raised for a bad row). The rows come from
    the importer's guarded file reader (``core.filereaders``): numbered, every cell as text."""
    out = EffectsFile(name, sheet)
    out.lines = read_rows(raw_rows, out)
    return out


def read_rows(raw_rows: list[tuple[int, list[str]]], out: EffectsFile) -> list[EffectLine]:
    raw_rows = [(n, r) for n, r in raw_rows if any(c.strip() for c in r)]
    if not raw_rows:
        out.problem("データがありません（1行目に見出し、2行目から効果を1行ずつ）")
        return []
    header_no, header = raw_rows[0]
    names = [h.strip() for h in header]
    for h in [h for h in names if h and h not in COLUMNS]:
        out.problem(f"見出し「{h}」は使えません（使える見出し: {'、'.join(COLUMNS)}）", header_no, h)
    for h in REQUIRED:
        if h not in names:
            out.problem(f"必須の見出し「{h}」がありません", header_no)
    if out.problems:
        return []
    lines = []
    for number, cells in raw_rows[1:]:
        values = {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(names) if name}
        lines.append(read_row(number, values, out))
    return lines


def read_row(number: int, v: dict[str, str], out: EffectsFile) -> EffectLine:
    """One effect: identity and published figure, then the computation inputs, which must compute."""

    def bad(column: str, message: str) -> None:
        out.problem(message, number, column)

    line = EffectLine(number, v.get("団体コード", ""), v.get("計画", ""), v.get("計画項目コード", ""),
                      v.get("所管課", ""), v.get("事務事業コード", ""))
    f = line.fields
    for column in REQUIRED:
        if not v.get(column):
            bad(column, f"{column}が空です")
    if line.municipality_code and not re.fullmatch(r"\d{6}", line.municipality_code):
        bad("団体コード", f"団体コード「{line.municipality_code}」は6桁の数字ではありません")
    f["name"] = v.get("効果の名称", "")
    if v.get("年度"):
        try:
            f["fiscal_year"] = parse_fiscal_year(v["年度"])
        except FiscalYearError as exc:
            bad("年度", str(exc))
    kind_text = v.get("種別") or "効果額"
    if kind_text not in KINDS:
        bad("種別", f"種別「{kind_text}」は {'・'.join(KINDS)} のいずれかです")
    else:
        f["kind"] = KINDS[kind_text]
    f["raw_value"] = v.get("公表値", "")
    try:
        published_figure(f.get("kind", "effect"), f["raw_value"])
    except InputError as exc:
        bad("公表値", str(exc))
    _read_inputs(v, f, bad)
    f["basis"] = v.get("算定根拠", "")
    f["notes"] = v.get("注記", "")
    if all(p.row != number for p in out.problems):
        reason = input_problem(f)
        if reason:
            bad("削減時間", f"算定できません: {reason}")
    return line


def _read_inputs(v: dict[str, str], f: dict, bad) -> None:
    """削減時間・内訳・乗数・期間・時間単価（またはその根拠）・端数処理 into ``f``."""
    f["hours_saved"] = f["minutes_saved"] = None
    if v.get("削減時間"):
        try:
            unit, value = _duration_or_number(v["削減時間"])
            f["hours_saved" if unit == "hours" else "minutes_saved"] = value
        except calc.EffectError as exc:
            bad("削減時間", str(exc))
    for column, key, parse in (("削減時間の内訳", "hours_breakdown", parse_breakdown), ("乗数", "multipliers", parse_multipliers)):
        f[key] = []
        if v.get(column):
            try:
                f[key] = parse(v[column])
            except (InputError, calc.EffectError) as exc:
                bad(column, str(exc))
    period = v.get("期間", "")
    if period and period not in PERIODS:
        bad("期間", f"期間「{period}」は 年 か 月 です")
    f["period_unit"] = PERIODS.get(period, "") if period else ""
    for column, key in (("年あたり期間数", "periods_per_year"), ("時間単価", "hourly_rate"),
                        ("月額人件費", "monthly_salary"), ("月あたり稼働日数", "working_days")):
        f[key] = None
        if v.get(column):
            try:
                f[key] = _decimal(v[column])
            except calc.EffectError as exc:
                bad(column, str(exc))
    f["hours_per_day"] = None
    if v.get("1日あたり所定労働時間"):
        try:
            unit, value = _duration_or_number(v["1日あたり所定労働時間"])
            if unit != "hours":
                raise calc.EffectError("1日あたり所定労働時間は 7.75 や 7時間45分 のように書きます")
            f["hours_per_day"] = value
        except calc.EffectError as exc:
            bad("1日あたり所定労働時間", str(exc))
    f["labour_cost_label"] = v.get("人件費の根拠", "")
    for column, key, default in (("時間単価の端数処理", "rate_rounding", ""), ("円の端数処理", "yen_rounding", ""),
                                 ("千円換算の端数処理", "thousand_rounding", "half_up:0")):
        text = v.get(column, "")
        try:
            f[key] = rule_from_text(text) if text else default
        except InputError as exc:
            bad(column, str(exc))


# --------------------------------------------------------------------------------------------- export


def export_rows(effects) -> list[list[str]]:
    """The effects in the import layout (header + one row each): export → edit → import again."""
    names = dict(ROUNDING_CHOICES)
    thousand_names = dict(THOUSAND_ROUNDING_CHOICES)

    def num(d) -> str:
        if d is None:
            return ""
        d = Decimal(d)
        return format(d.normalize(), "f") if d != d.to_integral_value() else str(int(d))

    rows = [list(COLUMNS)]
    for e in effects:
        hours = num(e.hours_saved)
        if e.minutes_saved is not None:
            hours = f"{num(e.minutes_saved)}分"
        rows.append([
            e.municipality.code, e.plan.name, e.node.code if e.node_id else "", e.name, str(e.fiscal_year),
            KIND_LABELS.get(e.kind, e.kind), e.department.name if e.department_id else "", e.sheet.code if e.sheet_id else "",
            e.raw_value, hours, format_breakdown(e.hours_breakdown or []), format_multipliers(e.multipliers or []),
            {"year": "年", "month": "月"}.get(e.period_unit, ""), num(e.periods_per_year), num(e.hourly_rate),
            num(e.monthly_salary), num(e.working_days), num(e.hours_per_day), e.labour_cost_label,
            names.get(e.rate_rounding, e.rate_rounding), names.get(e.yen_rounding, e.yen_rounding),
            thousand_names.get(e.thousand_rounding, e.thousand_rounding), e.basis, e.notes,
        ])
    return rows
