"""Open-data bytes: CSV (UTF-8 with BOM so that Excel opens it in Japanese) and JSON.

Every CSV and JSON the product writes — page twins, reports, registers — goes through these two
functions, so that encoding, line ends and number formats are the same everywhere and deterministic
(the same data gives the same bytes).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import fields, is_dataclass
from decimal import Decimal
from typing import Any, Iterable, Sequence

from shinchoku.core.cellsafety import CsvWriter

BOM = "\ufeff"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"


def to_data(obj: Any) -> Any:
    """JSON-ready data: dataclasses as dicts (fields with ``metadata={"data": False}`` left out),
    decimals as plain strings, dates in ISO form."""
    if is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_data(getattr(obj, f.name)) for f in fields(obj) if f.metadata.get("data", True)}
    if isinstance(obj, Decimal):
        return format(obj.normalize(), "f")
    if isinstance(obj, (dt.date, dt.datetime)):
        return obj.isoformat()
    if isinstance(obj, (list, tuple)):
        return [to_data(v) for v in obj]
    if isinstance(obj, dict):
        return {str(k): to_data(v) for k, v in obj.items()}
    return obj


def csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    return value


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """CSV text with a BOM, CRLF line ends (RFC 4180, what Excel writes), every field as text; a text
    that a spreadsheet would run as a formula is neutralised (:class:`~shinchoku.core.cellsafety.CsvWriter`)."""
    out = io.StringIO()
    out.write(BOM)
    writer = CsvWriter(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return out.getvalue().encode("utf-8")


def json_bytes(data: Any) -> bytes:
    return (json.dumps(to_data(data), ensure_ascii=False, indent=1, sort_keys=False) + "\n").encode("utf-8")
