"""Pages of the meetings register: meetings, one meeting (agenda, decisions, action items), the
headquarters dashboard (open and overdue action items). ``?as_of=YYYY-MM-DD`` (基準日) views the
dashboard as of another day; the default is today."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from shinchoku.core import notify
from shinchoku.core.models import ChangeLog, Department
from shinchoku.core.notify import reminder_log_rows
from shinchoku.core.permissions import (
    answerable_department_ids,
    forbidden,
    may_answer,
    require_planning,
    service_view,
    validation_messages,
)
from shinchoku.core.tenancy import tenant_for
from shinchoku.core.views_helpers import get_scoped, report_reminders
from shinchoku.core.web import safe_next
from shinchoku.meetings import queries, services
from shinchoku.meetings.forms import (
    ActionItemForm,
    ActionUpdateForm,
    AgendaItemForm,
    MeetingForm,
    PlanLinkForm,
    ProcedureLinkForm,
)
from shinchoku.meetings.models import ActionItem, AgendaItem, Meeting
from shinchoku.procedures.models import Procedure


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
        "form": ActionUpdateForm(), "is_planning": tenant_for(request).is_planning,
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
    back = safe_next(request, reverse("meetings:detail", args=[item.meeting_id]))
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


# --------------------------------------------------------------------------- registering (headquarters secretariat)


def _planning_only(request, municipality, what: str):
    """The 403 page with the service's reason unless the user is the secretariat (GET of a form)."""
    try:
        require_planning(request.user, municipality, what)
    except PermissionDenied as exc:
        return forbidden(request, exc)
    return None


def _form_errors(form, exc: ValidationError) -> None:
    for m in validation_messages(exc):
        form.add_error(None, m)


def _department(municipality, pk):
    return Department.objects.filter(municipality=municipality, pk=pk).first() if pk else None


def _render_form(request, template: str, context: dict):
    return render(request, template, context, status=400 if context["form"].errors else 200)


MEETING_VALUE_FIELDS = (
    "title", "date", "start_time", "end_time", "place", "meeting_publication", "meeting_publication_reason",
    "minutes_publication", "minutes_publication_reason", "notes",
)


@login_required
@service_view
def meeting_new(request):
    tenant = tenant_for(request)
    if tenant.municipality is None:
        raise Http404("団体が選ばれていません")
    municipality = tenant.municipality
    refused = _planning_only(request, municipality, "会議の登録")
    if refused is not None:
        return refused
    form = MeetingForm(request.POST or None, municipality=municipality, initial={"body": _last_body(municipality)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {k: data[k] for k in MEETING_VALUE_FIELDS if k != "date"}
        values["secretariat"] = _department(municipality, data["secretariat"])
        try:
            meeting = services.create_meeting(request.user, municipality, body=data["body"].strip(), number=data["number"],
                                              date=data["date"], **values)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"「{meeting}」を登録しました。続けて議題と対応事項を登録してください")
            return redirect(reverse("meetings:detail", args=[meeting.pk]))
    return _render_form(request, "meetings/meeting_form.html", {"form": form, "meeting": None})


def _last_body(municipality) -> str:
    return Meeting.objects.filter(municipality=municipality).order_by("-date").values_list("body", flat=True).first() or ""


@login_required
@service_view
def meeting_edit(request, pk: int):
    meeting = get_scoped(request, Meeting.objects.select_related("secretariat"), pk=pk)
    refused = _planning_only(request, meeting.municipality_id, "会議の更新")
    if refused is not None:
        return refused
    initial = {k: getattr(meeting, k) for k in MEETING_VALUE_FIELDS}
    initial.update(body=meeting.body, number=meeting.number, secretariat=meeting.secretariat_id)
    form = MeetingForm(request.POST or None, municipality=meeting.municipality, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {k: data[k] for k in MEETING_VALUE_FIELDS}
        values["secretariat"] = _department(meeting.municipality, data["secretariat"])
        try:
            services.update_meeting(request.user, meeting, **values)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"「{meeting}」を更新しました")
            return redirect(reverse("meetings:detail", args=[meeting.pk]))
    return _render_form(request, "meetings/meeting_form.html", {"form": form, "meeting": meeting})


def _agenda_form(request, meeting: Meeting, item: AgendaItem | None):
    initial = {}
    if item is not None:
        initial = {f: getattr(item, f) for f in services.AGENDA_FIELDS}
    else:
        taken = set(meeting.agenda.filter(kind=AgendaItem.Kind.PROPOSAL).values_list("number", flat=True))
        initial = {"kind": AgendaItem.Kind.PROPOSAL, "number": max(taken, default=0) + 1}
    form = AgendaItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: (v.strip() if isinstance(v, str) else v) for k, v in form.cleaned_data.items()}
        try:
            if item is None:
                saved = services.add_agenda_item(request.user, meeting, **data)
                messages.success(request, f"{saved.label}「{saved.title}」を登録しました")
            else:
                saved = services.update_agenda_item(request.user, item, **data)
                messages.success(request, f"{saved.label}「{saved.title}」を更新しました")
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            if item is None and request.POST.get("another") == "1":
                return redirect(reverse("meetings:agenda-new", args=[meeting.pk]))
            return redirect(reverse("meetings:detail", args=[meeting.pk]) + f"#agenda-{saved.pk}")
    return _render_form(request, "meetings/agenda_form.html", {"form": form, "meeting": meeting, "item": item})


@login_required
@service_view
def agenda_new(request, pk: int):
    meeting = get_scoped(request, Meeting.objects.all(), pk=pk)
    return _planning_only(request, meeting.municipality_id, "議題の登録") or _agenda_form(request, meeting, None)


@login_required
@service_view
def agenda_edit(request, pk: int):
    item = get_scoped(request, AgendaItem.objects.select_related("meeting"), pk=pk)
    return _planning_only(request, item.municipality_id, "議題の修正") or _agenda_form(request, item.meeting, item)


def _action_form(request, meeting: Meeting, item: ActionItem | None):
    if item is not None:
        initial = {
            "title": item.title, "description": item.description, "agenda_item": item.agenda_item_id, "owner": item.owner_id,
            "due_date": item.due_date, "state": item.state, "progress_note": item.progress_note,
            "completed_on": item.completed_on,
        }
    else:
        proposals = list(meeting.agenda.filter(kind=AgendaItem.Kind.PROPOSAL).order_by("order")[:2])
        initial = {"agenda_item": proposals[0].pk if len(proposals) == 1 else None}
    form = ActionItemForm(request.POST or None, meeting=meeting, editing=item is not None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        owner = _department(meeting.municipality, data["owner"])
        agenda_item = meeting.agenda.filter(pk=data["agenda_item"]).first() if data["agenda_item"] else None
        try:
            if item is None:
                saved = services.add_action_item(
                    request.user, meeting, title=data["title"], description=data["description"], owner=owner,
                    due_date=data["due_date"], agenda_item=agenda_item, plan_nodes=data["plan_nodes"] or (),
                    procedures=data["procedures"], state=data["state"], progress_note=data["progress_note"],
                    completed_on=data["completed_on"],
                )
                messages.success(request, f"対応事項「{saved.title}」を{owner.name}に割り当てました")
            else:
                saved = services.edit_action_item(
                    request.user, item, title=data["title"], description=data["description"], owner=owner,
                    due_date=data["due_date"], agenda_item=agenda_item, state=data["state"],
                    progress_note=data["progress_note"], completed_on=data["completed_on"],
                )
                messages.success(request, f"対応事項「{saved.title}」を更新しました")
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            if item is None and request.POST.get("another") == "1":
                return redirect(reverse("meetings:action-new", args=[meeting.pk]))
            return redirect(reverse("meetings:action", args=[saved.pk]))
    return _render_form(request, "meetings/action_form.html", {"form": form, "meeting": meeting, "item": item})


@login_required
@service_view
def action_new(request, pk: int):
    meeting = get_scoped(request, Meeting.objects.all(), pk=pk)
    return _planning_only(request, meeting.municipality_id, "対応事項の登録") or _action_form(request, meeting, None)


@login_required
@service_view
def action_edit(request, pk: int):
    item = get_scoped(request, ActionItem.objects.select_related("meeting", "owner"), pk=pk)
    return _planning_only(request, item.municipality_id, "対応事項の修正") or _action_form(request, item.meeting, item)


@login_required
def action_detail(request, pk: int):
    item = get_scoped(
        request, ActionItem.objects.select_related("meeting", "owner", "agenda_item", "selection", "updated_by"), pk=pk
    )
    today, error = _as_of(request)
    tenant = tenant_for(request)
    answerable = answerable_department_ids(request.user, item.municipality)
    may_update = may_answer(answerable, [item.owner_id]) and (tenant.is_planning or tenant.is_editor)
    return render(request, "meetings/action_detail.html", {
        "item": item, "row": queries.action_row(item, today), "today": today, "as_of_error": error,
        "plan_nodes": list(item.plan_nodes.select_related("plan").order_by("plan_id", "path")),
        "procedures": list(item.procedures.select_related("department").order_by("key")),
        "may_update": may_update, "is_planning": tenant.is_planning, "form": ActionUpdateForm(),
        "reminder_log": reminder_log_rows(item.reminder_log) if tenant.can_read_all or may_update else [],
        "history_count": ChangeLog.objects.filter(model=ActionItem._meta.label, object_id=str(item.pk)).count(),
    })


@login_required
@service_view
def action_links(request, pk: int):
    """Link or unlink the plan items and procedures an action item concerns (secretariat)."""
    item = get_scoped(request, ActionItem.objects.select_related("meeting", "owner"), pk=pk)
    municipality = item.municipality
    refused = _planning_only(request, municipality.pk, "対応事項と計画項目・行政手続の関連付け")
    if refused is not None:
        return refused
    action = request.POST.get("action") if request.method == "POST" else None
    plan_form = PlanLinkForm(request.POST if action == "add-nodes" else None, municipality=municipality)
    proc_data = None
    if action == "add-procedures":
        proc_data = request.POST.copy()
        if proc_data.getlist("pick"):  # ticked in the search results
            proc_data["procedure_keys"] = ",".join(proc_data.getlist("pick"))
    proc_form = ProcedureLinkForm(proc_data, municipality=municipality)
    status = 200
    if action == "add-nodes":
        if plan_form.is_valid():
            nodes = plan_form.cleaned_data["plan_nodes"] or []
            services.add_action_item_links(request.user, item, plan_nodes=nodes)
            messages.success(request, f"計画項目 {len(nodes)}件を関連付けました" if nodes else "追加する計画項目がありません")
            return redirect(reverse("meetings:action-links", args=[item.pk]))
        status = 400
    elif action == "add-procedures":
        if proc_form.is_valid():
            procs = proc_form.cleaned_data["procedures"]
            services.add_action_item_links(request.user, item, procedures=procs)
            messages.success(request, f"行政手続 {len(procs)}件を関連付けました")
            return redirect(reverse("meetings:action-links", args=[item.pk]) + (f"?q={request.POST.get('q', '')}" if request.POST.get("q") else ""))
        status = 400
    elif action == "remove":
        nodes = list(item.plan_nodes.filter(pk__in=_ints(request.POST.getlist("node"))))
        procs = list(item.procedures.filter(pk__in=_ints(request.POST.getlist("procedure"))))
        if nodes or procs:
            services.remove_action_item_links(request.user, item, plan_nodes=nodes, procedures=procs)
            removed = [n.code for n in nodes] + [p.key for p in procs]
            messages.success(request, f"関連付けを解除しました: {'、'.join(removed)}")
        else:
            messages.error(request, "解除する項目を選んでください")
        return redirect(reverse("meetings:action-links", args=[item.pk]))
    q = (request.GET.get("q") or request.POST.get("q") or "").strip()
    linked = set(item.procedures.values_list("pk", flat=True))
    found = []
    if q:
        found = list(
            Procedure.objects.filter(municipality=municipality).filter(Q(name__icontains=q) | Q(key__icontains=q) | Q(department__name=q))
            .exclude(pk__in=linked).select_related("department").order_by("-yearly_volume", "key")[:30]
        )
    return render(request, "meetings/action_links.html", {
        "item": item, "plan_form": plan_form if "plan" in plan_form.fields else None, "proc_form": proc_form,
        "plan_nodes": list(item.plan_nodes.select_related("plan").order_by("plan_id", "path")),
        "procedures": list(item.procedures.select_related("department").order_by("key")),
        "q": q, "found": found, "has_procedures": Procedure.objects.filter(municipality=municipality).exists(),
    }, status=status)


def _ints(values) -> list[int]:
    return [int(v) for v in values if str(v).isdigit()]


@login_required
@service_view
def remind(request):
    """督促メール: owner departments with overdue or soon-due action items (a dry run); POST sends them and
    records each message on its action items."""
    tenant = tenant_for(request)
    if tenant.municipality is None:
        raise Http404("団体が選ばれていません")
    municipality = tenant.municipality
    refused = _planning_only(request, municipality, "対応事項の督促メールの送信")
    if refused is not None:
        return refused
    try:
        within = max(0, min(90, int(request.GET.get("within") or request.POST.get("within") or 7)))
    except ValueError:
        within = 7
    today = timezone.localdate()
    if request.method == "POST":
        reminders = services.send_action_item_reminders(
            request.user, municipality, today=today, within_days=within, dry_run=False, base_url=notify.base_url(request)
        )
        report_reminders(
            request, reminders, unit="部局", logged_where="各対応事項の画面", nothing="期限を過ぎた・期限間近の対応事項はありません"
        )
        return redirect(reverse("meetings:remind") + f"?within={within}")
    reminders = services.send_action_item_reminders(request.user, municipality, today=today, within_days=within, dry_run=True)
    return render(request, "meetings/remind.html", {
        "reminders": reminders, "within": within, "today": today,
        "sendable": sum(1 for r in reminders if r.recipients), "without_address": sum(1 for r in reminders if not r.recipients),
    })
