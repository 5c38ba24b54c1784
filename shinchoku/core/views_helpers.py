"""Small helpers shared by the apps' views (tenant scoping, fiscal-year parameters)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render

from shinchoku.core.fiscal import FiscalYearError, parse_fiscal_year
from shinchoku.core.tenancy import tenant_for


def scoped(request, queryset):
    """Restrict ``queryset`` to the municipality the request acts for (404 for everything else)."""
    tenant = tenant_for(request)
    if tenant.municipality is None:
        return queryset.none()
    return queryset.filter(municipality=tenant.municipality)


def get_scoped(request, queryset, **lookup):
    obj = scoped(request, queryset).filter(**lookup).first()
    if obj is None:
        raise Http404("見つかりません")
    return obj


def fiscal_year_param(request, default: int | None, name: str = "fy") -> tuple[int | None, str | None]:
    """The fiscal year in the query string (any accepted form: 2023, R5, 令和5年度); error text if unreadable."""
    raw = request.GET.get(name)
    if not raw:
        return default, None
    try:
        return parse_fiscal_year(raw), None
    except FiscalYearError as exc:
        return default, str(exc)


def forbidden_response(request, message: str = "", *, back_url: str = "", back_label: str = "") -> HttpResponse:
    """The 403 page with the service's Japanese reason (Django's default page would hide it)."""
    return render(
        request, "core/forbidden.html",
        {"message": message or "この操作は許可されていません", "back_url": back_url, "back_label": back_label},
        status=403,
    )
