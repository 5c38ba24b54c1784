"""Reading uploaded files so that nothing in them can crash an importer or exhaust the server.

Every importer reads its file through here — the bytes, a ZIP archive and its members, the sheets of
an XLSX, a CSV — and gets either cell texts or :class:`~shinchoku.core.importing.ImportFailed` whose
problems name the place (file, member or sheet, row, column) in Japanese. Anything the standard
library or the file throws while reading (``BadZipFile: Bad CRC-32``, ``zlib.error``, ``EOFError``,
an XML syntax error, an encrypted member …) becomes such a problem; it never escapes as a traceback.

Limits (settings, with defaults far above any real plan — a 1,000-item plan workbook is 0.2 MB,
1.5 MB unzipped, 8 columns and 5,000 rows on its largest sheet):

==================================  ===========  ==============================================
setting                             default      what
==================================  ===========  ==============================================
``SHINCHOKU_MAX_UPLOAD_BYTES``      20 MB        the file itself
``SHINCHOKU_MAX_UNZIPPED_BYTES``    200 MB       all members of a ZIP/XLSX once inflated (zip bombs)
``SHINCHOKU_MAX_SHEET_ROWS``        100,000      rows of one sheet or CSV, counted while streaming
``SHINCHOKU_MAX_SHEET_COLUMNS``     1,000        the last column holding a value
``SHINCHOKU_MAX_IMPORT_CELLS``      2,000,000    cells of one file (rows × their width)
==================================  ===========  ==============================================

An XLSX is streamed (``xml.etree.ElementTree.iterparse``; ``ws.max_row`` and the dimension tag are
never trusted), so a 2,000,000-row sheet is refused at row 100,001 in well under a second. A
formula cell without a saved result (LibreOffice in headless mode and openpyxl write such cells) is a
problem at its cell, not an empty value. No Django import; the settings are read when Django is set up.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import posixpath
import re
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from xml.etree.ElementTree import ParseError, iterparse

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import from_excel

from shinchoku.core.cellsafety import ooxml_unescape, restore
from shinchoku.core.importing import ImportFailed, Problem

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 20 * MB
    max_unzipped_bytes: int = 200 * MB
    max_rows: int = 100_000
    max_columns: int = 1_000
    max_cells: int = 2_000_000

    @classmethod
    def current(cls) -> Limits:
        """The limits of the running site (the defaults when Django is not set up)."""
        try:
            from django.conf import settings

            return cls(
                max_bytes=int(getattr(settings, "SHINCHOKU_MAX_UPLOAD_BYTES", cls.max_bytes)),
                max_unzipped_bytes=int(getattr(settings, "SHINCHOKU_MAX_UNZIPPED_BYTES", cls.max_unzipped_bytes)),
                max_rows=int(getattr(settings, "SHINCHOKU_MAX_SHEET_ROWS", cls.max_rows)),
                max_columns=int(getattr(settings, "SHINCHOKU_MAX_SHEET_COLUMNS", cls.max_columns)),
                max_cells=int(getattr(settings, "SHINCHOKU_MAX_IMPORT_CELLS", cls.max_cells)),
            )
        except Exception:  # noqa: BLE001 - settings not configured: plain-Python use
            return cls()


def mb(n: int) -> str:
    return f"{n / MB:.1f} MB"


# --------------------------------------------------------------------------- the guard


def _explain(exc: BaseException) -> str:
    """What went wrong, in Japanese, with the library's own words in brackets for the operator."""
    detail = f"{type(exc).__name__}: {exc}"[:200]
    if isinstance(exc, zipfile.BadZipFile) and "CRC" in str(exc):
        return f"ファイルが壊れています（圧縮データの検査値が一致しません。{detail}）"
    if isinstance(exc, zlib.error):
        return f"ファイルが壊れています（圧縮データを展開できません。{detail}）"
    if isinstance(exc, EOFError):
        return f"ファイルが途中で切れています（{detail}）"
    if isinstance(exc, ParseError):
        return f"ファイルが壊れています（中の XML を読めません。{detail}）"
    if isinstance(exc, RuntimeError) and "encrypted" in str(exc):
        return "パスワードで保護されているため読めません。パスワードを解除して保存し直してください"
    if isinstance(exc, (zipfile.BadZipFile, zipfile.LargeZipFile)):
        return f"ファイルが壊れています（ZIP として読めません。{detail}）"
    if isinstance(exc, UnicodeDecodeError):
        return f"文字コードを読めません（{exc.start + 1}バイト目）"
    return f"ファイルを読めません（{detail}）"


@contextmanager
def reading(file: str, *, sheet: str = "", member: str = "", advice: str = ""):
    """Turn any exception raised inside into ImportFailed naming ``file`` and ``sheet``/``member``."""
    try:
        yield
    except ImportFailed:
        raise
    except MemoryError:
        raise ImportFailed(Problem("ファイルが大きすぎて読めません", file=file, sheet=sheet, member=member)) from None
    except Exception as exc:  # noqa: BLE001 - zipfile, zlib, expat and csv raise many kinds on a broken file
        message = _explain(exc)
        if advice:
            message += "。" + advice
        raise ImportFailed(Problem(message, file=file, sheet=sheet, member=member)) from None


# --------------------------------------------------------------------------- bytes


def too_big(size: int, limit: int) -> str:
    return f"ファイルが大きすぎます（{mb(size)}。上限は {mb(limit)}）"


def read_bytes(source, *, name: str | None = None, limits: Limits | None = None) -> tuple[bytes, str]:
    """(bytes, file name) of a path, bytes, or an uploaded file; the size is checked before reading."""
    import os
    from pathlib import Path

    limits = limits or Limits.current()
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        name = name or "ファイル"
        if len(data) > limits.max_bytes:
            raise ImportFailed(Problem(too_big(len(data), limits.max_bytes), file=name))
        return data, name
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        name = name or path.name
        with reading(name):
            if not path.is_file():
                raise ImportFailed(Problem("ファイルが見つかりません", file=name))
            size = path.stat().st_size
            if size > limits.max_bytes:
                raise ImportFailed(Problem(too_big(size, limits.max_bytes), file=name))
            with path.open("rb") as fh:
                return fh.read(limits.max_bytes + 1)[: limits.max_bytes], name
    # a file object (Django's UploadedFile, BytesIO …)
    name = name or Path(getattr(source, "name", "") or "ファイル").name
    size = getattr(source, "size", None)
    if size is not None and size > limits.max_bytes:
        raise ImportFailed(Problem(too_big(size, limits.max_bytes), file=name))
    with reading(name):
        if hasattr(source, "seek"):
            source.seek(0)
        if hasattr(source, "chunks"):
            data = bytearray()
            for chunk in source.chunks():
                data += chunk
                if len(data) > limits.max_bytes:
                    break
        else:
            data = source.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:
        raise ImportFailed(Problem(too_big(len(data), limits.max_bytes), file=name))
    return bytes(data), name


def kind_of(data: bytes) -> str:
    """'zip' (XLSX or ZIP), 'cfb' (Excel 97-2003 .xls, or a password-protected .xlsx), or 'other'."""
    if data[:2] == b"PK":
        return "zip"
    if data[:4] == b"\xd0\xcf\x11\xe0":
        return "cfb"
    return "other"


CFB_MESSAGE = (
    "Excel 97-2003 形式（.xls）か、パスワードで保護されたブックは読めません。"
    "Excel で「Excel ブック（.xlsx）」として、パスワードなしで保存し直してください"
)


# --------------------------------------------------------------------------- ZIP


class Archive:
    """A ZIP archive whose every read is guarded and bounded by :attr:`Limits.max_unzipped_bytes`."""

    def __init__(self, data: bytes, file: str, limits: Limits | None = None):
        self.file = file
        self.limits = limits or Limits.current()
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            self.infos = self.zip.infolist()
        except Exception as exc:  # noqa: BLE001 - BadZipFile, OSError, ValueError, struct.error …
            raise ImportFailed(Problem(
                f"ZIP（XLSX）として読めません。壊れているか、途中までしかありません（{type(exc).__name__}: {exc}）。"
                "元のファイルを保存し直すか、もう一度出力してください", file=file,
            )) from None
        declared = sum(max(i.file_size, 0) for i in self.infos)
        if declared > self.limits.max_unzipped_bytes:
            raise ImportFailed(Problem(
                f"展開後の大きさが大きすぎます（{mb(declared)}。上限は {mb(self.limits.max_unzipped_bytes)}）", file=file,
            ))
        self._read_total = 0

    def names(self) -> set[str]:
        return {i.filename for i in self.infos}

    def get(self, name: str) -> zipfile.ZipInfo | None:
        return next((i for i in self.infos if i.filename == name), None)

    def read(self, info: zipfile.ZipInfo | str, *, sheet: str = "", member: str = "") -> bytes:
        """The whole member; a corrupt member is a problem naming it."""
        if isinstance(info, str):
            name = info
            info = self.get(info)
            if info is None:
                raise ImportFailed(Problem(f"ファイルの中に {name} がありません", file=self.file, sheet=sheet, member=name))
        where = {"sheet": sheet} if sheet else {"member": member or info.filename}
        chunks = []
        with reading(self.file, **where, advice="もう一度出力するか、ファイルを作り直してください"), self.zip.open(info) as stream:
            while chunk := stream.read(1 << 20):
                self.count(len(chunk), **where)
                chunks.append(chunk)
        return b"".join(chunks)

    def count(self, n: int, *, sheet: str = "", member: str = "") -> None:
        """Count ``n`` inflated bytes against the limit (zipfile trusts the sizes in the directory)."""
        self._read_total += n
        if self._read_total > self.limits.max_unzipped_bytes:
            raise ImportFailed(Problem(
                f"展開後の大きさが大きすぎます（上限は {mb(self.limits.max_unzipped_bytes)}）",
                file=self.file, sheet=sheet, member=member,
            ))

    def open(self, info: zipfile.ZipInfo, *, sheet: str = "", member: str = ""):
        """A counted stream of the member; read it inside :func:`reading`."""
        return _CountingStream(self.zip.open(info), self, sheet, member or ("" if sheet else info.filename))


class _CountingStream(io.RawIOBase):
    def __init__(self, raw, archive: Archive, sheet: str, member: str):
        self.raw, self.archive, self.sheet, self.member = raw, archive, sheet, member

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        self.archive.count(len(data), sheet=self.sheet, member=self.member)
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self.raw.close()
        super().close()


# --------------------------------------------------------------------------- cell texts


class DateText(str):
    """Text of a cell Excel stored as a date (1-1 typed into a General cell becomes 1月1日)."""


def number_text(number: Decimal) -> str:
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def column_letter(index: int) -> str:
    """0-based column index → Excel letters (0 → A)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


Rows = list[tuple[int, list[str]]]  # (1-based row or line number, cell texts); rows without text left out


class _Budget:
    """Rows, columns and cells of one file, counted as they are read."""

    def __init__(self, file: str, limits: Limits):
        self.file, self.limits, self.cells = file, limits, 0

    def rows(self, count: int, sheet: str, row: int) -> None:
        if count > self.limits.max_rows:
            raise ImportFailed(Problem(
                f"行が多すぎます（{self.limits.max_rows:,}行を超えています）。不要な行を削除してから取り込んでください",
                file=self.file, sheet=sheet, row=row,
            ))

    def width(self, width: int, sheet: str, row: int) -> None:
        if width > self.limits.max_columns:
            raise ImportFailed(Problem(
                f"列が多すぎます（{column_letter(width - 1)}列に値があります。{self.limits.max_columns:,}列まで）。"
                "不要な列を削除してから取り込んでください",
                file=self.file, sheet=sheet, row=row, column=column_letter(width - 1),
            ))
        self.cells += width
        if self.cells > self.limits.max_cells:
            raise ImportFailed(Problem(
                f"セルが多すぎます（{self.limits.max_cells:,}個を超えています）。不要な行や列を削除してから取り込んでください",
                file=self.file, sheet=sheet, row=row,
            ))


# --------------------------------------------------------------------------- CSV


def decode_csv(raw: bytes, file: str, sheet: str = "") -> str:
    """CSV bytes as text: UTF-8 (with or without BOM) or CP932, the encoding Japanese Excel writes.
    A file that is neither names the line and byte that cannot be read."""
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw[3:].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ImportFailed(_encoding_problem(raw, exc.start + 3, "UTF-8", file, sheet)) from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFailed(Problem(
            "UTF-16 の CSV は読めません。「CSV UTF-8（コンマ区切り）」または「CSV（コンマ区切り）」で保存し直してください",
            file=file, sheet=sheet,
        ))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        try:
            return raw.decode("cp932")
        except UnicodeDecodeError as cp932_error:
            # Report the encoding that read further: that is the one the file was meant to be in.
            if cp932_error.start >= utf8_error.start:
                raise ImportFailed(_encoding_problem(raw, cp932_error.start, "CP932（Shift_JIS）", file, sheet)) from None
            raise ImportFailed(_encoding_problem(raw, utf8_error.start, "UTF-8", file, sheet)) from None


def _encoding_problem(raw: bytes, pos: int, encoding: str, file: str, sheet: str) -> Problem:
    line = raw.count(b"\n", 0, pos) + 1
    line_start = raw.rfind(b"\n", 0, pos) + 1
    column_byte = pos - line_start + 1
    bad = " ".join(f"0x{b:02X}" for b in raw[pos:pos + 2])
    return Problem(
        f"文字コードを読めません: {encoding} として {column_byte} バイト目（{bad}）が不正です。"
        "Excel で「CSV UTF-8（コンマ区切り）」または「CSV（コンマ区切り）」として保存し直してください",
        file=file, sheet=sheet, row=line,
    )


def csv_rows(text: str, file: str, sheet: str = "", *, limits: Limits | None = None, budget: _Budget | None = None) -> Rows:
    """The records of a CSV text with the line each starts on; cells as the product wrote them
    (the quote :func:`~shinchoku.core.cellsafety.neutralise` added is removed, CRLF inside a cell is LF)."""
    budget = budget or _Budget(file, limits or Limits.current())
    rows: Rows = []
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    count = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise ImportFailed(Problem(f"CSV として読めません（{exc}）", file=file, sheet=sheet, row=reader.line_num)) from None
        count += 1
        budget.rows(count, sheet, start)
        if cells and any(cells):
            budget.width(len(cells), sheet, start)
            rows.append((start, [restore(c.replace("\r\n", "\n")) if c else c for c in cells]))
        start = reader.line_num + 1
    return rows


def read_csv(raw: bytes, file: str, sheet: str = "", *, limits: Limits | None = None) -> Rows:
    with reading(file, sheet=sheet):
        return csv_rows(decode_csv(raw, file, sheet), file, sheet, limits=limits)


# --------------------------------------------------------------------------- XLSX

_MAIN_NAMESPACES = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",
)
_REL_NAMESPACES = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
)
_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")
UNCACHED_FORMULA = "数式のセルに計算結果が保存されていません{formula}。Excel で開いて保存し直してください（保存すると計算結果が記録されます）"
MAX_FORMULA_PROBLEMS = 20


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters.upper():
        index = index * 26 + (ord(ch) - 64)
    return index - 1


def _text_of(element) -> str:
    """Text of a string item (si / is): its t, or the t of each run r; phonetic runs (rPh) skipped."""
    parts = []
    for child in element:
        name = _local(child.tag)
        if name == "t":
            parts.append(child.text or "")
        elif name == "r":
            for grandchild in child:
                if _local(grandchild.tag) == "t":
                    parts.append(grandchild.text or "")
    return "".join(parts)


def _number(text: str):
    text = text.strip()
    if "." in text or "E" in text or "e" in text or text.lower() in ("inf", "-inf", "nan"):
        number = float(text)
        if number != number or number in (float("inf"), float("-inf")):
            raise ValueError(f"not a finite number: {text}")
        return number
    return int(text)


class XlsxBook:
    """An XLSX workbook read as cell texts, one sheet at a time (no openpyxl workbook is built).

    Cell texts are what the person sees in Excel: shared and inline strings (without furigana runs
    ``rPh``; ``_xHHHH_`` escapes decoded, CRLF as LF), numbers as written (a percentage format gives
    ``52.3%``), ``TRUE``/``FALSE``, error codes, dates as :class:`DateText` ``2024-04-01``, and the
    saved result of a formula.
    """

    def __init__(self, data: bytes, file: str, limits: Limits | None = None):
        self.file = file
        self.limits = limits or Limits.current()
        self.archive = Archive(data, file, self.limits)
        self.budget = _Budget(file, self.limits)
        self._strings: list[str] | None = None
        self._kinds: list[str] | None = None
        self.epoch = None
        advice = "Excel で開いて「Excel ブック（.xlsx）」として保存し直してください"
        with reading(file, member="xl/workbook.xml", advice=advice):
            self._sheets = self._workbook_sheets()

    @property
    def sheet_names(self) -> list[str]:
        return [name for name, _ in self._sheets]

    def _workbook_sheets(self) -> list[tuple[str, str]]:
        """(sheet name, part path) in workbook order."""
        names = self.archive.names()
        if "xl/workbook.xml" not in names:
            raise ImportFailed(Problem(
                "XLSX ファイルではありません（ブックの本体 xl/workbook.xml がありません）", file=self.file,
            ))
        rels = {}
        if "xl/_rels/workbook.xml.rels" in names:
            with self.archive.open(self.archive.get("xl/_rels/workbook.xml.rels"), member="xl/_rels/workbook.xml.rels") as f:
                for _, el in iterparse(f):
                    if _local(el.tag) == "Relationship":
                        target = el.get("Target", "")
                        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
                        rels[el.get("Id")] = path
        sheets = []
        with self.archive.open(self.archive.get("xl/workbook.xml"), member="xl/workbook.xml") as f:
            for _, el in iterparse(f):
                name = _local(el.tag)
                if name == "sheet":
                    rid = next((el.get(f"{{{ns}}}id") for ns in _REL_NAMESPACES if el.get(f"{{{ns}}}id")), None)
                    sheets.append((el.get("name", ""), rels.get(rid, "")))
                elif name == "workbookPr" and el.get("date1904") in ("1", "true"):
                    self.epoch = dt.datetime(1904, 1, 1)
        return sheets

    def _shared_strings(self) -> list[str]:
        if self._strings is None:
            strings: list[str] = []
            info = self.archive.get("xl/sharedStrings.xml")
            if info is not None:
                with reading(self.file, member=info.filename), self.archive.open(info) as f:
                    for _, el in iterparse(f):
                        if _local(el.tag) == "si":
                            strings.append(_text_of(el))
                            el.clear()
            self._strings = strings
        return self._strings

    def _styles(self) -> list[str]:
        """Per cell style index: 'date', 'percent' or ''."""
        if self._kinds is None:
            kinds: list[str] = []
            info = self.archive.get("xl/styles.xml")
            if info is not None:
                formats = dict(BUILTIN_FORMATS)
                with reading(self.file, member=info.filename), self.archive.open(info) as f:
                    in_cell_xfs = False
                    for event, el in iterparse(f, events=("start", "end")):
                        name = _local(el.tag)
                        if event == "start":
                            if name == "cellXfs":
                                in_cell_xfs = True
                            continue
                        if name == "numFmt":
                            formats[int(el.get("numFmtId", "0"))] = el.get("formatCode", "")
                        elif name == "xf" and in_cell_xfs:
                            code = formats.get(int(el.get("numFmtId", "0")), "General")
                            kinds.append("date" if is_date_format(code) else "percent" if "%" in code else "")
                        elif name == "cellXfs":
                            in_cell_xfs = False
            self._kinds = kinds
        return self._kinds

    def rows(self, title: str) -> Rows:
        """The sheet's rows of cell texts. ImportFailed when the sheet is missing, corrupt, over a
        limit, or holds formulas without a saved result."""
        path = dict(self._sheets).get(title)
        if title not in dict(self._sheets):
            raise ImportFailed(Problem(f"シート「{title}」がありません", file=self.file, sheet=title))
        info = self.archive.get(path) if path else None
        if info is None:
            raise ImportFailed(Problem("シートの中身がファイルにありません（ファイルが壊れています）", file=self.file, sheet=title))
        strings = self._shared_strings()
        kinds = self._styles()
        problems: list[Problem] = []
        with reading(self.file, sheet=title, advice="Excel で開いて保存し直してください"):
            rows = self._read_sheet(info, title, strings, kinds, problems)
        if problems:
            raise ImportFailed(problems)
        return rows

    def _read_sheet(self, info, title: str, strings: list[str], kinds: list[str], problems: list[Problem]) -> Rows:
        budget = self.budget
        found: dict[int, dict[int, str]] = {}
        row_tag = c_tag = v_tag = f_tag = is_tag = None
        count = 0
        row_number = 0
        with self.archive.open(info, sheet=title) as f:
            for _, el in iterparse(f):
                if row_tag is None:
                    ns = el.tag[1:].split("}", 1)[0] if el.tag.startswith("{") else ""
                    if ns not in _MAIN_NAMESPACES:
                        raise ImportFailed(Problem(
                            "シートを読めません（Excel のワークシートではありません）", file=self.file, sheet=title,
                        ))
                    row_tag, c_tag, v_tag, f_tag, is_tag = (f"{{{ns}}}{t}" for t in ("row", "c", "v", "f", "is"))
                if el.tag != row_tag:
                    continue
                count += 1
                given = el.get("r")
                row_number = int(given) if given and given.isdigit() else row_number + 1
                budget.rows(count, title, row_number)
                column = -1
                cells: dict[int, str] = {}
                for c in el:
                    if c.tag != c_tag:
                        continue
                    ref = _CELL_REF.match(c.get("r", ""))
                    column = _column_index(ref.group(1)) if ref else column + 1
                    kind = c.get("t", "n")
                    raw = formula = None
                    for child in c:
                        if child.tag == v_tag:
                            raw = child.text
                        elif child.tag == f_tag:
                            formula = child
                    if formula is not None and not raw and kind not in ("str", "inlineStr"):
                        if len(problems) < MAX_FORMULA_PROBLEMS:
                            shown = f"（={formula.text}）" if formula.text else ""
                            problems.append(Problem(
                                UNCACHED_FORMULA.format(formula=shown), file=self.file, sheet=title,
                                row=row_number, column=column_letter(column),
                            ))
                        continue
                    text = self._cell_text(c, kind, raw, strings, kinds, is_tag)
                    if text:
                        cells[column] = text
                el.clear()
                if cells:
                    width = max(cells) + 1
                    budget.rows(row_number, title, row_number)
                    budget.width(width, title, row_number)
                    found.setdefault(row_number, {}).update(cells)
        out: Rows = []
        for number in sorted(found):
            cells = found[number]
            out.append((number, [cells.get(i, "") for i in range(max(cells) + 1)]))
        return out

    def _cell_text(self, c, kind: str, raw: str | None, strings: list[str], kinds: list[str], is_tag: str) -> str:
        text = ""
        if kind == "s":
            text = strings[int(raw)] if raw is not None else ""
        elif kind == "inlineStr":
            holder = c.find(is_tag)
            text = _text_of(holder) if holder is not None else ""
        elif kind in ("str", "e"):
            text = raw or ""
        elif kind == "b":
            text = "TRUE" if raw in ("1", "true") else "FALSE" if raw is not None else ""
        elif kind == "d":
            return DateText(raw[:10]) if raw else ""
        elif raw is not None:  # "n", or a type Excel does not write: read it as a number
            style = int(c.get("s", "0") or 0)
            fmt_kind = kinds[style] if 0 <= style < len(kinds) else ""
            number = _number(raw)
            if fmt_kind == "date":
                try:
                    value = from_excel(number, self.epoch) if self.epoch else from_excel(number)
                except (OverflowError, ValueError):
                    value = None  # a serial no calendar has: show the number
                if isinstance(value, dt.datetime):
                    return DateText(value.date().isoformat())
                if isinstance(value, (dt.date, dt.time)):
                    return DateText(value.isoformat())
                if value is not None:
                    return str(value)
            decimal = Decimal(repr(number)) if isinstance(number, float) else Decimal(number)
            return number_text(decimal * 100) + "%" if fmt_kind == "percent" else number_text(decimal)
        if "_x" in text:
            text = ooxml_unescape(text)
        if "\r\n" in text:
            text = text.replace("\r\n", "\n")
        return text


def open_xlsx(data: bytes, file: str, *, limits: Limits | None = None) -> XlsxBook:
    """An :class:`XlsxBook`, with the messages staff need when the file is not one."""
    kind = kind_of(data)
    if kind == "cfb":
        raise ImportFailed(Problem(CFB_MESSAGE, file=file))
    if kind != "zip":
        raise ImportFailed(Problem(
            "XLSX 形式（Excel ブック）として読めません。ファイルが壊れているか、別の形式（xls、csv など）です", file=file,
        ))
    return XlsxBook(data, file, limits)
