"""Write a plan as a plan workbook (XLSX or a ZIP of CSVs), and the blank template.

:func:`plan_tables` reads a plan — however it was loaded — into the six sheets as rows of cell
texts (a fixed number of queries whatever the plan's size); :func:`to_xlsx` and :func:`to_csv_zip`
write them. Reading the result back gives the same plan: the writer writes exactly what the reader
reads (years as 令和5年度, departments joined with 、, values as published).

The XLSX has, besides the six data sheets, an instructions sheet in Japanese (記入方法) and a hidden
sheet (選択肢) whose cells split the 計画 sheet's 階層名 and 進捗区分 into the drop-down lists of the
項目 and 進捗 sheets — change the scale on the 計画 sheet and the drop-downs follow. Header rows
are frozen and filtered; code columns are formatted as text so that Excel leaves ``1-1`` alone.
"""

from __future__ import annotations

import io
import zipfile
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from shinchoku.core import cellsafety
from shinchoku.core.fiscal import to_wareki
from shinchoku.plans.workbook import format as fmt
from shinchoku.plans.workbook.notes import compose_notes, cumulative_from_text

Tables = dict[str, list[list[str]]]  # sheet key → data rows (header excluded; the 計画 sheet: [label, value])

KIND_ORDER = {"actual": 0, "target": 1, "estimate": 2}
EFFECT_ORDER = {code: i for i, code in enumerate(fmt.EFFECT_KINDS.values())}


# --------------------------------------------------------------------------- plan → rows


def plan_tables(plan) -> Tables:
    """The plan as the six sheets' rows of text."""
    from shinchoku.core.models import Department
    from shinchoku.effects.models import Effect
    from shinchoku.indicators.models import Indicator, IndicatorDefinitionChange, IndicatorValue
    from shinchoku.plans.models import NodeDepartment, PlanNode, ProgressEntry

    municipality = plan.municipality
    scale = []
    if plan.status_scale_id:
        scale = list(plan.status_scale.symbols.order_by("order", "pk").values_list("symbol", "meaning"))
    levels = list(plan.level_names or [])
    tables: Tables = {"plan": [
        [fmt.PLAN_KEY["municipality_code"].label, municipality.code],
        [fmt.PLAN_KEY["municipality_name"].label, municipality.name],
        [fmt.PLAN_KEY["plan_name"].label, plan.name],
        [fmt.PLAN_KEY["period_start"].label, to_wareki(plan.period_start)],
        [fmt.PLAN_KEY["period_end"].label, to_wareki(plan.period_end)],
        [fmt.PLAN_KEY["levels"].label, fmt.join_levels(levels)],
        [fmt.PLAN_KEY["status_scale"].label, fmt.format_scale(scale)],
        [fmt.PLAN_KEY["plan_kind"].label, plan.kind],
        [fmt.PLAN_KEY["description"].label, plan.description],
    ]}

    nodes = list(
        PlanNode.objects.filter(plan=plan).order_by("path", "pk")
        .values_list("pk", "code", "parent_id", "depth", "title", "relisted_from_id", "tags", "description", "path")
    )
    code_of = {pk: code for pk, code, *_ in nodes}
    path_of = {pk: path for pk, *_, path in nodes}
    owners: dict[int, list[str]] = defaultdict(list)
    for node_id, name in (
        NodeDepartment.objects.filter(node__plan=plan).order_by("node_id", "order", "pk").values_list("node_id", "department__name")
    ):
        owners[node_id].append(name)
    tables["items"] = [
        [
            code, code_of.get(parent_id, ""), fmt.level_label(levels, depth) if levels else "", title,
            fmt.join_departments(owners.get(pk, [])), code_of.get(relisted_id, ""), fmt.join_tags(list(tags or [])),
            description,
        ]
        for pk, code, parent_id, depth, title, relisted_id, tags, description, _ in nodes
    ]

    entries = sorted(
        ProgressEntry.objects.filter(node__plan=plan).values_list(
            "node_id", "fiscal_year", "status__symbol", "result", "next_year_plan", "later_plan", "change_reason",
        ),
        key=lambda e: (path_of.get(e[0], ""), e[1]),
    )
    tables["progress"] = [
        [code_of[node_id], to_wareki(fy), symbol or "", result, next_plan, later, reason]
        for node_id, fy, symbol, result, next_plan, later, reason in entries
    ]

    indicators = list(Indicator.objects.filter(plan=plan).order_by("order", "code", "pk"))
    linked: dict[int, list[int]] = defaultdict(list)
    for ind_id, node_id in Indicator.nodes.through.objects.filter(indicator__plan=plan).values_list("indicator_id", "plannode_id"):
        linked[ind_id].append(node_id)
    changes: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for ind_id, year, description in (
        IndicatorDefinitionChange.objects.filter(indicator__plan=plan)
        .order_by("indicator_id", "effective_fiscal_year", "pk").values_list("indicator_id", "effective_fiscal_year", "description")
    ):
        changes[ind_id].append((year, description))
    position = {ind.pk: i for i, ind in enumerate(indicators)}
    code_of_indicator = {ind.pk: ind.code for ind in indicators}
    values = sorted(
        IndicatorValue.objects.filter(indicator__plan=plan).values_list(
            "indicator_id", "fiscal_year", "kind", "raw_text", "as_of", "notes",
        ),
        key=lambda v: (position[v[0]], v[1], KIND_ORDER.get(v[2], 9)),
    )
    years: dict[tuple[int, str], list[int]] = defaultdict(list)
    for ind_id, fy, kind, *_ in values:
        years[(ind_id, kind)].append(fy)
    owner_names = dict(Department.objects.filter(municipality=municipality).values_list("pk", "name"))
    tables["indicators"] = [
        [
            ind.code, ind.name, fmt.label_of(fmt.INDICATOR_KINDS, ind.kind), ind.unit,
            fmt.label_of(fmt.DIRECTIONS, ind.direction),
            fmt.join_codes([code_of[n] for n in sorted(linked.get(ind.pk, []), key=lambda n: path_of.get(n, "")) if n in code_of]),
            ind.definition, ind.data_source, _indicator_notes(ind, changes.get(ind.pk, []), years, owner_names),
        ]
        for ind in indicators
    ]
    tables["indicator_values"] = [
        [code_of_indicator[ind_id], to_wareki(fy), fmt.label_of(fmt.VALUE_KINDS, kind), raw, as_of, notes]
        for ind_id, fy, kind, raw, as_of, notes in values
    ]

    effects = sorted(
        Effect.objects.filter(plan=plan).values_list(
            "node_id", "fiscal_year", "until_fiscal_year", "kind", "raw_value", "basis", "notes", "pk",
        ),
        key=lambda e: (path_of.get(e[0], "") if e[0] else "", e[1], EFFECT_ORDER.get(e[3], 9), e[7]),
    )
    tables["effects"] = [
        [
            code_of.get(node_id, "") if node_id else "", to_wareki(fy), to_wareki(until) if until else "",
            fmt.label_of(fmt.EFFECT_KINDS, kind), raw, basis, notes,
        ]
        for node_id, fy, until, kind, raw, basis, notes, _ in effects
    ]
    return tables


def _indicator_notes(ind, changes, years, owner_names) -> str:
    """注記: footnotes plus the attributes the sheet has no column for, written only where they differ
    from what the importer derives (first 実績's year, last 目標's year, 「…年度以降の累計」)."""
    from shinchoku.indicators.values import split_unit

    actual_years = years.get((ind.pk, "actual"), [])
    target_years = years.get((ind.pk, "target"), [])
    derived_baseline = min(actual_years) if actual_years else None
    derived_final = max(target_years) if target_years else None
    baseline = None
    if ind.baseline_text or ind.baseline_year != derived_baseline:
        baseline = (ind.baseline_year, ind.baseline_text)
    base_unit = (split_unit(ind.unit) or (ind.unit, None))[0] if ind.unit else ""
    references = []
    for year, amount in sorted((ind.reference_amounts or {}).items(), key=lambda kv: int(kv[0])):
        try:
            shown = f"{Decimal(str(amount)):,f}"
            shown = shown.rstrip("0").rstrip(".") if "." in shown else shown
        except (InvalidOperation, ValueError):
            shown = str(amount)
        references.append((int(year), f"{shown}{base_unit}"))
    return compose_notes(
        group=ind.group,
        owner=owner_names.get(ind.owner_id, "") if ind.owner_id else "",
        footnotes=ind.footnotes,
        changes=changes,
        references=references,
        baseline=baseline,
        final_target_year=(ind.final_target_year,) if ind.final_target_year != derived_final else None,
        cumulative_since=(ind.cumulative_since,) if ind.cumulative_since != cumulative_from_text(ind.footnotes) else None,
    )


def template_tables() -> Tables:
    """The blank template: the 計画 sheet's keys with empty values, the other sheets header-only."""
    tables: Tables = {"plan": [[k.label, ""] for k in fmt.PLAN_KEYS]}
    for sheet in fmt.SHEETS[1:]:
        tables[sheet.key] = []
    return tables


# --------------------------------------------------------------------------- CSV ZIP


def to_csv_zip(tables: Tables) -> bytes:
    """A ZIP of one CSV per sheet (plan.csv, items.csv, …): UTF-8 with BOM, CRLF, Japanese headers."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for sheet in fmt.SHEETS:
            text = io.StringIO()
            writer = cellsafety.CsvWriter(text)
            writer.writerow([c.label for c in sheet.columns])
            writer.writerows(tables.get(sheet.key, []))
            info = zipfile.ZipInfo(sheet.csv_name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, "\ufeff" + text.getvalue())
    return buffer.getvalue()


# --------------------------------------------------------------------------- XLSX

_LEVEL_ROW = 2 + [k.key for k in fmt.PLAN_KEYS].index("levels")  # 計画 sheet row of 階層名 (after the header)
_SCALE_ROW = 2 + [k.key for k in fmt.PLAN_KEYS].index("status_scale")
CHOICE_ROWS = 12  # up to 12 levels / symbols in the drop-downs
VALIDATION_ROWS = 2000  # rows below the data that still get the drop-downs


def to_xlsx(tables: Tables, *, template: bool = False) -> bytes:
    """The workbook: instructions (first in the template, last in an export), the six sheets, choices."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    book.remove(book.active)
    thin = Side(style="thin", color="8C96A3")
    header = NamedStyle(name="wb_header")
    header.font = Font(bold=True)
    header.fill = PatternFill("solid", fgColor="DDEBF7")
    header.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    header.alignment = Alignment(vertical="center", wrap_text=True)
    wrap = NamedStyle(name="wb_wrap")
    wrap.alignment = Alignment(vertical="top", wrap_text=True)
    title = NamedStyle(name="wb_title")
    title.font = Font(bold=True, size=14)
    for style in (header, wrap, title):
        book.add_named_style(style)

    def put(ws, row: int, column: int, value: str, style: str | None = None):
        cell = cellsafety.put(ws, row, column, value if value != "" else None)
        if style:
            cell.style = style
        return cell

    if template:
        _instructions(book.create_sheet(fmt.INSTRUCTIONS_SHEET), put)
    for sheet in fmt.SHEETS:
        ws = book.create_sheet(sheet.label)
        rows = tables.get(sheet.key, [])
        for index, column in enumerate(sheet.columns, start=1):
            cell = put(ws, 1, index, column.label, "wb_header")
            cell.comment = Comment(f"{column.label} [{column.key}]\n{column.ja}", "shinchoku", width=300, height=140)
            dimension = ws.column_dimensions[fmt.column_letter(index - 1)]
            dimension.width = column.width
            if column.text:
                dimension.number_format = "@"
        wrap_columns = {i for i, c in enumerate(sheet.columns, start=1) if c.wrap}
        for r, cells in enumerate(rows, start=2):
            for c, value in enumerate(cells, start=1):
                if value != "":
                    put(ws, r, c, value, "wb_wrap" if c in wrap_columns and "\n" in value else None)
        ws.freeze_panes = "A2"
        last = fmt.column_letter(len(sheet.columns) - 1)
        ws.auto_filter.ref = f"A1:{last}{max(len(rows) + 1, 2)}"
        _validations(ws, sheet, len(rows), DataValidation)

    choices = book.create_sheet(fmt.CHOICES_SHEET)
    choices["A1"], choices["B1"], choices["C1"] = "階層", "進捗区分（そのまま）", "進捗状況"
    plan_sheet = f"'{fmt.PLAN_SHEET.label}'"
    width = 400
    for n in range(CHOICE_ROWS):
        r = n + 2
        choices.cell(r, 1).value = (
            f'=TRIM(MID(SUBSTITUTE(SUBSTITUTE({plan_sheet}!$B${_LEVEL_ROW},"；",";"),";",REPT(" ",{width})),'
            f"{n * width + 1},{width}))"
        )
        choices.cell(r, 2).value = (
            f'=TRIM(MID(SUBSTITUTE(SUBSTITUTE({plan_sheet}!$B${_SCALE_ROW},"；",";"),";",REPT(" ",{width})),'
            f"{n * width + 1},{width}))"
        )
        choices.cell(r, 3).value = f'=TRIM(LEFT(SUBSTITUTE(B{r},"：",":"),FIND(":",SUBSTITUTE(B{r},"：",":")&":")-1))'
    choices.sheet_state = "hidden"
    if not template:
        _instructions(book.create_sheet(fmt.INSTRUCTIONS_SHEET), put)
    book.active = book.sheetnames.index(fmt.INSTRUCTIONS_SHEET if template else fmt.PLAN_SHEET.label)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _validations(ws, sheet: fmt.Sheet, rows: int, DataValidation) -> None:
    last_row = rows + VALIDATION_ROWS
    choices = f"'{fmt.CHOICES_SHEET}'"

    def add(key: str, formula: str, *, strict: bool, prompt: str) -> None:
        dv = DataValidation(
            type="list", formula1=formula, allow_blank=True, showErrorMessage=True,
            errorStyle="stop" if strict else "warning", error=prompt, errorTitle="選択肢にない値です",
        )
        ws.add_data_validation(dv)
        letter = sheet.letter(key)
        dv.add(f"{letter}2:{letter}{last_row}")

    def quoted(words) -> str:
        return '"' + ",".join(words) + '"'

    if sheet.key == "items":
        add("level", f"{choices}!$A$2:$A${CHOICE_ROWS + 1}", strict=False, prompt="計画シートの階層名から選んでください")
    elif sheet.key == "progress":
        add("status", f"{choices}!$C$2:$C${CHOICE_ROWS + 1}", strict=False, prompt="計画シートの進捗区分の記号から選んでください")
    elif sheet.key == "indicators":
        add("kind", quoted(fmt.INDICATOR_KINDS), strict=True, prompt="成果指標 または 活動指標")
        add("direction", quoted(fmt.DIRECTIONS), strict=True, prompt="高いほど良い／低いほど良い／範囲内／定性（空欄＝目標から判断）")
    elif sheet.key == "indicator_values":
        add("kind", quoted(fmt.VALUE_KINDS), strict=True, prompt="実績／目標／見込み")
    elif sheet.key == "effects":
        add("kind", quoted(fmt.EFFECT_KINDS), strict=True, prompt="効果額／削減額／増収額／削減時間")


INSTRUCTIONS = (
    "このブックは shinchoku の「計画ワークブック」様式です。1つの計画を 計画・項目・進捗・指標・指標値・効果 の6シートで表します。",
    "各シートの1行目が見出しです。見出しの名前は変えないでください（英語のキーでも読めます）。列の順番は自由です。様式にない列は読み飛ばします。",
    "シートは6つとも必要です。データがないシートも、見出しだけ残してください。",
    "年度は 令和5年度・R5・2023・元年度・全角数字 のどれで書いても読めます。",
    "所管課が複数のときは「、」「;」または改行で区切ります（「・」は「子ども・若者課」のように課名の一部なので区切りになりません）。",
    (
        "指標値・効果の値は公表どおりの文字で書きます（85%以下、約200万件、年 120 時間以下、収支差額 > 0、182百万円、1,400時間/月）。"
        "集計中・-・空欄は「値なし」として保存し、0とは扱いません。"
    ),
    (
        "指標シートの注記には、注記（※1 …）のほか、【区分】【担当課】【基準値】【最終目標年度】【累計起点】【基準量】【定義変更】"
        "で始まる行で指標の属性を書けます（例: 【基準量】令和6年度: 12,000千円 は「予算額の1割程度」を判定するための予算額）。"
    ),
    "方向が空欄の指標は、目標の「以上」「以下」「程度」などから判断します。判断できないときは取り込み時に方向のセルを示します。",
    (
        "取り込みは全件成功か全件取消しです。まず試行（プレビュー）で、シートごとに作成・変更・変更なしの件数と、"
        "問題のある場所（シート・行・列）を確認してから確定します。"
    ),
    "同じ団体コード・同じ計画名のブックをもう一度取り込むと、コードをキーにして更新します（重複は作りません）。ブックにない項目や値は削除しません。",
    "「選択肢」シート（非表示）は、計画シートの階層名・進捗区分からドロップダウンの選択肢を作っています。編集する必要はありません。",
)


def _instructions(ws, put) -> None:
    put(ws, 1, 1, "計画ワークブック 記入方法", "wb_title")
    row = 3
    for line in INSTRUCTIONS:
        put(ws, row, 1, "・" + line, "wb_wrap")
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
        ws.row_dimensions[row].height = 32
        row += 1
    row += 1
    put(ws, row, 1, "■ シート「計画」（plan）: " + fmt.PLAN_SHEET.ja, None)
    row += 1
    for i, label in enumerate(("項目", "English key", "説明", "記入例"), start=1):
        put(ws, row, i, label, "wb_header")
    row += 1
    for key in fmt.PLAN_KEYS:
        put(ws, row, 1, key.label)
        put(ws, row, 2, key.key)
        put(ws, row, 3, key.ja if key.required or "任意" in key.ja else f"{key.ja}（空欄可）", "wb_wrap")
        put(ws, row, 4, key.example)
        row += 1
    for sheet in fmt.SHEETS[1:]:
        row += 1
        put(ws, row, 1, f"■ シート「{sheet.label}」（{sheet.key}、CSV では {sheet.csv_name}）: {sheet.ja}")
        row += 1
        for i, label in enumerate(("見出し", "English key", "説明", "記入例"), start=1):
            put(ws, row, i, label, "wb_header")
        row += 1
        for column in sheet.columns:
            put(ws, row, 1, column.label)
            put(ws, row, 2, column.key)
            put(ws, row, 3, column.ja, "wb_wrap")
            put(ws, row, 4, column.example)
            row += 1
    for letter, width in (("A", 22), ("B", 20), ("C", 90), ("D", 34)):
        ws.column_dimensions[letter].width = width


# --------------------------------------------------------------------------- entry points


def export_plan(plan, fmt_name: str = "xlsx") -> bytes:
    tables = plan_tables(plan)
    return to_csv_zip(tables) if fmt_name == "csv-zip" else to_xlsx(tables)


def export_template(fmt_name: str = "xlsx") -> bytes:
    tables = template_tables()
    return to_csv_zip(tables) if fmt_name == "csv-zip" else to_xlsx(tables, template=True)


def export_filename(plan, fmt_name: str = "xlsx") -> str:
    return f"plan-{plan.pk}-workbook.{'zip' if fmt_name == 'csv-zip' else 'xlsx'}"
