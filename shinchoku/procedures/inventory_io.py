"""The procedure inventory as a spreadsheet: export (XLSX/CSV) and import (``shinchoku import procedures``).

One format both ways — the export can be imported again unchanged (round trip), and the template
the departments fill in is simply an export. Columns (header row = the first row that has
「事務番号」 and 「手続名」; other columns are ignored; order does not matter):

| 列 | 内容 | 必須 |
| --- | --- | --- |
| 事務番号 | unique key within the municipality | ○ |
| 手続名 | | ○ |
| 所管部局 | the unit quotas are allotted to (部); also 「部局」 | ○ |
| 担当課 | | |
| 根拠法令 | | |
| 年間件数 | integer ≥ 0 (``1,234`` and full-width digits accepted) | ○ |
| オンライン化 | 済 / 未 (also ○ ◯ はい 1 TRUE / × いいえ 0 FALSE, blank = 未) | |
| 手段 | 東京共同電子申請 / ぴったりサービス / LoGoフォーム / 独自フォーム / その他 | |
| 阻害要因 | labels or keys separated by 「、」 ``,`` ``;`` or new lines (see ``selection.BLOCKERS``) | |
| 目標年度 | any fiscal-year form (2024, 令和6年度, R6) | |
| 備考 | | |

Every problem is collected with its place (sheet, row, column letter) and the import is refused as
a whole (nothing is written) if there is any.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

from shinchoku.core import filereaders, fiscal
from shinchoku.core.access import Access
from shinchoku.core.importing import ImportFailed, ImportResult, Problem, run_atomically
from shinchoku.core.models import Municipality
from shinchoku.core.render_xlsx import Column, TableSheet, render_xlsx
from shinchoku.core.tabular import csv_bytes
from shinchoku.core.text import nfkc, remove_spaces, squash_spaces
from shinchoku.core.upsert import UpsertTally
from shinchoku.procedures.models import Channel, Procedure
from shinchoku.procedures.selection import BLOCKERS


@dataclass(frozen=True)
class Col:
    field: str
    header: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    width: float = 12
    style: str = "text"


COLUMNS: tuple[Col, ...] = (
    Col("key", "事務番号", True, ("番号", "No", "No."), 10),
    Col("name", "手続名", True, ("事務名", "手続き名", "名称"), 36, "wrap"),
    Col("department", "所管部局", True, ("部局", "部", "所管部"), 14),
    Col("section", "担当課", False, ("所管課", "課"), 14),
    Col("legal_basis", "根拠法令", False, ("根拠法令等", "法令"), 22, "wrap"),
    Col("yearly_volume", "年間件数", True, ("年間利用件数", "利用件数", "件数"), 10, "integer"),
    Col("online", "オンライン化", False, ("オンライン化済", "オンライン"), 10, "center"),
    Col("channel", "手段", False, ("オンライン化の手段", "申請手段"), 16),
    Col("blockers", "阻害要因", False, ("オンライン化の阻害要因",), 30, "wrap"),
    Col("target_year", "目標年度", False, ("オンライン化目標年度",), 10, "center"),
    Col("note", "備考", False, (), 24, "wrap"),
)
HEADERS = [c.header for c in COLUMNS]
HEADER_OF = {c.field: c.header for c in COLUMNS}

_TRUE = {"済", "○", "◯", "〇", "はい", "1", "TRUE", "YES", "Y", "オンライン化済", "実施済", "対応済"}
_FALSE = {"", "未", "×", "✕", "いいえ", "0", "FALSE", "NO", "N", "未実施", "未対応", "未オンライン化"}
_CHANNELS = {remove_spaces(nfkc(label)).upper(): value for value, label in Channel.choices}
_CHANNELS.update({value.upper(): value for value in Channel.values})
_CHANNELS.update({"独自": Channel.OWN, "LOGO": Channel.LOGO, "東京共同": Channel.TOKYO, "ぴったり": Channel.PITTARI})
_BLOCKERS = {remove_spaces(nfkc(label)): key for key, label in BLOCKERS.items()}
_BLOCKERS.update({key: key for key in BLOCKERS})
_BLOCKERS.update({"法令": "law_requires_paper", "書面": "law_requires_paper", "支払い": "payment", "手数料": "payment",
                  "金銭の支払い": "payment", "原本": "original_documents", "原本提出": "original_documents"})
_BLOCKER_SPLIT = re.compile(r"[、,，;；\n／]+")


def _header_key(text: Any) -> str:
    return remove_spaces(nfkc(str(text or "")))


_HEADER_LOOKUP = {}
for _c in COLUMNS:
    for _h in (_c.header, *_c.aliases):
        _HEADER_LOOKUP[_header_key(_h)] = _c


# --------------------------------------------------------------------------- reading


def _read_table(path: Path) -> tuple[str, filereaders.Rows]:
    """(sheet name or '', [(row number, cell texts)]) of the first sheet / the CSV file, read by the
    guarded readers of :mod:`shinchoku.core.filereaders`."""
    suffix = path.suffix.lower()
    if suffix not in {".xlsx", ".xlsm", ".csv", ".txt"}:
        raise ImportFailed(Problem("XLSX（.xlsx）または CSV（.csv）のファイルを指定してください", file=path.name))
    data, name = filereaders.read_bytes(path)
    if suffix in {".csv", ".txt"}:
        return "", filereaders.read_csv(data, name)
    book = filereaders.open_xlsx(data, name)
    if not book.sheet_names:
        raise ImportFailed(Problem("シートがありません", file=name))
    title = book.sheet_names[0]
    return title, book.rows(title)


def stored_text(value: Any, *, keep_lines: bool = False) -> str:
    """A text as the inventory stores it, however it arrives (a file or the pages' write layer): blanks
    collapsed to one space and trimmed; the note (``keep_lines``) only trimmed, its line breaks kept."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    return text.strip().replace("\r\n", "\n") if keep_lines else squash_spaces(text)


_cell_text = stored_text


def parse_inventory(path: Path) -> list[dict]:
    """Rows of the inventory file as field dicts; ImportFailed with every problem's place."""
    sheet, rows = _read_table(path)
    problems: list[Problem] = []

    def problem(message: str, row: int | None = None, column: str = "") -> None:
        problems.append(Problem(message, file=path.name, sheet=sheet, row=row, column=column))

    header_at = None
    for rownum, cells in rows[:10]:
        keys = {_header_key(c) for c in cells}
        if "事務番号" in keys and ("手続名" in keys or any(_header_key(a) in keys for a in COLUMNS[1].aliases)):
            header_at = rownum
            header_cells = cells
            break
    if header_at is None:
        problem("見出し行（「事務番号」「手続名」…）が見つかりません（先頭10行を探しました）", row=1)
        raise ImportFailed(problems)
    positions: dict[str, int] = {}
    for idx, cell in enumerate(header_cells):
        col = _HEADER_LOOKUP.get(_header_key(cell))
        if col is None:
            continue
        if col.field in positions:
            problem(f"列「{col.header}」が2つあります", row=header_at, column=get_column_letter(idx + 1))
        positions[col.field] = idx
    for col in COLUMNS:
        if col.required and col.field not in positions:
            problem(f"必須の列「{col.header}」がありません", row=header_at)
    if problems:
        raise ImportFailed(problems)

    out: list[dict] = []
    seen: dict[str, int] = {}
    for rownum, cells in rows:
        if rownum <= header_at:
            continue
        values = {f: (cells[i] if i < len(cells) else None) for f, i in positions.items()}
        if all(_cell_text(v) == "" for v in values.values()):
            continue

        def letter(field: str) -> str:
            return get_column_letter(positions[field] + 1)

        row: dict[str, Any] = {"row": rownum}
        for field in ("key", "name", "department"):
            text = _cell_text(values.get(field))
            if not text:
                problem(f"{HEADER_OF[field]}が空です", rownum, letter(field))
            row[field] = text
        if row["key"]:
            if row["key"] in seen:
                problem(f"事務番号「{row['key']}」が重複しています（{seen[row['key']]}行目と同じ）", rownum, letter("key"))
            seen[row["key"]] = rownum
        for field in ("section", "legal_basis"):
            row[field] = _cell_text(values.get(field)) if field in positions else ""
        row["note"] = _cell_text(values.get("note"), keep_lines=True) if "note" in positions else ""
        # 年間件数
        vol = values.get("yearly_volume")
        if isinstance(vol, (int, float)) and not isinstance(vol, bool):
            if vol < 0 or (isinstance(vol, float) and not vol.is_integer()):
                problem(f"年間件数「{vol}」は0以上の整数で入力してください", rownum, letter("yearly_volume"))
                row["yearly_volume"] = 0
            else:
                row["yearly_volume"] = int(vol)
        else:
            text = remove_spaces(nfkc(_cell_text(vol))).replace(",", "").removesuffix("件")
            if not text:
                problem("年間件数が空です（不明な場合は0を入力してください）", rownum, letter("yearly_volume"))
                row["yearly_volume"] = 0
            elif not text.isdigit():
                problem(f"年間件数「{_cell_text(vol)}」は0以上の整数で入力してください", rownum, letter("yearly_volume"))
                row["yearly_volume"] = 0
            else:
                row["yearly_volume"] = int(text)
        # オンライン化
        online_raw = values.get("online") if "online" in positions else None
        if isinstance(online_raw, bool):
            row["online"] = online_raw
        else:
            text = remove_spaces(nfkc(_cell_text(online_raw))).upper()
            if text in _TRUE:
                row["online"] = True
            elif text in _FALSE:
                row["online"] = False
            else:
                problem(f"オンライン化「{_cell_text(online_raw)}」は「済」か「未」で入力してください", rownum, letter("online"))
                row["online"] = False
        # 手段
        text = remove_spaces(nfkc(_cell_text(values.get("channel")))).upper() if "channel" in positions else ""
        if not text:
            row["channel"] = ""
        elif text in _CHANNELS:
            row["channel"] = _CHANNELS[text]
        else:
            problem(
                f"手段「{_cell_text(values.get('channel'))}」は選べません（{'・'.join(Channel.labels)}）", rownum, letter("channel")
            )
            row["channel"] = ""
        # 阻害要因
        blockers: list[str] = []
        if "blockers" in positions:
            for part in _BLOCKER_SPLIT.split(_cell_text(values.get("blockers")).replace(" ", "、")):
                key = remove_spaces(nfkc(part))
                if not key or key in {"なし", "無", "-", "－"}:
                    continue
                if key in _BLOCKERS:
                    blockers.append(_BLOCKERS[key])
                else:
                    problem(
                        f"阻害要因「{part}」は選べません（{'、'.join(BLOCKERS.values())}）", rownum, letter("blockers")
                    )
        row["blockers"] = sorted(dict.fromkeys(blockers))
        # 目標年度
        text = _cell_text(values.get("target_year")) if "target_year" in positions else ""
        row["target_year"] = None
        if text:
            try:
                row["target_year"] = fiscal.parse_fiscal_year(text)
            except fiscal.FiscalYearError as exc:
                problem(str(exc), rownum, letter("target_year"))
        out.append(row)
    if problems:
        raise ImportFailed(problems)
    if not out:
        raise ImportFailed(Problem("手続の行がありません", file=path.name, sheet=sheet, row=header_at + 1))
    return out


class ProcedureInventoryImporter:
    help = "行政手続の一覧（XLSX/CSV、書式は shinchoku procedures export と同じ）を取り込む"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--municipality", required=True, help="団体コード（6桁）")
        parser.add_argument("--municipality-name", default=None, help="団体が未登録のときに使う団体名")

    def run(self, path: str, *, access: Access, dry_run: bool, options: dict) -> ImportResult:
        p = Path(path)
        if not p.exists():
            raise ImportFailed(Problem("ファイルが見つかりません", file=p.name))
        code = options.get("municipality") or ""
        if not re.fullmatch(r"\d{6}", code):
            raise ImportFailed(Problem(f"団体コード「{code}」は6桁の数字ではありません", file=p.name))
        rows = parse_inventory(p)
        municipality = Municipality.objects.filter(code=code).first()
        if municipality is None and not options.get("municipality_name"):
            raise ImportFailed(Problem(f"団体コード {code} は未登録です。--municipality-name で団体名を指定してください", file=p.name))
        return import_inventory(rows, source=p.name, municipality_code=code,
                                municipality_name=options.get("municipality_name") or "", dry_run=dry_run)


def import_inventory(rows: list[dict], *, source: str, municipality_code: str, municipality_name: str, dry_run: bool) -> ImportResult:
    from shinchoku.procedures.services import bulk_upsert_procedures

    result = ImportResult(kind="procedures", file=source, dry_run=dry_run)

    def apply():
        tally = UpsertTally()
        municipality = Municipality.objects.filter(code=municipality_code).first()
        if municipality is None:
            municipality = Municipality.objects.create(code=municipality_code, name=municipality_name)
            tally.count("団体", "created")
        bulk_upsert_procedures(municipality, rows, tally)
        result.created, result.updated, result.unchanged = dict(tally.created), dict(tally.updated), dict(tally.unchanged)

    run_atomically(apply, dry_run=dry_run)
    result.counts = {
        "手続": len(rows),
        "オンライン化済": sum(1 for r in rows if r["online"]),
        "未オンライン化": sum(1 for r in rows if not r["online"]),
        "うち阻害要因あり": sum(1 for r in rows if not r["online"] and r["blockers"]),
        "年間件数の合計": sum(r["yearly_volume"] for r in rows),
    }
    keys_in_file = {r["key"] for r in rows}
    missing = Procedure.objects.filter(municipality__code=municipality_code).exclude(key__in=keys_in_file).count()
    if missing:
        result.notes.append(f"ファイルにない手続が{missing}件登録されています（削除していません）")
    return result


# --------------------------------------------------------------------------- export


def export_rows(municipality: Municipality) -> list[list[Any]]:
    rows = []
    for p in Procedure.objects.filter(municipality=municipality).select_related("department").order_by("key"):
        rows.append([
            p.key, p.name, p.department.name, p.section, p.legal_basis, p.yearly_volume,
            "済" if p.online else "未", p.get_channel_display() if p.channel else "",
            "、".join(p.blocker_labels()), fiscal.to_wareki(p.target_year) if p.target_year else "", p.note,
        ])
    return rows


def export_xlsx(municipality: Municipality) -> bytes:
    sheet = TableSheet(
        title="行政手続一覧",
        columns=[Column(c.header, c.width, c.style) for c in COLUMNS],
        rows=export_rows(municipality),
    )
    return render_xlsx([sheet])


def export_csv(municipality: Municipality) -> bytes:
    return csv_bytes(HEADERS, export_rows(municipality))


# --------------------------------------------------------------------------- upload (web page)


def parse_upload(uploaded_file, *, max_bytes: int) -> list[dict]:
    """Rows of an uploaded inventory (Django ``UploadedFile``), by :func:`parse_inventory`.

    Refused above ``max_bytes`` (``SHINCHOKU_MAX_UPLOAD_BYTES``) before anything is read; the file is
    copied to a temporary directory under its own name so that every problem names it.
    """
    import tempfile

    name = Path(getattr(uploaded_file, "name", "") or "upload").name or "upload"
    size = getattr(uploaded_file, "size", 0) or 0
    if size > max_bytes:
        raise ImportFailed(Problem(
            f"ファイルが大きすぎます（{size:,}バイト）。上限は{max_bytes:,}バイト（{max_bytes / 1024 / 1024:.0f}MB）です",
            file=name,
        ))
    if size == 0:
        raise ImportFailed(Problem("ファイルが空です", file=name))
    if Path(name).suffix.lower() not in {".xlsx", ".xlsm", ".csv", ".txt"}:
        raise ImportFailed(Problem("XLSX（.xlsx）または CSV（.csv）のファイルを指定してください", file=name))
    with tempfile.TemporaryDirectory(prefix="shinchoku-upload-") as tmp:
        path = Path(tmp) / name
        with path.open("wb") as fh:
            for chunk in uploaded_file.chunks():
                fh.write(chunk)
        return parse_inventory(path)


@dataclass
class RowChange:
    """One row of the file that would create or change a procedure (for the dry-run preview)."""

    row: int
    key: str
    name: str
    department: str
    action: str  # "新規" or "更新"
    fields: list[tuple[str, str, str]]  # (column header, now, after)


def _display(field: str, value: Any) -> str:
    if field == "online":
        return "済" if value else "未"
    if field == "channel":
        return Channel(value).label if value in Channel.values else (value or "")
    if field == "blockers":
        return "、".join(BLOCKERS.get(b, b) for b in value or [])
    if field == "target_year":
        return fiscal.to_wareki(value) if value else ""
    if field == "yearly_volume":
        return f"{value:,}" if isinstance(value, int) else str(value)
    return "" if value is None else str(value)


def inventory_changes(municipality: Municipality | None, rows: list[dict]) -> list[RowChange]:
    """What an import of ``rows`` would create or change in the municipality's inventory, row by row
    (unchanged rows are left out). Reads only."""
    existing = (
        {p.key: p for p in Procedure.objects.filter(municipality=municipality).select_related("department")}
        if municipality is not None else {}
    )
    fields = ("name", "department", "section", "legal_basis", "yearly_volume", "online", "channel", "blockers",
              "target_year", "note")
    out: list[RowChange] = []
    for r in rows:
        p = existing.get(r["key"])
        if p is None:
            shown = [(HEADER_OF[f], "", _display(f, r[f])) for f in ("yearly_volume", "online", "channel", "blockers") if r[f]]
            out.append(RowChange(r["row"], r["key"], r["name"], r["department"], "新規", shown))
            continue
        diffs = []
        for f in fields:
            now = p.department.name if f == "department" else getattr(p, f)
            after = r[f]
            if f == "blockers":
                now, after = sorted(now or []), sorted(dict.fromkeys(after or []))
            if now != after:
                diffs.append((HEADER_OF[f], _display(f, now), _display(f, after)))
        if diffs:
            out.append(RowChange(r["row"], r["key"], r["name"], r["department"], "更新", diffs))
    return out
