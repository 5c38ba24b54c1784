"""Plan workbook pages: download a plan's workbook, the blank template, and upload with a preview.

The upload is the planning division's: the file is kept in the data folder under a random token
(recorded in the uploader's session), imported as a dry run and shown per sheet — created / changed /
unchanged, and every problem with its place. Only a clean preview can be confirmed; confirming
imports the same file for real (all or nothing) and discards it. A workbook of another municipality
is refused: a planner loads only their own municipality's plans.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from shinchoku.core.importing import ImportFailed, Problem
from shinchoku.core.tenancy import tenant_for
from shinchoku.core.views_helpers import get_scoped
from shinchoku.plans.models import Plan
from shinchoku.plans.workbook import format as fmt
from shinchoku.plans.workbook.importer import import_workbook
from shinchoku.plans.workbook.reader import max_upload_bytes, too_big_message
from shinchoku.plans.workbook.writer import export_filename, export_plan, export_template

SESSION_KEY = "plan_workbook_uploads"
KEEP_SECONDS = 24 * 3600
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv-zip": "application/zip",
}


def _download(data: bytes, filename: str, fmt_name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt_name])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _format_param(request) -> str:
    return "csv-zip" if request.GET.get("format") == "csv-zip" else "xlsx"


@login_required
def workbook_export(request, pk: int):
    """The plan as a plan workbook (XLSX, or ?format=csv-zip) — for those who may read the whole plan."""
    plan = get_scoped(request, Plan.objects.select_related("municipality", "status_scale"), pk=pk)
    if not tenant_for(request).can_read_all:
        raise PermissionDenied("計画ワークブックのダウンロードは、企画・DX推進課・幹部・監査の利用者が行えます")
    fmt_name = _format_param(request)
    return _download(export_plan(plan, fmt_name), export_filename(plan, fmt_name), fmt_name)


@login_required
def workbook_template(request):
    fmt_name = _format_param(request)
    return _download(export_template(fmt_name), f"plan-workbook-template.{'zip' if fmt_name == 'csv-zip' else 'xlsx'}", fmt_name)


def _upload_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "workbook-uploads"


def _clean_old_uploads(folder: Path) -> None:
    cutoff = time.time() - KEEP_SECONDS
    for path in folder.glob("*.upload"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass


def _problems(exc: ImportFailed) -> list[dict]:
    return [{"place": p.place(), "message": p.message} for p in exc.problems]


def _sheet_rows(result) -> list[dict]:
    rows = []
    for sheet in fmt.SHEETS:
        label = sheet.label
        rows.append({
            "label": label,
            "created": result.created.get(label, 0),
            "updated": result.updated.get(label, 0),
            "unchanged": result.unchanged.get(label, 0),
        })
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def workbook_import(request):
    """Upload (POST with ``file``) → preview; POST with ``token`` and ``confirm`` → import."""
    tenant = tenant_for(request)
    if not tenant.is_planning or tenant.municipality is None:
        raise PermissionDenied("計画ワークブックの取り込みは、企画・DX推進課（計画管理者）が行えます")
    code = tenant.municipality.code
    uploads: dict = request.session.get(SESSION_KEY, {})
    ctx: dict = {"municipality": tenant.municipality, "max_mb": max_upload_bytes() // (1024 * 1024)}

    if request.method == "POST" and request.POST.get("token"):
        token = request.POST["token"]
        entry = uploads.get(token)
        path = _upload_dir() / f"{token}.upload"
        if entry is None or not path.exists():
            messages.error(request, "取り込むファイルの有効期限が切れました。もう一度アップロードしてください。")
            return redirect("plans:workbook_import")
        if "cancel" in request.POST:
            path.unlink(missing_ok=True)
            uploads.pop(token, None)
            request.session[SESSION_KEY] = uploads
            messages.info(request, "取り込みを取り消しました（何も書き込んでいません）。")
            return redirect("plans:workbook_import")
        try:
            result = import_workbook(path, dry_run=False, filename=entry["name"], expect_municipality=code)
        except ImportFailed as exc:
            ctx.update(filename=entry["name"], problems=_problems(exc))
            return render(request, "plans/workbook_import.html", ctx, status=400)
        path.unlink(missing_ok=True)
        uploads.pop(token, None)
        request.session[SESSION_KEY] = uploads
        created = sum(result.created.values())
        updated = sum(result.updated.values())
        messages.success(request, f"{entry['name']} を取り込みました（作成 {created}行、変更 {updated}行）。")
        return redirect(reverse("plans:detail", args=[result.plan_id]))

    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            ctx["problems"] = [{"place": "入力", "message": "ファイルを選んでください"}]
            return render(request, "plans/workbook_import.html", ctx, status=400)
        name = Path(upload.name).name
        ctx["filename"] = name
        limit = max_upload_bytes()
        if upload.size > limit:
            problem = Problem(too_big_message(upload.size, limit), file=name)
            ctx["problems"] = [{"place": problem.place(), "message": problem.message}]
            return render(request, "plans/workbook_import.html", ctx, status=400)
        folder = _upload_dir()
        folder.mkdir(parents=True, exist_ok=True)
        _clean_old_uploads(folder)
        token = uuid.uuid4().hex
        path = folder / f"{token}.upload"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        try:
            result = import_workbook(path, dry_run=True, filename=name, expect_municipality=code)
        except ImportFailed as exc:
            path.unlink(missing_ok=True)
            ctx["problems"] = _problems(exc)
            return render(request, "plans/workbook_import.html", ctx, status=400)
        uploads[token] = {"name": name, "at": time.time()}
        request.session[SESSION_KEY] = uploads
        existing = Plan.objects.filter(pk=result.plan_id, municipality=tenant.municipality).first() if result.plan_id else None
        ctx.update(
            token=token, result=result, sheets=_sheet_rows(result), plan=existing,
            plan_name=result.counts.get("計画名", ""),
            status_counts=result.counts.get("進捗状況", {}),
        )
        return render(request, "plans/workbook_import.html", ctx)

    return render(request, "plans/workbook_import.html", ctx)
