"""Benchmark: the plan page and the 別紙 progress list of a 1,000-item ward on SQLite, through a real
server on loopback. Prints p50 / p95 over repeated requests (target: p95 < 100 ms).

    .venv/bin/python bench/pages.py [--items 1000] [--repeat 100]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _server import Client, environment, fresh_data_dir, manage, measure, running_server  # noqa: E402

SETUP = """
from django.contrib.auth import get_user_model
from shinchoku.core.models import Membership, Municipality
u = get_user_model().objects.create_user("bench", password="bench-password-1")
Membership.objects.create(user=u, municipality=Municipality.objects.get(code="990001"), role="planning")
from shinchoku.plans.models import Plan
Plan.objects.filter(municipality__code="990001").update(is_published=True)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=100)
    args = parser.parse_args()
    with fresh_data_dir() as data:
        env = environment(data)
        manage(env, "migrate", "-v0")
        plan = json.loads(manage(env, "demo-data", "--items", str(args.items), "--json"))
        manage(env, "shell", "-c", SETUP)
        pages = {
            "plan page (tree + status counts)": f"/plans/{plan['plan_id']}/?fy=2025",
            "progress list (別紙)": f"/plans/{plan['plan_id']}/progress/?fy=2025",
            "progress list, one department": f"/plans/{plan['plan_id']}/progress/?fy=2025&department=%E7%A8%8E%E5%8B%99%E8%AA%B2",
            "indicator table": f"/indicators/plan/{plan['plan_id']}/",
            "public plan page (no login)": f"/public/plans/{plan['plan_id']}/",
        }
        with running_server(env) as base:
            client = Client(base)
            client.login("bench", "bench-password-1")
            print(f"SQLite, {plan['items']} activities ({plan['nodes']} plan items), {args.repeat} requests each")
            print(f"{'page':40} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'KB':>7}")
            for name, path in pages.items():
                r = measure(client, path, args.repeat)
                print(f"{name:40} {r['p50_ms']:8.1f} {r['p95_ms']:8.1f} {r['max_ms']:8.1f} {r['bytes'] / 1024:7.0f}")


if __name__ == "__main__":
    main()
