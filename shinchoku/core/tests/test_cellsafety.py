"""The formula-safe writers and their inverse (shinchoku/core/cellsafety.py): any text survives a CSV
and an XLSX written by the product and read by its importers' reader, a spreadsheet never sees a
formula in it, and numbers are left alone."""

from __future__ import annotations

import io
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from shinchoku.core import cellsafety, filereaders
from shinchoku.core.tabular import csv_bytes
from shinchoku.core.tests.fuzzing import FORMULA_PAYLOADS

formulaish = st.one_of(
    st.text(),
    st.sampled_from(FORMULA_PAYLOADS),
    st.builds(lambda q, t, rest: "'" * q + t + rest, st.integers(0, 3), st.sampled_from(list(cellsafety.TRIGGERS)), st.text()),
)


@given(formulaish)
def test_restore_gives_back_what_was_neutralised(text):
    assert cellsafety.restore(cellsafety.neutralise(text)) == text


@given(formulaish)
def test_neutralised_text_starts_with_no_formula_character(text):
    out = cellsafety.neutralise(text)
    if out and out[0] in cellsafety.TRIGGERS:
        float(out)  # a plain number such as -3 is the only exception


def test_the_payloads_get_one_quote_and_numbers_none():
    assert [cellsafety.neutralise(p) for p in FORMULA_PAYLOADS] == ["'" + p for p in FORMULA_PAYLOADS]
    assert [cellsafety.neutralise(v) for v in (-3, -3.5, Decimal("-0.25"), "-3", "+1.5", "-.5", "1-1", "")] == [
        -3, -3.5, Decimal("-0.25"), "-3", "+1.5", "-.5", "1-1", ""]
    assert cellsafety.neutralise("'=x") == "''=x" and cellsafety.restore("''=x") == "'=x"
    assert cellsafety.restore("'abc") == "'abc"  # a quote the neutraliser did not add stays


def test_csv_writer_neutralises_every_field():
    text = csv_bytes(["見出し", "数"], [[p, -3] for p in FORMULA_PAYLOADS]).decode("utf-8")
    rows = filereaders.csv_rows(text.lstrip("\ufeff"), "x.csv")
    assert [cells for _, cells in rows[1:]] == [[p, "-3"] for p in FORMULA_PAYLOADS]
    assert all(line.startswith(("見出し", "'", '"\'')) for line in text.lstrip("\ufeff").split("\r\n") if line)


@given(st.lists(st.text(st.characters(blacklist_categories=("Cs",))), min_size=1, max_size=5))
def test_any_text_is_a_string_cell_and_reads_back_exactly(texts):
    book = Workbook()
    for row, text in enumerate(texts, start=1):
        cellsafety.put(book.active, row, 1, text or None)
    cellsafety.put(book.active, 1, 2, 12.5)
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    for row in load_workbook(io.BytesIO(data)).active.iter_rows():
        assert row[0].value is None or row[0].data_type == "s"
    rows = dict(filereaders.open_xlsx(data, "t.xlsx").rows("Sheet"))
    for row, text in enumerate(texts, start=1):
        assert rows.get(row, [""])[0] == text.replace("\r\n", "\n")
    assert rows[1][1] == "12.5"
