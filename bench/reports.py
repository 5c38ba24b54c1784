"""Benchmark: the 別紙 progress list of a 1,000-item synthetic ward as XLSX and PDF, next to the floor —
the same cells written with plain openpyxl (no styles, no merges, no print set-up) in the same process.

Targets (SPEC "Quality bars"): XLSX under 2 s and within 2× the floor; PDF under 10 s.

Two data sets: the synthetic ward's own short texts, and the same 1,000 rows carrying the texts of
Nakano's published 別紙 (cycled), which is what a real list looks like on paper (more lines per row,
more pages). Times are medians of ``--repeat`` runs (garbage collected before each).

    .venv/bin/python bench/reports.py [--items 1000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import copy
import gc
import io
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _server import environment, fresh_data_dir, manage  # noqa: E402


def median_time(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def floor_xlsx(rows: list[list]) -> bytes:
    """The bare cost: the same cells, plain openpyxl, saved to memory."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def cells(report) -> list[list]:
    """The cells the report's XLSX holds: one row per 別紙 row, the document's nine columns."""
    return [
        [ini.code, ini.label, row.title, row.status, row.change_reason, row.result, row.next_year_plan, row.later_plan,
         "\n".join(row.departments)]
        for _, ini, row in report.iter_rows()
    ]


def with_published_texts(report, source) -> object:
    """A copy of ``report`` whose rows carry Nakano's published texts, cycled."""
    texts = [r for _, _, r in source.iter_rows() if not r.is_relisting]
    out = copy.deepcopy(report)
    for i, (_, _, row) in enumerate(out.iter_rows()):
        t = texts[i % len(texts)]
        row.title, row.result, row.next_year_plan, row.later_plan = t.title, t.result, t.next_year_plan, t.later_plan
    return out


def pdf_pages(pdf: bytes) -> int:
    import re

    m = re.search(rb"/Type/Pages/Count (\d+)", pdf)
    return int(m.group(1)) if m else 0


def run(items: int, repeat: int) -> list[dict]:
    from shinchoku.plans.models import Plan
    from shinchoku.reports.builder import build_progress_list
    from shinchoku.reports.render.pdf import render_pdf
    from shinchoku.reports.render.xlsx import render_xlsx

    plan = Plan.objects.filter(municipality__code="990001").latest("pk")
    fy = plan.period_end
    build_s, report = median_time(lambda: build_progress_list(plan, fy), repeat)
    nakano = Plan.objects.filter(municipality__code="131148").first()
    datasets = [("synthetic texts", report)]
    if nakano is not None:
        datasets.append(("Nakano's published texts", with_published_texts(report, build_progress_list(nakano, 2023))))
    results = []
    for label, rep in datasets:
        rows = cells(rep)
        floor_s, _ = median_time(lambda: floor_xlsx(rows), repeat)
        xlsx_s, xlsx = median_time(lambda: render_xlsx(rep), repeat)
        pdf_s, pdf = median_time(lambda: render_pdf(rep), max(1, min(repeat, 3)))
        results.append({
            "data": label, "rows": rep.row_count, "build_s": build_s, "floor_s": floor_s, "xlsx_s": xlsx_s,
            "xlsx_total_s": build_s + xlsx_s, "ratio": xlsx_s / floor_s, "xlsx_kb": len(xlsx) / 1024,
            "pdf_s": pdf_s, "pdf_total_s": build_s + pdf_s, "pdf_pages": pdf_pages(pdf), "pdf_kb": len(pdf) / 1024,
        })
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    with fresh_data_dir() as data:
        env = environment(data)
        manage(env, "migrate", "-v0")
        manage(env, "load-demo")
        manage(env, "demo-data", "--items", str(args.items), "--json")
        os.environ.update({k: env[k] for k in ("SHINCHOKU_DATA_DIR", "SHINCHOKU_DEBUG", "SHINCHOKU_SECRET_KEY")})
        os.environ.pop("DATABASE_URL", None)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shinchoku.settings")
        import django

        django.setup()
        results = run(args.items, args.repeat)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=1))
        return
    print(f"別紙 progress list, {args.items}-item synthetic ward, SQLite, median of {args.repeat} runs (PDF: ≤3)")
    print(f"{'data':26} {'rows':>5} {'model':>7} {'floor':>7} {'XLSX':>7} {'×floor':>7} {'XLSX+model':>11} "
          f"{'PDF':>7} {'pages':>6} {'PDF+model':>10}")
    for r in results:
        print(f"{r['data']:26} {r['rows']:5d} {r['build_s']:6.3f}s {r['floor_s']:6.3f}s {r['xlsx_s']:6.3f}s "
              f"{r['ratio']:6.2f}× {r['xlsx_total_s']:10.3f}s {r['pdf_s']:6.2f}s {r['pdf_pages']:6d} {r['pdf_total_s']:9.2f}s")
    ok = all(r["xlsx_total_s"] < 2 and r["ratio"] <= 2 and r["pdf_total_s"] < 10 for r in results)
    print("targets: XLSX < 2 s and ≤ 2× floor; PDF < 10 s —", "met" if ok else "NOT MET")


if __name__ == "__main__":
    main()
