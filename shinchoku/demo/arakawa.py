"""Demo data of the evaluation sheets and effects, loaded by ``shinchoku load-demo``.

* Arakawa's six 事務事業分析シート (seed 000) through the real importer (``arakawa-sheet``), and demo
  users of 荒川区: ``arakawa`` (planning), ``arakawa-digital`` (editor of デジタル推進課),
  ``arakawa-auditor`` (auditor);
* Koto's RPA and AI-search effects (seed 001) through the ``effects`` importer
  (:mod:`shinchoku.demo.koto`), and ``koto`` (planning of 江東区) to see them.

Passwords as for the other demo users (``shinchoku.demo.loader.DEMO_PASSWORD``). Idempotent.
"""

from __future__ import annotations

from django.db import transaction

from shinchoku.core.access import Access
from shinchoku.core.importing import ImportResult, get_importer
from shinchoku.core.models import Municipality, Role
from shinchoku.demo import ARAKAWA_SHEETS

ARAKAWA_USERS = (("arakawa", Role.PLANNING, ()), ("arakawa-digital", Role.DEPARTMENT_EDITOR, ("デジタル推進課",)),
                 ("arakawa-auditor", Role.AUDITOR, ()))
KOTO_USERS = (("koto", Role.PLANNING, ()),)


def load_evaluation_demo() -> dict[str, ImportResult]:
    from shinchoku.demo.loader import DemoUser, ensure_users
    from shinchoku.demo.koto import KOTO_CODE, load_koto_effects

    summary = {"arakawa-sheet": get_importer("arakawa-sheet").run(str(ARAKAWA_SHEETS), access=Access.system(), dry_run=False, options={})}
    summary["effects"] = load_koto_effects()
    with transaction.atomic():
        for code, users in (("131181", ARAKAWA_USERS), (KOTO_CODE, KOTO_USERS)):
            ensure_users(Municipality.objects.get(code=code), tuple(DemoUser(u, r, d) for u, r, d in users))
    return summary
