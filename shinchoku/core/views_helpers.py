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


def report_reminders(request, reminders, *, unit: str, logged_where: str, nothing: str) -> None:
    """Tell the sender what a reminder run did: sent to N ``unit``s (logged on ``logged_where``),
    not sent for lack of an address (named), or nothing to remind of."""
    from django.contrib import messages

    sent = [r for r in reminders if r.sent]
    if sent:
        messages.success(request, f"督促メールを{len(sent)}{unit}に送信しました（送信記録は{logged_where}に残ります）")
    unsent = [r for r in reminders if not r.sent]
    if unsent:
        names = "、".join(f"{r.department.name}（{len(r.items)}件）" for r in unsent)
        messages.error(request, f"宛先がないため送信しなかった{unit}: {names}。{unit}のメールアドレスまたは担当者を登録してください")
    if not reminders:
        messages.success(request, nothing)
