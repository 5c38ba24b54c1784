from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from shinchoku.core.models import ChangeLog, Municipality, Role
from shinchoku.core.tenancy import tenant_for
from shinchoku.core.web import safe_next


@login_required
def home(request):
    return redirect("plans:list")


@login_required
@require_POST
def switch_municipality(request):
    """The operator (superuser) chooses which municipality to act for; everyone else is refused."""
    if not request.user.is_superuser:
        raise PermissionDenied("団体の切り替えはシステム管理者だけが行えます。")
    municipality = Municipality.objects.filter(pk=request.POST.get("municipality")).first()
    if municipality is not None:
        request.session["municipality_id"] = municipality.pk
    return redirect(safe_next(request, "/"))


@login_required
def change_log(request):
    """Change log — 変更履歴: every create/update/delete of the municipality's records, newest first.

    Read by the planning division and auditors (SPEC: auditors rely on it); filters by target type,
    object, user and batch (one import or request).
    """
    tenant = tenant_for(request)
    if not (tenant.is_superuser or tenant.role in {Role.PLANNING, Role.AUDITOR}):
        raise PermissionDenied("変更履歴は企画・DX推進課と監査の担当者だけが閲覧できます。")
    rows = ChangeLog.objects.filter(municipality=tenant.municipality).select_related("user")
    filters = {k: request.GET.get(k, "").strip() for k in ("model", "object_id", "actor", "batch", "action")}
    if filters["model"]:
        rows = rows.filter(model=filters["model"])
    if filters["object_id"]:
        rows = rows.filter(object_id=filters["object_id"])
    if filters["actor"]:
        rows = rows.filter(actor__icontains=filters["actor"])
    if filters["batch"]:
        rows = rows.filter(batch=filters["batch"])
    if filters["action"] in ChangeLog.Action.values:
        rows = rows.filter(action=filters["action"])
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    models = (
        ChangeLog.objects.filter(municipality=tenant.municipality).order_by("model").values_list("model", flat=True).distinct()
    )
    query = "&".join(f"{k}={v}" for k, v in filters.items() if v)
    return render(request, "core/change_log.html", {
        "page": page, "filters": filters, "models": list(models), "actions": ChangeLog.Action.choices, "query": query,
    })


def login_locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out login (settings: AXES_LOCKOUT_CALLABLE): 429 and when to retry."""
    from django.conf import settings

    return render(request, "core/login_locked.html", {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }, status=429)


def permission_denied(request, exception=None):
    """Django's 403 handler: every PermissionDenied shows its Japanese reason."""
    from shinchoku.core.views_helpers import forbidden_response

    return forbidden_response(request, str(exception or ""))
