"""Pages of survey rounds (照会). Thin: read through ``queries``, write through ``services``.

Every page is scoped to the request's municipality (another municipality's round is 404) and checks
the role with :class:`~shinchoku.rounds.permissions.Access` (403 with a Japanese page); the services
check again. Inline saving uses htmx (the row is swapped in place) and every form also works as a
plain POST without JavaScript (redirect back, or the whole page with the row's error).
"""

from __future__ import annotations

import datetime as dt
import uuid
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from shinchoku.core import fiscal
from shinchoku.core.changelog import history_for
from shinchoku.core.importing import ImportFailed, Problem
from shinchoku.core.models import Department
from shinchoku.core.tenancy import tenant_for
from shinchoku.core.views_helpers import forbidden_response, get_scoped, scoped
from shinchoku.indicators.models import Indicator
from shinchoku.plans.models import Plan, PlanNode
from shinchoku.rounds import queries, services, xlsx
from shinchoku.rounds.models import (
    STATE_LABELS,
    STATE_ORDER,
    Round,
    RoundAnswer,
    RoundIndicatorActual,
    WorkflowState,
)
from shinchoku.rounds.permissions import Access

UPLOAD_SESSION_KEY = "rounds_import"
# htmx swaps only 2xx responses, so inline (htmx) answers are 200 and carry the real outcome here;
# the same forms posted without JavaScript get the real status code (400, 403, 409).
OUTCOME_HEADER = "X-Shinchoku-Outcome"


def _htmx_render(request, template, context, status):
    response = render(request, template, context)
    response[OUTCOME_HEADER] = str(status)
    return response


def access_of(request) -> Access:
    return Access.from_tenant(tenant_for(request))


def round_view(view):
    """Login required; PermissionDenied becomes a Japanese 403 page (the services' message)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            message = str(exc) or "この操作を行う権限がありません。"
            if request.htmx:
                # htmx does not swap 4xx responses: answer 200 and put the message before the form.
                response = HttpResponse(f'<p class="error" role="alert">{_escape(message)}</p>')
                response["HX-Reswap"] = "beforebegin"
                response[OUTCOME_HEADER] = "403"
                return response
            return forbidden_response(request, message, back_url=reverse("rounds:list"), back_label="照会の一覧へ")

    return wrapped


def _escape(text: str) -> str:
    from django.utils.html import escape

    return escape(text)


def _deny_unless(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)


def _round(request, pk: int) -> Round:
    return get_scoped(request, Round.objects.select_related("plan__status_scale", "opened_by", "closed_by"), pk=pk)


def _department(request, pk: int) -> Department:
    return get_scoped(request, Department.objects.all(), pk=pk)


def _symbols(round: Round):
    return list(round.plan.status_scale.symbols.all()) if round.plan.status_scale_id else []


def _deadline_note(round: Round) -> str:
    days = (round.deadline - timezone.localdate()).days
    if days > 0:
        return f"あと{days}日"
    if days == 0:
        return "本日が期限"
    return f"期限を{-days}日過ぎています"


def _labels(round: Round) -> dict:
    fy = round.fiscal_year
    return {
        "this_year": fiscal.to_wareki(fy),
        "prev_year": fiscal.to_wareki(fy - 1),
        "next_year": fiscal.to_wareki(fy + 1),
    }


# --- list / open -------------------------------------------------------------------------------


@round_view
def round_list(request):
    access = access_of(request)
    _deny_unless(access.can_list_rounds, "照会を表示する権限がありません。")
    rounds = list(scoped(request, Round.objects.select_related("plan")).order_by("-fiscal_year", "-opened_at"))
    my_departments = list(Department.objects.filter(pk__in=access.department_ids).order_by("name")) if access.editor else []
    error = None
    form = {"plan": "", "fy": "", "deadline": "", "title": ""}
    if request.method == "POST":
        _deny_unless(access.can_manage, "照会を開始できるのは企画課（計画管理者）だけです。")
        form = {k: request.POST.get(k, "").strip() for k in form}
        plan = get_scoped(request, Plan.objects.all(), pk=int(form["plan"])) if form["plan"].isdigit() else None
        fy = deadline = None
        if plan is None:
            error = "計画を選んでください。"
        if error is None:
            try:
                fy = fiscal.parse_fiscal_year(form["fy"])
            except fiscal.FiscalYearError as exc:
                error = f"対象年度: {exc}"
        if error is None:
            try:
                deadline = dt.date.fromisoformat(form["deadline"])
            except ValueError:
                error = "提出期限は 2024-06-30 の形（年-月-日）で入力してください。"
        if error is None:
            try:
                new = services.open_round(request.user, plan, fy, deadline, title=form["title"])
            except services.RoundError as exc:
                error = exc.message
            else:
                messages.success(request, f"「{new.plan.name}」の{new.fiscal_year_label}の照会を開始しました。")
                return redirect("rounds:dashboard", pk=new.pk)
    plans = list(scoped(request, Plan.objects.all()).order_by("-period_start", "name")) if access.can_manage else []
    return render(request, "rounds/round_list.html", {
        "rounds": rounds, "access": access, "my_departments": my_departments, "plans": plans,
        "form": form, "error": error, "today": timezone.localdate(),
    }, status=400 if error else 200)


# --- dashboard ---------------------------------------------------------------------------------


@round_view
def dashboard(request, pk: int):
    round = _round(request, pk)
    access = access_of(request)
    _deny_unless(access.can_view_dashboard, "照会の集計（ダッシュボード）を見る権限がありません。所管課のページから回答してください。")
    dash = queries.dashboard(round)
    reminders = services.plan_reminders(round, dash) if access.can_manage and round.is_open else []
    return render(request, "rounds/dashboard.html", {
        "round": round, "dash": dash, "access": access, "reminders": reminders, "deadline_note": _deadline_note(round),
        "states": [(s, STATE_LABELS[s]) for s in STATE_ORDER],
    })


@round_view
def dashboard_json(request, pk: int):
    """The dashboard's counts as JSON — the same document as ``shinchoku round status ROUND --json``."""
    round = _round(request, pk)
    access = access_of(request)
    _deny_unless(access.can_view_dashboard, "照会の集計（ダッシュボード）を見る権限がありません。")
    return JsonResponse(queries.dashboard(round).as_dict(), json_dumps_params={"ensure_ascii": False})


@round_view
def close_view(request, pk: int):
    round = _round(request, pk)
    if request.method != "POST":
        return redirect("rounds:dashboard", pk=pk)
    try:
        summary = services.close_round(request.user, round)
    except services.RoundError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, (
            f"照会を締め切りました。承認済の回答 {summary['answers_copied']}件と指標実績 {summary['actuals_copied']}件を"
            f"{round.fiscal_year_label}の公式の進捗に反映しました（未承認の回答 {summary['answers_not_approved']}件は反映していません）。"
        ))
    return redirect("rounds:dashboard", pk=pk)


@round_view
def reopen_view(request, pk: int):
    round = _round(request, pk)
    if request.method != "POST":
        return redirect("rounds:dashboard", pk=pk)
    try:
        services.reopen_round(request.user, round, reason=request.POST.get("reason", "").strip())
    except services.RoundError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "照会を再開しました。回答の状態はそのまま引き継いでいます。")
    return redirect("rounds:dashboard", pk=pk)


@round_view
def remind_view(request, pk: int):
    round = _round(request, pk)
    if request.method != "POST":
        return redirect("rounds:dashboard", pk=pk)
    try:
        sent = services.remind(request.user, round)
    except services.RoundError as exc:
        messages.error(request, exc.message)
    else:
        mailed = [r for r in sent if r.recipients]
        missing = [r.department for r in sent if not r.recipients]
        text = f"未提出の {len(mailed)}課に督促メールを送りました。"
        if missing:
            text += f"宛先のない課（{'、'.join(missing)}）には送っていません。"
        messages.success(request, text)
    return redirect("rounds:dashboard", pk=pk)


# --- department page ---------------------------------------------------------------------------


def _answer_item(round: Round, row: queries.AnswerRow, access: Access, **extra) -> dict:
    a = row.answer
    values = services._answer_texts(a)
    owner_ids = {o.id for o in row.owners}
    editable = (
        round.is_open
        and access.can_edit_item(owner_ids)
        and (a is None or a.state in services.EDITABLE_STATES or (a.state == WorkflowState.SUBMITTED and access.may_edit_submitted))
    )
    item = {
        "row": row, "node": row.node, "answer": a, "values": values, "editable": editable,
        "state": row.state, "state_label": row.state_label, "version": row.version,
        "error": None, "problems": [], "conflict": None, "saved": False,
    }
    item.update(extra)
    return item


def _actual_item(round: Round, row: queries.ActualRow, access: Access, **extra) -> dict:
    a = row.actual
    owner_ids = {o.id for o in row.owners}
    editable = (
        round.is_open
        and access.can_edit_item(owner_ids)
        and (a is None or a.state in services.EDITABLE_STATES or (a.state == WorkflowState.SUBMITTED and access.may_edit_submitted))
    )
    item = {
        "row": row, "indicator": row.indicator, "actual": a, "values": services._actual_texts(a), "editable": editable,
        "state": row.state, "state_label": row.state_label, "version": row.version,
        "error": None, "conflict": None, "saved": False,
    }
    item.update(extra)
    return item


def _department_context(request, round: Round, department: Department, *, override: dict | None = None) -> dict:
    access = access_of(request)
    ownership = queries.plan_ownership(round.plan)
    form = queries.department_form(round, department, ownership)
    override = override or {}
    groups = []
    for g in form.groups:
        items = []
        for row in g.rows:
            items.append(override.get(("answer", row.node.pk)) or _answer_item(round, row, access))
        groups.append({"parent": g.parent, "items": items})
    actual_items = [override.get(("actual", r.indicator.pk)) or _actual_item(round, r, access) for r in form.actual_rows]
    return {
        "round": round, "department": department, "form": form, "groups": groups, "actual_items": actual_items,
        "access": access, "symbols": _symbols(round), "labels": _labels(round),
        "can_edit": round.is_open and access.can_edit_department(department.pk),
        "can_submit": round.is_open and access.can_edit_department(department.pk)
        and (form.counts.counts["not_started"] + form.counts.counts["draft"] + form.counts.counts["returned"]
             + form.actual_counts.counts["not_started"] + form.actual_counts.counts["draft"]
             + form.actual_counts.counts["returned"]) > 0,
        "other_departments": _departments_for(access, ownership) if access.can_review_read or len(access.department_ids) > 1 else [],
        "deadline_note": _deadline_note(round),
    }


def _departments_for(access: Access, ownership: queries.PlanOwnership):
    deps = ownership.departments()
    if access.editor:
        deps = [d for d in deps if d.id in access.department_ids]
    return deps


@round_view
def department_page(request, pk: int, dep: int):
    round = _round(request, pk)
    department = _department(request, dep)
    access = access_of(request)
    _deny_unless(access.can_view_department(department.pk), f"{department.name}の回答を見る権限がありません（担当所管課のページだけを表示できます）。")
    return render(request, "rounds/department.html", _department_context(request, round, department))


@round_view
def my_department(request, pk: int):
    """An editor's entry point: their (first) department's page."""
    round = _round(request, pk)
    access = access_of(request)
    if access.editor and access.department_ids:
        dep = Department.objects.filter(pk__in=access.department_ids).order_by("name").first()
        return redirect("rounds:department", pk=round.pk, dep=dep.pk)
    return redirect("rounds:dashboard", pk=round.pk)


def _department_for_redirect(request, round: Round, owner_ids: set[int]) -> Department | None:
    access = access_of(request)
    raw = request.POST.get("department") or request.GET.get("department")
    if raw and raw.isdigit():
        dep = scoped(request, Department.objects.filter(pk=int(raw))).first()
        if dep is not None:
            return dep
    candidates = [d for d in owner_ids if not access.editor or d in access.department_ids]
    return Department.objects.filter(pk__in=candidates).order_by("name").first()


@round_view
def save_answer_view(request, pk: int, node: int):
    round = _round(request, pk)
    node_obj = get_scoped(request, PlanNode.objects.select_related("parent", "plan"), pk=node, plan_id=round.plan_id)
    access = access_of(request)
    ownership = queries.plan_ownership(round.plan)
    owner_ids = {o.id for o in ownership.node_owners.get(node_obj.pk, [])}
    _deny_unless(access.can_view_item(owner_ids), f"{node_obj.code} は担当所管課の項目ではありません。")
    department = _department_for_redirect(request, round, owner_ids)

    def fresh_item(**extra):
        row = queries.answer_rows(round, [node_obj.pk], ownership)[0]
        return _answer_item(round, row, access, **extra)

    if request.method != "POST":
        if request.htmx:
            return render(request, "rounds/_answer.html", _row_context(request, round, department, fresh_item()))
        return redirect(_department_url(round, department, f"answer-{node_obj.pk}"))
    posted = {f: request.POST.get(f, "") for f in ("status", "change_reason", "result", "next_year_plan", "later_plan")}

    def on_conflict(item, exc):
        item["conflict"] = {"theirs": item["values"], "mine": posted, "by": exc.current.updated_by if exc.current else None,
                            "at": exc.current.updated_at if exc.current else None}
        item["values"] = {**item["values"], **{k: v.replace("\r\n", "\n").strip() for k, v in posted.items()}}

    item, status_code = _versioned_save(
        request, lambda version: services.save_answer(request.user, round, node_obj, expected_version=version, **posted),
        posted, fresh_item, on_conflict,
    )
    if item is None:
        messages.success(request, f"{node_obj.code} の回答を保存しました。")
        return redirect(_department_url(round, department, f"answer-{node_obj.pk}"))
    if request.htmx:
        return _htmx_render(request, "rounds/_answer.html", _row_context(request, round, department, item), status_code)
    if department is None:
        raise PermissionDenied(item["error"] or "")
    ctx = _department_context(request, round, department, override={("answer", node_obj.pk): item})
    return render(request, "rounds/department.html", ctx, status=status_code)


def _versioned_save(request, save, posted: dict, fresh_item, on_conflict) -> tuple[dict | None, int]:
    """Save an answer or an actual against the version the editor opened.

    Returns ``(None, 200)`` when a plain form saved (the caller redirects), otherwise the row to show
    and its status: 200 saved (htmx), 409 someone saved first (``on_conflict`` shows both versions),
    400 refused input (the typed values are kept).
    """
    try:
        version = int(request.POST.get("version", "0"))
    except ValueError:
        version = -1
    try:
        save(version)
    except services.StaleItemError as exc:
        item = fresh_item(error=str(exc))
        on_conflict(item, exc)
        return item, 409
    except services.RoundError as exc:
        item = fresh_item(error=exc.message)
        item["values"] = posted
        return item, 400
    if not request.htmx:
        return None, 200
    return fresh_item(saved=True), 200


def _row_context(request, round, department, item) -> dict:
    return {"round": round, "department": department, "item": item, "symbols": _symbols(round), "labels": _labels(round),
            "access": access_of(request)}


def _department_url(round: Round, department: Department | None, anchor: str = "") -> str:
    if department is None:
        return reverse("rounds:review", args=[round.pk])
    url = reverse("rounds:department", args=[round.pk, department.pk])
    return f"{url}#{anchor}" if anchor else url


@round_view
def save_actual_view(request, pk: int, indicator: int):
    round = _round(request, pk)
    ind = get_scoped(request, Indicator.objects.all(), pk=indicator, plan_id=round.plan_id)
    access = access_of(request)
    ownership = queries.plan_ownership(round.plan)
    owner_ids = {o.id for o in ownership.indicator_owners.get(ind.pk, [])}
    _deny_unless(access.can_view_item(owner_ids) or (not owner_ids and access.can_review_read),
                 f"指標「{ind.name}」は担当所管課の指標ではありません。")
    department = _department_for_redirect(request, round, owner_ids)

    def fresh_item(**extra):
        row = queries.actual_rows(round, [ind.pk], ownership)[0]
        return _actual_item(round, row, access, **extra)

    if request.method != "POST":
        return redirect(_department_url(round, department, f"actual-{ind.pk}"))
    posted = {"raw_text": request.POST.get("raw_text", ""), "note": request.POST.get("note", "")}

    def on_conflict(item, exc):
        item["conflict"] = {"theirs": item["values"], "mine": posted}
        item["values"] = posted

    item, status_code = _versioned_save(
        request, lambda version: services.save_actual(request.user, round, ind, expected_version=version, **posted),
        posted, fresh_item, on_conflict,
    )
    if item is None:
        messages.success(request, f"指標「{ind.name}」の実績を保存しました。")
        return redirect(_department_url(round, department, f"actual-{ind.pk}"))
    if request.htmx:
        return _htmx_render(request, "rounds/_actual.html", _row_context(request, round, department, item), status_code)
    if department is None:
        messages.error(request, item["error"] or "")
        return redirect("rounds:review", pk=round.pk)
    ctx = _department_context(request, round, department, override={("actual", ind.pk): item})
    return render(request, "rounds/department.html", ctx, status=status_code)


@round_view
def submit_view(request, pk: int, dep: int):
    round = _round(request, pk)
    department = _department(request, dep)
    if request.method != "POST":
        return redirect("rounds:department", pk=pk, dep=dep)
    try:
        result = services.submit_department(request.user, round, department)
    except services.RoundError as exc:
        ctx = _department_context(request, round, department)
        ctx["submit_error"] = exc.message
        ctx["submit_problems"] = exc.problems
        return render(request, "rounds/department.html", ctx, status=400)
    text = f"{department.name}の回答 {result.answers}件"
    if result.actuals:
        text += f"と指標実績 {result.actuals}件"
    messages.success(request, text + "を提出しました。")
    return redirect("rounds:department", pk=pk, dep=dep)


# --- review ------------------------------------------------------------------------------------


@round_view
def review(request, pk: int):
    round = _round(request, pk)
    access = access_of(request)
    _deny_unless(access.can_review_read, "回答の確認（差戻し・承認）のページを見る権限がありません。")
    ownership = queries.plan_ownership(round.plan)
    departments = ownership.departments()
    dep_id = request.GET.get("department", "")
    state = request.GET.get("state", "submitted")
    if state not in STATE_LABELS and state != "all":
        state = "submitted"
    node_ids = ownership.node_ids_of(int(dep_id)) if dep_id.isdigit() else [n.pk for n in ownership.nodes]
    rows = [r for r in queries.answer_rows(round, node_ids, ownership) if state == "all" or r.state == state]
    indicator_ids = ownership.indicator_ids_of(int(dep_id)) if dep_id.isdigit() else [i.pk for i in ownership.indicators]
    actual_rows = [r for r in queries.actual_rows(round, indicator_ids, ownership) if state == "all" or r.state == state]
    unassigned = set(queries.unassigned_indicator_ids(ownership))
    unassigned_items = [
        _actual_item(round, r, access) for r in queries.actual_rows(round, unassigned, ownership)
    ] if access.can_manage and not dep_id else []
    dash = queries.dashboard(round, ownership)
    return render(request, "rounds/review.html", {
        "round": round, "access": access, "departments": departments, "dep_id": dep_id, "state": state,
        "states": [(s, STATE_LABELS[s]) for s in STATE_ORDER], "rows": rows, "actual_rows": actual_rows,
        "unassigned_items": unassigned_items, "labels": _labels(round), "dash": dash, "symbols": _symbols(round),
        "selected_department": next((d for d in departments if str(d.id) == dep_id), None),
        "deadline_note": _deadline_note(round),
    })


def _item(request, round: Round, kind: str, item_pk: int):
    if kind == "answers":
        obj = get_scoped(request, RoundAnswer.objects.select_related("node__parent", "status", "updated_by"), pk=item_pk, round=round)
    elif kind == "actuals":
        obj = get_scoped(request, RoundIndicatorActual.objects.select_related("indicator", "updated_by"), pk=item_pk, round=round)
    else:
        raise Http404("見つかりません")
    obj.round = round
    return obj


def _item_owner_ids(round: Round, item) -> set[int]:
    ownership = queries.plan_ownership(round.plan)
    if isinstance(item, RoundAnswer):
        return {o.id for o in ownership.node_owners.get(item.node_id, [])}
    return {o.id for o in ownership.indicator_owners.get(item.indicator_id, [])}


def _review_row_response(request, round, item, *, error=None, status=200):
    if isinstance(item, RoundAnswer):
        ownership = queries.plan_ownership(round.plan)
        row = queries.answer_rows(round, [item.node_id], ownership)[0]
        template = "rounds/_review_answer.html"
    else:
        ownership = queries.plan_ownership(round.plan)
        row = queries.actual_rows(round, [item.indicator_id], ownership)[0]
        template = "rounds/_review_actual.html"
    return _htmx_render(request, template, {"round": round, "row": row, "access": access_of(request), "error": error,
                                            "labels": _labels(round)}, status)


@round_view
def return_view(request, pk: int, kind: str, item: int):
    round = _round(request, pk)
    obj = _item(request, round, kind, item)
    if request.method != "POST":
        return redirect("rounds:review", pk=pk)
    error = None
    try:
        version = int(request.POST.get("version") or obj.version)
        services.return_answer(request.user, obj, request.POST.get("comment", ""), expected_version=version)
    except services.StaleItemError as exc:
        error = str(exc)
    except services.RoundError as exc:
        error = exc.message
    return _after_review(request, round, obj, error, "差し戻しました")


@round_view
def approve_view(request, pk: int, kind: str, item: int):
    round = _round(request, pk)
    obj = _item(request, round, kind, item)
    if request.method != "POST":
        return redirect("rounds:review", pk=pk)
    error = None
    try:
        version = int(request.POST.get("version") or obj.version)
        services.approve_answer(request.user, obj, expected_version=version)
    except services.StaleItemError as exc:
        error = str(exc)
    except services.RoundError as exc:
        error = exc.message
    return _after_review(request, round, obj, error, "承認しました")


def _after_review(request, round, obj, error, done: str):
    label = obj.node.code if isinstance(obj, RoundAnswer) else obj.indicator.name
    if request.htmx:
        return _review_row_response(request, round, obj, error=error, status=400 if error else 200)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"{label} を{done}。")
    back = request.POST.get("next") or reverse("rounds:review", args=[round.pk])
    if not back.startswith("/"):
        back = reverse("rounds:review", args=[round.pk])
    return redirect(back)


@round_view
def approve_department_view(request, pk: int, dep: int):
    round = _round(request, pk)
    department = _department(request, dep)
    if request.method != "POST":
        return redirect("rounds:review", pk=pk)
    try:
        count = services.approve_department(request.user, round, department)
    except services.RoundError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{department.name}の提出済の回答 {count}件を承認しました。")
    return redirect(reverse("rounds:review", args=[pk]) + f"?department={dep}")


# --- history -----------------------------------------------------------------------------------

HIDDEN_HISTORY_FIELDS = {"municipality_id", "round_id", "node_id", "indicator_id", "updated_at"}


@round_view
def history(request, pk: int, kind: str, item: int):
    round = _round(request, pk)
    obj = _item(request, round, kind, item)
    access = access_of(request)
    _deny_unless(access.can_view_item(_item_owner_ids(round, obj)) or (access.can_review_read),
                 "この回答の変更履歴を見る権限がありません。")
    model = type(obj)
    names = {f.attname: f.verbose_name for f in model._meta.concrete_fields}
    from django.contrib.auth import get_user_model

    from shinchoku.plans.models import StatusSymbol

    entries = list(history_for(obj).order_by("timestamp", "id"))
    user_ids, symbol_ids = set(), set()
    for e in entries:
        for rec in (e.before or {}, e.after or {}):
            for k, v in rec.items():
                if k.endswith("_by_id") and v:
                    user_ids.add(v)
                if k == "status_id" and v:
                    symbol_ids.add(v)
    users = dict(get_user_model().objects.filter(pk__in=user_ids).values_list("pk", "username"))
    symbols = dict(StatusSymbol.objects.filter(pk__in=symbol_ids).values_list("pk", "symbol"))

    def show(key, value):
        if value in (None, ""):
            return "（空欄）"
        if key.endswith("_by_id"):
            return users.get(value, f"#{value}")
        if key == "status_id":
            return symbols.get(value, f"#{value}")
        if key == "state":
            return STATE_LABELS.get(value, value)
        if key.endswith("_at") and isinstance(value, str):
            try:
                return timezone.localtime(dt.datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M")
            except ValueError:
                return value
        return value

    rows = []
    for e in entries:
        changes = [
            (names.get(k, k), show(k, b), show(k, a))
            for k, b, a in e.changed_fields() if k not in HIDDEN_HISTORY_FIELDS and show(k, b) != show(k, a)
        ]
        rows.append({"entry": e, "changes": changes})
    return render(request, "rounds/history.html", {
        "round": round, "item": obj, "kind": kind, "rows": rows,
        "title": f"{obj.node.code} {obj.node.title}" if isinstance(obj, RoundAnswer) else f"{obj.indicator.code} {obj.indicator.name}",
    })


# --- XLSX --------------------------------------------------------------------------------------


@round_view
def export_view(request, pk: int, dep: int):
    round = _round(request, pk)
    department = _department(request, dep)
    access = access_of(request)
    _deny_unless(access.can_view_department(department.pk), f"{department.name}の様式を出力する権限がありません。")
    form = queries.department_form(round, department)
    data = xlsx.workbook_bytes(form, exported_by=request.user.get_username())
    filename = f"照会{round.pk}_{round.fiscal_year}_{department.name}.xlsx"
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename=\"round{round.pk}_{department.pk}.xlsx\"; filename*=UTF-8''{quote(filename)}"
    return response


@round_view
def import_view(request, pk: int, dep: int):
    """Upload → dry run with the per-cell diff → confirm (apply all-or-nothing)."""
    round = _round(request, pk)
    department = _department(request, dep)
    access = access_of(request)
    _deny_unless(access.can_edit_department(department.pk),
                 f"{department.name}の様式を取り込めるのは、その所管課の担当者と企画課だけです。")
    ctx = {"round": round, "department": department, "access": access, "labels": _labels(round),
           "deadline_note": _deadline_note(round)}
    if request.method != "POST":
        return render(request, "rounds/import.html", ctx)
    step = request.GET.get("step") or "preview"
    if step == "apply":
        return _import_apply(request, round, department, ctx)
    limit = _max_upload()
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > limit + 64 * 1024:
        # Refused before Django reads the body into a temporary file.
        ctx["problems"] = [Problem(f"ファイルが大きすぎます（{length / 1024 / 1024:.1f} MB、上限 {limit / 1024 / 1024:.0f} MB）。出力した様式に記入したファイルを取り込んでください。", file="アップロードしたファイル")]
        return render(request, "rounds/import.html", ctx, status=413)
    upload = request.FILES.get("file")
    if upload is None:
        ctx["problems"] = [Problem("ファイルを選んでください。")]
        return render(request, "rounds/import.html", ctx, status=400)
    submit = request.POST.get("submit") == "1"
    try:
        parsed = xlsx.parse_workbook(
            upload, round=round, department=department, status_symbols=[s.symbol for s in _symbols(round)],
            size=upload.size, name=upload.name,
        )
        result = services.import_department_form(request.user, round, department, parsed, dry_run=True, submit=submit)
    except ImportFailed as exc:
        ctx["problems"] = exc.problems
        return render(request, "rounds/import.html", ctx, status=400)
    token = uuid.uuid4().hex
    pending = request.session.get(UPLOAD_SESSION_KEY, {})
    pending = {k: v for k, v in pending.items() if v.get("round") != round.pk or v.get("department") != department.pk}
    pending[token] = {"round": round.pk, "department": department.pk, "submit": submit, "parsed": parsed.as_dict(),
                      "user": request.user.pk}
    request.session[UPLOAD_SESSION_KEY] = pending
    ctx.update(result=result, token=token, submit=submit)
    return render(request, "rounds/import.html", ctx)


def _import_apply(request, round, department, ctx):
    token = request.POST.get("token", "")
    pending = request.session.get(UPLOAD_SESSION_KEY, {})
    stash = pending.get(token)
    if not stash or stash["round"] != round.pk or stash["department"] != department.pk or stash["user"] != request.user.pk:
        ctx["problems"] = [Problem("取り込む内容が見つかりません（期限切れか、別の画面で取り込み済みです）。もう一度ファイルを選んでください。")]
        return render(request, "rounds/import.html", ctx, status=400)
    parsed = xlsx.ParsedForm.from_dict(stash["parsed"])
    try:
        result = services.import_department_form(request.user, round, department, parsed, dry_run=False, submit=stash["submit"])
    except ImportFailed as exc:
        ctx["problems"] = exc.problems
        return render(request, "rounds/import.html", ctx, status=400)
    finally:
        pending.pop(token, None)
        request.session[UPLOAD_SESSION_KEY] = pending
    text = f"「{parsed.file}」を取り込みました（{result.rows_changed}行、{len(result.changes)}セルを更新）。"
    if result.submitted is not None:
        text += f"回答 {result.submitted.answers}件"
        if result.submitted.actuals:
            text += f"と指標実績 {result.submitted.actuals}件"
        text += "を提出しました。"
    messages.success(request, text)
    return redirect("rounds:department", pk=round.pk, dep=department.pk)


def _max_upload() -> int:
    from django.conf import settings

    return settings.SHINCHOKU_MAX_UPLOAD_BYTES

