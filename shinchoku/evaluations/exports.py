"""Exports of evaluation sheets: PDF (Typst, ``typst/sheet.typ``) and XLSX (openpyxl, named styles).

Both read the same report model (:func:`shinchoku.evaluations.report.sheet_report`); one sheet or all
sheets of a department (each sheet on its own pages / its own worksheet).
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Sequence

from openpyxl import Workbook
from openpyxl.styles import NamedStyle
from openpyxl.utils import get_column_letter

from shinchoku.core.render_pdf import render_pdf
from shinchoku.core.cellsafety import put
from shinchoku.core.render_xlsx import add_named_styles, named_style
from shinchoku.evaluations.report import radio_text

TEMPLATE = Path(__file__).resolve().parent / "typst" / "sheet.typ"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---------------------------------------------------------------------------------------------
# PDF


def sheets_pdf(reports: Sequence[dict], *, title: str = "事務事業分析シート", subtitle: str = "") -> bytes:
    """A4 PDF of the sheets (each starts on a new page), with the budget chart embedded as SVG."""
    files: dict[str, bytes] = {}
    sheets = []
    for n, report in enumerate(reports, start=1):
        item = {k: v for k, v in report.items() if k != "chart_svg"}
        item["chart_file"] = None
        if report.get("chart_svg"):
            name = f"chart-{n}.svg"
            files[name] = report["chart_svg"].encode("utf-8")
            item["chart_file"] = name
        sheets.append(item)
    return render_pdf(TEMPLATE, {"title": title, "subtitle": subtitle, "sheets": sheets}, extra_files=files)


# ---------------------------------------------------------------------------------------------
# XLSX

NCOLS = 10  # the form grid: A (labels) + 9 value columns
WIDTHS = [20, 14, 14, 14, 14, 14, 14, 14, 14, 14]


def _styles() -> list[NamedStyle]:
    def style(name, *, size=9, wrap=True, **options):
        return named_style(name, size=size, wrap=wrap, **options)

    return [
        style("ev_title", bold=True, size=13, border=False, wrap=False, v="center"),
        style("ev_meta", size=9, border=False, wrap=False, h="right", v="center"),
        style("ev_section", bold=True, size=10, border=False, wrap=False, v="bottom"),
        style("ev_label", bold=True, fill="EEF2F7"),
        style("ev_head", bold=True, fill="DDE6F0", h="center", v="center"),
        style("ev_text"),
        style("ev_amount", h="right", fmt='#,##0;"▲"#,##0;0', wrap=False),
        style("ev_number", h="right", fmt="#,##0.##", wrap=False),
        style("ev_rate", h="right", fmt="0.0%", wrap=False),
        style("ev_note", size=8, border=False),
    ]


def _ensure_styles(wb: Workbook) -> None:
    add_named_styles(wb, _styles())


def _amount_value(raw: str):
    """The printed amount as a number for the cell (▲ → minus); text if it is not a plain amount."""
    from shinchoku.evaluations.importers.arakawa import AmountError, parse_amount

    if not raw:
        return None
    try:
        return parse_amount(raw)
    except AmountError:
        return raw


def _number_value(raw: str):
    from shinchoku.evaluations.importers.arakawa import AmountError, parse_number

    if not raw:
        return None
    try:
        value = parse_number(raw)
    except AmountError:
        return raw
    return int(value) if value == value.to_integral_value() else float(value)


class _Writer:
    def __init__(self, ws):
        self.ws = ws
        self.row = 1

    def cell(self, col: int, value, style: str = "ev_text"):
        c = put(self.ws, self.row, col, value)
        c.style = style
        return c

    def merged(self, col: int, span: int, value, style: str = "ev_text"):
        self.cell(col, value, style)
        for k in range(col + 1, col + span):
            self.ws.cell(row=self.row, column=k).style = style
        if span > 1:
            self.ws.merge_cells(start_row=self.row, start_column=col, end_row=self.row, end_column=col + span - 1)

    def field(self, label: str, value: str, *, height: float | None = None):
        self.cell(1, label, "ev_label")
        self.merged(2, NCOLS - 1, value)
        self._height(value, NCOLS - 1, height)
        self.row += 1

    def _height(self, text: str, span_cols: int, height: float | None):
        if height is not None:
            self.ws.row_dimensions[self.row].height = height
            return
        chars_per_line = max(10, sum(WIDTHS[1:1 + span_cols]) * 0.55)
        lines = sum(max(1, int(len(part) / chars_per_line) + 1) for part in (text or "").split("\n"))
        if lines > 1:
            self.ws.row_dimensions[self.row].height = min(400, 13 * lines)

    def section(self, title: str):
        self.row += 1
        self.cell(1, f"■ {title}", "ev_section")
        self.row += 1

    def next(self):
        self.row += 1


def _sheet_title(report: dict, used: set[str]) -> str:
    base = report["code"]
    title = base
    n = 2
    while title in used:
        title = f"{base}_{n}"
        n += 1
    used.add(title)
    return title[:31]


def write_sheet(wb: Workbook, report: dict, title: str, *, first: bool) -> None:
    """One sheet on one worksheet, laid out as the published form, with A4 print settings."""
    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    for i, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    w = _Writer(ws)
    _write_header(w, report)
    if report["method"]:
        _write_method(w, report["method"])
    if report["indicators"]:
        _write_indicators(w, report)
    if report["classifications"]:
        _write_classifications(w, report)
    if report["budget"]["years"]:
        _write_budget(w, report["budget"])
    if report["activities"]["rows"]:
        _write_activities(w, report["activities"])
    if report["breakdown"]:
        _write_breakdown(w, report)
    if report["cost"]:
        _write_cost(w, report["cost"])
    w.row += 1
    _write_closing(w, report)
    w.row += 1
    _write_checks(w, report["checks"])
    _print_settings(ws, report, w.row)


def _write_header(w: _Writer, report: dict) -> None:
    w.cell(1, report["heading"], "ev_title")
    w.merged(7, 4, f"{report['municipality']}　{report['page_label']}", "ev_meta")
    w.next()
    w.field("事務事業コード", report["code"])
    w.field("戦略プラン", radio_text_from(report["strategic_plan"]))
    w.field("事務事業名", report["name"])
    w.field("部課名", report["department"])
    w.field("課長名", report["manager"])
    w.field("担当者名", report["staff"] + (f"（内線 {report['extension']}）" if report["extension"] else ""))
    w.field(
        "小事業名及び予算事業コード" + (f"（{report['small_projects_year']}）" if report["small_projects_year"] else ""),
        "\n".join(f"{p['code']}　{p['name']}" for p in report["small_projects"]),
    )
    kinds = radio_text_from(report["project_type"])
    if report["new_project_year"]:
        kinds += f"（新規事業の年度: {radio_text_from(report['new_project_year'])}）"
    w.field("事務事業の種類", kinds)
    w.field("開始年度", report["start_year"])
    w.field("根拠法令等", report["legal_basis"])
    w.field("終期設定", radio_text_from(report["end_year_setting"]) + (f"　{report['end_year']}" if report["end_year"] else ""))
    w.field("実施基準", radio_text_from(report["implementation_standard"]))
    w.field("計画区分", radio_text_from(report["plan_category"]))
    w.field("行政評価事業体系", "\n".join(f"{p['level']}　{p['code']}　{p['title']}" for p in report["policy"]))
    for label, key in (("目的", "purpose"), ("対象者等", "target_group"), ("内容", "content"), ("経過", "history"),
                       ("必要性", "necessity")):
        w.field(label, report[key])


def _write_method(w: _Writer, method: dict) -> None:
    parts = []
    mode = radio_text_from(method["mode_options"]) or method["mode_printed"]
    if mode:
        parts.append(f"（{mode}）")
    if method["direct_staff_options"]:
        parts.append(f"（直営の場合 {radio_text_from(method['direct_staff_options'])}）")
    for c in method["contracts"]:
        line = f"・{c['name']}" + (f"　{c['amount']}" if c["amount"] else "")
        if c["parts"]:
            line += "（" + "、".join(f"{p['name']} {p['amount']}" for p in c["parts"]) + (f"　計 {c['total']}" if c["total"] else "") + "）"
        parts.append(line)
    if method["contract_year"]:
        parts.append(f"（{method['contract_year']}）")
    w.field("実施方法", "\n".join(parts))


def _write_indicators(w: _Writer, report: dict) -> None:
    w.section("指標")
    years = report["indicator_years"]
    w.merged(1, 2, "事務事業の成果とする指標名", "ev_head")
    for k, y in enumerate(years):
        w.cell(3 + k, y, "ev_head")
    col = 3 + len(years)
    w.cell(col, report["indicator_target"], "ev_head")
    w.merged(col + 1, max(1, NCOLS - col - 1), "指標に関する説明", "ev_head")
    if col + 1 < NCOLS:
        w.cell(NCOLS, "判定", "ev_head")
    w.ws.row_dimensions[w.row].height = 26
    w.next()
    for ind in report["indicators"]:
        w.merged(1, 2, f"{ind['mark']} {ind['name']}")
        for k, v in enumerate(ind["values"]):
            w.cell(3 + k, _number_value(v), "ev_number")
        w.cell(col, _number_value(ind["target"]), "ev_number")
        w.merged(col + 1, max(1, NCOLS - col - 1), ind["explanation"])
        if col + 1 < NCOLS:
            w.cell(NCOLS, ind["grade"], "ev_text")
        w.ws.row_dimensions[w.row].height = 26
        w.next()


def _write_classifications(w: _Writer, report: dict) -> None:
    w.section("事務事業の分類")
    for k, c in enumerate(report["classifications"]):
        w.cell(1 + k, c["year"], "ev_head")
    n = len(report["classifications"])
    w.merged(1 + n, NCOLS - n, "分類についての説明・意見等", "ev_head")
    w.next()
    for k, c in enumerate(report["classifications"]):
        w.cell(1 + k, c["label"], "ev_text")
    w.merged(1 + n, NCOLS - n, report["classification_reason"])
    w._height(report["classification_reason"], NCOLS - n, None)
    w.next()


def _write_budget(w: _Writer, budget: dict) -> None:
    w.section("予算・決算額等の推移（千円）")
    w.cell(1, "", "ev_head")
    for k, y in enumerate(budget["years"]):
        w.cell(2 + k, y, "ev_head")
    w.next()
    w.cell(1, "予算額", "ev_label")
    for k, v in enumerate(budget["budget"]):
        w.cell(2 + k, _amount_value(v), "ev_amount")
    w.next()
    w.cell(1, budget["settlement_label"], "ev_label")
    for k, v in enumerate(budget["settlement"]):
        w.cell(2 + k, _amount_value(v), "ev_amount")
    w.ws.row_dimensions[w.row].height = 26
    w.next()
    w.cell(1, "執行率（決算額／予算額）", "ev_label")
    for k, r in enumerate(budget["rates"]):
        if r["undecidable"]:
            w.cell(2 + k, f"判定不可（{r['reason']}）", "ev_text")
        else:
            w.cell(2 + k, float(Decimal(r["text"].rstrip("%")) / 100), "ev_rate")
    w.ws.row_dimensions[w.row].height = 26
    w.next()


def _write_activities(w: _Writer, acts: dict) -> None:
    w.section("実績の推移" + acts["estimate"])
    w.cell(1, "事項名", "ev_head")
    for k, y in enumerate(acts["years"]):
        w.cell(2 + k, y, "ev_head")
    w.next()
    for r in acts["rows"]:
        w.cell(1, r["name"], "ev_text")
        for k, v in enumerate(r["values"]):
            w.cell(2 + k, _number_value(v), "ev_number")
        w.next()


def _write_breakdown(w: _Writer, report: dict) -> None:
    """Three columns of 節 / 主な事項 / 金額 per year."""
    w.section("予算・決算の内訳（千円）")
    for k, c in enumerate(report["breakdown"]):
        w.merged(1 + 3 * k, 3, c["heading"], "ev_head")
    w.next()
    for k, c in enumerate(report["breakdown"]):
        w.cell(1 + 3 * k, "節", "ev_head")
        w.cell(2 + 3 * k, "主な事項", "ev_head")
        w.cell(3 + 3 * k, "金額" if c["amounts_printed"] else "（金額なし）", "ev_head")
    w.next()
    for row in report["breakdown_rows"]:
        for k, item in enumerate(row):
            if item is None:
                for j in range(3):
                    w.cell(1 + 3 * k + j, None, "ev_text")
                continue
            w.cell(1 + 3 * k, item["section"], "ev_text")
            w.cell(2 + 3 * k, item["description"], "ev_text")
            w.cell(3 + 3 * k, _amount_value(item["amount"]), "ev_amount")
        w.next()
    if any(c["total"] for c in report["breakdown"]):
        for k, c in enumerate(report["breakdown"]):
            w.merged(1 + 3 * k, 2, "合計", "ev_label")
            w.cell(3 + 3 * k, _amount_value(c["total"]), "ev_amount")
        w.next()


def _write_cost(w: _Writer, cost: dict) -> None:
    """行政コスト計算書: cost side in A–D, revenue side in F–I."""
    w.section("行政コスト計算書（千円）")
    for base, name in ((1, "行政費用"), (6, "行政収入")):
        w.cell(base, name, "ev_head")
        w.cell(base + 1, cost["years"][0], "ev_head")
        w.cell(base + 2, cost["years"][1], "ev_head")
        w.cell(base + 3, "差額", "ev_head")
    w.next()
    for r in cost["rows"]:
        for base, line in ((1, r["cost"]), (6, r["revenue"])):
            if line is None:
                continue
            w.cell(base, line["label"], "ev_label" if line["emphasis"] else "ev_text")
            w.cell(base + 1, _amount_value(line["earlier"]), "ev_amount")
            w.cell(base + 2, _amount_value(line["later"]), "ev_amount")
            w.cell(base + 3, _amount_value(line["difference"]), "ev_amount")
        w.next()


def _write_closing(w: _Writer, report: dict) -> None:
    if report["remarks"]:
        w.field("備考", report["remarks"])
    if report["issues"]:
        w.field("問題点・課題", "\n".join(f"{i['mark']}{i['text']}" for i in report["issues"]))
    if report["improvements"]:
        w.section("問題点・課題の改善策")
        w.cell(1, "", "ev_head")
        for k, h in enumerate(report["improvement_headings"][:3]):
            w.merged(2 + 3 * k, 3, h, "ev_head")
        w.ws.row_dimensions[w.row].height = 26
        w.next()
        for r in report["improvements"]:
            w.cell(1, r["mark"], "ev_text")
            for k, key in enumerate(("planned", "implemented", "next_plan")):
                w.merged(2 + 3 * k, 3, r[key])
            longest = max(len(r["planned"]), len(r["implemented"]), len(r["next_plan"]))
            w.ws.row_dimensions[w.row].height = min(300, 13 * (longest // 22 + 1))
            w.next()
        w.row += 1
    if report["other_wards"]:
        ow = report["other_wards"]
        w.field("他区の状況", ow["raw"] + (f"\n{ow['notes']}" if ow["notes"] else ""))
    for f in report["council_fields"]:
        w.field(f["label"], f["text"])


def _write_checks(w: _Writer, checks: dict) -> None:
    w.cell(1, f"検算（shinchoku）: 適合 {checks['ok']} 件・不適合 {checks['ng']} 件・判定不可 {checks['undecidable']} 件",
           "ev_note")
    for p in checks["problems"]:
        w.row += 1
        w.cell(1, f"［{p['status']}・{p['severity']}］{p['message']}", "ev_note")


def _print_settings(ws, report: dict, last_row: int) -> None:
    """A4 portrait, one page wide, the sheet's heading and code in the page header."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_area = f"A1:{get_column_letter(NCOLS)}{last_row}"
    ws.oddHeader.left.text = f"{report['heading']} {report['code']}"
    ws.oddFooter.center.text = "&P / &N"


def radio_text_from(options: list[dict]) -> str:
    return "　".join(("●" if o["checked"] else "○") + o["label"] for o in options)


def sheets_xlsx(reports: Sequence[dict]) -> bytes:
    """One worksheet per sheet (named by its code), laid out as the form."""
    wb = Workbook()
    _ensure_styles(wb)
    used: set[str] = set()
    for n, report in enumerate(reports):
        write_sheet(wb, report, _sheet_title(report, used), first=(n == 0))
    if not reports:
        wb.active.title = "シートなし"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


__all__ = ["sheets_pdf", "sheets_xlsx", "XLSX_CONTENT_TYPE", "radio_text"]
