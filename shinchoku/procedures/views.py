"""Pages of the online drive: the inventory with online rates, exports, selections with progress
against each department's quota (and the far-above-peers warning), swaps, online status updates."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from shinchoku.audits.permissions import (
    answerable_department_ids,
    may_answer,
    service_view,
    validation_messages,
)
from shinchoku.core.render_xlsx import XLSX_CONTENT_TYPE
from shinchoku.core.tenancy import tenant_for
from shinchoku.core.views_helpers import get_scoped, scoped
from shinchoku.procedures import queries, services
from shinchoku.procedures.inventory_io import export_csv, export_xlsx
from shinchoku.procedures.models import Channel, Procedure, TargetSelection


def _municipality(request):
    tenant = tenant_for(request)
    if tenant.municipality is None:
        raise Http404("団体が選ばれていません")
    return tenant.municipality


@login_required
def inventory(request):
    municipality = _municipality(request)
    overall, by_dept = queries.rates(municipality)
    department = request.GET.get("department") or ""
    status = request.GET.get("status") or ""
    q = (request.GET.get("q") or "").strip()
    procs = list(queries.procedures(municipality).order_by("-yearly_volume", "key"))
    departments = sorted({p.department.name for p in procs})
    rows = [
        p for p in procs
        if (not department or p.department.name == department)
        and (not q or q in p.name or q in p.key)
        and (not status
             or (status == "online" and p.online)
             or (status == "eligible" and p.eligible)
             or (status == "blocked" and not p.online and p.blockers))
    ]
    answerable = answerable_department_ids(request.user, municipality)
    editable = {p.pk for p in rows if may_answer(answerable, [p.department_id])}
    return render(request, "procedures/inventory.html", {
        "overall": overall, "by_dept": by_dept, "rows": rows, "total": len(procs), "departments": departments,
        "department": department, "status": status, "q": q, "editable": editable, "channels": Channel.choices,
        "selections": list(scoped(request, TargetSelection.objects.all()).order_by("-created_at")[:5]),
    })


@login_required
def export(request, fmt: str):
    municipality = _municipality(request)
    if fmt == "xlsx":
        response = HttpResponse(export_xlsx(municipality), content_type=XLSX_CONTENT_TYPE)
    else:
        response = HttpResponse(export_csv(municipality), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="procedures-{municipality.code}.{fmt}"'
    return response


@login_required
@require_POST
@service_view
def procedure_online(request, pk: int):
    procedure = get_scoped(request, Procedure.objects.select_related("department"), pk=pk)
    online = request.POST.get("online") == "1"
    try:
        services.set_online(request.user, procedure, online=online, channel=request.POST.get("channel", ""))
    except ValidationError as exc:
        for m in validation_messages(exc):
            messages.error(request, m)
    else:
        messages.success(request, f"「{procedure.name}」を{'オンライン化済' if online else '未オンライン化'}にしました")
    return redirect(request.POST.get("next") if (request.POST.get("next") or "").startswith("/procedures/") else reverse("procedures:inventory"))


@login_required
def selection_list(request):
    selections = scoped(request, TargetSelection.objects.all()).order_by("-created_at")
    return render(request, "procedures/selection_list.html", {"selections": selections})


@login_required
def selection_detail(request, pk: int):
    selection = get_scoped(request, TargetSelection.objects.all(), pk=pk)
    board = queries.dashboard(selection)
    municipality = selection.municipality
    answerable = answerable_department_ids(request.user, municipality)
    swappable = [r for r in board.rows if may_answer(answerable, [r.department_id])]
    candidates = {r.department_id: queries.swap_candidates(selection, r.department_id)[:50] for r in swappable}
    groups = [(r, board.items_by_department.get(r.department_id, []), candidates.get(r.department_id)) for r in board.rows]
    return render(request, "procedures/selection_detail.html", {
        "selection": selection, "board": board, "groups": groups, "swaps": selection.swaps.select_related(
            "department", "out_procedure", "in_procedure", "swapped_by").order_by("-swapped_at"),
    })


@login_required
@require_POST
@service_view
def selection_swap(request, pk: int):
    selection = get_scoped(request, TargetSelection.objects.all(), pk=pk)
    try:
        swap = services.swap_procedure(
            request.user, selection, out_key=request.POST.get("out_key", ""), in_key=request.POST.get("in_key", ""),
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        for m in validation_messages(exc):
            messages.error(request, m)
    else:
        messages.success(request, f"入れ替えました: {swap.out_procedure.name} → {swap.in_procedure.name}")
    return redirect(reverse("procedures:selection", args=[selection.pk]))

