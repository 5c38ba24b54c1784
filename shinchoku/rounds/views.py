"""Pages of survey rounds (照会). Thin: read through ``queries``, write through ``actions``.

Every page is scoped to the request's municipality (another municipality's round is 404) and asks
:mod:`shinchoku.rounds.rules` (403 with the Japanese reason, ``core.web.member_view``); the actions
ask again. Inline saving uses htmx (the row is swapped in place) and every form also works as a
plain POST without JavaScript (redirect back, or the whole page with the row's error).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from shinchoku.core import fiscal, notify
from shinchoku.core.access import Access
from shinchoku.core.actions import StaleError
from shinchoku.core.changelog import history_for
from shinchoku.core.models import Department
from shinchoku.core.rules import require
from shinchoku.core.uploads import UploadFlow
from shinchoku.core.views_helpers import get_scoped, scoped
from shinchoku.core.render_xlsx import XLSX_CONTENT_TYPE
from shinchoku.core.web import (
    access_of,
    confirmation,
    confirmed,
    download,
    json_response,
    member_view,
    perform,
    render_outcome,
    safe_next,
)
from shinchoku.indicators.models import Indicator
from shinchoku.plans.models import Plan, PlanNode
from shinchoku.rounds import actions, queries, rules, xlsx
from shinchoku.rounds.models import (
    STATE_LABELS,
    STATE_ORDER,
    Round,
    RoundAnswer,
    RoundIndicatorActual,
    WorkflowState,
)
from shinchoku.rounds.rules import Abilities


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


def _may(request, round_or_municipality_id) -> Abilities:
    municipality_id = getattr(round_or_municipality_id, "municipality_id", round_or_municipality_id)
    return Abilities(access_of(request), municipality_id)


# --- list / open -------------------------------------------------------------------------------


@member_view
def round_list(request):
    access = access_of(request)
    require(rules.view_rounds(access, access.municipality_id))
    may = _may(request, access.municipality_id)
    rounds = list(scoped(request, Round.objects.select_related("plan")).order_by("-fiscal_year", "-opened_at"))
    my_departments = list(Department.objects.filter(pk__in=access.own_department_ids).order_by("name")) if access.is_editor else []
    error = None
    form = {"plan": "", "fy": "", "deadline": "", "title": ""}
    if request.method == "POST":
        require(rules.manage(access, access.municipality_id, "open"))
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
                new = actions.open_round(access, plan, fy, deadline, title=form["title"])
            except actions.RoundError as exc:
                error = exc.message
            else:
                messages.success(request, f"「{new.plan.name}」の{new.fiscal_year_label}の照会を開始しました。")
                return redirect("rounds:dashboard", pk=new.pk)
    plans = list(scoped(request, Plan.objects.all()).order_by("-period_start", "name")) if may.manage else []
    return render(request, "rounds/round_list.html", {
        "rounds": rounds, "access": access, "may": may, "my_departments": my_departments, "plans": plans,
        "form": form, "error": error, "today": timezone.localdate(),
    }, status=400 if error else 200)


# --- dashboard ---------------------------------------------------------------------------------


@member_view
def dashboard(request, pk: int):
    round = _round(request, pk)
    access = access_of(request)
    require(rules.view_dashboard(access, round.municipality_id))
    may = _may(request, round)
    dash = queries.dashboard(round)
    reminders = actions.plan_reminders(round, dash) if may.manage and round.is_open else []
    return render(request, "rounds/dashboard.html", {
        "round": round, "dash": dash, "access": access, "may": may, "reminders": reminders, "deadline_note": _deadline_note(round),
        "states": [(s, STATE_LABELS[s]) for s in STATE_ORDER],
    })


@member_view
def dashboard_json(request, pk: int):
    """The dashboard's counts as JSON — the same document as ``shinchoku round status ROUND --json``."""
    round = _round(request, pk)
    require(rules.view_dashboard(access_of(request), round.municipality_id))
    return json_response(queries.dashboard(round).as_dict())


@member_view
def close_view(request, pk: int):
    round = _round(request, pk)
    back = reverse("rounds:dashboard", args=[pk])
    if not confirmed(request):
        require(rules.manage(access_of(request), round.municipality_id, "close"))
        dash = queries.dashboard(round)
        a, x = dash.answers, dash.actuals
        return confirmation(
            request, title=f"「{round.display_title}」を締め切る", back=back, button="締め切る", danger=True,
            lead=f"承認済の回答と指標実績が{round.fiscal_year_label}の公式の進捗・実績になります。",
            counts=[
                ("公式の進捗に反映する回答（承認済）", f"{a.counts['approved']}件"),
                ("反映しない回答（提出済・下書き・差戻し・未着手）",
                 f"{a.not_approved}件（{a.counts['submitted']}・{a.counts['draft']}・{a.counts['returned']}・{a.counts['not_started']}）"),
                ("反映する指標実績（承認済）", f"{x.counts['approved']}件"),
                ("反映しない指標実績", f"{x.not_approved}件"),
            ],
            notes=[
                "締め切った後に保存・提出・承認しようとした操作はすべて断られます。締切後も照会は再開できます（履歴は残ります）。",
            ],
        )
    return perform(
        request, lambda: actions.close_round(access_of(request), round), back=back,
        success=lambda summary: (
            f"照会を締め切りました。承認済の回答 {summary['answers_copied']}件と指標実績 {summary['actuals_copied']}件を"
            f"{round.fiscal_year_label}の公式の進捗に反映しました（未承認の回答 {summary['answers_not_approved']}件は反映していません）。"
        ),
    )


@member_view
def reopen_view(request, pk: int):
    round = _round(request, pk)
    return perform(
        request, lambda: actions.reopen_round(access_of(request), round, reason=request.POST.get("reason", "").strip()),
        back=reverse("rounds:dashboard", args=[pk]), success="照会を再開しました。回答の状態はそのまま引き継いでいます。",
    )


def _reminded(sent) -> str:
    mailed = [r for r in sent if r.recipients]
    missing = [r.department for r in sent if not r.recipients]
    text = f"未提出の {len(mailed)}課に督促メールを送りました。"
    if missing:
        text += f"宛先のない課（{'、'.join(missing)}）には送っていません。"
    return text


@member_view
def remind_view(request, pk: int):
    round = _round(request, pk)
    back = reverse("rounds:dashboard", args=[pk])
    if not confirmed(request):
        require(rules.manage(access_of(request), round.municipality_id, "remind"))
        reminders = actions.plan_reminders(round)
        mailed = [r for r in reminders if r.recipients]
        missing = [r for r in reminders if not r.recipients]
        return confirmation(
            request, title="督促メールを送る", back=back, button=f"{len(mailed)}課に送る",
            counts=[("送る所管課", f"{len(mailed)}課"), ("未提出の項目", f"{sum(r.pending_total for r in mailed)}件"),
                    ("宛先がなく送れない所管課", f"{len(missing)}課")],
            items=[f"{r.department}: 未提出 {r.pending_total}件 → {'、'.join(r.recipients) or '宛先なし'}" for r in reminders],
            items_label="所管課と宛先",
        )
    return perform(
        request, lambda: actions.remind(access_of(request), round, base_url=notify.base_url(request)),
        back=back, success=_reminded,
    )


# --- department page ---------------------------------------------------------------------------


def _editable(round: Round, access: Access, owner_ids: set[int], item) -> bool:
    return (
        round.is_open
        and rules.edit_item(access, round.municipality_id, owner_ids, "") is None
        and (item is None or item.state in actions.EDITABLE_STATES
             or (item.state == WorkflowState.SUBMITTED and rules.edit_submitted(access)))
    )


def _answer_item(round: Round, row: queries.AnswerRow, access: Access, **extra) -> dict:
    a = row.answer
    item = {
        "row": row, "node": row.node, "answer": a, "values": actions._answer_texts(a),
        "editable": _editable(round, access, {o.id for o in row.owners}, a),
        "state": row.state, "state_label": row.state_label, "version": row.version,
        "error": None, "problems": [], "conflict": None, "saved": False,
    }
    item.update(extra)
    return item


def _actual_item(round: Round, row: queries.ActualRow, access: Access, **extra) -> dict:
    a = row.actual
    item = {
        "row": row, "indicator": row.indicator, "actual": a, "values": actions._actual_texts(a),
        "editable": _editable(round, access, {o.id for o in row.owners}, a),
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
        items = [override.get(("answer", row.node.pk)) or _answer_item(round, row, access) for row in g.rows]
        groups.append({"parent": g.parent, "items": items})
    actual_items = [override.get(("actual", r.indicator.pk)) or _actual_item(round, r, access) for r in form.actual_rows]
    may = _may(request, round)
    may_edit = round.is_open and rules.edit_department(access, round.municipality_id, department.pk, department.name) is None
    pending = sum(
        counts.counts[s] for counts in (form.counts, form.actual_counts) for s in ("not_started", "draft", "returned")
    )
    return {
        "round": round, "department": department, "form": form, "groups": groups, "actual_items": actual_items,
        "access": access, "may": may, "symbols": _symbols(round), "labels": _labels(round),
        "can_edit": may_edit, "can_submit": may_edit and pending > 0,
        "other_departments": _departments_for(access, ownership) if may.read_all or len(access.department_ids) > 1 else [],
        "deadline_note": _deadline_note(round),
    }


def _departments_for(access: Access, ownership: queries.PlanOwnership):
    deps = ownership.departments()
    if access.is_editor:
        deps = [d for d in deps if d.id in access.department_ids]
    return deps


@member_view
def department_page(request, pk: int, dep: int):
    round = _round(request, pk)
    department = _department(request, dep)
    require(rules.view_department(access_of(request), round.municipality_id, department.pk, department.name))
    return render(request, "rounds/department.html", _department_context(request, round, department))


@member_view
def my_department(request, pk: int):
    """An editor's entry point: their (first) department's page."""
    round = _round(request, pk)
    access = access_of(request)
    if access.is_editor and access.own_department_ids:
        dep = Department.objects.filter(pk__in=access.own_department_ids).order_by("name").first()
        return redirect("rounds:department", pk=round.pk, dep=dep.pk)
    return redirect("rounds:dashboard", pk=round.pk)


def _department_for_redirect(request, round: Round, owner_ids: set[int]) -> Department | None:
    access = access_of(request)
    raw = request.POST.get("department") or request.GET.get("department")
    if raw and raw.isdigit():
        dep = scoped(request, Department.objects.filter(pk=int(raw))).first()
        if dep is not None:
            return dep
    candidates = [d for d in owner_ids if not access.is_editor or d in access.department_ids]
    return Department.objects.filter(pk__in=candidates).order_by("name").first()


def _posted_version(request) -> int:
    try:
        return int(request.POST.get("version", "0"))
    except ValueError:
        return -1


def _versioned_save(request, save, posted: dict, fresh_item, on_conflict) -> tuple[dict | None, int]:
    """Save an answer or an actual against the version the editor opened.

    Returns ``(None, 200)`` when a plain form saved (the caller redirects), otherwise the row to show
    and its status: 200 saved (htmx), 409 someone saved first (``on_conflict`` shows both versions),
    400 refused input (the typed values are kept). A refusal by the rules is the 403 page.
    """
    try:
        save(_posted_version(request))
    except StaleError as exc:
        item = fresh_item(error=str(exc))
        on_conflict(item, exc)
        return item, 409
    except actions.RoundError as exc:
        item = fresh_item(error=exc.message)
        item["values"] = posted
        return item, 400
    if not request.htmx:
        return None, 200
    return fresh_item(saved=True), 200


def _row_context(request, round, department, item) -> dict:
    return {"round": round, "department": department, "item": item, "symbols": _symbols(round), "labels": _labels(round),
            "access": access_of(request), "may": _may(request, round)}


def _department_url(round: Round, department: Department | None, anchor: str = "") -> str:
    if department is None:
        return reverse("rounds:review", args=[round.pk])
    url = reverse("rounds:department", args=[round.pk, department.pk])
    return f"{url}#{anchor}" if anchor else url


@member_view
def save_answer_view(request, pk: int, node: int):
    round = _round(request, pk)
    node_obj = get_scoped(request, PlanNode.objects.select_related("parent", "plan"), pk=node, plan_id=round.plan_id)
    access = access_of(request)
    ownership = queries.plan_ownership(round.plan)
    owner_ids = {o.id for o in ownership.node_owners.get(node_obj.pk, [])}
    require(rules.view_item(access, round.municipality_id, owner_ids, f"{node_obj.code} の回答"))
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
        current = exc.current
        item["conflict"] = {"theirs": item["values"], "mine": posted, "by": exc.updated_by,
                            "at": current.updated_at if current is not None else None}
        item["values"] = {**item["values"], **{k: v.replace("\r\n", "\n").strip() for k, v in posted.items()}}

    item, status_code = _versioned_save(
        request, lambda version: actions.save_answer(access, round, node_obj, expected_version=version, **posted),
        posted, fresh_item, on_conflict,
    )
    if item is None:
        messages.success(request, f"{node_obj.code} の回答を保存しました。")
        return redirect(_department_url(round, department, f"answer-{node_obj.pk}"))
    if request.htmx:
        return render_outcome(request, "rounds/_answer.html", _row_context(request, round, department, item), status_code)
    if department is None:
        messages.error(request, item["error"] or "")
        return redirect("rounds:review", pk=round.pk)
    ctx = _department_context(request, round, department, override={("answer", node_obj.pk): item})
    return render(request, "rounds/department.html", ctx, status=status_code)


@member_view
def save_actual_view(request, pk: int, indicator: int):
    round = _round(request, pk)
    ind = get_scoped(request, Indicator.objects.all(), pk=indicator, plan_id=round.plan_id)
    access = access_of(request)
    ownership = queries.plan_ownership(round.plan)
    owner_ids = {o.id for o in ownership.indicator_owners.get(ind.pk, [])}
    if owner_ids or not _may(request, round).read_all:
        require(rules.view_item(access, round.municipality_id, owner_ids, f"指標「{ind.name}」の実績"))
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
        request, lambda version: actions.save_actual(access, round, ind, expected_version=version, **posted),
        posted, fresh_item, on_conflict,
    )
    if item is None:
        messages.success(request, f"指標「{ind.name}」の実績を保存しました。")
        return redirect(_department_url(round, department, f"actual-{ind.pk}"))
    if request.htmx:
        return render_outcome(request, "rounds/_actual.html", _row_context(request, round, department, item), status_code)
    if department is None:
        messages.error(request, item["error"] or "")
        return redirect("rounds:review", pk=round.pk)
    ctx = _department_context(request, round, department, override={("actual", ind.pk): item})
    return render(request, "rounds/department.html", ctx, status=status_code)


@member_view
def submit_view(request, pk: int, dep: int):
    round = _round(request, pk)
    department = _department(request, dep)
    if request.method != "POST":
        return redirect("rounds:department", pk=pk, dep=dep)
    if not confirmed(request):
        require(rules.edit_department(access_of(request), round.municipality_id, department.pk, department.name))
        form = queries.department_form(round, department)
        pending = {s: form.counts.counts[s] for s in ("draft", "returned", "not_started")}
        actual_pending = sum(form.actual_counts.counts[s] for s in ("draft", "returned", "not_started"))
        return confirmation(
            request, title=f"{department.name}の回答を提出する", back=reverse("rounds:department", args=[pk, dep]),
            button="提出する",
            counts=[("提出する回答（下書き・差戻し）", f"{pending['draft'] + pending['returned']}件"),
                    ("未回答の項目", f"{pending['not_started']}件"), ("指標実績（未提出）", f"{actual_pending}件")],
            notes=["提出した回答は、企画課が差し戻すまで変更できません。未記入の項目があるときは提出せず、その項目を示します。"],
        )
    try:
        result = actions.submit_department(access_of(request), round, department)
    except actions.RoundError as exc:
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


@member_view
def review(request, pk: int):
    round = _round(request, pk)
    access = access_of(request)
    require(rules.read_all_answers(access, round.municipality_id))
    may = _may(request, round)
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
    ] if may.manage and not dep_id else []
    dash = queries.dashboard(round, ownership)
    return render(request, "rounds/review.html", {
        "round": round, "access": access, "may": may, "departments": departments, "dep_id": dep_id, "state": state,
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
    ownership = queries.plan_ownership(round.plan)
    if isinstance(item, RoundAnswer):
        row = queries.answer_rows(round, [item.node_id], ownership)[0]
        template = "rounds/_review_answer.html"
    else:
        row = queries.actual_rows(round, [item.indicator_id], ownership)[0]
        template = "rounds/_review_actual.html"
    return render_outcome(request, template, {"round": round, "row": row, "access": access_of(request),
                                              "may": _may(request, round), "error": error, "labels": _labels(round)}, status)


def _review(request, pk: int, kind: str, item: int, act, done: str):
    """Return or approve one answer or actual; htmx swaps the row, a plain form goes back."""
    round = _round(request, pk)
    obj = _item(request, round, kind, item)
    if request.method != "POST":
        return redirect("rounds:review", pk=pk)
    error, status = None, 200
    try:
        version = int(request.POST.get("version") or obj.version)
        act(access_of(request), obj, version)
    except StaleError as exc:
        error, status = str(exc), 409
    except actions.RoundError as exc:
        error, status = exc.message, 400
    label = obj.node.code if isinstance(obj, RoundAnswer) else obj.indicator.name
    if request.htmx:
        return _review_row_response(request, round, obj, error=error, status=status)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"{label} を{done}。")
    return redirect(safe_next(request, reverse("rounds:review", args=[round.pk])))


@member_view
def return_view(request, pk: int, kind: str, item: int):
    comment = request.POST.get("comment", "")
    return _review(request, pk, kind, item,
                   lambda access, obj, version: actions.return_answer(access, obj, comment, expected_version=version),
                   "差し戻しました")


@member_view
def approve_view(request, pk: int, kind: str, item: int):
    return _review(request, pk, kind, item,
                   lambda access, obj, version: actions.approve_answer(access, obj, expected_version=version),
                   "承認しました")


@member_view
def approve_department_view(request, pk: int, dep: int):
    round = _round(request, pk)
    department = _department(request, dep)
    back = reverse("rounds:review", args=[pk]) + f"?department={dep}"
    if not confirmed(request):
        require(rules.review(access_of(request), round.municipality_id))
        form = queries.department_form(round, department)
        return confirmation(
            request, title=f"{department.name}の提出済をすべて承認する", back=back, button="すべて承認する",
            counts=[("承認する回答（提出済）", f"{form.counts.counts['submitted']}件"),
                    ("承認する指標実績（提出済）", f"{form.actual_counts.counts['submitted']}件")],
            items=[f"{r.node.code} {r.node.title}" for r in form.rows if r.state == WorkflowState.SUBMITTED],
            items_label="承認する回答",
            notes=["内容を確認していない回答も承認されます。1件ずつ確認するときは、回答の確認の画面で承認してください。"],
        )
    return perform(
        request, lambda: actions.approve_department(access_of(request), round, department), back=back,
        success=lambda count: f"{department.name}の提出済の回答 {count}件を承認しました。",
    )


# --- history -----------------------------------------------------------------------------------

HIDDEN_HISTORY_FIELDS = {"municipality_id", "round_id", "node_id", "indicator_id", "updated_at"}


@member_view
def history(request, pk: int, kind: str, item: int):
    round = _round(request, pk)
    obj = _item(request, round, kind, item)
    access = access_of(request)
    require(rules.view_item(access, round.municipality_id, _item_owner_ids(round, obj), "この回答の変更履歴"))
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


@member_view
def export_view(request, pk: int, dep: int):
    round = _round(request, pk)
    department = _department(request, dep)
    require(rules.view_department(access_of(request), round.municipality_id, department.pk, department.name))
    form = queries.department_form(round, department)
    data = xlsx.workbook_bytes(form, exported_by=request.user.get_username())
    return download(data, f"照会{round.pk}_{round.fiscal_year}_{department.name}.xlsx", XLSX_CONTENT_TYPE)


def _import_done(round: Round, department: Department):
    def done(request, result, filename: str):
        text = f"「{filename}」を取り込みました（{result.rows_changed}行、{len(result.changes)}セルを更新）。"
        if result.submitted is not None:
            text += f"回答 {result.submitted.answers}件"
            if result.submitted.actuals:
                text += f"と指標実績 {result.submitted.actuals}件"
            text += "を提出しました。"
        messages.success(request, text)
        return redirect("rounds:department", pk=round.pk, dep=department.pk)

    return done


@member_view
def import_view(request, pk: int, dep: int):
    """Upload → dry run with the per-cell diff → confirm (apply all-or-nothing)."""
    round = _round(request, pk)
    department = _department(request, dep)
    access = access_of(request)
    require(rules.edit_department(access, round.municipality_id, department.pk, department.name, "import"))

    def run(path: Path, name: str, dry_run: bool, options: dict):
        with path.open("rb") as handle:
            parsed = xlsx.parse_workbook(
                handle, round=round, department=department, status_symbols=[s.symbol for s in _symbols(round)],
                size=path.stat().st_size, name=name,
            )
        return actions.import_department_form(access, round, department, parsed, dry_run=dry_run,
                                              submit=options.get("submit") == "1")

    flow = UploadFlow(
        key=f"round-form:{round.pk}:{department.pk}", template="rounds/import.html", run=run,
        done=_import_done(round, department), options=("submit",),
        context={"round": round, "department": department, "access": access, "may": _may(request, round),
                 "labels": _labels(round), "deadline_note": _deadline_note(round)},
        preview=lambda result: {"submit": result.submit},
    )
    return flow.handle(request)
