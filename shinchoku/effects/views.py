"""The effects page: every effect of the municipality with its formula, result, published figure and
the roll-ups; its data twins are the same effects in the import layout (export → edit → import):
``?format=csv`` and ``?format=json`` (``core.web.twin_response``). ``effects.csv``, the old address of
the CSV, redirects to ``?format=csv``."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.urls import reverse

from shinchoku.core.web import Column, Table, access_of, member_view, twin_response
from shinchoku.effects import queries
from shinchoku.effects.importers.effects import export_rows

ROLL_UP_NAMES = {"plan": "計画別", "measure": "施策別", "department": "所管課別", "year": "年度別"}


def _import_layout(access) -> Table:
    header, *rows = export_rows(queries.effects_queryset(queries.effects_of(access)))
    return Table("effects", [Column(name, name) for name in header], [dict(zip(header, row)) for row in rows])


@member_view
def effect_list(request):
    access = access_of(request)
    twin = twin_response(request, lambda: _import_layout(access))
    if twin is not None:
        return twin
    payload = queries.effect_report(access)
    roll_ups = [(ROLL_UP_NAMES[k], rows) for k, rows in payload["roll_ups"].items()]
    return render(request, "effects/effect_list.html", {"r": payload, "roll_ups": roll_ups})


@member_view
def effect_csv(request):
    """The former CSV address (before ``?format=csv``), kept working."""
    return redirect(f"{reverse('effects:list')}?format=csv", permanent=True)
