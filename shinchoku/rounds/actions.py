"""Every write of survey rounds — 照会: rounds, answers and indicator actuals.

Views, the API, the XLSX importer and the commands call these actions and never save round models
directly. Each action asks :mod:`shinchoku.rounds.rules` (so a hidden button is never the only
protection); change-log rows come from the tracked models' signals.

Round state under concurrency: every action that depends on the round being open (save, submit,
return, approve, import) reads the round's state under a shared row lock (``read_locked``, FOR KEY
SHARE on PostgreSQL) inside its transaction, and closing takes the exclusive lock. A save that
loses to a close is refused (「締め切られています」), and the close copies exactly the answers
approved when it commits — an approval in flight finishes first, one that comes later is refused.

Errors: ``Refused`` (a rule said no), :class:`RoundError` (not possible now or invalid input;
``problems`` per item), ``StaleError`` (someone saved the item after the editor opened it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone

from shinchoku.core.access import Access
from shinchoku.core.actions import ActionError, StaleError, action, expect_version, lock, lock_all, read_locked, username
from shinchoku.core.fiscal import label as fy_label
from shinchoku.core.models import Department
from shinchoku.core.notify import department_recipients
from shinchoku.core.rules import Owners, require
from shinchoku.indicators import actions as indicator_actions
from shinchoku.indicators.models import Indicator, IndicatorValue
from shinchoku.indicators.values import parsed_fields
from shinchoku.plans import actions as plan_actions
from shinchoku.plans.models import Plan, PlanNode, StatusSymbol
from shinchoku.rounds import queries, rules
from shinchoku.rounds.models import Round, RoundAnswer, RoundIndicatorActual, WorkflowState
from shinchoku.rounds.xlsx import unreadable_reason

ANSWER_FIELDS = ("status", "result", "next_year_plan", "later_plan", "change_reason")
ACTUAL_FIELDS = ("raw_text", "note")
EDITABLE_STATES = {WorkflowState.DRAFT, WorkflowState.RETURNED}


class RoundError(ActionError):
    """The action is not possible (state, input). ``problems``: (item code, message) pairs."""


def _closed_message(round: Round) -> str:
    return f"「{round.display_title}」は締め切られています。変更するには企画課が照会を再開してください。"


def _require_open(round: Round) -> None:
    """The round is open *now*: its state read under a shared lock held to the end of the action."""
    row = read_locked(Round, round.pk, "state")
    if row is None or row[0] != Round.State.OPEN:
        round.state = row[0] if row else Round.State.CLOSED
        raise RoundError(_closed_message(round))


def _check_department(round: Round, department: Department) -> None:
    if department.municipality_id != round.municipality_id:
        raise RoundError("この照会の団体の所管課ではありません。")


def _label(item) -> str:
    if isinstance(item, RoundAnswer):
        return f"{item.node.code} の回答"
    return f"指標「{item.indicator.name}」の実績"


def _owner_names(owner_ids) -> tuple[str, ...]:
    return tuple(sorted(Department.objects.filter(pk__in=owner_ids).values_list("name", flat=True)))


# --- rounds ------------------------------------------------------------------------------------


@action
def open_round(access: Access, plan: Plan, fiscal_year: int, deadline: dt.date, *, title: str = "") -> Round:
    """Open a survey round (照会) for ``plan`` and ``fiscal_year``."""
    require(rules.manage(access, plan.municipality_id, "open"))
    if not plan.period_start <= fiscal_year <= plan.period_end:
        raise RoundError(f"{fy_label(fiscal_year)}は計画期間（{plan.period_label}）の外です。")
    if Round.objects.filter(plan=plan, fiscal_year=fiscal_year, state=Round.State.OPEN).exists():
        raise RoundError(f"{plan.name}の{fy_label(fiscal_year)}の照会は、すでに受付中です。")
    if not queries.plan_ownership(plan).nodes:
        raise RoundError(f"{plan.name}には回答する事業内容（末端の項目）がありません。")
    return Round.objects.create(
        municipality_id=plan.municipality_id, plan=plan, fiscal_year=fiscal_year, deadline=deadline, title=title,
        opened_by=access.log_user,
    )


@action
def close_round(access: Access, round: Round) -> dict:
    """Close the round: approved answers and actuals become the official figures of the year.

    The round row is locked first (FOR UPDATE), so saves, submissions and approvals in flight finish
    before the close reads what is approved, and every later one finds the round closed. Answers are
    copied into the official progress through ``plans.actions.save_progress`` and actuals through
    ``indicators.actions.save_value`` (kind 実績). Answers not approved are not copied (and counted).
    """
    require(rules.manage(access, round.municipality_id, "close"))
    state = read_locked(Round, round.pk, "state", shared=False)
    if state is None or state[0] != Round.State.OPEN:
        raise RoundError(_closed_message(round))
    round = Round.objects.select_related("plan__status_scale").get(pk=round.pk)
    ownership = queries.plan_ownership(round.plan)
    copied_answers = copied_actuals = 0
    answers = RoundAnswer.objects.filter(round=round, state=WorkflowState.APPROVED).select_related(
        "node__plan", "status", "submitted_by"
    )
    for answer in answers:
        owners = ownership.node_owners.get(answer.node_id, [])
        plan_actions.save_progress(
            access, answer.node, round.fiscal_year, user=answer.submitted_by,
            owners=Owners(frozenset(o.id for o in owners), tuple(o.name for o in owners)),
            **{f: getattr(answer, f) for f in ANSWER_FIELDS},
        )
        copied_answers += 1
    for actual in RoundIndicatorActual.objects.filter(round=round, state=WorkflowState.APPROVED).select_related("indicator"):
        indicator_actions.save_value(
            access, actual.indicator, round.fiscal_year, IndicatorValue.Kind.ACTUAL, actual.raw_text,
            confirm_unreadable=True, notes=actual.note or None,
        )
        copied_actuals += 1
    dash = queries.dashboard(round, ownership)
    summary = {
        "answers_copied": copied_answers,
        "actuals_copied": copied_actuals,
        "answers_not_approved": dash.answers.total - dash.answers.counts["approved"],
        "actuals_not_approved": dash.actuals.total - dash.actuals.counts["approved"],
    }
    round.state = Round.State.CLOSED
    round.closed_at = timezone.now()
    round.closed_by = access.log_user
    round.close_summary = summary
    round.save()
    return summary


@action
def reopen_round(access: Access, round: Round, *, reason: str = "") -> Round:
    """Reopen a closed round. The answers keep their states; the reopening is kept in the history."""
    require(rules.manage(access, round.municipality_id, "reopen"))
    round = lock(Round, pk=round.pk)
    if round.is_open:
        raise RoundError(f"「{round.display_title}」は受付中です。")
    round.reopen_history = list(round.reopen_history) + [{
        "at": timezone.now().isoformat(),
        "by": access.user.get_username() if access.user else "system",
        "reason": reason,
        "closed_at": round.closed_at.isoformat() if round.closed_at else None,
        "close_summary": round.close_summary,
    }]
    round.state = Round.State.OPEN
    round.closed_at = None
    round.closed_by = None
    round.save()
    return round


# --- answers -----------------------------------------------------------------------------------


def resolve_status(plan: Plan, value) -> StatusSymbol | None:
    """A status given as a StatusSymbol, its id or its symbol text; only the plan's scale is accepted."""
    if value in (None, ""):
        return None
    if isinstance(value, StatusSymbol):
        symbol = value
    else:
        text = str(value).strip()
        symbol = StatusSymbol.objects.filter(scale_id=plan.status_scale_id, symbol=text).first() if plan.status_scale_id else None
        if symbol is None:
            allowed = "、".join(plan.status_scale.symbols.values_list("symbol", flat=True)) if plan.status_scale_id else "（なし）"
            raise RoundError(f"進捗状況「{text}」はこの計画の進捗区分にありません（選べるのは {allowed}）。")
    if symbol.scale_id != plan.status_scale_id:
        raise RoundError(f"進捗状況「{symbol.symbol}」はこの計画の進捗区分にありません。")
    return symbol


def _check_answerable(round: Round, node: PlanNode) -> None:
    if node.plan_id != round.plan_id or node.municipality_id != round.municipality_id:
        raise RoundError("この照会の計画の項目ではありません。")
    if node.relisted_from_id is not None:
        raise RoundError(f"{node.code} は再掲項目です。回答は再掲元 {node.relisted_from.code} に記入してください。")
    if PlanNode.objects.filter(parent=node).exists():
        raise RoundError(f"{node.code} は事業内容（末端の項目）ではありません。")


def _check_edit_state(access: Access, item) -> None:
    if item is None or item.state in EDITABLE_STATES:
        return
    if item.state == WorkflowState.APPROVED:
        raise RoundError(f"{_label(item)}は承認済のため変更できません。変更が必要な場合は企画課が差し戻します。")
    if item.state == WorkflowState.SUBMITTED and not rules.edit_submitted(access):
        raise RoundError(f"{_label(item)}は提出済のため変更できません。変更が必要な場合は企画課に差戻しを依頼してください。")


def _save_versioned(model, lookup: dict, parents: dict, *, expected_version: int, label: str, values: dict,
                    access: Access, theirs):
    """Create or update one answer or actual against the version the editor opened.

    The row is locked alone (no join: see ``core.actions``); two editors creating the same row at
    once meet at the unique constraint, and the loser gets ``StaleError`` with the winner's values.
    """
    item = lock(model, **lookup)
    if item is not None:
        for name, obj in parents.items():
            setattr(item, name, obj)
    expect_version(item, expected_version, label, theirs=theirs)
    _check_edit_state(access, item)
    if item is None:
        try:
            with transaction.atomic():
                return model.objects.create(municipality_id=parents["round"].municipality_id, **lookup,
                                            updated_by=access.log_user, **values)
        except IntegrityError:  # another editor created it a moment ago
            winner = model.objects.get(**lookup)
            for name, obj in parents.items():
                setattr(winner, name, obj)
            raise StaleError(label, expected=expected_version, current=winner, updated_by=username(winner.updated_by_id),
                             theirs=theirs(winner)) from None
    changed = [f for f, v in values.items() if getattr(item, f) != v]
    if not changed:
        return item
    for f in changed:
        setattr(item, f, values[f])
    item.version += 1
    item.updated_by = access.log_user
    item.save()
    return item


@action
def save_answer(access: Access, round: Round, node: PlanNode, *, expected_version: int, **values) -> RoundAnswer:
    """Save (create or update) the answer of ``node`` in ``round`` as a draft.

    ``expected_version`` is the version the editor started from (0 = no answer yet). When the answer
    has changed since, ``StaleError`` is raised and nothing is written. A returned answer stays 差戻し
    until the department submits again; planning may correct a submitted answer.
    """
    unknown = set(values) - set(ANSWER_FIELDS)
    if unknown:
        raise TypeError(f"unknown answer fields: {sorted(unknown)}")
    require(rules.edit_item(access, round.municipality_id, queries.node_owner_ids(node),
                            f"{node.code} は担当所管課の項目ではないため、回答できません。"))
    _check_answerable(round, node)
    if "status" in values:
        values["status"] = resolve_status(round.plan, values["status"])
    for key in ANSWER_FIELDS[1:]:
        if key in values:
            values[key] = _clean_text(values[key])
    _require_open(round)
    return _save_versioned(
        RoundAnswer, {"round": round, "node": node}, {"round": round, "node": node},
        expected_version=expected_version, label=f"{node.code} の回答", values=values, access=access,
        theirs=_answer_texts,
    )


def _clean_text(value) -> str:
    text = "" if value is None else str(value)
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


@action
def save_actual(access: Access, round: Round, indicator: Indicator, *, expected_version: int, raw_text: str,
                note: str | None = None) -> RoundIndicatorActual:
    """Save an indicator actual (実績) as a draft; the text must be readable by the value parser."""
    owners = queries.indicator_owner_ids(indicator)
    refused = f"指標「{indicator.name}」は担当所管課の指標ではないため、実績を入力できません。"
    require(rules.edit_item(access, round.municipality_id, owners, refused))
    if indicator.plan_id != round.plan_id or indicator.municipality_id != round.municipality_id:
        raise RoundError("この照会の計画の指標ではありません。")
    raw = _clean_text(raw_text)
    if "\n" in raw:
        raise RoundError(f"指標「{indicator.name}」の実績は1行で入力してください。")
    parsed = parsed_fields(raw)
    if not parsed["readable"]:
        raise RoundError(
            f"指標「{indicator.name}」の実績「{raw}」を数値として読めません（{unreadable_reason(parsed['parse_note'])}）。"
            "「68.3%」「約 200 万件」「1/15」のように数値と単位で入力してください。未集計なら「集計中」と入力します。"
        )
    values = {"raw_text": raw, **parsed}
    if note is not None:
        values["note"] = _clean_text(note)
    _require_open(round)
    return _save_versioned(
        RoundIndicatorActual, {"round": round, "indicator": indicator}, {"round": round, "indicator": indicator},
        expected_version=expected_version, label=f"指標「{indicator.name}」の実績", values=values, access=access,
        theirs=_actual_texts,
    )


def answer_problems(round: Round, answer: RoundAnswer | None) -> list[str]:
    """What keeps an answer from being submitted or approved (empty: complete)."""
    if answer is None:
        return ["未回答です"]
    problems = []
    if round.plan.status_scale_id and answer.status_id is None:
        problems.append("進捗状況を選んでください")
    if answer.status_id and answer.status.requires_reason and not answer.change_reason.strip():
        problems.append(f"進捗状況「{answer.status.symbol}」のときはスケジュールの変更理由を記入してください")
    not_started = answer.status_id and answer.status.category == StatusSymbol.Category.NOT_STARTED
    if not answer.result.strip() and not not_started:
        problems.append("取組結果を記入してください")
    return problems


@dataclass
class SubmitResult:
    answers: int = 0
    actuals: int = 0


@action
def submit_department(access: Access, round: Round, department: Department) -> SubmitResult:
    """Submit a department's answers (and entered indicator actuals) to the planning division.

    Every activity of the department must have a complete answer (status, result, a reason when
    the status is late or not started) and every indicator it owns an actual (「集計中」 when the
    figure is not in yet); otherwise nothing is submitted and :class:`RoundError` lists each item's
    problems. Drafts and returned answers become 提出済; answers already submitted or approved are
    left as they are (a co-owning department may have submitted them).
    """
    _check_department(round, department)
    require(rules.edit_department(access, round.municipality_id, department.pk, department.name, "submit"))
    _require_open(round)
    ownership = queries.plan_ownership(round.plan)
    node_ids = ownership.node_ids_of(department.pk)
    indicator_ids = ownership.indicator_ids_of(department.pk)
    if not node_ids and not indicator_ids:
        raise RoundError(f"{department.name}が回答する項目はこの照会にありません。")
    now = timezone.now()
    answers = {a.node_id: a for a in lock_all(RoundAnswer, round=round, node_id__in=node_ids)}
    problems: list[tuple[str, str]] = []
    nodes = {n.pk: n for n in ownership.nodes}
    symbols = {s.pk: s for s in StatusSymbol.objects.filter(scale_id=round.plan.status_scale_id)}
    for node_id in node_ids:
        answer = answers.get(node_id)
        if answer is not None:
            answer.status = symbols.get(answer.status_id)
            if answer.state not in EDITABLE_STATES:
                continue
        for p in answer_problems(round, answer):
            problems.append((nodes[node_id].code, p))
    actuals = {a.indicator_id: a for a in lock_all(RoundIndicatorActual, round=round, indicator_id__in=indicator_ids)}
    wanted = set(indicator_ids)
    for ind in ownership.indicators:
        if ind.pk in wanted:
            actual = actuals.get(ind.pk)
            if actual is None or (actual.state in EDITABLE_STATES and not actual.raw_text.strip()):
                problems.append((ind.code, f"指標「{ind.name}」の実績を入力してください（未集計なら「集計中」）"))
    if problems:
        raise RoundError(f"{department.name}の回答に未記入の項目があるため、提出できません（何も提出していません）。", problems)
    pending_items = [a for a in answers.values() if a.state in EDITABLE_STATES]
    pending_actuals = [a for a in actuals.values() if a.state in EDITABLE_STATES]
    if not pending_items and not pending_actuals:
        raise RoundError(f"{department.name}の回答はすべて提出済です。")
    for item in pending_items + pending_actuals:
        item.state = WorkflowState.SUBMITTED
        item.submitted_by = access.log_user
        item.submitted_at = now
        item.updated_by = access.log_user
        item.version += 1
        item.save()
    return SubmitResult(answers=len(pending_items), actuals=len(pending_actuals))


def _locked_for_review(access: Access, item, expected_version: int | None):
    """The item re-read under its row lock, with the round open and the version as expected."""
    require(rules.review(access, item.municipality_id))
    model = type(item)
    fresh = lock(model, pk=item.pk)
    if model is RoundAnswer:
        fresh.node = item.node
    else:
        fresh.indicator = item.indicator
    fresh.round = item.round
    _require_open(item.round)
    if expected_version is not None:
        expect_version(fresh, expected_version, _label(fresh),
                       theirs=_answer_texts if model is RoundAnswer else _actual_texts)
    return fresh


@action
def return_answer(access: Access, item, comment: str, *, expected_version: int | None = None):
    """Return a submitted (or approved) answer or actual to the department with a comment (差戻し)."""
    item = _locked_for_review(access, item, expected_version)
    comment = _clean_text(comment)
    if not comment:
        raise RoundError("差戻しの理由（コメント）を記入してください。")
    if item.state not in (WorkflowState.SUBMITTED, WorkflowState.APPROVED):
        raise RoundError(f"{_label(item)}は{item.state_label}のため差し戻せません（提出済・承認済のものだけ差し戻せます）。")
    item.state = WorkflowState.RETURNED
    item.return_comment = comment
    item.returned_by = access.log_user
    item.returned_at = timezone.now()
    item.approved_by = None
    item.approved_at = None
    item.updated_by = access.log_user
    item.version += 1
    item.save()
    return item


@action
def approve_answer(access: Access, item, *, expected_version: int | None = None):
    """Approve a submitted answer or actual (承認). Closing the round makes it official."""
    item = _locked_for_review(access, item, expected_version)
    if item.state != WorkflowState.SUBMITTED:
        raise RoundError(f"{_label(item)}は{item.state_label}のため承認できません（提出済のものだけ承認できます）。")
    if isinstance(item, RoundAnswer):
        problems = answer_problems(item.round, item)
        if problems:
            raise RoundError(f"{_label(item)}は承認できません: " + "、".join(problems))
    item.state = WorkflowState.APPROVED
    item.approved_by = access.log_user
    item.approved_at = timezone.now()
    item.updated_by = access.log_user
    item.version += 1
    item.save()
    return item


@action
def approve_department(access: Access, round: Round, department: Department) -> int:
    """Approve every submitted answer and actual of a department (一括承認). Returns the count."""
    require(rules.review(access, round.municipality_id))
    _require_open(round)
    ownership = queries.plan_ownership(round.plan)
    count = 0
    for answer in RoundAnswer.objects.filter(
        round=round, node_id__in=ownership.node_ids_of(department.pk), state=WorkflowState.SUBMITTED
    ).select_related("node", "status"):
        answer.round = round
        approve_answer(access, answer)
        count += 1
    for actual in RoundIndicatorActual.objects.filter(
        round=round, indicator_id__in=ownership.indicator_ids_of(department.pk), state=WorkflowState.SUBMITTED
    ).select_related("indicator"):
        actual.round = round
        approve_answer(access, actual)
        count += 1
    return count


# --- reminders ---------------------------------------------------------------------------------


@dataclass
class Reminder:
    department: str
    department_id: int
    recipients: list[str]
    pending: dict[str, int]  # state → count of items not yet submitted

    @property
    def pending_total(self) -> int:
        return sum(self.pending.values())


def plan_reminders(round: Round, dash: queries.Dashboard | None = None) -> list[Reminder]:
    """Departments with items not yet submitted (not started, draft or returned), and whom to mail."""
    dash = dash or queries.dashboard(round)
    pending_rows = []
    for row in dash.rows:
        pending = {s: row.answers.counts[s] + row.actuals.counts[s] for s in ("not_started", "draft", "returned")}
        if any(pending.values()):
            pending_rows.append((row, pending))
    departments = {d.pk: d for d in Department.objects.filter(pk__in=[r.department.id for r, _ in pending_rows])}
    recipients = department_recipients(list(departments.values()))
    return [
        Reminder(departments[row.department.id].name, row.department.id, recipients[row.department.id], pending)
        for row, pending in pending_rows
    ]


@action
def remind(access: Access, round: Round, *, dry_run: bool = False, base_url: str | None = None) -> list[Reminder]:
    """E-mail every department that has not submitted (Django's e-mail backend). ``dry_run``: only list.
    ``base_url``: the address for the links (``core.notify.base_url``; the configured one by default)."""
    from shinchoku.core import notify

    require(rules.manage(access, round.municipality_id, "remind"))
    _require_open(round)
    reminders = plan_reminders(round)
    if dry_run:
        return reminders
    base = (base_url or notify.base_url()).rstrip("/")
    messages = []
    for r in reminders:
        if not r.recipients:
            continue
        counts = "、".join(f"{queries.STATE_LABELS[s]} {n}件" for s, n in r.pending.items() if n)
        body = (
            f"{r.department} ご担当者様\n\n"
            f"{round.plan.name}の{round.fiscal_year_label}の進捗状況照会について、未提出の項目があります（{counts}）。\n"
            f"提出期限は {round.deadline:%Y年%m月%d日} です。次のページから入力・提出してください。\n\n"
            f"{base}/rounds/{round.pk}/departments/{r.department_id}/\n\n"
            "（このメールは shinchoku から自動で送信しています）\n"
        )
        messages.append(EmailMessage(
            subject=f"【照会】{round.plan.name} {round.fiscal_year_label} 進捗状況の提出のお願い（期限 {round.deadline:%m/%d}）",
            body=body,
            to=r.recipients,
        ))
    with get_connection() as connection:
        connection.send_messages(messages)
    round.reminder_log = list(round.reminder_log) + [{
        "at": timezone.now().isoformat(),
        "by": access.user.get_username() if access.user else "system",
        "departments": [{"name": r.department, "recipients": r.recipients} for r in reminders],
    }]
    round.save(update_fields=["reminder_log"])
    return reminders


# --- XLSX import -------------------------------------------------------------------------------


@dataclass
class CellChange:
    sheet: str
    row: int
    column: str
    code: str
    title: str
    before: str
    after: str


@dataclass
class FormImportResult:
    file: str
    dry_run: bool
    submit: bool
    changes: list[CellChange] = field(default_factory=list)
    answers_saved: int = 0
    actuals_saved: int = 0
    submitted: SubmitResult | None = None

    @property
    def rows_changed(self) -> int:
        return len({(c.sheet, c.row) for c in self.changes})


def _answer_texts(answer: RoundAnswer | None) -> dict[str, str]:
    if answer is None:
        return {f: "" for f in ("status", "change_reason", "result", "next_year_plan", "later_plan")}
    return {
        "status": answer.status.symbol if answer.status_id else "",
        "change_reason": answer.change_reason,
        "result": answer.result,
        "next_year_plan": answer.next_year_plan,
        "later_plan": answer.later_plan,
    }


def _actual_texts(actual: RoundIndicatorActual | None) -> dict[str, str]:
    return {"raw_text": actual.raw_text if actual else "", "note": actual.note if actual else ""}


@action
def import_department_form(access: Access, round: Round, department: Department, parsed, *, dry_run: bool, submit: bool = False) -> FormImportResult:
    """Apply a parsed workbook (``xlsx.parse_workbook``) all-or-nothing; ``dry_run`` rolls back.

    Every changed row goes through :func:`save_answer` / :func:`save_actual` (same permissions and
    checks as the web form); ``submit`` then submits the department in the same transaction. Any
    problem raises :class:`~shinchoku.core.importing.ImportFailed` naming sheet, row and column, and
    nothing is written.
    """
    from shinchoku.core.importing import ImportFailed, Problem, run_atomically
    from shinchoku.rounds import xlsx

    _check_department(round, department)
    require(rules.edit_department(access, round.municipality_id, department.pk, department.name, "import"))
    file = parsed.file
    if parsed.round_id != round.pk or parsed.department_id != department.pk:
        raise ImportFailed(Problem("別の照会または所管課の様式です。", file=file))
    if not round.is_open:
        raise ImportFailed(Problem(f"「{round.display_title}」は締め切られているため、取り込めません。", file=file))

    def apply() -> FormImportResult:
        result = FormImportResult(file=file, dry_run=dry_run, submit=submit)
        problems: list[Problem] = []
        ownership = queries.plan_ownership(round.plan)
        dep_nodes = set(ownership.node_ids_of(department.pk))
        dep_indicators = set(ownership.indicator_ids_of(department.pk))
        nodes = {n.code: n for n in ownership.nodes}
        indicators = {i.code: i for i in ownership.indicators}
        answers = {a.node_id: a for a in RoundAnswer.objects.filter(round=round, node_id__in=dep_nodes).select_related("status")}
        actuals = {a.indicator_id: a for a in RoundIndicatorActual.objects.filter(round=round, indicator_id__in=dep_indicators)}
        row_of_code: dict[str, tuple[str, int]] = {}

        def handle(row, item, texts: dict[str, str], label: str, title: str, save) -> None:
            row_of_code[row.code] = (row.sheet, row.row)
            file_values = {f: row.values[f] for f in texts}
            if xlsx.row_hash(list(file_values.values())) == row.base:
                return  # the row was not touched in the workbook
            diffs = [f for f in texts if file_values[f] != texts[f]]
            if not diffs:
                return  # already what the workbook says
            if xlsx.row_hash(list(texts.values())) != row.base:
                problems.append(Problem(
                    f"{label}は、様式を出力した後に画面で更新されています（出力時の版 {row.version}、現在の版 "
                    f"{item.version if item else 0}）。上書きしないよう取り込みを止めました。最新の様式を出力し直して記入してください。",
                    file=file, sheet=row.sheet, row=row.row,
                ))
                return
            try:
                with transaction.atomic():
                    save(item.version if item else 0, {f: file_values[f] for f in diffs})
            except (RoundError, PermissionDenied, StaleError) as exc:
                message = exc.message if isinstance(exc, RoundError) else str(exc)
                column = row.columns.get(diffs[0], "") if len(diffs) == 1 else ""
                problems.append(Problem(message, file=file, sheet=row.sheet, row=row.row, column=column))
                return
            for f in diffs:
                result.changes.append(CellChange(row.sheet, row.row, row.columns[f], row.code, title, texts[f], file_values[f]))

        for row in parsed.answers:
            node = nodes.get(row.code)
            if node is None or node.pk not in dep_nodes:
                problems.append(Problem(f"{row.code} は{department.name}が回答する事業内容ではありません。", file=file, sheet=row.sheet, row=row.row))
                continue
            before = len(result.changes)
            handle(
                row, answers.get(node.pk), _answer_texts(answers.get(node.pk)), f"{node.code} の回答", node.title,
                lambda version, values, node=node: save_answer(access, round, node, expected_version=version, **values),
            )
            result.answers_saved += 1 if len(result.changes) > before else 0
        for row in parsed.actuals:
            indicator = indicators.get(row.code)
            if indicator is None or indicator.pk not in dep_indicators:
                problems.append(Problem(f"指標 {row.code} は{department.name}が実績を入力する指標ではありません。", file=file, sheet=row.sheet, row=row.row))
                continue
            current = actuals.get(indicator.pk)
            texts = _actual_texts(current)
            before = len(result.changes)

            def save_one(version, values, indicator=indicator, texts=texts):
                merged = {**texts, **values}
                save_actual(access, round, indicator, expected_version=version, raw_text=merged["raw_text"], note=merged["note"])

            handle(row, current, texts, f"指標「{indicator.name}」の実績", indicator.name, save_one)
            result.actuals_saved += 1 if len(result.changes) > before else 0
        if submit and not problems:
            try:
                result.submitted = submit_department(access, round, department)
            except RoundError as exc:
                if not exc.problems:
                    problems.append(Problem(exc.message, file=file))
                for code, message in exc.problems:
                    sheet, r = row_of_code.get(code, (xlsx.ANSWER_SHEET, None))
                    problems.append(Problem(f"{code}: {message}（提出できません）", file=file, sheet=sheet, row=r))
        if problems:
            raise ImportFailed(problems)
        return result

    return run_atomically(apply, dry_run=dry_run)

