"""Running calls at the same moment on a real PostgreSQL server, each on its own connection.

SQLite serialises writers and hides what PostgreSQL shows (the join-after-lock NULL that made a lost
race answer 500): race tests run on PostgreSQL only, in ``transaction=True`` tests so that every
thread sees the others' commits.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest


def needs_postgresql():
    """Skip marker: the race tests are run by the PostgreSQL half of ``scripts/test.sh``."""
    from django.db import connection

    return pytest.mark.skipif(
        connection.vendor != "postgresql", reason="races need PostgreSQL (SQLite serialises writers); run by the PostgreSQL half of scripts/test.sh"
    )


def at_once(calls: list[Callable[[], Any]], *, workers: int | None = None) -> list[Any]:
    """Run ``calls`` together (a barrier releases the first ``workers`` at the same instant); each
    returns its result or the exception it raised. Every thread closes its database connection."""
    from django.db import connection

    workers = workers or len(calls)
    barrier = threading.Barrier(min(workers, len(calls)))

    def run(indexed):
        index, call = indexed
        try:
            if index < barrier.parties:  # the first wave starts together; the rest follow as workers free up
                try:
                    barrier.wait(timeout=30)
                except threading.BrokenBarrierError:
                    pass
            return call()
        except Exception as exc:  # the caller inspects what each call met
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run, enumerate(calls)))
