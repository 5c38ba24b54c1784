"""Plans, their item trees, status scales and progress entries.

- ``Plan`` — 計画 (DX / informatization / reform plan) with a period in fiscal years.
- ``PlanNode`` — 計画項目: goal 目標, measure 施策, initiative 取組/実施内容, activity 事業内容 … any depth.
- ``StatusScale`` / ``StatusSymbol`` — 進捗区分 (◎○△×, 実施済/作業中/…, A/B/C/D).
- ``ProgressEntry`` — 進捗 / 取組結果: one node's answer for one fiscal year.
"""

from __future__ import annotations

from django.db import models

from shinchoku.core.fiscal import label as fy_label
from shinchoku.core.models import Department, TenantModel


class StatusScale(TenantModel):
    """StatusScale — 進捗区分: the symbols a plan's progress is judged on."""

    name = models.CharField("名称", max_length=100)

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "進捗区分"

    def __str__(self) -> str:
        return f"{self.name}（{' '.join(s.symbol for s in self.symbols.all())}）"


class StatusSymbol(TenantModel):
    """One symbol of a scale with its meaning and what it says about the schedule."""

    class Category(models.TextChoices):
        AHEAD = "ahead", "予定以上"
        ON_PLAN = "on_plan", "予定どおり"
        LATE = "late", "遅れ"
        NOT_STARTED = "not_started", "未着手"
        OTHER = "other", "その他"

    scale = models.ForeignKey(StatusScale, on_delete=models.CASCADE, related_name="symbols", verbose_name="進捗区分")
    symbol = models.CharField("記号", max_length=20)
    meaning = models.CharField("意味", max_length=200)
    category = models.CharField("分類", max_length=20, choices=Category.choices, default=Category.OTHER)
    order = models.PositiveSmallIntegerField("表示順", default=0)

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "進捗区分の記号"
        ordering = ["scale", "order"]
        constraints = [models.UniqueConstraint(fields=["scale", "symbol"], name="status_symbol_unique")]

    def __str__(self) -> str:
        return f"{self.symbol} {self.meaning}"

    @property
    def requires_reason(self) -> bool:
        """A late or not-started status must say why the schedule changed (スケジュールの変更理由)."""
        return self.category in {self.Category.LATE, self.Category.NOT_STARTED}


class Plan(TenantModel):
    """Plan — 計画."""

    name = models.CharField("計画名", max_length=200)
    kind = models.CharField("種別", max_length=100, blank=True, help_text="例: DX推進計画、地域情報化推進計画、行政改革計画")
    period_start = models.PositiveSmallIntegerField("計画期間開始年度")
    period_end = models.PositiveSmallIntegerField("計画期間終了年度")
    status_scale = models.ForeignKey(
        StatusScale, null=True, blank=True, on_delete=models.PROTECT, verbose_name="進捗区分",
        help_text="空欄: 進捗を文章のみで報告する計画",
    )
    level_names = models.JSONField("階層名", default=list, blank=True, help_text='例: ["目標", "実施内容", "事業内容"]')
    description = models.TextField("説明", blank=True)
    source = models.CharField("取込元", max_length=300, blank=True)
    is_published = models.BooleanField("公開", default=False)

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "計画"
        ordering = ["municipality", "-period_start", "name"]
        constraints = [models.UniqueConstraint(fields=["municipality", "name"], name="plan_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def period_label(self) -> str:
        return f"{fy_label(self.period_start)}〜{fy_label(self.period_end)}"

    def level_name(self, depth: int) -> str:
        names = self.level_names or []
        return names[depth] if depth < len(names) else f"第{depth + 1}階層"


class PlanNode(TenantModel):
    """PlanNode — 計画項目: a goal, measure, initiative or activity, at any depth.

    A re-listed node (再掲) is a lightweight reference placed under a second parent: it has its own
    code and position but ``relisted_from`` points at the original, whose title, departments and
    progress it shows. It carries no progress of its own, so status counts never count it twice.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="nodes", verbose_name="計画")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children", verbose_name="親項目"
    )
    depth = models.PositiveSmallIntegerField("階層", default=0)
    code = models.CharField("コード", max_length=50)
    title = models.CharField("名称", max_length=500, blank=True)
    description = models.TextField("説明", blank=True)
    order = models.PositiveIntegerField("表示順", default=0)
    path = models.CharField("並び順キー", max_length=255, db_index=True, help_text="木の表示順（先祖の表示順をつないだもの）")
    departments = models.ManyToManyField(
        Department, through="NodeDepartment", blank=True, related_name="plan_nodes", verbose_name="所管課"
    )
    relisted_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="relistings", verbose_name="再掲元"
    )
    tags = models.JSONField("タグ", default=list, blank=True)

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "計画項目"
        ordering = ["plan", "path"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="plan_node_unique_code")]
        indexes = [models.Index(fields=["plan", "depth"])]

    def __str__(self) -> str:
        # No database access here: the change log calls str() while cascading deletes.
        return f"{self.code} {self.title}" if self.title else f"{self.code}（再掲）"

    @property
    def is_relisting(self) -> bool:
        return self.relisted_from_id is not None

    @property
    def display_title(self) -> str:
        if self.relisted_from_id and not self.title:
            return self.relisted_from.title
        return self.title


class NodeDepartment(TenantModel):
    """Ownership of a node by a department (所管課); several per node, ordered as published."""

    node = models.ForeignKey(PlanNode, on_delete=models.CASCADE, related_name="ownerships")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="ownerships")
    order = models.PositiveSmallIntegerField(default=0)

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "所管課の割当"
        ordering = ["node", "order"]
        constraints = [models.UniqueConstraint(fields=["node", "department"], name="node_department_unique")]

    def __str__(self) -> str:
        return f"{self.node.code} — {self.department.name}"


class ProgressEntry(TenantModel):
    """ProgressEntry — 進捗 / 取組結果: a node's status and narrative for one fiscal year.

    ``round`` empty = the official figure of the year (what a closed survey round or an import of a
    published report established). ``version`` increases with every save; a save that carries an
    older version is refused (optimistic locking, no lost update).
    """

    class State(models.TextChoices):
        DRAFT = "draft", "下書き"
        SUBMITTED = "submitted", "提出済"
        RETURNED = "returned", "差戻し"
        APPROVED = "approved", "承認済"

    node = models.ForeignKey(PlanNode, on_delete=models.CASCADE, related_name="entries", verbose_name="計画項目")
    fiscal_year = models.PositiveSmallIntegerField("年度")
    status = models.ForeignKey(
        StatusSymbol, null=True, blank=True, on_delete=models.PROTECT, verbose_name="進捗状況"
    )
    result = models.TextField("取組結果", blank=True)
    next_year_plan = models.TextField("次年度の取組予定", blank=True)
    later_plan = models.TextField("次年度以降の取組予定", blank=True)
    change_reason = models.TextField("スケジュールの変更理由", blank=True)
    state = models.CharField("状態", max_length=20, choices=State.choices, default=State.APPROVED)
    version = models.PositiveIntegerField("版", default=1)
    submitted_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="提出者"
    )
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "進捗"
        ordering = ["node__path", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["node", "fiscal_year"], name="progress_entry_unique_official"),
        ]
        indexes = [models.Index(fields=["municipality", "fiscal_year"])]

    def __str__(self) -> str:
        return f"{self.node.code} {self.fiscal_year}年度"
