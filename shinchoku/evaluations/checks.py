"""Arithmetic checks of a parsed 事務事業分析シート (pure Python, no Django).

Every check recomputes a printed figure from the other printed figures and reports both:

* 行政コスト計算書の合計 — 行政費用合計(b) = the sum of the cost items printed above it in the
  cost column; 行政収入合計(a) = the sum of the revenue items in the revenue column.  The line that
  carries the total is found by its printed letter and the word 合計, not by a fixed name.
* 行政コスト計算書の差額計算 — every line whose printed label carries a formula in letters is
  recomputed with the letters *as printed*: ``行政収支差額(a)-(b)=(c)`` → (a) − (b),
  ``通常収支差額(c)+(d)=(e)`` → (c) + (d), ``特別収支差額(f)-(g)=(h)`` → (f) − (g),
  ``当期収支差額(e)+(h)`` → (e) + (h).  Operands are the *printed* values of the lines carrying
  those letters, so one wrong figure is reported once, where it is printed.
* 行政コスト計算書の差額列 — 差額 = later year − earlier year, for every line that prints one.
* 執行率（決算額／予算額） — 決算額 ÷ 予算額 × 100, rounded half-up (四捨五入) to one decimal place.
  More than 100 % (settlement above budget) is 不適合.  A budget of 0 or a missing budget or
  settlement gives 判定不可 — never a division by zero.
* 予算・決算の内訳の合計 — when the breakdown prints a 合計 row, the 節 items must add up to it.
* 予算・決算の内訳と予算・決算額の照合 (severity 注意) — the breakdown lists the *main* items
  (主な事項) of each 節, so its sum is compared with that year's 決算額 / 予算額 in the 7-year
  series as a warning only; a difference no larger than the rounding of the items to 千円
  (less than half of (number of items + 1)) counts as agreement.
* 他区の状況の区数 (severity 注意) — 実施 + 未実施 + 不明 = 22 (the other special wards of Tokyo).

Amounts are compared exactly in thousands of yen, as printed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable

from shinchoku.core.fiscal import to_wareki
from shinchoku.evaluations.importers.arakawa import (
    BudgetYear,
    CostLine,
    EvaluationSheetData,
    format_amount,
)

__all__ = [
    "CheckResult",
    "OK",
    "NG",
    "UNDECIDABLE",
    "ERROR",
    "WARNING",
    "OTHER_WARDS",
    "check_sheet",
    "check_sheets",
    "check_cost_statement",
    "check_execution_rates",
    "check_breakdown",
    "check_other_wards",
    "execution_rate",
    "execution_rate_result",
    "failures",
]

OK = "適合"
NG = "不適合"
UNDECIDABLE = "判定不可"

ERROR = "誤り"  # the printed figures contradict each other
WARNING = "注意"  # worth a look, not necessarily wrong

OTHER_WARDS = 22  # Tokyo has 23 special wards; a sheet reports on the other 22

CHECK_COST_TOTAL = "行政コスト計算書の合計"
CHECK_COST_FORMULA = "行政コスト計算書の差額計算"
CHECK_COST_DIFFERENCE = "行政コスト計算書の差額列"
CHECK_EXECUTION_RATE = "執行率（決算額／予算額）"
CHECK_BREAKDOWN_TOTAL = "予算・決算の内訳の合計"
CHECK_BREAKDOWN_SERIES = "予算・決算の内訳と予算・決算額の照合"
CHECK_OTHER_WARDS = "他区の状況の区数"

RATE_PLACES = Decimal("0.1")


@dataclass(frozen=True)
class CheckResult:
    sheet_code: str
    sheet_name: str
    check: str  # check name (Japanese)
    label: str  # the line label as printed
    column: str  # 令和3年度 / 差額 / 令和3年度 (決算) …
    year: int | None  # fiscal year of the figure (None for the 差額 column and whole-sheet checks)
    expected: int | Decimal | None  # computed from the other printed figures
    printed: int | Decimal | None  # as printed in the document (None if the sheet prints none)
    ok: bool  # True only when the check could be made and passed
    status: str  # 適合 / 不適合 / 判定不可
    severity: str  # 誤り / 注意
    message: str  # Japanese, naming the sheet, the line and both figures
    line: int | None = None  # line of the input the figure is printed on

    @property
    def is_failure(self) -> bool:
        return self.status == NG


def failures(results: Iterable[CheckResult], *, severity: str | None = None) -> list[CheckResult]:
    """The results whose status is 不適合 (optionally only of one severity)."""
    return [r for r in results if r.status == NG and (severity is None or r.severity == severity)]


def _yen(value: int | None) -> str:
    return "（空欄）" if value is None else f"{format_amount(value)}千円"


def _sheet(sheet: EvaluationSheetData) -> str:
    return f"{sheet.code}「{sheet.name}」"


def _result(
    sheet: EvaluationSheetData,
    *,
    check: str,
    label: str,
    column: str,
    year: int | None,
    expected,
    printed,
    status: str,
    severity: str,
    message: str,
    line: int | None,
) -> CheckResult:
    return CheckResult(
        sheet_code=sheet.code,
        sheet_name=sheet.name,
        check=check,
        label=label,
        column=column,
        year=year,
        expected=expected,
        printed=printed,
        ok=status == OK,
        status=status,
        severity=severity,
        message=message,
        line=line,
    )


def _compare(
    sheet: EvaluationSheetData,
    *,
    check: str,
    label: str,
    column: str,
    year: int | None,
    expected: int | None,
    printed: int | None,
    how: str,
    line: int | None,
    missing: str | None = None,
) -> CheckResult:
    place = f"{_sheet(sheet)} {label}（{column}）"
    if missing is not None or expected is None or printed is None:
        reason = missing or ("記載値が空欄" if printed is None else "計算に使う値が空欄")
        return _result(
            sheet, check=check, label=label, column=column, year=year, expected=expected,
            printed=printed, status=UNDECIDABLE, severity=ERROR, line=line,
            message=f"{place}: 判定不可（{reason}）。計算値 {_yen(expected)}、記載値 {_yen(printed)}",
        )
    if expected == printed:
        status, verdict = OK, "一致"
    else:
        status, verdict = NG, f"不一致（差 {format_amount(printed - expected)}千円）"
    return _result(
        sheet, check=check, label=label, column=column, year=year, expected=expected,
        printed=printed, status=status, severity=ERROR, line=line,
        message=f"{place}: 計算値 {_yen(expected)}（{how}）、記載値 {_yen(printed)} — {verdict}",
    )


# ---------------------------------------------------------------------------------------------
# 行政コスト計算書


def check_cost_statement(sheet: EvaluationSheetData) -> list[CheckResult]:
    cs = sheet.cost_statement
    if cs is None:
        return []
    results: list[CheckResult] = []
    y1, y2 = cs.years
    by_letter = {cl.letter: cl for cl in cs.lines if cl.letter}

    for cl in cs.lines:
        if cl.role == "total":
            items = cs.items(cl.side)
            for year in cs.years:
                values = [item.value(year) for item in items]
                missing = None
                if not items:
                    missing = f"{cl.side}の科目がありません"
                elif any(v is None for v in values):
                    missing = f"{cl.side}の科目に空欄があります"
                results.append(
                    _compare(
                        sheet, check=CHECK_COST_TOTAL, label=cl.label, column=to_wareki(year),
                        year=year,
                        expected=None if missing else sum(values),  # type: ignore[arg-type]
                        printed=cl.value(year),
                        how=f"行政{cl.side}の科目{len(items)}件の合計",
                        line=cl.line, missing=missing,
                    )
                )
        elif cl.role == "derived":
            formula = "".join(("＋" if s > 0 else "－") + f"({l})" for s, l in cl.terms).lstrip("＋")
            for year in cs.years:
                missing = None
                total = 0
                for sign, letter in cl.terms:
                    operand: CostLine | None = by_letter.get(letter)
                    if operand is None:
                        missing = f"記号({letter})の行がありません"
                        break
                    value = operand.value(year)
                    if value is None:
                        missing = f"({letter}) {operand.label} が空欄です"
                        break
                    total += sign * value
                results.append(
                    _compare(
                        sheet, check=CHECK_COST_FORMULA, label=cl.label, column=to_wareki(year),
                        year=year, expected=None if missing else total, printed=cl.value(year),
                        how=formula, line=cl.line, missing=missing,
                    )
                )
        if cl.difference is not None:
            v1, v2 = cl.value(y1), cl.value(y2)
            missing = None if v1 is not None and v2 is not None else "いずれかの年度が空欄です"
            results.append(
                _compare(
                    sheet, check=CHECK_COST_DIFFERENCE, label=cl.label, column="差額", year=None,
                    expected=None if missing else v2 - v1,  # type: ignore[operator]
                    printed=cl.difference.value,
                    how=f"{to_wareki(y2)} − {to_wareki(y1)}", line=cl.line, missing=missing,
                )
            )
    return results


# ---------------------------------------------------------------------------------------------
# 執行率


def execution_rate(budget: int | None, settlement: int | None) -> Decimal | None:
    """決算額 ÷ 予算額 as a percentage, rounded half-up to one decimal; None if it can't be computed."""
    if budget is None or settlement is None or budget == 0:
        return None
    rate = Decimal(settlement) * 100 / Decimal(budget)
    return rate.quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def execution_rate_result(
    sheet: EvaluationSheetData, row: BudgetYear, line: int | None = None
) -> CheckResult:
    budget = row.budget.value if row.budget else None
    settlement = row.settlement.value if row.settlement else None
    column = to_wareki(row.fiscal_year)
    label = "決算額／予算額" + ("（決算見込み）" if row.settlement_estimate else "")
    place = f"{_sheet(sheet)} 執行率 {column}"
    rate = execution_rate(budget, settlement)
    if rate is None:
        if budget is None:
            reason = "予算額が空欄"
        elif budget == 0:
            reason = "予算額が0"
        else:
            reason = "決算額が空欄"
        return _result(
            sheet, check=CHECK_EXECUTION_RATE, label=label, column=column, year=row.fiscal_year,
            expected=None, printed=None, status=UNDECIDABLE, severity=WARNING, line=line,
            message=f"{place}: 判定不可（{reason}）。予算額 {_yen(budget)}、決算額 {_yen(settlement)}",
        )
    ok = rate <= 100
    verdict = "" if ok else " — 決算額が予算額を超えています"
    return _result(
        sheet, check=CHECK_EXECUTION_RATE, label=label, column=column, year=row.fiscal_year,
        expected=rate, printed=None, status=OK if ok else NG, severity=WARNING, line=line,
        message=(
            f"{place}: {rate}%（決算額 {_yen(settlement)} ÷ 予算額 {_yen(budget)}、"
            f"小数第2位を四捨五入）{verdict}"
        ),
    )


def check_execution_rates(sheet: EvaluationSheetData) -> list[CheckResult]:
    return [execution_rate_result(sheet, row) for row in sheet.budget]


# ---------------------------------------------------------------------------------------------
# 予算・決算の内訳


def check_breakdown(sheet: EvaluationSheetData) -> list[CheckResult]:
    results: list[CheckResult] = []
    for column in sheet.breakdown:
        label = f"予算・決算の内訳 {column.heading}"
        first_line = column.items[0].line if column.items else None
        items_sum = column.items_sum
        if column.total is not None:
            results.append(
                _compare(
                    sheet, check=CHECK_BREAKDOWN_TOTAL, label=label, column=column.heading,
                    year=column.fiscal_year, expected=items_sum, printed=column.total.value,
                    how=f"節{len(column.items)}件の合計", line=first_line,
                    missing=None if items_sum is not None else "金額が空欄の節があります",
                )
            )
        row = sheet.budget_for(column.fiscal_year)
        series_amount = None
        series_label = "決算額" if column.kind == "決算" else "予算額"
        if row is not None:
            amount = row.settlement if column.kind == "決算" else row.budget
            series_amount = amount.value if amount is not None else None
        place = f"{_sheet(sheet)} {label}"
        if not column.amounts_printed or items_sum is None or series_amount is None:
            if not column.amounts_printed:
                reason = "内訳に金額の列が印刷されていません"
            elif items_sum is None:
                reason = "金額が空欄の節があります"
            else:
                reason = f"{to_wareki(column.fiscal_year)}の{series_label}がありません"
            results.append(
                _result(
                    sheet, check=CHECK_BREAKDOWN_SERIES, label=label, column=column.heading,
                    year=column.fiscal_year, expected=items_sum, printed=series_amount,
                    status=UNDECIDABLE, severity=WARNING, line=first_line,
                    message=f"{place}: 判定不可（{reason}）",
                )
            )
            continue
        difference = series_amount - items_sum
        n = len(column.items)
        within_rounding = 2 * abs(difference) < n + 1
        if difference == 0:
            status, verdict = OK, "一致"
        elif within_rounding:
            status, verdict = OK, f"差 {format_amount(difference)}千円は千円未満の端数処理の範囲内"
        else:
            status, verdict = NG, f"不一致（差 {format_amount(difference)}千円。内訳は主な事項のみの可能性）"
        results.append(
            _result(
                sheet, check=CHECK_BREAKDOWN_SERIES, label=label, column=column.heading,
                year=column.fiscal_year, expected=items_sum, printed=series_amount,
                status=status, severity=WARNING, line=first_line,
                message=(
                    f"{place}: 節{n}件の合計 {_yen(items_sum)}、"
                    f"予算・決算額等の推移の{series_label} {_yen(series_amount)} — {verdict}"
                ),
            )
        )
    return results


# ---------------------------------------------------------------------------------------------
# 他区の状況


def check_other_wards(sheet: EvaluationSheetData) -> list[CheckResult]:
    ow = sheet.other_wards
    if ow is None:
        return []
    total = ow.total
    label = "他区の状況（実施＋未実施＋不明）"
    place = f"{_sheet(sheet)} {label}"
    if total is None:
        return [
            _result(
                sheet, check=CHECK_OTHER_WARDS, label=label, column="区数", year=None,
                expected=OTHER_WARDS, printed=None, status=UNDECIDABLE, severity=WARNING, line=None,
                message=f"{place}: 判定不可（区数が読めません: 「{ow.raw}」）",
            )
        ]
    ok = total == OTHER_WARDS
    return [
        _result(
            sheet, check=CHECK_OTHER_WARDS, label=label, column="区数", year=None,
            expected=OTHER_WARDS, printed=total, status=OK if ok else NG, severity=WARNING,
            line=None,
            message=(
                f"{place}: 記載の合計 {total}区（実施{ow.implemented}・未実施{ow.not_implemented}・"
                f"不明{ow.unknown}）、他の特別区は {OTHER_WARDS}区 — {'一致' if ok else '不一致'}"
            ),
        )
    ]


# ---------------------------------------------------------------------------------------------


def check_sheet(sheet: EvaluationSheetData) -> list[CheckResult]:
    """Every check of one sheet, in the order of the sheet."""
    return (
        check_execution_rates(sheet)
        + check_breakdown(sheet)
        + check_cost_statement(sheet)
        + check_other_wards(sheet)
    )


def check_sheets(sheets: Iterable[EvaluationSheetData]) -> list[CheckResult]:
    results: list[CheckResult] = []
    for sheet in sheets:
        results.extend(check_sheet(sheet))
    return results
