"""Text a user typed never becomes a live spreadsheet formula (CSV / formula injection), and our own
importers read it back exactly.

Every XLSX and CSV the product writes goes through here:

- **XLSX** — :func:`put` writes a cell; text is always a *string* cell (openpyxl turns any text that
  starts with ``=`` into a formula cell; ``+ - @`` are plain text in a string cell already). Numbers,
  dates and booleans keep their type. Characters XML cannot carry (carriage return, which XML parsers
  turn into a line feed, and the control characters openpyxl refuses) are written the way Excel
  writes them, ``_x000D_`` (ECMA-376 ``ST_Xstring``); :func:`ooxml_unescape` reads them back.
- **CSV** — :class:`CsvWriter` writes rows (``shinchoku.core.tabular.csv_bytes`` writes every CSV
  file of the product with it); a text field that starts with ``=``, ``+``, ``-``, ``@``,
  tab or carriage return gets a leading ``'`` (OWASP), so that a spreadsheet opening the file shows
  text instead of running a formula. :func:`restore` is the inverse, applied by every CSV importer
  of the project. The rule (see ``docs/decisions.md``):

  * numbers the product writes as numbers (``int``, ``float``, ``Decimal``) are never touched, nor is
    text that *is* a plain number (``-3``, ``+1.5``): a spreadsheet reads it as that number and no
    formula can hide in it;
  * text that already starts with quotes followed by a trigger (``'=x``) gets one more quote, so
    that :func:`restore` — "drop one leading quote where quotes precede a trigger" — gives back
    exactly what was written, whatever the user typed.

No Django import: usable from plain-Python writers and readers.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any

from openpyxl.utils.exceptions import IllegalCharacterError

#: First characters a spreadsheet reads as the start of a formula (OWASP "CSV Injection").
TRIGGERS = "=+-@\t\r"
_NEEDS_QUOTE = re.compile(r"'*[=+\-@\t\r]")
_QUOTED = re.compile(r"'+[=+\-@\t\r]")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_FIRST = frozenset(TRIGGERS + "'")


# --------------------------------------------------------------------------- CSV


def neutralise(value: Any) -> Any:
    """A CSV field that no spreadsheet runs as a formula (non-text values are returned as they are)."""
    if (
        isinstance(value, str) and value and value[0] in _FIRST
        and _NEEDS_QUOTE.match(value) and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def restore(text: str) -> str:
    """The text :func:`neutralise` was given (for any text; others' files pass through unchanged
    unless a cell starts with quotes followed by a trigger character)."""
    if text[:1] == "'" and _QUOTED.match(text):
        return text[1:]
    return text


class CsvWriter:
    """``csv.writer`` (RFC 4180, CRLF line ends as Excel writes them) whose every field is
    :func:`neutralise`\\ d. The one CSV writer of the product (through ``core.tabular.csv_bytes``)."""

    def __init__(self, stream, **fmtparams):
        fmtparams.setdefault("lineterminator", "\r\n")
        self._writer = csv.writer(stream, **fmtparams)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([neutralise(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


# --------------------------------------------------------------------------- XLSX

# ST_Xstring: a character is written as _xHHHH_; an underscore that would read as such an escape is
# itself escaped as _x005F_.
_ESCAPE_LOOKALIKE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
_UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]")
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def ooxml_escape(text: str) -> str:
    """``text`` as Excel stores it in a cell: CR and control characters as ``_xHHHH_``."""
    text = _ESCAPE_LOOKALIKE.sub("_x005F_", text)
    return _UNWRITABLE.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def ooxml_unescape(text: str) -> str:
    """The text of a cell as Excel means it: ``_xHHHH_`` escapes decoded."""
    if "_x" not in text:
        return text
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


def _needs_escape(value: str) -> bool:
    return "\r" in value or "_x" in value


def put(ws, row: int, column: int, value: Any):
    """``ws.cell(row, column, value)`` for any value the product writes: text is a string cell,
    never a formula, and always writable. Returns the cell."""
    return set_value(ws.cell(row=row, column=column), value)


def set_value(cell, value: Any):
    """Assign ``value`` to an existing cell with the rules of :func:`put`; returns the cell."""
    if isinstance(value, str) and _needs_escape(value):
        value = ooxml_escape(value)
    try:
        cell.value = value
    except IllegalCharacterError:  # a control character pasted into the text
        cell.value = ooxml_escape(value)
    if cell.data_type == "f":
        cell.data_type = "s"
    return cell
