"""Headquarters meetings (推進本部), their agenda and decisions, and the action items they assign.

- ``Meeting`` — 会議: body (e.g. 行政情報化推進本部), number in the fiscal year, date and time,
  place, secretariat, whether the meeting and its minutes are public (公開 / 非公開 / 一部非公開)
  with the reason, the materials handed out.
- ``Attendee`` — 出席者 by title (副区長（本部長）, 区民部長 …), member or secretariat, proxy (代理).
- ``AgendaItem`` — 議題: 議案 (decided) or 報告事項 (reported), with its summary (要旨) and the
  decision (承認 …).
- ``ActionItem`` — 対応事項: what a department must do by when, with its state (未着手 / 対応中 / 完了)
  and links to the plan items or procedures it concerns. Overdue = due date before today and not done.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from shinchoku.core.fiscal import label as fy_label
from shinchoku.core.models import Department, TenantModel
from shinchoku.plans.models import PlanNode
from shinchoku.procedures.models import Procedure, TargetSelection


class Publication(models.TextChoices):
    PUBLIC = "public", "公開"
    CLOSED = "closed", "非公開"
    PARTIAL = "partial", "一部非公開"


class Meeting(TenantModel):
    """Meeting — 会議 (推進本部 etc.)."""

    body = models.CharField("会議体", max_length=200, help_text="例: 行政情報化推進本部")
    title = models.CharField("会議名", max_length=300, blank=True, help_text="例: 令和5年度第2回豊島区行政情報化推進本部")
    fiscal_year = models.PositiveSmallIntegerField("年度")
    number = models.PositiveSmallIntegerField("回", help_text="年度内の回数（第2回 → 2）")
    date = models.DateField("開催日")
    start_time = models.TimeField("開始時刻", null=True, blank=True)
    end_time = models.TimeField("終了時刻", null=True, blank=True)
    place = models.CharField("開催場所", max_length=200, blank=True)
    secretariat = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="事務局（担当課）"
    )
    meeting_publication = models.CharField("会議の公開", max_length=10, choices=Publication.choices, default=Publication.PUBLIC)
    meeting_publication_reason = models.TextField("会議を非公開・一部非公開とする理由", blank=True)
    minutes_publication = models.CharField("会議録の公開", max_length=10, choices=Publication.choices, default=Publication.PUBLIC)
    minutes_publication_reason = models.TextField("会議録を非公開・一部非公開とする理由", blank=True)
    materials = models.JSONField("提出された資料", default=list, blank=True, help_text='[{"number": "資料1-1", "title": "…"}]')
    notes = models.TextField("備考", blank=True)
    source = models.CharField("出典", max_length=300, blank=True)

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "会議"
        ordering = ["municipality", "-date", "body"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "body", "fiscal_year", "number"], name="meeting_unique_number"),
        ]

    def __str__(self) -> str:
        return self.title or f"{fy_label(self.fiscal_year)}第{self.number}回{self.body}"

    @property
    def fiscal_year_label(self) -> str:
        return fy_label(self.fiscal_year)


class Attendee(TenantModel):
    """Attendee — 出席者, by title (the minutes name people by post, not by name)."""

    class Group(models.TextChoices):
        MEMBER = "member", "部員"
        SECRETARIAT = "secretariat", "事務局"
        OTHER = "other", "その他"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees", verbose_name="会議")
    group = models.CharField("区分", max_length=20, choices=Group.choices, default=Group.MEMBER)
    title = models.CharField("職名", max_length=200, help_text="例: 副区長、情報管理課 情報担当係長（管理）")
    role = models.CharField("会議での役割", max_length=100, blank=True, help_text="例: 本部長、副本部長")
    proxy = models.BooleanField("代理出席", default=False)
    order = models.PositiveSmallIntegerField("表示順", default=0)

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "出席者"
        ordering = ["meeting", "order"]

    def __str__(self) -> str:
        text = self.title + (f"（{self.role}）" if self.role else "") + ("（代理）" if self.proxy else "")
        return text


class AgendaItem(TenantModel):
    """AgendaItem — 議題: a 議案 to decide or a 報告事項, with the decision."""

    class Kind(models.TextChoices):
        PROPOSAL = "proposal", "議案"
        REPORT = "report", "報告事項"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda", verbose_name="会議")
    kind = models.CharField("種別", max_length=20, choices=Kind.choices)
    number = models.PositiveSmallIntegerField("番号", help_text="議案（１）→ 1")
    title = models.CharField("件名", max_length=300)
    presenter = models.CharField("説明者", max_length=100, blank=True)
    summary = models.TextField("要旨", blank=True)
    discussion = models.TextField("質疑の要点", blank=True)
    decision = models.CharField("結果", max_length=50, blank=True, help_text="例: 承認、了承、継続審議。報告事項は空欄でよい")
    decision_text = models.CharField("結果の記載", max_length=300, blank=True, help_text="例: 議題について案のとおり承認")
    materials = models.JSONField("資料", default=list, blank=True)
    order = models.PositiveSmallIntegerField("表示順", default=0)

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "議題"
        ordering = ["meeting", "order"]
        constraints = [models.UniqueConstraint(fields=["meeting", "kind", "number"], name="agenda_item_unique_number")]

    def __str__(self) -> str:
        return f"{self.label} {self.title}"

    @property
    def label(self) -> str:
        return f"{self.get_kind_display()}（{self.number}）"


class ActionItem(TenantModel):
    """ActionItem — 対応事項: assigned to one department, due by a date, tracked to completion."""

    class State(models.TextChoices):
        NOT_STARTED = "not_started", "未着手"
        IN_PROGRESS = "in_progress", "対応中"
        DONE = "done", "完了"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="action_items", verbose_name="会議")
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="action_items", verbose_name="議題"
    )
    key = models.CharField("識別子", max_length=50, help_text="会議内で一意（取込・デモデータの再実行で同じ行を更新するため）")
    title = models.CharField("対応事項", max_length=300)
    description = models.TextField("内容", blank=True)
    owner = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="action_items", verbose_name="担当部局")
    due_date = models.DateField("期限", null=True, blank=True)
    state = models.CharField("状態", max_length=20, choices=State.choices, default=State.NOT_STARTED)
    progress_note = models.TextField("対応状況", blank=True)
    completed_on = models.DateField("完了日", null=True, blank=True)
    plan_nodes = models.ManyToManyField(PlanNode, blank=True, related_name="action_items", verbose_name="関連する計画項目")
    procedures = models.ManyToManyField(Procedure, blank=True, related_name="action_items", verbose_name="関連する行政手続")
    selection = models.ForeignKey(
        TargetSelection, null=True, blank=True, on_delete=models.SET_NULL, related_name="action_items",
        verbose_name="関連するオンライン化対象の選定",
    )
    order = models.PositiveSmallIntegerField("表示順", default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="更新者"
    )
    updated_at = models.DateTimeField("更新日時", auto_now=True)
    reminder_log = models.JSONField(
        "督促の記録", default=list, blank=True,
        help_text='期限の督促メールの送信記録 [{"at": "…", "by": "…", "department": "…", "recipients": ["…"], "subject": "…"}]',
    )

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "対応事項"
        ordering = ["meeting", "order", "due_date"]
        constraints = [models.UniqueConstraint(fields=["meeting", "key"], name="action_item_unique_key")]
        indexes = [models.Index(fields=["municipality", "state", "due_date"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.state != self.State.DONE

    def is_overdue(self, today: dt.date) -> bool:
        """Due date before ``today`` and not done (an item due today is not overdue yet)."""
        return self.is_open and self.due_date is not None and self.due_date < today

    def days_overdue(self, today: dt.date) -> int:
        return (today - self.due_date).days if self.is_overdue(today) else 0
