"""Pages of the audit register: audits, findings with their answers, the follow-up list (page, XLSX, PDF).

Views stay thin: reads through :mod:`shinchoku.audits.queries`, writes through
:mod:`shinchoku.audits.services` (which check permissions and raise PermissionDenied → 403 page with
the reason, or ValidationError → message on the page).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from shinchoku.audits import queries, services
from shinchoku.audits.forms import (
    AuditForm,
    EvidenceForm,
    FindingForm,
    PlanNodeLinkForm,
    ResponseForm,
    ReviewForm,
    split_codes,
)
from shinchoku.audits.models import Audit, Evidence, Finding, Response, ResponseState
from shinchoku.audits.reports import follow_up_pdf, follow_up_xlsx
from shinchoku.core import fiscal, notify
from shinchoku.core.models import Role
from shinchoku.core.notify import reminder_log_rows
from shinchoku.core.permissions import (
    covered_department_ids,
    forbidden,
    require_planning,
    service_view,
    validation_messages,
)
from shinchoku.core.render_pdf import PdfRenderError
from shinchoku.core.render_xlsx import XLSX_CONTENT_TYPE
from shinchoku.core.tenancy import tenant_for
from shinchoku.core.views_helpers import fiscal_year_param, get_scoped, report_reminders, scoped
from shinchoku.plans.models import Plan, PlanNode


def _covered(request) -> set[int] | None:
    """Department ids the user answers for; ``None`` = everything (planning division)."""
    tenant = tenant_for(request)
    if tenant.is_planning:
        return None
    if tenant.role == Role.DEPARTMENT_EDITOR:
        return covered_department_ids(tenant)
    return set()


def _sees_drafts(request, finding_department_ids: set[int], covered: set[int] | None) -> bool:
    tenant = tenant_for(request)
    if tenant.can_read_all:
        return True
    return covered is not None and bool(finding_department_ids & covered)


@login_required
def audit_list(request):
    tenant = tenant_for(request)
    audits = list(scoped(request, Audit.objects.all()).order_by("-fiscal_year", "kind", "theme"))
    rows = queries.finding_rows(scoped(request, queries.findings_queryset(tenant.municipality)) if tenant.municipality else [])
    by_audit: dict[int, list] = {}
    for r in rows:
        by_audit.setdefault(r.audit.pk, []).append(r)
    items = [
        {"audit": a, "total": len(by_audit.get(a.pk, [])), "counts": queries.state_counts(by_audit.get(a.pk, [])),
         "pending": sum(r.pending for r in by_audit.get(a.pk, []))}
        for a in audits
    ]
    return render(request, "audits/audit_list.html", {"items": items, "states": queries.STATE_ORDER})


@login_required
def audit_detail(request, pk: int):
    audit = get_scoped(request, Audit.objects.all(), pk=pk)
    covered = _covered(request)
    department = request.GET.get("department") or ""
    state = request.GET.get("state") or ""
    mine = request.GET.get("mine") == "1"
    all_rows = queries.finding_rows(queries.findings_queryset(audit.municipality).filter(audit=audit).order_by("order"))
    rows = [
        r for r in all_rows
        if (not department or department in r.departments)
        and (not state or r.state_label == state)
        and (not mine or covered is None or {d.pk for d in r.finding.departments.all()} & covered)
    ]
    return render(request, "audits/audit_detail.html", {
        "audit": audit,
        "rows": rows,
        "total": len(all_rows),
        "counts": queries.state_counts(all_rows),
        "department_counts": queries.department_counts(all_rows),
        "departments": sorted({d for r in all_rows for d in r.departments}),
        "department": department,
        "state": state,
        "states": queries.STATE_ORDER,
        "mine": mine,
        "is_editor": covered is not None and bool(covered),
    })


def _finding_context(request, finding: Finding) -> dict:
    tenant = tenant_for(request)
    covered = _covered(request)
    departments = list(finding.departments.all())
    dept_ids = {d.pk for d in departments}
    can_answer = covered is None or bool(dept_ids & covered)
    can_answer = can_answer and tenant.role is not None and (tenant.is_planning or tenant.role == Role.DEPARTMENT_EDITOR)
    sees_drafts = _sees_drafts(request, dept_ids, covered)
    responses = list(finding.responses.select_related("department", "submitted_by", "approved_by").prefetch_related("evidence").order_by("date", "id"))
    visible = responses if sees_drafts else [r for r in responses if r.is_approved]
    answerable = [d for d in departments if covered is None or d.pk in covered]
    plans = list(Plan.objects.filter(municipality=finding.municipality).order_by("-period_start", "name"))
    approved = [r for r in responses if r.is_approved]
    return {
        "finding": finding,
        "audit": finding.audit,
        "departments": departments,
        "responses": visible,
        "hidden_drafts": len(responses) - len(visible),
        "official": approved[-1] if approved else None,
        "can_answer": can_answer,
        "can_review": tenant.is_planning,
        "response_form": ResponseForm(departments=answerable) if can_answer else None,
        "evidence_form": EvidenceForm() if can_answer else None,
        "review_form": ReviewForm() if tenant.is_planning else None,
        "link_form": PlanNodeLinkForm(plans=plans, initial={
            "codes": ", ".join(n.code for n in finding.plan_nodes.all()),
            "plan": plans[0].pk if plans else None,
        }) if tenant.is_planning and plans else None,
        "plan_nodes": list(finding.plan_nodes.select_related("plan").all()),
        "none_label": ResponseState.NONE.label,
        "reminder_log": reminder_log_rows(finding.reminder_log) if tenant.can_read_all or can_answer else [],
    }


@login_required
def finding_detail(request, pk: int):
    finding = get_scoped(request, Finding.objects.select_related("audit"), pk=pk)
    return render(request, "audits/finding_detail.html", _finding_context(request, finding))


def _back(finding: Finding):
    return redirect(reverse("audits:finding", args=[finding.pk]))


@login_required
@require_POST
@service_view
def finding_respond(request, pk: int):
    finding = get_scoped(request, Finding.objects.select_related("audit"), pk=pk)
    departments = list(finding.departments.all())
    form = ResponseForm(request.POST, departments=departments)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for e in errors:
                messages.error(request, f"{form.fields[field].label if field in form.fields else ''}: {e}")
        return _back(finding)
    dept_id = form.cleaned_data.get("department")
    department = next((d for d in departments if d.pk == dept_id), None) if dept_id else None
    try:
        services.submit_response(
            request.user, finding, text=form.cleaned_data["text"], state=form.cleaned_data["state"],
            date=form.cleaned_data["date"], department=department,
        )
    except ValidationError as exc:
        for m in validation_messages(exc):
            messages.error(request, m)
        return _back(finding)
    messages.success(request, f"{finding.label}への措置を登録しました（承認待ち）")
    return _back(finding)


@login_required
@require_POST
@service_view
def response_review(request, pk: int, action: str):
    response = get_scoped(request, Response.objects.select_related("finding"), pk=pk)
    form = ReviewForm(request.POST)
    form.is_valid()
    comment = form.cleaned_data.get("comment", "")
    try:
        if action == "approve":
            services.approve_response(request.user, response, comment=comment)
            messages.success(request, f"{response.finding.label}の措置を承認しました")
        else:
            services.return_response(request.user, response, comment=comment)
            messages.success(request, f"{response.finding.label}の措置を差し戻しました")
    except ValidationError as exc:
        for m in validation_messages(exc):
            messages.error(request, m)
    return _back(response.finding)


@login_required
@require_POST
@service_view
def response_evidence(request, pk: int):
    response = get_scoped(request, Response.objects.select_related("finding"), pk=pk)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return _back(response.finding)
    try:
        services.add_evidence(request.user, response, form.cleaned_data["file"])
    except ValidationError as exc:
        for m in validation_messages(exc):
            messages.error(request, m)
        return _back(response.finding)
    messages.success(request, "根拠資料を登録しました")
    return _back(response.finding)


@login_required
def evidence_download(request, pk: int):
    evidence = get_scoped(request, Evidence.objects.select_related("response__finding"), pk=pk)
    response = evidence.response
    covered = _covered(request)
    dept_ids = set(response.finding.departments.values_list("pk", flat=True))
    if not response.is_approved and not _sees_drafts(request, dept_ids, covered):
        raise Http404("見つかりません")
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404("ファイルが見つかりません")
    return FileResponse(handle, as_attachment=True, filename=evidence.name)


@login_required
@require_POST
@service_view
def finding_link_nodes(request, pk: int):
    finding = get_scoped(request, Finding.objects.all(), pk=pk)
    plans = list(Plan.objects.filter(municipality=finding.municipality))
    form = PlanNodeLinkForm(request.POST, plans=plans)
    if not form.is_valid():
        messages.error(request, "計画を選んでください")
        return _back(finding)
    plan_id = form.cleaned_data["plan"]
    codes = split_codes(form.cleaned_data["codes"])
    nodes = list(PlanNode.objects.filter(plan_id=plan_id, municipality=finding.municipality, code__in=codes))
    missing = sorted(set(codes) - {n.code for n in nodes})
    if missing:
        messages.error(request, f"計画項目のコードが見つかりません: {'、'.join(missing)}（何も変更していません）")
        return _back(finding)
    services.link_plan_nodes(request.user, finding, _with_other_plans(finding, plan_id, nodes))
    messages.success(request, f"関連する計画項目を{len(nodes)}件に更新しました")
    return _back(finding)


def _with_other_plans(finding: Finding | None, plan_id: int, nodes: list[PlanNode]) -> list[PlanNode]:
    """The chosen plan's nodes plus the finding's links to the items of *other* plans (kept as they are)."""
    if finding is None:
        return nodes
    return [n for n in finding.plan_nodes.all() if n.plan_id != plan_id] + nodes


# --------------------------------------------------------------------------- registering audits and findings


def _planning_only(request, what: str):
    """The 403 page with the service's reason unless the user may register (GET of a form)."""
    from django.core.exceptions import PermissionDenied

    tenant = tenant_for(request)
    if tenant.municipality is None:
        raise Http404("団体が選ばれていません")
    try:
        require_planning(request.user, tenant.municipality, what)
    except PermissionDenied as exc:
        return forbidden(request, exc)
    return None


def _form_errors(form, exc: ValidationError) -> None:
    for m in validation_messages(exc):
        form.add_error(None, m)


@login_required
@service_view
def audit_new(request):
    refused = _planning_only(request, "監査の登録")
    if refused is not None:
        return refused
    municipality = tenant_for(request).municipality
    form = AuditForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            audit = services.create_audit(
                request.user, municipality, kind=data["kind"], fiscal_year=data["fiscal_year"], theme=data["theme"],
                auditor=data["auditor"], auditor_qualification=data["auditor_qualification"],
                report_date=data["report_date"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        except IntegrityError:
            form.add_error(None, "同じ年度・種類・テーマの監査が既に登録されています")
        else:
            messages.success(request, f"監査「{audit.theme}」を登録しました。続けて指摘・意見を登録してください")
            return redirect(reverse("audits:detail", args=[audit.pk]))
    return render(request, "audits/audit_form.html", {"form": form}, status=400 if form.errors else 200)


def _save_finding(request, audit: Audit, finding: Finding | None):
    municipality = audit.municipality
    initial = {}
    if finding is not None:
        initial = {
            "kind": finding.kind, "number": finding.number, "title": finding.title, "summary": finding.summary,
            "departments": list(finding.departments.values_list("pk", flat=True)), "page": finding.page,
        }
    elif request.method != "POST":
        taken = set(Finding.objects.filter(audit=audit, kind=Finding.Kind.IKEN).values_list("number", flat=True))
        initial = {"kind": Finding.Kind.IKEN, "number": max(taken, default=0) + 1}
    form = FindingForm(
        request.POST or None, municipality=municipality, initial=initial,
        plan_nodes=list(finding.plan_nodes.select_related("plan").order_by("path")) if finding is not None else (),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        departments = form.departments_selected()
        nodes = data["plan_nodes"]
        try:
            if finding is None:
                saved = services.add_finding(
                    request.user, audit, kind=data["kind"], number=data["number"], title=data["title"],
                    summary=data["summary"], departments=departments, page=data["page"], plan_nodes=nodes or (),
                )
                messages.success(request, f"{saved.label}「{saved.title}」を登録しました")
            else:
                saved = services.update_finding(
                    request.user, finding, kind=data["kind"], number=data["number"], title=data["title"],
                    summary=data["summary"], page=data["page"], clear_page=data["page"] is None,
                    departments=departments,
                    plan_nodes=None if nodes is None else _with_other_plans(finding, data["plan"], nodes),
                )
                messages.success(request, f"{saved.label}「{saved.title}」を更新しました")
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            if finding is None and request.POST.get("another") == "1":
                return redirect(reverse("audits:finding-new", args=[audit.pk]))
            return redirect(reverse("audits:finding", args=[saved.pk]))
    return render(request, "audits/finding_form.html", {"form": form, "audit": audit, "finding": finding},
                  status=400 if form.errors else 200)


@login_required
@service_view
def finding_new(request, pk: int):
    audit = get_scoped(request, Audit.objects.all(), pk=pk)
    refused = _planning_only(request, "指摘・意見の登録")
    return refused or _save_finding(request, audit, None)


@login_required
@service_view
def finding_edit(request, pk: int):
    finding = get_scoped(request, Finding.objects.select_related("audit"), pk=pk)
    refused = _planning_only(request, f"{finding.label}の修正")
    return refused or _save_finding(request, finding.audit, finding)


# --------------------------------------------------------------------------- reminders


@login_required
@service_view
def remind(request):
    """督促メール: the departments with unanswered findings and whom they go to (a dry run); POST sends
    them and records each message on its findings."""
    refused = _planning_only(request, "回答督促メールの送信")
    if refused is not None:
        return refused
    municipality = tenant_for(request).municipality
    years = queries.audit_years(municipality)
    fy, error = fiscal_year_param(request, None)
    if request.method == "POST":
        reminders = services.send_finding_reminders(
            request.user, municipality, dry_run=False, fiscal_year=fy, base_url=notify.base_url(request)
        )
        report_reminders(request, reminders, unit="所管課", logged_where="各指摘・意見の画面", nothing="未回答の指摘・意見はありません")
        return redirect(reverse("audits:remind") + (f"?fy={fy}" if fy else ""))
    reminders = services.send_finding_reminders(request.user, municipality, dry_run=True, fiscal_year=fy)
    return render(request, "audits/remind.html", {
        "reminders": reminders, "fy": fy, "fy_error": error, "years": [(y, fiscal.label(y)) for y in years],
        "without_address": sum(1 for r in reminders if not r.recipients),
        "sendable": sum(1 for r in reminders if r.recipients),
    })


def _follow_up(request):
    tenant = tenant_for(request)
    if tenant.municipality is None:
        raise Http404("団体が選ばれていません")
    years = queries.audit_years(tenant.municipality)
    fy, error = fiscal_year_param(request, years[0] if years else None)
    return queries.follow_up_report(tenant.municipality, fy), years, error


@login_required
def follow_up(request):
    report, years, error = _follow_up(request)
    return render(request, "audits/follow_up.html", {
        "report": report, "fy": report.fiscal_year, "fy_error": error,
        "years": [(y, fiscal.label(y)) for y in years],
    })


def _filename(report, ext: str) -> str:
    return f"措置状況一覧_{report.fiscal_year or 'all'}.{ext}"


@login_required
def follow_up_xlsx_view(request):
    report, _, _ = _follow_up(request)
    response = HttpResponse(follow_up_xlsx(report), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = _attachment(_filename(report, "xlsx"))
    return response


@login_required
def follow_up_pdf_view(request):
    report, _, _ = _follow_up(request)
    try:
        data = follow_up_pdf(report)
    except PdfRenderError as exc:
        return HttpResponse(str(exc), status=500, content_type="text/plain; charset=utf-8")
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = _attachment(_filename(report, "pdf"), inline=True)
    return response


def _attachment(filename: str, inline: bool = False) -> str:
    from urllib.parse import quote

    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"follow-up.{filename.rsplit('.', 1)[-1]}\"; filename*=UTF-8''{quote(filename)}"
