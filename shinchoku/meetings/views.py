"""Pages of the meetings register: meetings, one meeting (agenda, decisions, action items), the
headquarters dashboard (open and overdue action items). ``?as_of=YYYY-MM-DD`` (基準日) views the
dashboard as of another day; the default is today."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from shinchoku.audits.permissions import (
    answerable_department_ids,
    may_answer,
    service_view,
    validation_messages,
)
from shinchoku.core.tenancy import tenant_for
from shinchoku.core.views_helpers import get_scoped
from shinchoku.meetings import queries, services
from shinchoku.meetings.forms import ActionUpdateForm
from shinchoku.meetings.models import ActionItem, Meeting


def _as_of(request) -> tuple[dt.date, str | None]:
    raw = request.GET.get("as_of")
    today = timezone.localdate()
    if not raw:
        return today, None
    try:
        return dt.date.fromisoformat(raw), None
    except ValueError:
        return today, f"基準日「{raw}」を読めません（例: 2024-10-15）。今日の日付で表示しています"


def _editable_ids(request, rows) -> set[int]:
    tenant = tenant_for(request)
    if tenant.municipality is None:
        return set()
    answerable = answerable_department_ids(request.user, tenant.municipality)
    return {r.item.pk for r in rows if may_answer(answerable, [r.item.owner_id])}


@login_required
def meeting_list(request):
    today, error = _as_of(request)
    tenant = tenant_for(request)
    meetings = queries.meetings_with_counts(tenant.municipality, today) if tenant.municipality else Meeting.objects.none()
    return render(request, "meetings/meeting_list.html", {"meetings": meetings, "today": today, "as_of_error": error})


@login_required
def meeting_detail(request, pk: int):
    meeting = get_scoped(request, Meeting.objects.select_related("secretariat"), pk=pk)
    today, error = _as_of(request)
    page = queries.meeting_page(meeting, today)
    editable = _editable_ids(request, page.open_items + page.done_items)
    return render(request, "meetings/meeting_detail.html", {
        "page": page, "meeting": meeting, "today": today, "as_of_error": error, "editable": editable,
        "form": ActionUpdateForm(),
    })


@login_required
def dashboard(request):
    tenant = tenant_for(request)
    if tenant.municipality is None:
        raise Http404("団体が選ばれていません")
    today, error = _as_of(request)
    board = queries.dashboard(tenant.municipality, today)
    return render(request, "meetings/dashboard.html", {
        "board": board, "today": today, "as_of_error": error,
        "editable": _editable_ids(request, board.open_items), "form": ActionUpdateForm(),
    })


@login_required
@require_POST
@service_view
def action_update(request, pk: int):
    item = get_scoped(request, ActionItem.objects.select_related("owner", "meeting"), pk=pk)
    form = ActionUpdateForm(request.POST)
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("meetings:detail", args=[item.meeting_id])
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return redirect(back)
    try:
        services.update_action_item(
            request.user, item, state=form.cleaned_data["state"], progress_note=form.cleaned_data["progress_note"],
            completed_on=form.cleaned_data.get("completed_on"),
        )
    except ValidationError as exc:
        for m in validation_messages(exc):
            messages.error(request, m)
        return redirect(back)
    messages.success(request, f"対応事項「{item.title}」を更新しました（{item.get_state_display()}）")
    return redirect(back)
