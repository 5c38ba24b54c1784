"""Pages of the online drive: the inventory with online rates, exports, selections with progress
against each department's quota (and the far-above-peers warning), swaps, online status updates."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from shinchoku.core.permissions import (
    answerable_department_ids,
    forbidden,
    may_answer,
    require_planning,
    service_view,
    validation_messages,
)
from shinchoku.core.importing import ImportFailed, Problem
from shinchoku.core.render_xlsx import XLSX_CONTENT_TYPE
from shinchoku.core.tenancy import tenant_for
from shinchoku.core.views_helpers import get_scoped, scoped
from shinchoku.core.web import safe_next
from shinchoku.procedures import queries, services
from shinchoku.procedures.inventory_io import (
    COLUMNS,
    export_csv,
    export_xlsx,
    inventory_changes,
    parse_upload,
)
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
    tenant = tenant_for(request)
    return render(request, "procedures/inventory.html", {
        "can_import": tenant.is_planning,
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
    return redirect(safe_next(request, reverse("procedures:inventory")))


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



# --------------------------------------------------------------------------- import (upload → dry run → confirm)

UPLOAD_SESSION_KEY = "procedures_inventory_uploads"
PREVIEW_ROWS = 200


def _max_upload() -> int:
    return settings.SHINCHOKU_MAX_UPLOAD_BYTES


@login_required
@service_view
def inventory_import(request):
    """行政手続の一覧の取り込み: upload an XLSX/CSV (the export's format), see what would change (a dry
    run that writes nothing), then confirm; all or nothing; every problem with its row and column."""
    municipality = _municipality(request)
    try:
        require_planning(request.user, municipality, "行政手続の一覧の取り込み")
    except PermissionDenied as exc:
        return forbidden(request, exc)
    limit = _max_upload()
    ctx = {"limit": limit, "limit_mb": f"{limit / 1024 / 1024:.0f}", "headers": [(c.header, c.required) for c in COLUMNS],
           "total": Procedure.objects.filter(municipality=municipality).count()}
    if request.method != "POST":
        return render(request, "procedures/inventory_import.html", ctx)
    if request.GET.get("step") == "apply":
        return _import_apply(request, municipality, ctx)
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > limit + 64 * 1024:
        # Far over the limit: refused without opening the file.
        ctx["problems"] = [Problem(
            f"ファイルが大きすぎます（{length / 1024 / 1024:.1f}MB）。上限は{limit / 1024 / 1024:.0f}MBです",
            file="アップロードしたファイル",
        )]
        return render(request, "procedures/inventory_import.html", ctx, status=413)
    upload = request.FILES.get("file")
    if upload is None:
        ctx["problems"] = [Problem("ファイルを選んでください")]
        return render(request, "procedures/inventory_import.html", ctx, status=400)
    try:
        rows = parse_upload(upload, max_bytes=limit)
        result = services.import_inventory_rows(request.user, municipality, rows, source=upload.name, dry_run=True)
    except ImportFailed as exc:
        ctx["problems"] = exc.problems
        ctx["file_name"] = upload.name
        return render(request, "procedures/inventory_import.html", ctx, status=413 if upload.size > limit else 400)
    changes = inventory_changes(municipality, rows)
    token = uuid.uuid4().hex
    pending = {k: v for k, v in request.session.get(UPLOAD_SESSION_KEY, {}).items() if v.get("municipality") != municipality.pk}
    pending[token] = {"municipality": municipality.pk, "user": request.user.pk, "source": upload.name, "rows": rows}
    request.session[UPLOAD_SESSION_KEY] = pending
    ctx.update(
        result=result, token=token, file_name=upload.name, changes=changes[:PREVIEW_ROWS],
        more_changes=max(0, len(changes) - PREVIEW_ROWS), new_count=sum(1 for c in changes if c.action == "新規"),
        changed_count=sum(1 for c in changes if c.action == "更新"), unchanged_count=len(rows) - len(changes),
    )
    return render(request, "procedures/inventory_import.html", ctx)


def _import_apply(request, municipality, ctx):
    token = request.POST.get("token", "")
    pending = request.session.get(UPLOAD_SESSION_KEY, {})
    stash = pending.pop(token, None)
    request.session[UPLOAD_SESSION_KEY] = pending
    if not stash or stash["municipality"] != municipality.pk or stash["user"] != request.user.pk:
        ctx["problems"] = [Problem("取り込む内容が見つかりません（期限切れか、取り込み済みです）。もう一度ファイルを選んでください")]
        return render(request, "procedures/inventory_import.html", ctx, status=400)
    try:
        result = services.import_inventory_rows(request.user, municipality, stash["rows"], source=stash["source"], dry_run=False)
    except ImportFailed as exc:
        ctx["problems"] = exc.problems
        return render(request, "procedures/inventory_import.html", ctx, status=400)
    created = result.created.get("行政手続", 0)
    updated = result.updated.get("行政手続", 0)
    unchanged = result.unchanged.get("行政手続", 0)
    text = f"「{stash['source']}」を取り込みました（新規 {created}件、更新 {updated}件、変更なし {unchanged}件）"
    if result.created.get("所管部局"):
        text += f"。所管部局を{result.created['所管部局']}件追加しました"
    messages.success(request, text)
    for note in result.notes:
        messages.info(request, note)
    return redirect(reverse("procedures:inventory"))
