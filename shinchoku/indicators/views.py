from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe

from shinchoku.core import fiscal
from shinchoku.core.views_helpers import fiscal_year_param, get_scoped, scoped
from shinchoku.indicators.charts import indicator_chart
from shinchoku.indicators.engine import judge_plan, spec_for
from shinchoku.indicators.judgement import Grade, judge
from shinchoku.indicators.models import Indicator
from shinchoku.indicators.queries import indicator_table
from shinchoku.plans.models import Plan

GRADES = [g.value for g in Grade]


@login_required
def indicator_index(request):
    plan = scoped(request, Plan.objects.filter(indicators__isnull=False)).distinct().order_by("-period_start").first()
    if plan is None:
        return render(request, "indicators/empty.html")
    return redirect("indicators:plan", pk=plan.pk)


@login_required
def plan_indicators(request, pk: int):
    """The indicator trend table (as published) with each indicator's grade for the chosen year."""
    plan = get_scoped(request, Plan.objects.all(), pk=pk)
    table = indicator_table(plan)
    fy, fy_error = fiscal_year_param(request, table.latest_actual_year or plan.period_start)
    kind = "estimate" if request.GET.get("kind") == "estimate" else "actual"
    grade = request.GET.get("grade") or ""
    judgements = {ind.pk: j for ind, j in judge_plan(plan, fy, kind)}
    for group in table.groups:
        group.rows = [r for r in group.rows if not grade or judgements[r.indicator.pk].grade.value == grade]
        for row in group.rows:
            row.judgement = judgements[row.indicator.pk]
    table.groups = [g for g in table.groups if g.rows]
    counts = {g: sum(1 for j in judgements.values() if j.grade.value == g) for g in GRADES}
    return render(request, "indicators/plan_indicators.html", {
        "plan": plan, "table": table, "fy": fy, "fy_label": fiscal.label(fy), "fy_error": fy_error,
        "years": [(y, fiscal.label(y)) for y in range(plan.period_end, plan.period_start - 1, -1)],
        "grade": grade, "grades": GRADES, "grade_counts": counts, "kind": kind,
    })


@login_required
def indicator_detail(request, pk: int):
    """One indicator: its values as published, the chart and the judgement of every year."""
    indicator = get_scoped(request, Indicator.objects.select_related("plan", "owner"), pk=pk)
    values = list(indicator.values.order_by("fiscal_year", "kind"))
    changes = list(indicator.definition_changes.all())
    spec, series = spec_for(indicator, values, changes)
    years = sorted(set(series.actuals) | set(series.estimates))
    judgements = [judge(spec, series.actuals, y, estimates=series.estimates) for y in sorted(series.actuals)]
    judgements += [
        judge(spec, series.actuals, y, estimates=series.estimates, kind="estimate") for y in sorted(series.estimates)
    ]
    latest = judgements[-1] if judgements else None
    return render(request, "indicators/indicator_detail.html", {
        "indicator": indicator, "values": values, "plan": indicator.plan, "changes": changes,
        "chart": mark_safe(indicator_chart(spec, series)), "judgements": judgements, "latest": latest,
        "direction": spec.direction, "years": years,
    })
