"""Survey rounds — 照会: the yearly (or half-yearly) survey in which every department reports, for its own
activities and indicators, the year's status, result and plans, and the planning division reviews.

- ``Round`` — 照会: a plan × fiscal year, with a deadline; open or closed, reopenings kept.
- ``RoundAnswer`` — 回答: one activity's answer in a round (the department's draft of the official
  :class:`~shinchoku.plans.models.ProgressEntry`).
- ``RoundIndicatorActual`` — 指標実績の回答: one indicator's actual for the round's fiscal year.

Both answer kinds share the workflow of :class:`WorkflowItem`: not started (no row) → draft →
submitted → returned / approved, with a version for optimistic locking. All writes go through
``shinchoku.rounds.actions``; the tracked models leave change-log rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from shinchoku.core.fiscal import label as fy_label
from shinchoku.core.models import TenantModel
from shinchoku.indicators.models import Indicator
from shinchoku.plans.models import Plan, PlanNode, StatusSymbol


class Round(TenantModel):
    """Round — 照会 (進捗状況調査)."""

    class State(models.TextChoices):
        OPEN = "open", "受付中"
        CLOSED = "closed", "締切済"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="rounds", verbose_name="計画")
    fiscal_year = models.PositiveSmallIntegerField("対象年度")
    title = models.CharField("名称", max_length=200, blank=True)
    deadline = models.DateField("提出期限")
    state = models.CharField("状態", max_length=10, choices=State.choices, default=State.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="開始者"
    )
    opened_at = models.DateTimeField("開始日時", auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="締切者"
    )
    closed_at = models.DateTimeField("締切日時", null=True, blank=True)
    reopen_history = models.JSONField(
        "再開の履歴", default=list, blank=True, help_text='[{"at": "…", "by": "…", "reason": "…", "closed_at": "…"}]'
    )
    reminder_log = models.JSONField("督促の記録", default=list, blank=True)
    close_summary = models.JSONField("締切時の反映結果", default=dict, blank=True)

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "照会"
        ordering = ["municipality", "-fiscal_year", "-opened_at"]
        indexes = [models.Index(fields=["municipality", "plan", "fiscal_year"])]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        return self.title or f"{fy_label(self.fiscal_year)} 進捗状況照会"

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN

    @property
    def fiscal_year_label(self) -> str:
        return fy_label(self.fiscal_year)


class WorkflowState(models.TextChoices):
    DRAFT = "draft", "下書き"
    SUBMITTED = "submitted", "提出済"
    RETURNED = "returned", "差戻し"
    APPROVED = "approved", "承認済"


NOT_STARTED = "not_started"
STATE_LABELS = {NOT_STARTED: "未着手", **{s.value: s.label for s in WorkflowState}}
STATE_ORDER = [NOT_STARTED, *(s.value for s in (WorkflowState.DRAFT, WorkflowState.SUBMITTED, WorkflowState.RETURNED, WorkflowState.APPROVED))]


class WorkflowItem(TenantModel):
    """What an answer and an indicator actual have in common: state, version, who did what when."""

    State = WorkflowState

    state = models.CharField("状態", max_length=20, choices=WorkflowState.choices, default=WorkflowState.DRAFT)
    version = models.PositiveIntegerField("版", default=1)
    return_comment = models.TextField("差戻しコメント", blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="差戻し者"
    )
    returned_at = models.DateTimeField("差戻し日時", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="提出者"
    )
    submitted_at = models.DateTimeField("提出日時", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="承認者"
    )
    approved_at = models.DateTimeField("承認日時", null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="最終更新者"
    )
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        abstract = True

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


class RoundAnswer(WorkflowItem):
    """RoundAnswer — 回答: an activity's status, result and plans as the department reports them."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="answers", verbose_name="照会")
    node = models.ForeignKey(PlanNode, on_delete=models.CASCADE, related_name="round_answers", verbose_name="計画項目")
    status = models.ForeignKey(StatusSymbol, null=True, blank=True, on_delete=models.PROTECT, verbose_name="進捗状況")
    result = models.TextField("取組結果", blank=True)
    next_year_plan = models.TextField("次年度の取組予定", blank=True)
    later_plan = models.TextField("次年度以降の取組予定", blank=True)
    change_reason = models.TextField("スケジュールの変更理由", blank=True)

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "照会の回答"
        ordering = ["round", "node__path"]
        constraints = [models.UniqueConstraint(fields=["round", "node"], name="round_answer_unique")]
        indexes = [models.Index(fields=["round", "state"])]

    def __str__(self) -> str:
        return f"{self.node.code} {self.round.fiscal_year}年度 回答"


class RoundIndicatorActual(WorkflowItem):
    """An indicator's actual (実績) for the round's fiscal year, as entered; parsed like a published value."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="actuals", verbose_name="照会")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="round_actuals", verbose_name="指標")
    raw_text = models.CharField("実績（入力どおり）", max_length=300, blank=True)
    value = models.DecimalField("数値", max_digits=24, decimal_places=6, null=True, blank=True)
    unit = models.CharField("単位", max_length=30, blank=True)
    approximate = models.BooleanField("概数（約）", default=False)
    bound = models.CharField("範囲", max_length=10, blank=True)
    denominator = models.DecimalField("分母", max_digits=24, decimal_places=6, null=True, blank=True)
    readable = models.BooleanField("読取可", default=True)
    parse_note = models.CharField("読取結果", max_length=300, blank=True)
    footnote_marks = models.JSONField("注記記号", default=list, blank=True)
    note = models.TextField("備考", blank=True)

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "照会の指標実績"
        ordering = ["round", "indicator__order", "indicator__code"]
        constraints = [models.UniqueConstraint(fields=["round", "indicator"], name="round_indicator_actual_unique")]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.round.fiscal_year}年度 実績 {self.raw_text}"
