from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from shinchoku.core import fiscal
from shinchoku.core.views_helpers import fiscal_year_param, get_scoped, scoped
from shinchoku.indicators.models import Indicator
from shinchoku.indicators.queries import indicator_table
from shinchoku.plans.models import Plan


@login_required
def indicator_index(request):
    plan = scoped(request, Plan.objects.filter(indicators__isnull=False)).distinct().order_by("-period_start").first()
    if plan is None:
        return render(request, "indicators/empty.html")
    return redirect("indicators:plan", pk=plan.pk)


@login_required
def plan_indicators(request, pk: int):
    plan = get_scoped(request, Plan.objects.all(), pk=pk)
    table = indicator_table(plan)
    fy, fy_error = fiscal_year_param(request, table.latest_actual_year or plan.period_start)
    return render(
        request,
        "indicators/plan_indicators.html",
        {"plan": plan, "table": table, "fy": fy, "fy_label": fiscal.label(fy), "fy_error": fy_error},
    )


@login_required
def indicator_detail(request, pk: int):
    indicator = get_scoped(request, Indicator.objects.select_related("plan"), pk=pk)
    values = list(indicator.values.order_by("fiscal_year", "kind"))
    return render(
        request,
        "indicators/indicator_detail.html",
        {"indicator": indicator, "values": values, "plan": indicator.plan,
         "changes": list(indicator.definition_changes.all())},
    )
