"""The department's form as an XLSX workbook — export, and reading a filled-in workbook back.

Layout (what staff exchange):

- 記入方法 — instructions in Japanese: the round, the deadline, the status scale with meanings, how
  to write indicator actuals, what must not be changed.
- 回答 — one row per activity. Hidden key columns (照会ID, 所管課ID, 項目コード, 版, 確認用) then
  reference columns (locked) then the columns to fill in (unlocked, yellow): 進捗状況 (a drop-down
  limited to the plan's scale), スケジュールの変更理由, 取組結果, 次年度の取組予定, 次年度以降の取組予定.
- 指標実績 — one row per indicator the department owns: the same hidden keys, last year's actual and
  this year's target for reference, the actual to fill in (a text cell: ``約 200 万件``, ``1/15``).
- _meta — very hidden: format, round id, department, and an HMAC checksum (keyed with the site's
  SECRET_KEY) of the key rows, which are listed there too so that an edited key can be named by
  sheet, row and column.

Sheet protection locks everything except the cells to fill in. The reader never trusts it: every
key cell is compared with the checksummed list.

``確認用`` is a short hash of the row's values at export. On import, a row whose values still hash to
it was not touched and is skipped; a touched row whose answer was changed on the web after the
export is refused (no lost update through a spreadsheet either).

Reading is plain Python over the workbook (no database writes); ``actions.import_department_form``
applies the result through the same service functions as the web form.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from shinchoku.core import filereaders, fiscal
from shinchoku.core.cellsafety import put
from shinchoku.core.importing import ImportFailed, Problem
from shinchoku.core.text import nfkc
from shinchoku.indicators.values import parsed_fields

FORMAT = "shinchoku-round-form"
FORMAT_VERSION = 1
ANSWER_SHEET = "回答"
ACTUAL_SHEET = "指標実績"
HELP_SHEET = "記入方法"
META_SHEET = "_meta"
KEY_FIELDS = ("round_id", "department_id", "code", "version", "base")
ANSWER_VALUE_FIELDS = ("status", "change_reason", "result", "next_year_plan", "later_plan")
ACTUAL_VALUE_FIELDS = ("raw_text", "note")


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    width: float
    kind: str  # "key" (hidden, locked) | "ref" (locked) | "edit" (unlocked)


def answer_columns(fy: int) -> list[Column]:
    this, nxt = fiscal.to_wareki(fy), fiscal.to_wareki(fy + 1)
    return [
        Column("round_id", "照会ID", 8, "key"),
        Column("department_id", "所管課ID", 8, "key"),
        Column("code", "項目コード", 12, "key"),
        Column("version", "版", 6, "key"),
        Column("base", "確認用", 18, "key"),
        Column("code_display", "コード", 11, "ref"),
        Column("initiative", "実施内容", 22, "ref"),
        Column("title", "事業内容", 26, "ref"),
        Column("owners", "所管課", 14, "ref"),
        Column("previous_status", f"{fiscal.to_wareki(fy - 1)}の進捗状況", 9, "ref"),
        Column("previous_result", f"{fiscal.to_wareki(fy - 1)}の取組結果（参考）", 34, "ref"),
        Column("state", "回答の状態", 9, "ref"),
        Column("return_comment", "差戻しコメント", 22, "ref"),
        Column("status", "進捗状況", 9, "edit"),
        Column("change_reason", "スケジュールの変更理由", 28, "edit"),
        Column("result", f"取組結果（{this}）", 44, "edit"),
        Column("next_year_plan", f"{nxt}の取組予定", 36, "edit"),
        Column("later_plan", f"{nxt}以降の取組予定", 30, "edit"),
    ]


def actual_columns(fy: int) -> list[Column]:
    return [
        Column("round_id", "照会ID", 8, "key"),
        Column("department_id", "所管課ID", 8, "key"),
        Column("code", "指標コード", 12, "key"),
        Column("version", "版", 6, "key"),
        Column("base", "確認用", 18, "key"),
        Column("code_display", "指標コード", 12, "ref"),
        Column("name", "指標名", 40, "ref"),
        Column("unit", "単位", 8, "ref"),
        Column("previous", f"{fiscal.to_wareki(fy - 1)}の実績", 14, "ref"),
        Column("target", f"{fiscal.to_wareki(fy)}の目標", 14, "ref"),
        Column("state", "回答の状態", 9, "ref"),
        Column("return_comment", "差戻しコメント", 22, "ref"),
        Column("raw_text", f"{fiscal.to_wareki(fy)}の実績", 16, "edit"),
        Column("note", "備考", 30, "edit"),
    ]


def row_hash(values) -> str:
    """Short hash of a row's fillable values (as text), to tell an untouched row from an edited one."""
    payload = json.dumps([_text(v) for v in values], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def key_checksum(meta: dict, key_rows: list[list]) -> str:
    payload = json.dumps(
        {"format": FORMAT, "round_id": meta["round_id"], "department_id": meta["department_id"], "keys": key_rows},
        ensure_ascii=False, sort_keys=True, default=str,
    )
    return hmac.new(settings.SECRET_KEY.encode("utf-8"), payload.encode("utf-8"), hashlib.sha256).hexdigest()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


# --- export ------------------------------------------------------------------------------------


def _styles(wb: Workbook) -> None:
    thin = Side(style="thin", color="B7C0CC")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    header = NamedStyle(name="sk_header", font=Font(bold=True), fill=PatternFill("solid", fgColor="DDE6F1"),
                        alignment=Alignment(wrap_text=True, vertical="center"), border=border,
                        protection=Protection(locked=True))
    ref = NamedStyle(name="sk_ref", alignment=Alignment(wrap_text=True, vertical="top"), border=border,
                     protection=Protection(locked=True), number_format="@")
    key = NamedStyle(name="sk_key", font=Font(color="808080"), alignment=Alignment(vertical="top"), border=border,
                     protection=Protection(locked=True), number_format="@")
    edit = NamedStyle(name="sk_edit", fill=PatternFill("solid", fgColor="FFF8D6"),
                      alignment=Alignment(wrap_text=True, vertical="top"), border=border,
                      protection=Protection(locked=False), number_format="@")
    for style in (header, ref, key, edit):
        wb.add_named_style(style)


def _write_table(ws, columns: list[Column], rows: list[dict]) -> None:
    for c, col in enumerate(columns, start=1):
        cell = put(ws, 1, c, col.header)
        cell.style = "sk_header"
        letter = get_column_letter(c)
        ws.column_dimensions[letter].width = col.width
        if col.kind == "key":
            ws.column_dimensions[letter].hidden = True
    ws.row_dimensions[1].height = 32
    for r, data in enumerate(rows, start=2):
        longest = 1
        for c, col in enumerate(columns, start=1):
            value = data.get(col.field, "")
            cell = put(ws, r, c, value if value != "" else None)
            cell.style = {"key": "sk_key", "ref": "sk_ref", "edit": "sk_edit"}[col.kind]
            if col.kind != "key" and isinstance(value, str) and value:
                per_line = max(int(col.width * 0.9 / 2), 4)  # full-width characters per line
                lines = sum(max(1, -(-len(part) // per_line)) for part in value.split("\n"))
                longest = max(longest, lines)
        ws.row_dimensions[r].height = min(15 * longest + 4, 400)
    first_ref = next(i for i, col in enumerate(columns, start=1) if col.kind == "ref")
    ws.freeze_panes = ws.cell(row=2, column=first_ref + 1)
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # staff may widen columns and rows to read long text
    ws.protection.formatRows = False
    ws.protection.selectLockedCells = False
    ws.protection.selectUnlockedCells = False
    ws.sheet_view.zoomScale = 90


def build_workbook(form, *, exported_by: str = "") -> Workbook:
    """The department form (``queries.DepartmentForm``) as a workbook."""
    round = form.round
    plan = round.plan
    dep = form.department
    fy = round.fiscal_year
    symbols = list(plan.status_scale.symbols.all()) if plan.status_scale_id else []
    wb = Workbook()
    _styles(wb)
    help_ws = wb.active
    help_ws.title = HELP_SHEET
    ws = wb.create_sheet(ANSWER_SHEET)
    aws = wb.create_sheet(ACTUAL_SHEET)
    meta_ws = wb.create_sheet(META_SHEET)

    key_rows: list[list] = []
    answer_data = []
    for r, row in enumerate(form.rows, start=2):
        a = row.answer
        values = [
            a.status.symbol if a and a.status_id else "",
            a.change_reason if a else "", a.result if a else "", a.next_year_plan if a else "", a.later_plan if a else "",
        ]
        keys = [round.pk, dep.pk, row.node.code, row.version, row_hash(values)]
        key_rows.append([ANSWER_SHEET, r, *keys])
        parent = row.node.parent if row.node.parent_id else None
        answer_data.append({
            **dict(zip(KEY_FIELDS, keys)),
            "code_display": row.node.code,
            "initiative": f"{parent.code} {parent.title}" if parent else "",
            "title": row.node.title,
            "owners": "、".join(o.name for o in row.owners),
            "previous_status": row.previous.status.symbol if row.previous and row.previous.status_id else "",
            "previous_result": row.previous.result if row.previous else "",
            "state": row.state_label,
            "return_comment": a.return_comment if a and a.state == "returned" else "",
            **dict(zip(ANSWER_VALUE_FIELDS, values)),
        })
    columns = answer_columns(fy)
    _write_table(ws, columns, answer_data)
    status_col = get_column_letter(next(i for i, c in enumerate(columns, start=1) if c.field == "status"))
    if symbols and answer_data:
        listed = ",".join(s.symbol for s in symbols)
        # An inline list is a formula: a symbol holding "," or '"' goes through cells instead.
        if len(listed) <= 250 and not any(ch in s.symbol for s in symbols for ch in ',"'):
            formula = f'"{listed}"'
        else:
            for i, s in enumerate(symbols, start=1):
                put(meta_ws, i, 10, s.symbol)
            formula = f"'{META_SHEET}'!$J$1:$J${len(symbols)}"
        dv = DataValidation(type="list", formula1=formula, allow_blank=True, showDropDown=False,
                            showErrorMessage=True, errorTitle="進捗状況",
                            error="進捗状況は一覧から選んでください（" + "、".join(s.symbol for s in symbols) + "）。",
                            showInputMessage=True, promptTitle="進捗状況",
                            prompt="、".join(f"{s.symbol}:{s.meaning[:12]}" for s in symbols)[:250])
        dv.add(f"{status_col}2:{status_col}{len(answer_data) + 1}")
        ws.add_data_validation(dv)

    actual_data = []
    for r, row in enumerate(form.actual_rows, start=2):
        a = row.actual
        values = [a.raw_text if a else "", a.note if a else ""]
        keys = [round.pk, dep.pk, row.indicator.code, row.version, row_hash(values)]
        key_rows.append([ACTUAL_SHEET, r, *keys])
        actual_data.append({
            **dict(zip(KEY_FIELDS, keys)),
            "code_display": row.indicator.code,
            "name": row.indicator.name,
            "unit": row.indicator.unit,
            "previous": row.previous.raw_text if row.previous else "",
            "target": row.target.raw_text if row.target else "",
            "state": row.state_label,
            "return_comment": a.return_comment if a and a.state == "returned" else "",
            "raw_text": values[0],
            "note": values[1],
        })
    _write_table(aws, actual_columns(fy), actual_data)

    meta = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "round_id": round.pk, "department_id": dep.pk,
        "department_name": dep.name, "plan": plan.name, "fiscal_year": fy,
        "exported_at": timezone.now().isoformat(timespec="seconds"), "exported_by": exported_by,
    }
    meta["checksum"] = key_checksum(meta, key_rows)
    for i, (k, v) in enumerate(meta.items(), start=1):
        put(meta_ws, i, 1, k)
        put(meta_ws, i, 2, str(v))
    put(meta_ws, 20, 1, "keys")
    for i, key_row in enumerate(key_rows, start=21):
        for j, v in enumerate(key_row, start=1):
            put(meta_ws, i, j, str(v))
    meta_ws.sheet_state = "veryHidden"
    meta_ws.protection.sheet = True

    _write_help(help_ws, round, dep, symbols, len(answer_data), len(actual_data))
    wb.active = 0
    return wb


def _write_help(ws, round, dep, symbols, n_answers: int, n_actuals: int) -> None:
    fy = round.fiscal_year
    lines: list[tuple[str, str]] = [
        ("title", f"{round.plan.name} {fiscal.label(fy)} 進捗状況照会 回答様式"),
        ("", ""),
        ("kv", f"所管課\t{dep.name}"),
        ("kv", f"照会\t{round.display_title}（照会ID {round.pk}）"),
        ("kv", f"提出期限\t{round.deadline:%Y年%m月%d日}"),
        ("kv", f"回答する項目\t事業内容 {n_answers}件、指標実績 {n_actuals}件"),
        ("", ""),
        ("h", "記入のしかた"),
        ("p", f"1. シート「{ANSWER_SHEET}」の黄色のセルに、事業内容ごとに{fiscal.to_wareki(fy)}の進捗状況・取組結果・今後の予定を記入してください。"),
        ("p", "2. 進捗状況はセルの▼から選びます。一覧にない記号は取り込めません。"),
        ("p", "3. 進捗状況が遅れ・未着手のときは「スケジュールの変更理由」を必ず記入してください（未記入では提出できません）。"),
        ("p", f"4. シート「{ACTUAL_SHEET}」の黄色のセルに、成果指標の{fiscal.to_wareki(fy)}の実績を記入してください。"),
        ("p", "   数値と単位で書きます（例: 68.3%、約 200 万件、1/15、29名）。未集計のときは「集計中」と書きます。文章は取り込めません。"),
        ("p", "5. 灰色・白のセル（コード、事業内容、前年度の実績など）は参考です。変更できません。"),
        ("p", "6. 行や列の追加・削除・並べ替え、シート保護の解除、非表示の列（キー列）の変更はしないでください。変更されたファイルは取り込めません。"),
        ("p", "7. 記入したファイルは shinchoku の「XLSX取込」から取り込みます。取り込む前に、変更されるセルの一覧（試行結果）が表示されます。"),
        ("p", "   取り込みは全件成功か全件取消しです。エラーがあるとシート・行・列を示して、何も取り込みません。"),
        ("p", "8. 提出済・承認済の回答は変更できません。変更が必要な場合は企画課に差戻しを依頼してください。"),
        ("p", "9. 出力した後に画面で同じ回答が更新された場合、その行は取り込めません。最新の様式を出力し直してください。"),
        ("", ""),
        ("h", "進捗状況の区分"),
    ]
    for s in symbols:
        lines.append(("kv", f"{s.symbol}\t{s.meaning}{'（変更理由が必要）' if s.requires_reason else ''}"))
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 100
    for r, (kind, text) in enumerate(lines, start=1):
        if kind == "kv":
            k, v = text.split("\t", 1)
            put(ws, r, 1, k).font = Font(bold=True)
            put(ws, r, 2, v).alignment = Alignment(wrap_text=True)
        elif kind == "title":
            put(ws, r, 1, text).font = Font(bold=True, size=14)
        elif kind == "h":
            put(ws, r, 1, text).font = Font(bold=True, size=12)
        elif kind == "p":
            put(ws, r, 1, text)
    ws.protection.sheet = True


def workbook_bytes(form, *, exported_by: str = "") -> bytes:
    buffer = io.BytesIO()
    build_workbook(form, exported_by=exported_by).save(buffer)
    return buffer.getvalue()


# --- reading -----------------------------------------------------------------------------------


@dataclass
class ParsedRow:
    sheet: str
    row: int
    code: str
    version: int
    base: str
    values: dict[str, str]  # field → text as written in the workbook
    columns: dict[str, str]  # field → column letter and header, for messages


@dataclass
class ParsedForm:
    file: str
    round_id: int
    department_id: int
    answers: list[ParsedRow] = field(default_factory=list)
    actuals: list[ParsedRow] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ParsedForm:
        return cls(
            file=data["file"], round_id=data["round_id"], department_id=data["department_id"],
            answers=[ParsedRow(**r) for r in data["answers"]], actuals=[ParsedRow(**r) for r in data["actuals"]],
        )


def _column_label(index: int, col: Column) -> str:
    return f"{get_column_letter(index)}（{col.header}）"


def open_upload(fileobj, *, size: int | None, name: str = "アップロードしたファイル") -> filereaders.XlsxBook:
    """Size and container checks before anything is parsed; returns the workbook, read through the
    guarded reader of :mod:`shinchoku.core.filereaders` (a corrupt part or an oversized sheet is a
    problem naming its place)."""
    limit = settings.SHINCHOKU_MAX_UPLOAD_BYTES
    if size is None:
        fileobj.seek(0, io.SEEK_END)
        size = fileobj.tell()
    fileobj.seek(0)
    if size > limit:
        raise ImportFailed(Problem(
            f"ファイルが大きすぎます（{size / 1024 / 1024:.1f} MB、上限 {limit / 1024 / 1024:.0f} MB）。"
            "出力した様式に記入したファイルを取り込んでください。", file=name,
        ))
    if size == 0:
        raise ImportFailed(Problem("ファイルが空です。", file=name))
    data, _ = filereaders.read_bytes(fileobj, name=name)
    if filereaders.kind_of(data) != "zip":
        raise ImportFailed(Problem(
            "XLSX 形式（Excel ブック）として読めません。ファイルが壊れているか、別の形式（xls、csv など）です。"
            "shinchoku から出力した様式を Excel の「.xlsx」形式で保存して取り込んでください。", file=name,
        ))
    return filereaders.XlsxBook(data, name)


class _Grid:
    """One sheet's cell texts by (row, column), both 1-based."""

    def __init__(self, rows: filereaders.Rows):
        self.cells = {(r, c): text for r, cells in rows for c, text in enumerate(cells, start=1) if text}
        self.max_row = max((r for r, _ in rows), default=0)

    def value(self, row: int, column: int) -> str:
        return self.cells.get((row, column), "")


def read_meta(book: filereaders.XlsxBook, name: str) -> tuple[dict, list[list[str]]]:
    if META_SHEET not in book.sheet_names:
        raise ImportFailed(Problem(
            "shinchoku から出力した照会の回答様式ではありません（管理情報のシートがありません）。"
            "照会のページから様式を出力して記入してください。", file=name,
        ))
    ws = _Grid(book.rows(META_SHEET))
    meta: dict[str, str] = {}
    for r in range(1, 20):
        k = ws.value(r, 1)
        if k:
            meta[str(k)] = _text(ws.value(r, 2))
    keys: list[list[str]] = []
    r = 21
    while ws.value(r, 1) not in (None, ""):
        keys.append([_text(ws.value(r, c)) for c in range(1, 8)])
        r += 1
    if meta.get("format") != FORMAT:
        raise ImportFailed(Problem("shinchoku から出力した照会の回答様式ではありません。", file=name, sheet=META_SHEET))
    return meta, keys


def parse_workbook(fileobj, *, round, department, status_symbols: list[str], size: int | None, name: str) -> ParsedForm:
    """Read a filled-in form for ``round`` and ``department``; raise ImportFailed naming every problem."""
    book = open_upload(fileobj, size=size, name=name)
    meta, key_rows = read_meta(book, name)
    try:
        meta_round, meta_dep = int(meta.get("round_id", "")), int(meta.get("department_id", ""))
    except ValueError:
        raise ImportFailed(Problem("様式の管理情報が読めません。出力し直してください。", file=name, sheet=META_SHEET)) from None
    if meta_round != round.pk:
        raise ImportFailed(Problem(
            f"別の照会（照会ID {meta_round}）の様式です。この照会（照会ID {round.pk}「{round.display_title}」）の様式を出力して記入してください。",
            file=name,
        ))
    if meta_dep != department.pk:
        raise ImportFailed(Problem(
            f"別の所管課（{meta.get('department_name', meta_dep)}）の様式です。{department.name}の様式を出力して記入してください。",
            file=name,
        ))
    typed_keys = [[k[0], int(k[1]), int(k[2]), int(k[3]), k[4], int(k[5]), k[6]] for k in key_rows] if _all_int(key_rows) else None
    if typed_keys is None or not hmac.compare_digest(
        key_checksum({"round_id": meta_round, "department_id": meta_dep}, typed_keys), meta.get("checksum", "")
    ):
        raise ImportFailed(Problem(
            "様式の管理情報（キー列のチェックサム）が一致しません。様式が変更されています。出力し直してください。",
            file=name, sheet=META_SHEET,
        ))

    problems: list[Problem] = []
    parsed = ParsedForm(file=name, round_id=round.pk, department_id=department.pk)
    fy = round.fiscal_year
    for sheet, columns, target, kind in (
        (ANSWER_SHEET, answer_columns(fy), parsed.answers, "answer"),
        (ACTUAL_SHEET, actual_columns(fy), parsed.actuals, "actual"),
    ):
        expected = {k[1]: k for k in typed_keys if k[0] == sheet}
        if sheet not in book.sheet_names:
            problems.append(Problem(f"シート「{sheet}」がありません（シート名を変えないでください）。", file=name, sheet=sheet))
            continue
        ws = _Grid(book.rows(sheet))
        for c, col in enumerate(columns, start=1):
            header = _text(ws.value(1, c))
            if header != col.header:
                problems.append(Problem(
                    f"見出しが「{col.header}」ではなく「{header}」です。列の追加・削除・並べ替えはできません。",
                    file=name, sheet=sheet, row=1, column=get_column_letter(c),
                ))
        if any(p.sheet == sheet and p.row == 1 for p in problems):
            continue
        last = max(ws.max_row, max(expected, default=1))
        for r in range(2, last + 1):
            cells = {col.field: ws.value(r, c) for c, col in enumerate(columns, start=1)}
            labels = {col.field: _column_label(c, col) for c, col in enumerate(columns, start=1)}
            key = expected.get(r)
            if key is None:
                if any(_text(cells[col.field]) for col in columns if col.kind == "edit"):
                    problems.append(Problem("様式にない行です。行の追加や移動はできません。", file=name, sheet=sheet, row=r))
                continue
            wanted = dict(zip(KEY_FIELDS, [key[2], key[3], key[4], key[5], key[6]]))
            bad_key = False
            for fld in KEY_FIELDS:
                got = _text(cells[fld])
                if got != str(wanted[fld]):
                    bad_key = True
                    problems.append(Problem(
                        f"キー列が変更されています（出力時「{wanted[fld]}」、ファイル「{got}」）。"
                        "キー列や行の順序は変更できません。出力し直してください。",
                        file=name, sheet=sheet, row=r, column=labels[fld],
                    ))
            if bad_key:
                continue
            values: dict[str, str] = {}
            if kind == "answer":
                for fld in ANSWER_VALUE_FIELDS:
                    values[fld] = _text(cells[fld])
                raw_status = values["status"].strip()
                status = raw_status if raw_status in status_symbols else next(
                    (s for s in status_symbols if nfkc(s) == nfkc(raw_status)), raw_status
                )
                if status and status not in status_symbols:
                    problems.append(Problem(
                        f"進捗状況「{values['status']}」は進捗区分にありません（選べるのは {'、'.join(status_symbols)}）。",
                        file=name, sheet=sheet, row=r, column=labels["status"],
                    ))
                values["status"] = status
            else:
                values["raw_text"] = _text(cells["raw_text"])
                values["note"] = _text(cells["note"])
                if values["raw_text"]:
                    if "\n" in values["raw_text"]:
                        problems.append(Problem("実績は1行で記入してください。", file=name, sheet=sheet, row=r, column=labels["raw_text"]))
                    else:
                        pf = parsed_fields(values["raw_text"])
                        if not pf["readable"]:
                            problems.append(Problem(
                                f"「{values['raw_text']}」を数値として読めません（{unreadable_reason(pf['parse_note'])}）。"
                                "数値と単位で記入してください（例: 68.3%、約 200 万件、1/15）。未集計なら「集計中」。",
                                file=name, sheet=sheet, row=r, column=labels["raw_text"],
                            ))
            target.append(ParsedRow(
                sheet=sheet, row=r, code=str(key[4]), version=int(key[5]), base=str(key[6]),
                values=values, columns={f: labels[f] for f in values},
            ))
    if problems:
        raise ImportFailed(problems)
    return parsed


def _all_int(key_rows) -> bool:
    try:
        for k in key_rows:
            int(k[1]), int(k[2]), int(k[3]), int(k[5])
        return True
    except (ValueError, IndexError):
        return False


def unreadable_reason(note: str) -> str:
    """The value parser's reason, without its remark that the text was kept (here it is refused)."""
    return note.replace("（文章として保存しました）", "").strip() or "数値が含まれていません"
