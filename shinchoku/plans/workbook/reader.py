"""Read a plan workbook — XLSX, or a ZIP of one CSV per sheet — into :class:`~.data.WorkbookData`.

No database access. Everything wrong with the file is a :class:`~shinchoku.core.importing.Problem`
naming file, sheet, row and column; :func:`read_workbook` raises
:class:`~shinchoku.core.importing.ImportFailed` with all of them (structure problems first: a file
that is too big, unreadable, a missing sheet or header stops before any row is read, so that one
defect gives one message).

Files are read by :mod:`shinchoku.core.filereaders` (bounded, and every exception a located problem).
CSV files are read as UTF-8 (with or without BOM) or CP932, the encoding Japanese Excel writes;
a file that is neither names the line and byte that cannot be read.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from shinchoku.core import filereaders
from shinchoku.core.filereaders import DateText
from shinchoku.core.fiscal import FiscalYearError, parse_fiscal_year
from shinchoku.core.importing import ImportFailed, Problem
from shinchoku.core.text import nfkc, remove_spaces
from shinchoku.plans.workbook import format as fmt
from shinchoku.plans.workbook.data import (
    EffectRow,
    IndicatorRow,
    IndicatorValueRow,
    ItemRow,
    PlanInfo,
    ProgressRow,
    WorkbookData,
)

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
HEADER_SEARCH_ROWS = 10  # the header row may sit below a title line or two
MAX_PROBLEMS = 100


def max_upload_bytes() -> int:
    try:
        from django.conf import settings

        return int(getattr(settings, "SHINCHOKU_MAX_UPLOAD_BYTES", DEFAULT_MAX_BYTES))
    except Exception:  # noqa: BLE001 - usable without Django settings
        return DEFAULT_MAX_BYTES


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


@dataclass
class RawTable:
    """One sheet as cell texts: ``rows`` = (row number, cells)."""

    sheet: fmt.Sheet
    name: str  # as in the file: '項目' or 'items.csv'
    rows: list[tuple[int, list[str]]]


# --------------------------------------------------------------------------- entry points


def read_workbook(source: str | Path | bytes, *, filename: str | None = None, max_bytes: int | None = None) -> WorkbookData:
    """Read and cell-check a workbook. Raises ImportFailed naming every problem's place."""
    data, name = _load(source, filename, max_bytes)
    tables = read_tables_bytes(data, name)
    return _Parser(tables, name).parse()


def read_tables(source: str | Path | bytes, *, filename: str | None = None) -> dict[str, list[list[str]]]:
    """The six sheets as lists of cell texts (blank rows dropped, trailing blanks trimmed).

    For comparing two exports cell by cell.
    """
    data, name = _load(source, filename, None)
    out: dict[str, list[list[str]]] = {}
    for key, table in read_tables_bytes(data, name).items():
        rows = []
        for _, cells in table.rows:
            cells = list(cells)
            while cells and cells[-1] == "":
                cells.pop()
            if cells:
                rows.append(cells)
        out[key] = rows
    return out


def _load(source: str | Path | bytes, filename: str | None, max_bytes: int | None) -> tuple[bytes, str]:
    limit = max_bytes if max_bytes is not None else max_upload_bytes()
    if isinstance(source, (bytes, bytearray)):
        name = filename or "ブック"
        if len(source) > limit:
            raise ImportFailed(Problem(too_big_message(len(source), limit), file=name))
        return bytes(source), name
    path = Path(source)
    name = filename or path.name
    with filereaders.reading(name):
        if not path.is_file():
            raise ImportFailed(Problem("ファイルが見つかりません", file=name))
        size = os.stat(path).st_size
        if size > limit:
            raise ImportFailed(Problem(too_big_message(size, limit), file=name))
        return path.read_bytes(), name


def too_big_message(size: int, limit: int) -> str:
    return (
        f"ファイルが大きすぎます（{_mb(size)}。上限は {_mb(limit)}）。計画ワークブックは通常 1 MB 未満です。"
        "画像や不要なシートが含まれていないか確認してください"
    )


def read_tables_bytes(data: bytes, name: str) -> dict[str, RawTable]:
    """The six sheets (or CSV members) as cell texts, read through the guarded readers of
    :mod:`shinchoku.core.filereaders` (a corrupt member, a zip bomb or a sheet over the row limit is
    a problem naming its place)."""
    kind = filereaders.kind_of(data)
    if kind == "cfb":
        raise ImportFailed(Problem(filereaders.CFB_MESSAGE, file=name))
    if kind != "zip":
        raise ImportFailed(Problem(
            "XLSX ファイルでも、CSV をまとめた ZIP ファイルでもありません"
            "（CSV の場合は plan.csv・items.csv など6つのファイルを1つの ZIP にまとめてください）", file=name
        ))
    archive = filereaders.Archive(data, name)
    names = archive.names()
    if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
        return _xlsx_tables(data, name)
    return _csv_tables(archive, name)


# --------------------------------------------------------------------------- XLSX


def _xlsx_tables(data: bytes, name: str) -> dict[str, RawTable]:
    book = filereaders.XlsxBook(data, name)
    found = _match_sheets([(title, title) for title in book.sheet_names], name, "シート")
    return {key: RawTable(fmt.SHEET_BY_KEY[key], title, book.rows(title)) for key, (title, _) in found.items()}


# --------------------------------------------------------------------------- CSV ZIP


def _zip_member_name(info: zipfile.ZipInfo) -> str:
    name = info.filename
    if not info.flag_bits & 0x800:  # not flagged UTF-8: Japanese Windows writes CP932 names
        try:
            name = name.encode("cp437").decode("cp932")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return name.replace("\\", "/").rsplit("/", 1)[-1]


def _csv_tables(archive: filereaders.Archive, name: str) -> dict[str, RawTable]:
    members = [
        (_zip_member_name(i), i) for i in archive.infos if not i.is_dir() and _zip_member_name(i).lower().endswith(".csv")
    ]
    if not members:
        raise ImportFailed(Problem(
            "ZIP の中に CSV がありません（plan.csv・items.csv・progress.csv・indicators.csv・"
            "indicator_values.csv・effects.csv が必要です）", file=name
        ))
    found = _match_sheets(members, name, "CSV")
    tables = {}
    budget_limits = filereaders.Limits.current()
    for key, (member, info) in found.items():
        raw = archive.read(info, sheet=member)
        rows = filereaders.read_csv(raw, name, member, limits=budget_limits)
        tables[key] = RawTable(fmt.SHEET_BY_KEY[key], member, rows)
    return tables


# --------------------------------------------------------------------------- sheets and headers


def _match_sheets(candidates: list[tuple[str, object]], name: str, what: str) -> dict[str, tuple[str, object]]:
    found: dict[str, tuple[str, object]] = {}
    problems: list[Problem] = []
    for title, obj in candidates:
        sheet = fmt.sheet_for_name(title)
        if sheet is None:
            continue
        if sheet.key in found:
            problems.append(Problem(
                f"シート「{sheet.label}」（{sheet.key}）が2つあります（「{found[sheet.key][0]}」と「{title}」）", file=name, sheet=title
            ))
            continue
        found[sheet.key] = (title, obj)
    present = "、".join(t for t, _ in candidates) or "なし"
    for sheet in fmt.SHEETS:
        if sheet.key not in found:
            where = f"{sheet.label}（{sheet.key}）" if what == "シート" else sheet.csv_name
            problems.append(Problem(
                f"{what}「{where}」がありません（このファイルの{what}: {present}）。"
                "計画ワークブックには 計画・項目・進捗・指標・指標値・効果 の6つが必要です（データがなければ見出しだけで構いません）",
                file=name, sheet=sheet.label if what == "シート" else sheet.csv_name,
            ))
    if problems:
        raise ImportFailed(problems)
    return found


@dataclass
class _Layout:
    header_row: int
    columns: dict[str, int]  # column key → 0-based index


def _layout(table: RawTable, file: str, problems: list[Problem], notes: list[str]) -> _Layout | None:
    sheet = table.sheet
    best: tuple[int, int, list[str]] | None = None
    seen = 0
    for number, cells in table.rows:
        if not any(c.strip() for c in cells):
            continue
        seen += 1
        if seen > HEADER_SEARCH_ROWS:
            break
        hits = sum(1 for c in cells if fmt.header_key(sheet, c))
        if hits and (best is None or hits > best[0]):
            best = (hits, number, cells)
    expected = "、".join(c.label for c in sheet.columns)
    if best is None:
        problems.append(Problem(
            f"見出し行が見つかりません。1行目に見出し（{expected}）を置いてください", file=file, sheet=table.name, row=1,
        ))
        return None
    _, header_row, cells = best
    columns: dict[str, int] = {}
    unknown: list[tuple[int, str]] = []
    for index, text in enumerate(cells):
        if not text.strip():
            continue
        key = fmt.header_key(sheet, text)
        if key is None:
            unknown.append((index, text.strip()))
        elif key in columns:
            problems.append(Problem(
                f"見出し「{sheet.column(key).label}」が2つあります（{fmt.column_letter(columns[key])}列と"
                f"{fmt.column_letter(index)}列）", file=file, sheet=table.name, row=header_row, column=fmt.column_letter(index),
            ))
            return None
        else:
            columns[key] = index
    missing = [c for c in sheet.columns if c.key not in columns]
    if missing:
        names = "、".join(f"「{c.label}」（{c.key}）" for c in missing)
        message = f"見出し{names}がありません"
        column = ""
        if unknown:
            message += "。" + "、".join(f"「{t}」（{fmt.column_letter(i)}列）" for i, t in unknown) + "は見出しとして読めません"
            column = fmt.column_letter(unknown[0][0])
        message += f"。見出しは様式どおり（{expected}）にしてください"
        problems.append(Problem(message, file=file, sheet=table.name, row=header_row, column=column))
        return None
    for index, text in unknown:
        notes.append(f"シート「{table.name}」の{fmt.column_letter(index)}列「{text}」は様式にない列のため読み飛ばしました")
    return _Layout(header_row, columns)


# --------------------------------------------------------------------------- rows → data


class _Parser:
    def __init__(self, tables: dict[str, RawTable], file: str):
        self.tables = tables
        self.file = file
        self.problems: list[Problem] = []
        self.notes: list[str] = []

    def fail(self, sheet: str, row: int | None, column: str, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(message, file=self.file, sheet=self.tables[sheet].name, row=row, column=column))

    def parse(self) -> WorkbookData:
        layouts = {}
        for key in ("items", "progress", "indicators", "indicator_values", "effects"):
            layouts[key] = _layout(self.tables[key], self.file, self.problems, self.notes)
        if self.problems:
            raise ImportFailed(self.problems)
        data = WorkbookData(source=self.file, plan=self._plan())
        data.sheet_names = {k: t.name for k, t in self.tables.items()}
        data.columns = {
            (key, col): fmt.column_letter(index) for key, layout in layouts.items() for col, index in layout.columns.items()
        }
        data.columns.update({("plan", "key"): "A", ("plan", "value"): "B"})
        for key, row, cells in self._rows("items", layouts["items"]):
            if item := self._item(row, cells):
                data.items.append(item)
        for key, row, cells in self._rows("progress", layouts["progress"]):
            if entry := self._progress(row, cells):
                data.progress.append(entry)
        for key, row, cells in self._rows("indicators", layouts["indicators"]):
            if indicator := self._indicator(row, cells):
                data.indicators.append(indicator)
        for key, row, cells in self._rows("indicator_values", layouts["indicator_values"]):
            if value := self._indicator_value(row, cells):
                data.indicator_values.append(value)
        for key, row, cells in self._rows("effects", layouts["effects"]):
            if effect := self._effect(row, cells):
                data.effects.append(effect)
        data.notes = self.notes
        if self.problems:
            raise ImportFailed(self.problems)
        return data

    def _rows(self, key: str, layout: _Layout):
        for number, cells in self.tables[key].rows:
            if number <= layout.header_row or not any(c.strip() for c in cells):
                continue
            values = {col: (cells[i] if i < len(cells) else "") for col, i in layout.columns.items()}
            yield key, number, _Cells(key, number, values, layout, self)

    # -- 計画 -------------------------------------------------------------------------------

    def _plan(self) -> PlanInfo:
        table = self.tables["plan"]
        info = PlanInfo()
        values: dict[str, tuple[int, str, int]] = {}  # key → (row, value, value column index)
        for number, cells in table.rows:
            filled = [(i, c) for i, c in enumerate(cells) if c.strip()]
            if not filled:
                continue
            index, label = filled[0]
            key = fmt.plan_key(label)
            if key is None:
                if fmt.normal_header(label) in ("項目", "key", "項目名"):
                    continue  # the header row 項目 / 値
                self.notes.append(f"シート「{table.name}」{number}行の「{label.strip()}」は様式にない項目のため読み飛ばしました")
                continue
            if key in values:
                self.problems.append(Problem(
                    f"「{fmt.PLAN_KEY[key].label}」が2回書かれています（{values[key][0]}行と{number}行）",
                    file=self.file, sheet=table.name, row=number, column=fmt.column_letter(index),
                ))
                continue
            value = cells[index + 1] if index + 1 < len(cells) else ""
            values[key] = (number, value, index + 1)
        for pk in fmt.PLAN_KEYS:
            if pk.required and pk.key not in values:
                self.problems.append(Problem(
                    f"「{pk.label}」（{pk.key}）の行がありません", file=self.file, sheet=table.name,
                ))
        if self.problems:
            raise ImportFailed(self.problems)
        info.rows = {k: row for k, (row, _, _) in values.items()}

        def place(key: str) -> tuple[int | None, str]:
            row, _, col = values.get(key, (None, "", 1))
            return row, fmt.column_letter(col)

        def text(key: str) -> str:
            return values.get(key, (0, "", 0))[1]

        def required(key: str) -> str:
            value = text(key).strip()
            if not value:
                row, col = place(key)
                self.problems.append(Problem(
                    f"「{fmt.PLAN_KEY[key].label}」が空です", file=self.file, sheet=table.name, row=row, column=col,
                ))
            return value

        code = remove_spaces(nfkc(required("municipality_code")))
        if code.isdigit() and len(code) == 5:
            code = "0" + code  # Excel drops the leading 0 of 01–09 prefectures' codes typed as numbers
        if code and not (code.isdigit() and len(code) == 6):
            row, col = place("municipality_code")
            self.problems.append(Problem(
                f"団体コード「{text('municipality_code').strip()}」は6桁の数字ではありません（全国地方公共団体コード）",
                file=self.file, sheet=table.name, row=row, column=col,
            ))
        info.municipality_code = code
        info.municipality_name = required("municipality_name")
        info.plan_name = required("plan_name")
        for key, limit in (("municipality_name", 100), ("plan_name", 200), ("plan_kind", 100)):
            if len(text(key).strip()) > limit:
                row, col = place(key)
                self.problems.append(Problem(
                    f"「{fmt.PLAN_KEY[key].label}」が長すぎます（{limit}文字まで）", file=self.file, sheet=table.name, row=row, column=col,
                ))
        for key in ("period_start", "period_end"):
            raw = required(key)
            if raw:
                row, col = place(key)
                setattr(info, key, self._year(raw, "plan", row, col, fmt.PLAN_KEY[key].label))
        if info.period_start and info.period_end and info.period_end < info.period_start:
            row, col = place("period_end")
            self.problems.append(Problem(
                f"計画期間終了年度（{info.period_end}年度）が開始年度（{info.period_start}年度）より前です",
                file=self.file, sheet=table.name, row=row, column=col,
            ))
        info.levels = fmt.split_list(text("levels"), fmt.LEVEL_SPLIT)
        info.status_scale = self._scale(text("status_scale"), *place("status_scale"))
        info.plan_kind = text("plan_kind").strip()
        info.description = text("description")
        return info

    def _scale(self, raw: str, row: int | None, col: str) -> list[tuple[str, str]]:
        scale: list[tuple[str, str]] = []
        for part in fmt.split_list(raw, fmt.SCALE_SPLIT):
            pieces = fmt.SCALE_PAIR.split(part, maxsplit=1)
            symbol = pieces[0].strip()
            meaning = pieces[1].strip() if len(pieces) > 1 else ""
            if not symbol:
                self.fail("plan", row, col, f"進捗区分「{part}」に記号がありません（「記号:意味」の形で書いてください）")
                continue
            if len(symbol) > 20:
                self.fail("plan", row, col, f"進捗区分の記号「{symbol}」が長すぎます（20文字まで）")
                continue
            if symbol in {s for s, _ in scale}:
                self.fail("plan", row, col, f"進捗区分の記号「{symbol}」が2回あります")
                continue
            if len(meaning) > 200:
                self.fail("plan", row, col, f"進捗区分「{symbol}」の意味が長すぎます（200文字まで）")
                continue
            scale.append((symbol, meaning))
        return scale

    def _year(self, raw: str, sheet: str, row: int | None, col: str, label: str) -> int | None:
        if isinstance(raw, DateText):
            self.fail(sheet, row, col, f"{label}「{raw}」が日付になっています。年度は 令和5年度・R5・2023 のように書いてください")
            return None
        try:
            return parse_fiscal_year(raw.strip())
        except FiscalYearError as exc:
            if str(exc).startswith("年度として読めません"):
                self.fail(sheet, row, col, f"{label}「{raw.strip()}」を年度として読めません（令和5年度・R5・2023・元年度 のように書いてください）")
            else:
                self.fail(sheet, row, col, f"{label}を読めません: {exc}")
            return None

    # -- rows -----------------------------------------------------------------------------

    def _item(self, row: int, c: _Cells) -> ItemRow | None:
        item = ItemRow(
            row=row, code=c.code("code", required=True) or "", parent_code=c.code("parent_code") or "",
            level=c.key("level"), title=c.text("title"), departments=fmt.split_list(c.text("departments")),
            relisted_from=c.code("relisted_from") or "", tags=fmt.split_list(c.text("tags"), fmt.TAG_SPLIT),
            description=c.text("description"),
        )
        for name in item.departments:
            if len(name) > 100:
                c.fail("departments", f"所管課「{name[:20]}…」が長すぎます（100文字まで）")
        return None if c.failed else item

    def _progress(self, row: int, c: _Cells) -> ProgressRow | None:
        entry = ProgressRow(
            row=row, code=c.code("code", required=True) or "", fiscal_year=c.year("fiscal_year", required=True) or 0,
            status=c.key("status"), result=c.text("result"), next_year_plan=c.text("next_year_plan"),
            later_plan=c.text("later_plan"), change_reason=c.text("change_reason"),
        )
        return None if c.failed else entry

    def _indicator(self, row: int, c: _Cells) -> IndicatorRow | None:
        indicator = IndicatorRow(
            row=row, code=c.code("indicator_code", required=True) or "", name=c.text("name"),
            kind=c.vocab("kind", fmt.INDICATOR_KINDS, default="outcome") or "",
            unit=c.key("unit"), direction=c.vocab("direction", fmt.DIRECTIONS, fmt.DIRECTION_ALIASES, default="") or "",
            item_codes=fmt.split_list(c.text("item_codes")), definition=c.text("definition"), source=c.text("source"),
            notes=c.text("notes"),
        )
        if not indicator.name.strip():
            c.fail("name", "指標名が空です")
        return None if c.failed else indicator

    def _indicator_value(self, row: int, c: _Cells) -> IndicatorValueRow | None:
        value = IndicatorValueRow(
            row=row, indicator_code=c.code("indicator_code", required=True) or "",
            fiscal_year=c.year("fiscal_year", required=True) or 0,
            kind=c.vocab("kind", fmt.VALUE_KINDS, fmt.VALUE_KIND_ALIASES, default=None) or "",
            value=c.text("value"), as_of=c.text("as_of").strip(), notes=c.text("notes"),
        )
        return None if c.failed else value

    def _effect(self, row: int, c: _Cells) -> EffectRow | None:
        effect = EffectRow(
            row=row, item_code=c.code("item_code") or "", fiscal_year=c.year("fiscal_year", required=True) or 0,
            until_fiscal_year=c.year("until_fiscal_year"), kind=c.vocab("kind", fmt.EFFECT_KINDS, default=None) or "",
            value=c.text("value"), basis=c.text("basis"), notes=c.text("notes"),
        )
        if not c.failed and effect.until_fiscal_year is not None and effect.until_fiscal_year < effect.fiscal_year:
            c.fail("until_fiscal_year", f"終了年度（{effect.until_fiscal_year}年度）が年度（{effect.fiscal_year}年度）より前です")
        return None if c.failed else effect


class _Cells:
    """One data row: typed access to its cells, problems placed at the cell."""

    def __init__(self, sheet: str, row: int, values: dict[str, str], layout: _Layout, parser: _Parser):
        self.sheet, self.row, self.values, self.layout, self.parser = sheet, row, values, layout, parser
        self.failed = False

    def letter(self, key: str) -> str:
        return fmt.column_letter(self.layout.columns[key])

    def label(self, key: str) -> str:
        return fmt.SHEET_BY_KEY[self.sheet].column(key).label

    def fail(self, key: str, message: str) -> None:
        self.failed = True
        self.parser.fail(self.sheet, self.row, self.letter(key), message)

    def text(self, key: str) -> str:
        value = self.values.get(key, "")
        value = str(value) if isinstance(value, DateText) else value
        limit = fmt.SHEET_BY_KEY[self.sheet].column(key).max_length
        if limit and len(value) > limit:
            self.fail(key, f"{self.label(key)}が長すぎます（{len(value)}文字。{limit}文字まで）")
        return value

    def key(self, key: str) -> str:
        return self.text(key).strip()

    def code(self, key: str, *, required: bool = False) -> str | None:
        value = self.values.get(key, "")
        if isinstance(value, DateText):
            self.fail(key, f"{self.label(key)}が日付（{value}）になっています。Excel が 1-1 などを日付に変えたためです。"
                           "セルの書式を「文字列」にして入力し直してください")
            return None
        value = value.strip()
        if required and not value:
            self.fail(key, f"{self.label(key)}が空です")
            return None
        if len(value) > 50:
            self.fail(key, f"{self.label(key)}「{value[:20]}…」が長すぎます（50文字まで）")
            return None
        if any(ch in value for ch in "、;；\n"):
            self.fail(key, f"{self.label(key)}「{value}」に「、」「;」や改行は使えません（複数のコードの区切りに使うため）")
            return None
        return value

    def year(self, key: str, *, required: bool = False) -> int | None:
        """The fiscal year; None when empty or unreadable (then the row is marked failed)."""
        raw = self.values.get(key, "")
        if not str(raw).strip():
            if required:
                self.fail(key, f"{self.label(key)}が空です")
                return None
            return None
        year = self.parser._year(raw, self.sheet, self.row, self.letter(key), self.label(key))
        if year is None:
            self.failed = True
        return year

    def vocab(self, key: str, vocab: dict[str, str], aliases: dict[str, str] | None = None, *, default):
        raw = self.key(key)
        if not raw:
            if default is None:
                self.fail(key, f"{self.label(key)}が空です（{'／'.join(vocab)}のいずれか）")
            return default
        code = fmt.lookup(vocab, raw, aliases)
        if code is None:
            self.fail(key, f"{self.label(key)}「{raw}」は使えません（{'／'.join(vocab)}のいずれか）")
        return code
