"""The effects page: every effect of the municipality with its formula, result, published figure
and the roll-ups; and the same effects as CSV in the import layout (export → edit → import)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from shinchoku.core.tabular import CSV_CONTENT_TYPE, csv_bytes
from shinchoku.core.tenancy import tenant_for
from shinchoku.effects.compute import compute_effects, effects_queryset, report
from shinchoku.effects.importers import export_rows
from shinchoku.effects.models import Effect

ROLL_UP_NAMES = {"plan": "計画別", "measure": "施策別", "department": "所管課別", "year": "年度別"}


def _effects(request):
    tenant = tenant_for(request)
    if tenant.municipality is None:
        return Effect.objects.none()
    return Effect.objects.filter(municipality=tenant.municipality)


@login_required
def effect_list(request):
    payload = report(compute_effects(effects_queryset(_effects(request))))
    roll_ups = [(ROLL_UP_NAMES[k], rows) for k, rows in payload["roll_ups"].items()]
    return render(request, "effects/effect_list.html", {"r": payload, "roll_ups": roll_ups})


@login_required
def effect_csv(request):
    header, *rows = export_rows(effects_queryset(_effects(request)))
    response = HttpResponse(csv_bytes(header, rows), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="effects.csv"'
    return response
