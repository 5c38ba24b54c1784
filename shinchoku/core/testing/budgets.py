"""Query budgets: every list, detail and API list view runs a fixed number of queries, whatever the
number of items (NetBox's ``query_counts``; Decidim's 9 s pages were N+1 queries in templates).

An app declares its budgets in ``tests/test_query_budgets.py``::

    BUDGETS = {
        "rounds:dashboard": Budget(url=lambda w: reverse("rounds:dashboard", args=[w.round.pk]), queries=14),
        ...
    }

and a data builder ``build(n)`` that makes the app's records for ``n`` items; :func:`check_budgets`
measures every view at 10 and at 1,000 items as the declared user and fails when the count differs
from the budget at either size (so it cannot grow with the data, and a change is a visible edit).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

SMALL, LARGE = 10, 1000


@dataclass(frozen=True)
class Budget:
    url: Callable[[Any], str]  # from the built data to the URL
    queries: int
    user: str = "planning"  # the role of the signed-in user (a key of the built data's users), "" = anonymous
    headers: Callable[[Any], dict] | None = None  # e.g. an API token


def count_queries(client, url: str, **headers) -> tuple[int, int]:
    """(status, number of queries) of one GET."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    return response.status_code, len(captured.captured_queries)


def measure(budgets: dict[str, Budget], data: Any, client_for: Callable[[Any, str], Any]) -> dict[str, int]:
    out = {}
    for name, budget in budgets.items():
        client = client_for(data, budget.user)
        url = budget.url(data)
        client.get(url, **(budget.headers(data) if budget.headers else {}))  # warm caches (sessions, content types)
        status, queries = count_queries(client, url, **(budget.headers(data) if budget.headers else {}))
        assert status == 200, f"{name}: {url} answered {status}"
        out[name] = queries
    return out


def check_budgets(budgets: dict[str, Budget], build: Callable[[int], Any], client_for: Callable[[Any, str], Any]) -> dict:
    """Measure at 10 and 1,000 items; every view must spend exactly its budget at both sizes."""
    small = measure(budgets, build(SMALL), client_for)
    large = measure(budgets, build(LARGE), client_for)
    report = {name: (small[name], large[name], b.queries) for name, b in budgets.items()}
    wrong = {name: counts for name, counts in report.items() if not counts[0] == counts[1] == counts[2]}
    assert not wrong, "queries (at 10, at 1,000, budget): " + ", ".join(f"{n} {c}" for n, c in wrong.items())
    return report
