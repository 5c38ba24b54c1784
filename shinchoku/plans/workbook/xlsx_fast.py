"""A fast reader of XLSX cell values: sheet XML streamed with ElementTree, nothing else.

openpyxl's read-only mode builds a rich-text object for every string cell; for a 1,000-item plan
(~40,000 cells) that is most of the import time. This reader takes only what the plan workbook
needs — each cell's value and whether its number format is a date or a percentage — and returns
the same cell texts as the openpyxl path (:func:`.reader._cell_text`): shared and inline strings
(without the furigana runs ``rPh`` Japanese Excel stores), numbers as openpyxl casts them, booleans,
errors, dates, and cached results of formulas.

Anything it does not understand raises :class:`Unsupported` and the reader falls back to openpyxl.
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile
from decimal import Decimal
from xml.etree.ElementTree import iterparse

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import from_excel

_MAIN_NAMESPACES = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",
)
_REL_NAMESPACES = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
)
_CELL_REF = re.compile(r"^([A-Z]{1,3})([0-9]+)$")


class Unsupported(Exception):
    """Something this reader does not handle; use openpyxl instead."""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters:
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


def _workbook_sheets(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, part path) in workbook order."""
    rels = {}
    with archive.open("xl/_rels/workbook.xml.rels") as f:
        for _, el in iterparse(f):
            if _local(el.tag) == "Relationship":
                target = el.get("Target", "")
                path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
                rels[el.get("Id")] = path
    sheets = []
    with archive.open("xl/workbook.xml") as f:
        for _, el in iterparse(f):
            if _local(el.tag) == "sheet":
                rid = next((el.get(f"{{{ns}}}id") for ns in _REL_NAMESPACES if el.get(f"{{{ns}}}id")), None)
                if rid not in rels:
                    raise Unsupported("sheet without a part")
                sheets.append((el.get("name", ""), rels[rid]))
    return sheets


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    names = set(archive.namelist())
    if "xl/sharedStrings.xml" not in names:
        return []
    strings = []
    with archive.open("xl/sharedStrings.xml") as f:
        for _, el in iterparse(f):
            if _local(el.tag) == "si":
                strings.append(_text_of(el).replace("x005F_", ""))  # as openpyxl does
                el.clear()
    return strings


def _styles(archive: zipfile.ZipFile) -> list[str]:
    """Per cell style index: 'date', 'percent' or ''."""
    if "xl/styles.xml" not in set(archive.namelist()):
        return []
    formats = dict(BUILTIN_FORMATS)
    kinds: list[str] = []
    with archive.open("xl/styles.xml") as f:
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
    return kinds


def _number(text: str):
    if "." in text or "E" in text or "e" in text:
        return float(text)
    return int(text)


def sheet_names(data: bytes) -> list[str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return [name for name, _ in _workbook_sheets(archive)]
    except (KeyError, ValueError, SyntaxError) as exc:
        raise Unsupported(f"{type(exc).__name__}: {exc}") from exc


def read_sheets(data: bytes, wanted) -> list[tuple[str, list[tuple[int, list[str]]]]]:
    """Sheets whose name ``wanted(name)`` accepts, as (name, [(row number, cell texts)])."""
    from shinchoku.plans.workbook.reader import DateText, _number_text

    archive = zipfile.ZipFile(io.BytesIO(data))
    try:
        sheets = [(name, path) for name, path in _workbook_sheets(archive) if wanted(name)]
        if not sheets:
            return []
        strings = _shared_strings(archive)
        kinds = _styles(archive)
        epoch = None
        with archive.open("xl/workbook.xml") as f:
            for _, el in iterparse(f):
                if _local(el.tag) == "workbookPr" and el.get("date1904") in ("1", "true"):
                    epoch = dt.datetime(1904, 1, 1)
        out = []
        for name, path in sheets:
            rows: dict[int, dict[int, str]] = {}
            tags = None
            with archive.open(path) as f:
                for _, el in iterparse(f):
                    if tags is None:
                        ns = el.tag[1:].split("}", 1)[0] if el.tag.startswith("{") else ""
                        if ns not in _MAIN_NAMESPACES:
                            raise Unsupported(f"namespace {ns}")
                        tags = tuple(f"{{{ns}}}{t}" for t in ("row", "v", "is"))
                        row_tag, v_tag, is_tag = tags
                    if el.tag != row_tag:
                        continue
                    for c in el:
                        ref = _CELL_REF.match(c.get("r", ""))
                        if ref is None:
                            raise Unsupported("cell without a reference")
                        kind = c.get("t", "n")
                        raw = c.findtext(v_tag) or None
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
                            text = DateText(raw[:10]) if raw else ""
                        elif kind == "n":
                            if raw is not None:
                                style = int(c.get("s", "0"))
                                fmt_kind = kinds[style] if style < len(kinds) else ""
                                number = _number(raw)
                                if fmt_kind == "date":
                                    value = from_excel(number, epoch) if epoch else from_excel(number)
                                    if isinstance(value, dt.datetime):
                                        text = DateText(value.date().isoformat())
                                    elif isinstance(value, (dt.date, dt.time)):
                                        text = DateText(value.isoformat())
                                    else:
                                        text = str(value)
                                else:
                                    decimal = Decimal(repr(number)) if isinstance(number, float) else Decimal(number)
                                    text = _number_text(decimal * 100) + "%" if fmt_kind == "percent" else _number_text(decimal)
                        else:
                            raise Unsupported(f"cell type {kind}")
                        if "\r" in text and not isinstance(text, DateText):
                            text = text.replace("\r\n", "\n").replace("\r", "\n")
                        rows.setdefault(int(ref.group(2)), {})[_column_index(ref.group(1))] = text
                    el.clear()
            table = []
            last = max(rows) if rows else 0
            for number in range(1, last + 1):
                cells = rows.get(number, {})
                width = max(cells) + 1 if cells else 0
                table.append((number, [cells.get(i, "") for i in range(width)]))
            out.append((name, table))
        return out
    except Unsupported:
        raise
    except (KeyError, ValueError, IndexError, OverflowError, SyntaxError) as exc:  # SyntaxError: ParseError
        raise Unsupported(f"{type(exc).__name__}: {exc}") from exc
    finally:
        archive.close()
