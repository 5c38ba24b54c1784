"""Benchmark: import a 1,000-item plan workbook into an empty database (target: under 5 s).

The workbook is the synthetic ward of ``shinchoku demo-data --items N`` (N activities under goals and
initiatives, five years of progress for each, an indicator per twenty activities with five years of
actuals and targets), exported with ``shinchoku export workbook``. It is then imported into a fresh
SQLite database: read + check + write in one transaction, timed in-process (the command's own start-up
is shown separately). A second import of the same file (everything unchanged) and a dry run are timed too.

    .venv/bin/python bench/workbook_import.py [--items 1000] [--format xlsx|csv-zip] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _server import environment, fresh_data_dir, manage

TIMED = """
import json, time
from shinchoku.core.changelog import acting_as
from shinchoku.plans.workbook.importer import import_workbook
runs = []
for dry_run in {runs!r}:
    start = time.perf_counter()
    with acting_as(None, name="bench"):
        result = import_workbook({path!r}, dry_run=dry_run)
    runs.append({{"dry_run": dry_run, "seconds": time.perf_counter() - start, "created": result.created,
                  "updated": result.updated, "unchanged": result.unchanged}})
print(json.dumps(runs, ensure_ascii=False))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--format", choices=["xlsx", "csv-zip"], default="xlsx")
    parser.add_argument("--repeat", type=int, default=3, help="fresh databases to import into (best and worst shown)")
    args = parser.parse_args()
    suffix = "zip" if args.format == "csv-zip" else "xlsx"
    with fresh_data_dir() as source_dir:
        env = environment(source_dir)
        manage(env, "migrate", "-v0")
        plan = json.loads(manage(env, "demo-data", "--items", str(args.items), "--json"))
        workbook = source_dir / f"ward-{args.items}.{suffix}"
        manage(env, "export", "workbook", "--plan", str(plan["plan_id"]), "--output", str(workbook), "--format", args.format)
        size = workbook.stat().st_size
        print(f"workbook: {args.items} activities, {plan['nodes']} plan items, {args.format}, {size / 1024:.0f} KB")
        first_runs, second_runs, dry_runs, cli = [], [], [], []
        for _ in range(args.repeat):
            with fresh_data_dir() as target_dir:
                target = environment(target_dir)
                manage(target, "migrate", "-v0")
                output = manage(target, "shell", "-v", "0", "-c", TIMED.format(path=str(workbook), runs=[False, False, True]))
                runs = json.loads(output.strip().splitlines()[-1])
                first_runs.append(runs[0]["seconds"])
                second_runs.append(runs[1]["seconds"])
                dry_runs.append(runs[2]["seconds"])
                created = runs[0]["created"]
            with fresh_data_dir() as target_dir:
                target = environment(target_dir)
                manage(target, "migrate", "-v0")
                start = time.perf_counter()
                manage(target, "import", "workbook", str(workbook), "--json")
                cli.append(time.perf_counter() - start)
        print(f"created: {created}")
        print(f"{'import into an empty database':44} best {min(first_runs):6.2f} s  worst {max(first_runs):6.2f} s  (target < 5 s)")
        print(f"{'re-import, nothing changed':44} best {min(second_runs):6.2f} s  worst {max(second_runs):6.2f} s")
        print(f"{'dry run of the re-import':44} best {min(dry_runs):6.2f} s  worst {max(dry_runs):6.2f} s")
        print(f"{'shinchoku import workbook (whole command)':44} best {min(cli):6.2f} s  worst {max(cli):6.2f} s")
        if max(first_runs) >= 5:
            sys.exit(1)


if __name__ == "__main__":
    main()
