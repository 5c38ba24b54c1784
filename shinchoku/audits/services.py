"""Writes to the audit register — the one place where audits, findings, responses and evidence change.

Views, commands and the importer call these functions; permission checks live here
(:mod:`shinchoku.core.permissions`): the planning / audit office registers audits and findings and
approves answers; a department editor answers only its own departments' findings; auditors and
executives read only. ``user=None`` is a system job. Change-log rows come from the tracked models'
signals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from shinchoku.audits.models import Audit, Evidence, Finding, Response, ResponseState, validate_upload_size
from shinchoku.core.notify import Reminder, department_recipients, link, log_reminders, send_reminders
from shinchoku.core.permissions import (
    covered_department_ids,
    require_department,
    require_planning,
    tenant_of,
)
from shinchoku.core.fiscal import label as fy_label
from shinchoku.core.models import Department, Municipality
from shinchoku.plans.models import PlanNode


def _same_tenant(municipality_id: int, objects: Iterable, what: str) -> None:
    for obj in objects:
        if obj.municipality_id != municipality_id:
            raise PermissionDenied(f"{what}は同じ団体のものだけを指定できます")


# --------------------------------------------------------------------------- audits and findings


def create_audit(
    user, municipality: Municipality, *, kind: str, fiscal_year: int, theme: str, auditor: str = "",
    auditor_qualification: str = "", report_date: dt.date | None = None, source: str = "",
) -> Audit:
    require_planning(user, municipality, "監査の登録")
    if kind not in Audit.Kind.values:
        raise ValidationError(f"監査の種類「{kind}」は選べません（{'・'.join(Audit.Kind.labels)}）")
    if not theme.strip():
        raise ValidationError("監査テーマを入力してください")
    if Audit.objects.filter(municipality=municipality, kind=kind, fiscal_year=fiscal_year, theme=theme.strip()).exists():
        raise ValidationError(f"{fy_label(fiscal_year)}の{Audit.Kind(kind).label}「{theme.strip()}」は既に登録されています")
    return Audit.objects.create(
        municipality=municipality, kind=kind, fiscal_year=fiscal_year, theme=theme.strip(), auditor=auditor,
        auditor_qualification=auditor_qualification, report_date=report_date, source=source,
    )


def _check_finding_values(kind: str, number, title: str, page) -> None:
    if kind not in Finding.Kind.values:
        raise ValidationError(f"分類「{kind}」は選べません（指摘事項・意見事項）")
    if number is None or int(number) < 1:
        raise ValidationError("番号は1以上の整数で入力してください")
    if not (title or "").strip():
        raise ValidationError("題名を入力してください")
    if page is not None and int(page) < 1:
        raise ValidationError("頁は1以上の整数で入力してください")


def add_finding(
    user, audit: Audit, *, kind: str, number: int, title: str, summary: str = "",
    departments: Sequence[Department] = (), page: int | None = None, plan_nodes: Sequence[PlanNode] = (),
) -> Finding:
    """Register a finding (planning division): kind, number within the kind, departments, page and the
    plan items it concerns. Refused as a whole (nothing written) on any bad value."""
    require_planning(user, audit.municipality_id, "指摘・意見の登録")
    _check_finding_values(kind, number, title, page)
    _same_tenant(audit.municipality_id, departments, "対象部局")
    _same_tenant(audit.municipality_id, plan_nodes, "計画項目")
    with transaction.atomic():
        if Finding.objects.filter(audit=audit, kind=kind, number=number).exists():
            raise ValidationError(f"{Finding.Kind(kind).label}{number}は既に登録されています")
        order = (Finding.objects.filter(audit=audit).order_by("-order").values_list("order", flat=True).first() or 0) + 1
        finding = Finding.objects.create(
            municipality_id=audit.municipality_id, audit=audit, kind=kind, number=number, title=title.strip(),
            summary=summary, page=page, order=order, department_text="・".join(d.name for d in departments),
        )
        if departments:
            finding.departments.set(departments)
        if plan_nodes:
            finding.plan_nodes.set(plan_nodes)
    return finding


def update_finding(
    user, finding: Finding, *, kind: str | None = None, number: int | None = None, title: str | None = None,
    summary: str | None = None, page: int | None = None, clear_page: bool = False,
    departments: Sequence[Department] | None = None, plan_nodes: Sequence[PlanNode] | None = None,
) -> Finding:
    """Correct a registered finding (planning division). ``None`` leaves a value as it is; a page is
    removed with ``clear_page``. Departments and plan items, when given, replace the current ones.
    All or nothing: a refused value leaves the finding unchanged.

    ``department_text`` (the 対象部局 cell as the report printed it) is kept: it records the source,
    not the current assignment.
    """
    require_planning(user, finding.municipality_id, f"{finding.label}の修正")
    new = {
        "kind": finding.kind if kind is None else kind,
        "number": finding.number if number is None else int(number),
        "title": finding.title if title is None else title.strip(),
        "summary": finding.summary if summary is None else summary,
        "page": None if clear_page else (finding.page if page is None else page),
    }
    _check_finding_values(new["kind"], new["number"], new["title"], new["page"])
    if departments is not None:
        if not departments:
            raise ValidationError("対象部局を1つ以上指定してください")
        _same_tenant(finding.municipality_id, departments, "対象部局")
    if plan_nodes is not None:
        _same_tenant(finding.municipality_id, plan_nodes, "計画項目")
    with transaction.atomic():
        if (new["kind"], new["number"]) != (finding.kind, finding.number) and Finding.objects.filter(
            audit_id=finding.audit_id, kind=new["kind"], number=new["number"]
        ).exclude(pk=finding.pk).exists():
            raise ValidationError(f"{Finding.Kind(new['kind']).label}{new['number']}は既に登録されています")
        changed = [k for k, v in new.items() if getattr(finding, k) != v]
        for k in changed:
            setattr(finding, k, new[k])
        if changed:
            finding.save()
        if departments is not None and set(finding.departments.values_list("pk", flat=True)) != {d.pk for d in departments}:
            finding.departments.set(departments)
        if plan_nodes is not None and set(finding.plan_nodes.values_list("pk", flat=True)) != {n.pk for n in plan_nodes}:
            finding.plan_nodes.set(plan_nodes)
    return finding


def set_finding_departments(user, finding: Finding, departments: Sequence[Department]) -> Finding:
    require_planning(user, finding.municipality_id, "対象部局の変更")
    _same_tenant(finding.municipality_id, departments, "対象部局")
    if not departments:
        raise ValidationError("対象部局を1つ以上指定してください")
    finding.departments.set(departments)
    return finding


def link_plan_nodes(user, finding: Finding, nodes: Sequence[PlanNode]) -> Finding:
    """Replace the plan items the finding concerns (planning division)."""
    require_planning(user, finding.municipality_id, "計画項目との関連付け")
    _same_tenant(finding.municipality_id, nodes, "計画項目")
    wanted = {n.pk for n in nodes}
    if set(finding.plan_nodes.values_list("pk", flat=True)) != wanted:
        finding.plan_nodes.set(nodes)
    return finding


# --------------------------------------------------------------------------- responses


def _answering_department(user, finding: Finding, department: Department | None) -> Department | None:
    finding_departments = list(finding.departments.all())
    if department is not None:
        if department.pk not in {d.pk for d in finding_departments}:
            raise ValidationError(f"{department.name}は{finding.label}の対象部局ではありません")
        require_department(user, finding.municipality_id, [department], f"{finding.label}への回答")
        return department
    require_department(user, finding.municipality_id, finding_departments, f"{finding.label}への回答")
    tenant = tenant_of(user, finding.municipality_id)
    if tenant is not None and not tenant.is_planning:
        covered = covered_department_ids(tenant)
        return next(d for d in finding_departments if d.pk in covered)
    return finding_departments[0] if len(finding_departments) == 1 else None


def _check_response_values(text: str, state: str) -> None:
    if state not in ResponseState.values:
        raise ValidationError(f"措置状況「{state}」は選べません（{'・'.join(ResponseState.labels)}）")
    if not text or not text.strip():
        raise ValidationError("措置の内容を入力してください")


def submit_response(
    user, finding: Finding, *, text: str, state: str, date: dt.date | None = None, department: Department | None = None,
) -> Response:
    """A department's answer (措置) to ``finding``; a draft until the planning / audit office approves it."""
    dept = _answering_department(user, finding, department)
    _check_response_values(text, state)
    return Response.objects.create(
        municipality_id=finding.municipality_id, finding=finding, department=dept, text=text.strip(),
        date=date or timezone.localdate(), state=state, review=Response.Review.SUBMITTED,
        submitted_by=user if getattr(user, "is_authenticated", False) else None,
    )


def update_response(
    user, response: Response, *, text: str | None = None, state: str | None = None, date: dt.date | None = None,
) -> Response:
    """Correct an answer that is not approved yet (a returned answer is re-submitted by correcting it)."""
    finding = response.finding
    require_department(user, response.municipality_id, _response_departments(response), f"{finding.label}の措置の修正")
    if response.review == Response.Review.APPROVED:
        raise ValidationError("承認済みの措置は修正できません。新しい措置として回答してください")
    new_text = response.text if text is None else text.strip()
    new_state = response.state if state is None else state
    _check_response_values(new_text, new_state)
    response.text, response.state = new_text, new_state
    if date is not None:
        response.date = date
    response.review = Response.Review.SUBMITTED
    response.review_comment = ""
    response.save()
    return response


def _response_departments(response: Response) -> list[Department]:
    return [response.department] if response.department_id else list(response.finding.departments.all())


def approve_response(user, response: Response, *, comment: str = "") -> Response:
    require_planning(user, response.municipality_id, "措置の承認")
    if response.review == Response.Review.APPROVED:
        return response
    response.review = Response.Review.APPROVED
    response.review_comment = comment
    response.approved_by = user if getattr(user, "is_authenticated", False) else None
    response.approved_at = timezone.now()
    response.save()
    return response


def return_response(user, response: Response, *, comment: str) -> Response:
    """Send an answer back to the department (差戻し) with the reason."""
    require_planning(user, response.municipality_id, "措置の差戻し")
    if not comment or not comment.strip():
        raise ValidationError("差戻しの理由を入力してください")
    if response.review == Response.Review.APPROVED:
        raise ValidationError("承認済みの措置は差し戻せません")
    response.review = Response.Review.RETURNED
    response.review_comment = comment.strip()
    response.save()
    return response


def add_evidence(user, response: Response, uploaded_file, *, name: str | None = None) -> Evidence:
    """Attach a file (根拠資料) to an answer; refused above ``SHINCHOKU_MAX_UPLOAD_BYTES``."""
    require_department(user, response.municipality_id, _response_departments(response), "根拠資料の登録")
    if response.review == Response.Review.APPROVED:
        raise ValidationError("承認済みの措置には根拠資料を追加できません")
    validate_upload_size(uploaded_file)
    filename = name or getattr(uploaded_file, "name", "") or "evidence"
    evidence = Evidence(
        municipality_id=response.municipality_id, response=response, name=filename[:255],
        size=getattr(uploaded_file, "size", 0) or 0,
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
    )
    evidence.file.save(filename, uploaded_file, save=False)
    evidence.save()
    return evidence


def delete_evidence(user, evidence: Evidence) -> None:
    response = evidence.response
    require_department(user, evidence.municipality_id, _response_departments(response), "根拠資料の削除")
    if response.review == Response.Review.APPROVED:
        raise ValidationError("承認済みの措置の根拠資料は削除できません")
    storage, name = evidence.file.storage, evidence.file.name
    evidence.delete()
    transaction.on_commit(lambda: storage.delete(name) if name else None)


# --------------------------------------------------------------------------- reminders


def unanswered_findings(municipality: Municipality, *, fiscal_year: int | None = None):
    """Findings no department has answered yet: no response submitted or approved (a returned
    answer does not count), in register order."""
    qs = Finding.objects.filter(municipality=municipality).exclude(
        responses__review__in=[Response.Review.SUBMITTED, Response.Review.APPROVED]
    )
    if fiscal_year is not None:
        qs = qs.filter(audit__fiscal_year=fiscal_year)
    return qs.select_related("audit").prefetch_related("departments").order_by("audit__fiscal_year", "audit_id", "order")


def finding_reminders(municipality: Municipality, *, fiscal_year: int | None = None, base_url: str | None = None) -> list[Reminder]:
    by_dept: dict[int, list[Finding]] = {}
    departments: dict[int, Department] = {}
    for f in unanswered_findings(municipality, fiscal_year=fiscal_year):
        for d in f.departments.all():
            departments[d.pk] = d
            by_dept.setdefault(d.pk, []).append(f)
    recipients = department_recipients(list(departments.values()))
    reminders = []
    for dept_id, findings in sorted(by_dept.items(), key=lambda kv: departments[kv[0]].name):
        dept = departments[dept_id]
        lines = [f"・{f.audit.fiscal_year_label} {f.audit.get_kind_display()} {f.label} {f.title}（P{f.page}）" for f in findings]
        body = (
            f"{dept.name} ご担当者様\n\n"
            f"次の監査の指摘・意見について、措置状況の回答がまだ登録されていません（{len(findings)}件）。\n"
            "shinchoku の「監査」から措置の内容と措置状況（未措置・措置中・措置済）を回答してください。\n\n"
            + "\n".join(lines) + f"\n\n{link('/audits/', base_url)}\n\n（このメールは shinchoku から自動で送信しています）\n"
        )
        reminders.append(Reminder(
            department=dept, recipients=recipients.get(dept_id, []),
            subject=f"【措置状況の回答依頼】監査の指摘・意見 {len(findings)}件（{dept.name}）",
            body=body, items=[f"{f.audit.fiscal_year_label} {f.label}" for f in findings], targets=list(findings),
        ))
    return reminders


def send_finding_reminders(user, municipality: Municipality, *, dry_run: bool, fiscal_year: int | None = None,
                           base_url: str | None = None) -> list[Reminder]:
    """Remind each department of its unanswered findings (one e-mail per department). Each message
    sent is recorded on its findings (``Finding.reminder_log``: when, by whom, to whom). ``base_url``:
    the address for the link (``core.notify.base_url``)."""
    require_planning(user, municipality, "回答督促メールの送信")
    reminders = send_reminders(finding_reminders(municipality, fiscal_year=fiscal_year, base_url=base_url), dry_run=dry_run)
    if not dry_run:
        with transaction.atomic():
            log_reminders(reminders, user)
    return reminders


def follow_up_title(fiscal_year: int | None) -> str:
    return f"{fy_label(fiscal_year)} 監査の指摘・意見 措置状況一覧" if fiscal_year else "監査の指摘・意見 措置状況一覧"
