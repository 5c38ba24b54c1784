"""``shinchoku import effects PATH [--dry-run] [--json]`` — effects with their computation inputs,
from CSV (UTF-8, with or without BOM) or XLSX (first worksheet), one effect per row.

Every row is read and checked first; any problem (unknown plan or item, unreadable figure, inputs
that cannot be computed) is reported with its row and column and nothing is written. Rows are keyed
by plan + item + fiscal year + kind (the Effect's own uniqueness), or plan + fiscal year + kind +
name for an effect without an item, so importing the same file twice changes nothing. The file's
columns are exactly those of :data:`COLUMNS` (the effects page offers the same layout as CSV).

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
from pathlib import Path

from shinchoku.core import filereaders
from shinchoku.core.access import Access
from shinchoku.core.fiscal import FiscalYearError, parse_fiscal_year
from shinchoku.core.importing import ImportFailed, ImportResult, Problem, run_atomically
from shinchoku.core.models import Department, Municipality
from shinchoku.core.text import nfkc, remove_spaces
from shinchoku.core.upsert import UpsertTally
from shinchoku.effects import calc
from shinchoku.effects.compute import InputError, rule_from_text, to_calc
from shinchoku.effects.models import Effect
from shinchoku.indicators.values import parse_value
from shinchoku.plans.models import Plan, PlanNode

COLUMNS: tuple[str, ...] = (
    "団体コード", "計画", "計画項目コード", "効果の名称", "年度", "種別", "所管課", "事務事業コード", "公表値",
    "削減時間", "削減時間の内訳", "乗数", "期間", "年あたり期間数",
    "時間単価", "月額人件費", "月あたり稼働日数", "1日あたり所定労働時間", "人件費の根拠",
    "時間単価の端数処理", "円の端数処理", "千円換算の端数処理", "算定根拠", "注記",
)
REQUIRED = ("団体コード", "計画", "効果の名称", "年度")
KINDS = {label: value for value, label in Effect.Kind.choices}
PERIODS = {"年": "year", "年あたり": "year", "year": "year", "月": "month", "月あたり": "month", "month": "month"}


@dataclass
class Row:
    number: int
    values: dict[str, str]
    fields: dict = field(default_factory=dict)
    lookups: dict = field(default_factory=dict)


class _Reader:
    """Collects the problems of one file, each with its row and column."""

    def __init__(self, name: str, sheet: str = ""):
        self.name = name
        self.sheet = sheet
        self.problems: list[Problem] = []

    def problem(self, message: str, row: int | None = None, column: str = "") -> None:
        self.problems.append(Problem(message, file=self.name, sheet=self.sheet, row=row, column=column))


def _rows_from_csv(data: bytes, reader: _Reader) -> list[tuple[int, list[str]]]:
    return filereaders.read_csv(data, reader.name)


def _rows_from_xlsx(data: bytes, reader: _Reader) -> list[tuple[int, list[str]]]:
    book = filereaders.open_xlsx(data, reader.name)
    if not book.sheet_names:
        raise ImportFailed(Problem("シートがありません", file=reader.name))
    reader.sheet = book.sheet_names[0]
    return book.rows(reader.sheet)


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


class EffectsImporter:
    help = "効果（削減時間×時間単価＝金額）の算定の入力をCSV・XLSXから取り込む（行・列ごとにエラーを表示、全件成功か全件取消し）"

    def add_arguments(self, parser) -> None:
        pass

    def run(self, path: str, *, access: Access, dry_run: bool, options: dict) -> ImportResult:
        p = Path(path)
        reader = _Reader(p.name)
        data, _ = filereaders.read_bytes(p)
        if p.suffix.lower() in (".xlsx", ".xlsm"):
            raw_rows = _rows_from_xlsx(data, reader)
        else:
            raw_rows = _rows_from_csv(data, reader)
        rows = self.read(raw_rows, reader)
        if reader.problems:
            raise ImportFailed(reader.problems)
        result = ImportResult(kind="effects", file=p.name, dry_run=dry_run)

        def apply():
            tally = UpsertTally()
            for row in rows:
                self.write(row, tally, reader)
            if reader.problems:
                raise ImportFailed(reader.problems)  # rolls the transaction back
            result.created, result.updated, result.unchanged = (
                dict(tally.created), dict(tally.updated), dict(tally.unchanged))

        run_atomically(apply, dry_run=dry_run)
        result.counts = {"効果": len(rows)}
        return result

    # -- reading (no writes): every problem with its row and column

    def read(self, raw_rows: list[tuple[int, list[str]]], reader: _Reader) -> list[Row]:
        raw_rows = [(n, r) for n, r in raw_rows if any(c.strip() for c in r)]
        if not raw_rows:
            reader.problem("データがありません（1行目に見出し、2行目から効果を1行ずつ）")
            return []
        header_no, header = raw_rows[0]
        names = [h.strip() for h in header]
        unknown = [h for h in names if h and h not in COLUMNS]
        for h in unknown:
            reader.problem(f"見出し「{h}」は使えません（使える見出し: {'、'.join(COLUMNS)}）", header_no, h)
        for h in REQUIRED:
            if h not in names:
                reader.problem(f"必須の見出し「{h}」がありません", header_no)
        if reader.problems:
            return []
        rows = []
        for number, cells in raw_rows[1:]:
            values = {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(names) if name}
            rows.append(self.read_row(Row(number, values), reader))
        return rows

    def read_row(self, row: Row, reader: _Reader) -> Row:
        v = row.values
        f = row.fields

        def bad(column: str, message: str) -> None:
            reader.problem(message, row.number, column)

        for column in REQUIRED:
            if not v.get(column):
                bad(column, f"{column}が空です")
        code = v.get("団体コード", "")
        if code and not re.fullmatch(r"\d{6}", code):
            bad("団体コード", f"団体コード「{code}」は6桁の数字ではありません")
        row.lookups = {"municipality": code, "plan": v.get("計画", ""), "node": v.get("計画項目コード", ""),
                       "department": v.get("所管課", ""), "sheet": v.get("事務事業コード", "")}
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
        raw = v.get("公表値", "")
        f["raw_value"] = raw
        f["unit"] = Effect.Unit.HOURS if f.get("kind") == Effect.Kind.HOURS else Effect.Unit.YEN
        f["amount"], f["period"] = None, ""
        if raw:
            pv = parse_value(raw)
            if pv.has_number and pv.value is not None and pv.base_unit == f["unit"] and pv.period in (None, "year", "month"):
                f["amount"], f["period"] = pv.value, pv.period or ""
            elif not pv.is_missing:
                bad("公表値", f"公表値「{raw}」を{f['unit']}の値として読めません（例: 40,268千円/年、1,400時間/月）")

        f["hours_saved"] = f["minutes_saved"] = None
        if v.get("削減時間"):
            try:
                unit, value = _duration_or_number(v["削減時間"])
                f["hours_saved" if unit == "hours" else "minutes_saved"] = value
            except calc.EffectError as exc:
                bad("削減時間", str(exc))
        f["hours_breakdown"] = []
        if v.get("削減時間の内訳"):
            try:
                f["hours_breakdown"] = parse_breakdown(v["削減時間の内訳"])
            except (InputError, calc.EffectError) as exc:
                bad("削減時間の内訳", str(exc))
        f["multipliers"] = []
        if v.get("乗数"):
            try:
                f["multipliers"] = parse_multipliers(v["乗数"])
            except (InputError, calc.EffectError) as exc:
                bad("乗数", str(exc))
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
        f["basis"] = v.get("算定根拠", "")
        f["notes"] = v.get("注記", "")

        # the inputs must compute (when any are given and the row is otherwise readable)
        if all(p.row != row.number for p in reader.problems):
            probe = Effect(**{k: f.get(k) for k in (
                "name", "hours_saved", "minutes_saved", "hours_breakdown", "multipliers", "period_unit",
                "periods_per_year", "hourly_rate", "monthly_salary", "working_days", "hours_per_day",
                "labour_cost_label", "rate_rounding", "yen_rounding", "thousand_rounding")},
                fiscal_year=f.get("fiscal_year") or 2000)
            if probe.hours_saved is not None or probe.minutes_saved is not None or probe.hours_breakdown:
                try:
                    to_calc(probe).compute()
                except (InputError, calc.EffectError) as exc:
                    bad("削減時間", f"算定できません: {exc}")
        return row

    # -- writing (inside the transaction)

    def write(self, row: Row, tally: UpsertTally, reader: _Reader) -> None:
        lk = row.lookups
        municipality = Municipality.objects.filter(code=lk["municipality"]).first()
        if municipality is None:
            reader.problem(f"団体コード {lk['municipality']} の団体が登録されていません", row.number, "団体コード")
            return
        plan = Plan.objects.filter(municipality=municipality, name=lk["plan"]).first()
        if plan is None:
            reader.problem(f"計画「{lk['plan']}」が{municipality.name}に登録されていません", row.number, "計画")
            return
        node = None
        if lk["node"]:
            node = PlanNode.objects.filter(plan=plan, code=lk["node"]).first()
            if node is None:
                reader.problem(f"計画項目コード「{lk['node']}」が計画「{plan.name}」にありません", row.number, "計画項目コード")
                return
        department = None
        if lk["department"]:
            department, created = Department.objects.get_or_create(municipality=municipality, name=lk["department"])
            if created:
                tally.count("所管課", "created")
        sheet = None
        if lk["sheet"]:
            from shinchoku.evaluations.models import EvaluationSheet

            sheets = EvaluationSheet.objects.filter(municipality=municipality, code=lk["sheet"])
            sheet = sheets.filter(fiscal_year=row.fields["fiscal_year"]).first() or sheets.order_by("-fiscal_year").first()
            if sheet is None:
                reader.problem(f"事務事業コード {lk['sheet']} のシートが{municipality.name}にありません", row.number, "事務事業コード")
                return
        key = {"plan": plan, "node": node, "fiscal_year": row.fields["fiscal_year"], "kind": row.fields["kind"]}
        if node is None:
            key["name"] = row.fields["name"]
        values = {k: v for k, v in row.fields.items() if k not in key}
        values.update(municipality=municipality, department=department, sheet=sheet)
        tally.upsert("効果", Effect, key, values)


def export_rows(effects) -> list[list[str]]:
    """The effects in the import layout (header + one row each): export → edit → import again."""
    from shinchoku.effects.compute import ROUNDING_CHOICES, THOUSAND_ROUNDING_CHOICES

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
            e.get_kind_display(), e.department.name if e.department_id else "", e.sheet.code if e.sheet_id else "",
            e.raw_value, hours, format_breakdown(e.hours_breakdown or []), format_multipliers(e.multipliers or []),
            {"year": "年", "month": "月"}.get(e.period_unit, ""), num(e.periods_per_year), num(e.hourly_rate),
            num(e.monthly_salary), num(e.working_days), num(e.hours_per_day), e.labour_cost_label,
            names.get(e.rate_rounding, e.rate_rounding), names.get(e.yen_rounding, e.yen_rounding),
            thousand_names.get(e.thousand_rounding, e.thousand_rounding), e.basis, e.notes,
        ])
    return rows
