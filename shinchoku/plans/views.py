from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from shinchoku.core import fiscal
from shinchoku.core.models import Department
from shinchoku.core.views_helpers import fiscal_year_param, get_scoped, scoped
from shinchoku.plans.models import Plan, ProgressEntry
from shinchoku.plans.queries import plan_tree, progress_list, status_counts
from shinchoku.plans.render import progress_rows_html, tree_html


def _years(plan: Plan) -> list[int]:
    """Fiscal years with entries, plus the plan period, newest first."""
    years = set(ProgressEntry.objects.filter(node__plan=plan).values_list("fiscal_year", flat=True).distinct())
    years.update(range(plan.period_start, plan.period_end + 1))
    return sorted(years, reverse=True)


def _default_year(plan: Plan) -> int:
    latest = ProgressEntry.objects.filter(node__plan=plan).order_by("-fiscal_year").values_list("fiscal_year", flat=True).first()
    return latest or plan.period_start


def _year_context(request, plan: Plan) -> dict:
    fy, error = fiscal_year_param(request, _default_year(plan))
    return {
        "fy": fy,
        "fy_label": fiscal.label(fy),
        "fy_error": error,
        "years": [(y, fiscal.label(y)) for y in _years(plan)],
    }


@login_required
def plan_list(request):
    plans = scoped(request, Plan.objects.select_related("status_scale")).order_by("-period_start", "name")
    return render(request, "plans/plan_list.html", {"plans": plans})


@login_required
def plan_detail(request, pk: int):
    plan = get_scoped(request, Plan.objects.select_related("status_scale"), pk=pk)
    ctx = _year_context(request, plan)
    ctx.update(plan=plan, tree_html=tree_html(plan_tree(plan, ctx["fy"])), counts=status_counts(plan, ctx["fy"]))
    ctx["counts_total"] = sum(c for _, _, c in ctx["counts"])
    return render(request, "plans/plan_detail.html", ctx)


@login_required
def progress_list_view(request, pk: int):
    plan = get_scoped(request, Plan.objects.select_related("status_scale"), pk=pk)
    ctx = _year_context(request, plan)
    department = request.GET.get("department") or None
    status = request.GET.get("status") or None
    groups = progress_list(plan, ctx["fy"], department=department, status=status)
    departments = list(
        Department.objects.filter(ownerships__node__plan=plan).distinct().order_by("name").values_list("name", flat=True)
    )
    ctx.update(
        plan=plan,
        groups=groups,
        rows_html=progress_rows_html(groups),
        row_count=sum(len(g.rows) for g in groups),
        departments=departments,
        department=department or "",
        status=status or "",
        symbols=list(plan.status_scale.symbols.all()) if plan.status_scale_id else [],
        next_label=fiscal.to_wareki(ctx["fy"] + 1),
        later_label=fiscal.to_wareki(ctx["fy"] + 2),
        result_label=fiscal.to_wareki(ctx["fy"]),
    )
    template = "plans/_progress_table.html" if request.htmx else "plans/progress_list.html"
    return render(request, template, ctx)
