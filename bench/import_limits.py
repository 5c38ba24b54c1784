"""Benchmark: how long, and how much memory, until an importer refuses a hostile file.

Files (built here, in a temporary folder):

- ``rows.xlsx`` — a plan workbook whose 項目 sheet has 2,000,000 one-cell rows (10 MB);
- ``rows-first-sheet.xlsx`` — the same sheet as the first worksheet, for the procedures and effects
  importers (they read the first sheet);
- ``rows.zip`` — a plan workbook as CSV-zip whose items.csv has 2,000,000 lines;
- ``bomb.zip`` — a CSV-zip whose items.csv inflates to 1 GB (1 MB on disk);
- ``lying-bomb.zip`` — the same, its directory claiming 1 KB for items.csv;
- ``corrupt.zip`` / ``corrupt.xlsx`` — one flipped byte inside items.csv / the 項目 sheet of a real export.

Each file is read by the importer's reading step in a fresh process (``--tree`` points the process at
another checkout, e.g. ``--tree ../main`` for the figures before a change); the process prints wall
time, peak RSS (``VmHWM``) and the first line of the refusal.

    .venv/bin/python bench/import_limits.py [--tree PATH] [--rows 2000000]
"""

from __future__ import annotations

import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

def _headers() -> dict[str, list[str]]:
    from shinchoku.plans.workbook import format as fmt

    headers = {sheet.label: [c.label for c in sheet.columns] for sheet in fmt.SHEETS}
    headers["計画"] = ["項目", "値"]
    headers["手続"] = ["事務番号", "手続名", "所管部局", "年間件数"]
    return headers


SHEETS = ["計画", "項目", "進捗", "指標", "指標値", "効果"]
HEADERS = _headers()
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _write_sheet(out, rows: list[list[str]], extra_rows: int) -> None:
    """A worksheet of inline strings, then ``extra_rows`` rows holding the number 1 in column A,
    streamed into ``out`` (the benchmark process itself stays small)."""
    last = f"{chr(64 + max(len(r) for r in rows))}{len(rows) + extra_rows}"
    out.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}"><dimension ref="A1:{last}"/><sheetData>'.encode())
    for r, cells in enumerate(rows, start=1):
        out.write(f'<row r="{r}">'.encode())
        for c, text in enumerate(cells):
            out.write(f'<c r="{chr(65 + c)}{r}" t="inlineStr"><is><t>{text}</t></is></c>'.encode())
        out.write(b"</row>")
    start = len(rows) + 1
    for block in range(start, start + extra_rows, 10000):
        stop = min(block + 10000, start + extra_rows)
        out.write("".join(f'<row r="{r}"><c r="A{r}"><v>1</v></c></row>' for r in range(block, stop)).encode())
    out.write(b"</sheetData></worksheet>")


def build_xlsx(path: Path, big_sheet: str, extra_rows: int, sheets: list[str]) -> None:
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        + "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        + "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    )
    rel_ns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS}" xmlns:r="{rel_ns}"><sheets>'
        + "".join(f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>' for i, name in enumerate(sheets, start=1))
        + "</sheets></workbook>"
    )
    workbook_rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="{rel_ns}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        + "</Relationships>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", content_types)
        z.writestr("_rels/.rels", rels)
        z.writestr("xl/workbook.xml", workbook)
        z.writestr("xl/_rels/workbook.xml.rels", workbook_rels)
        for i, name in enumerate(sheets, start=1):
            header = [HEADERS.get(name, ["コード"])]
            with z.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as out:
                _write_sheet(out, header, extra_rows if name == big_sheet else 0)


def build_csv_zip(path: Path, items_header: str, line: bytes, lines: int) -> None:
    """A plan workbook CSV-zip whose items.csv is ``items_header`` then ``lines`` × ``line``."""
    names = {"計画": "plan", "項目": "items", "進捗": "progress", "指標": "indicators", "指標値": "indicator_values", "効果": "effects"}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for label, key in names.items():
            with z.open(f"{key}.csv", "w", force_zip64=True) as out:
                out.write((",".join(HEADERS[label]) + "\r\n").encode())
                if key == "items":
                    for block in range(0, lines, 1 << 20):
                        out.write(line * min(1 << 20, lines - block))


def lie_about_size(path: Path, member: str, claimed: int) -> None:
    """Patch the central directory and local header so that ``member`` claims ``claimed`` bytes."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(member)
    struct.pack_into("<I", data, info.header_offset + 22, claimed)  # local header: uncompressed size
    position = 0
    while True:  # the central directory entry of ``member``
        position = data.find(b"PK\x01\x02", position)
        name_length = struct.unpack_from("<H", data, position + 28)[0]
        if data[position + 46:position + 46 + name_length].decode() == member:
            struct.pack_into("<I", data, position + 24, claimed)
            break
        position += 4
    path.write_bytes(bytes(data))


def flip_inside(path: Path, member: str, out: Path) -> None:
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(member)
    name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_length + extra_length
    data[start + info.compress_size // 2] ^= 0xFF
    out.write_bytes(bytes(data))


READ = """
import json, sys, time
import django
django.setup()
from shinchoku.core.importing import ImportFailed
kind, path = sys.argv[1], sys.argv[2]
start = time.perf_counter()
try:
    if kind == "workbook":
        from shinchoku.plans.workbook.reader import read_workbook
        read_workbook(path)
    elif kind == "procedures":
        from pathlib import Path
        from shinchoku.procedures.inventory_io import parse_inventory
        parse_inventory(Path(path))
    outcome = "read"
except ImportFailed as exc:
    outcome = "ImportFailed: " + str(exc.problems[0])
except BaseException as exc:
    outcome = "CRASH " + type(exc).__name__ + ": " + str(exc)[:160]
seconds = time.perf_counter() - start
# VmHWM: the peak RSS of this process (ru_maxrss would include the parent's, inherited across exec)
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"seconds": seconds, "rss_mb": peak / 1024, "outcome": outcome}, ensure_ascii=False))
"""


def measure(tree: Path, kind: str, path: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(tree), DJANGO_SETTINGS_MODULE="shinchoku.settings")
    env.setdefault("SHINCHOKU_DATA_DIR", tempfile.gettempdir())
    proc = subprocess.run([sys.executable, "-c", READ, kind, str(path)], env=env, capture_output=True, text=True,
                          cwd=tree, timeout=600)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if not lines:
        return {"seconds": float("nan"), "rss_mb": float("nan"), "outcome": "process died: " + proc.stderr[-300:]}
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tree", type=Path, default=ROOT, help="the checkout whose importers are measured")
    parser.add_argument("--rows", type=int, default=2_000_000)
    args = parser.parse_args()
    tree = args.tree.resolve()

    with tempfile.TemporaryDirectory(prefix="shinchoku-limits-") as tmp:
        folder = Path(tmp)
        cases = []
        rows_xlsx = folder / "rows.xlsx"
        build_xlsx(rows_xlsx, "項目", args.rows, SHEETS)
        cases.append(("workbook", rows_xlsx, f"XLSX, 項目 sheet with {args.rows:,} one-cell rows"))
        first = folder / "rows-first-sheet.xlsx"
        build_xlsx(first, "手続", args.rows, ["手続"])
        cases.append(("procedures", first, f"XLSX, first sheet with {args.rows:,} one-cell rows"))
        rows_zip = folder / "rows.zip"
        build_csv_zip(rows_zip, "", b"1\r\n", args.rows)
        cases.append(("workbook", rows_zip, f"CSV-zip, items.csv with {args.rows:,} lines"))
        bomb = folder / "bomb.zip"
        build_csv_zip(bomb, "", b"\r\n", 512 * 1024 * 1024)
        cases.append(("workbook", bomb, "CSV-zip bomb, items.csv inflates to 1 GB"))
        lying = folder / "lying-bomb.zip"
        build_csv_zip(lying, "", b"\r\n", 512 * 1024 * 1024)
        lie_about_size(lying, "items.csv", 1024)
        cases.append(("workbook", lying, "CSV-zip bomb whose directory claims 1 KB"))

        sys.path.insert(0, str(ROOT / "bench"))
        export = folder / "export"
        export.mkdir()
        exported = _export_nakano(export)
        if exported:
            for source, member, label in ((exported["zip"], "items.csv", "CSV-zip, a byte flipped inside items.csv"),
                                          (exported["xlsx"], "xl/worksheets/sheet2.xml", "XLSX, a byte flipped inside the 項目 sheet")):
                out = folder / f"corrupt{source.suffix}"
                flip_inside(source, member, out)
                cases.append(("workbook", out, label))

        print(f"importers of {tree}")
        print(f"{'file':<48} {'size':>9} {'time':>8} {'peak RSS':>9}  outcome")
        for kind, path, label in cases:
            result = measure(tree, kind, path)
            size = path.stat().st_size
            print(f"{label:<48} {size / 1024 / 1024:>7.1f}MB {result['seconds']:>7.2f}s {result['rss_mb']:>7.0f}MB  "
                  f"{result['outcome'][:150]}")


def _export_nakano(folder: Path) -> dict[str, Path] | None:
    """The Nakano plan exported as XLSX and CSV-zip by this checkout (the files that get a flipped byte)."""
    from _server import environment, manage

    from shinchoku.demo import NAKANO_PROGRESS

    env = environment(folder)
    try:
        manage(env, "migrate", "-v", "0")
        manage(env, "import", "nakano-progress", str(NAKANO_PROGRESS))
    except subprocess.CalledProcessError as exc:
        print("(could not load the Nakano report for the corrupt-file cases)", exc.stderr[-300:])
        return None
    paths = {}
    for fmt, suffix in (("xlsx", "xlsx"), ("csv-zip", "zip")):
        paths[suffix] = folder / f"nakano.{suffix}"
        manage(env, "export", "workbook", "--plan", "1", "--output", str(paths[suffix]), "--format", fmt)
    return paths


if __name__ == "__main__":
    main()
