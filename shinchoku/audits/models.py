"""Audits, their findings and the departments' answers (措置状況).

- ``Audit`` — 監査: a comprehensive external audit (包括外部監査), an internal information-security
  audit (情報セキュリティ監査) or another audit, for one fiscal year and theme.
- ``Finding`` — 指摘事項 / 意見事項: numbered per kind within the audit, with its departments (two
  links for a joint finding such as ``DX推進課・情報システム課``) and the plan items it concerns.
- ``Response`` — 措置: what the department did, when, with the state 未措置 / 措置中 / 措置済; submitted by a
  department, approved (or returned) by the planning / audit office.
- ``Evidence`` — 措置の根拠資料: files attached to a response, stored under ``MEDIA_ROOT``.

The official state of a finding (what the follow-up list 措置状況一覧 publishes) is the state of its
latest *approved* response; a submitted answer is a draft until approved.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from shinchoku.core.fiscal import label as fy_label
from shinchoku.core.models import Department, TenantModel
from shinchoku.plans.models import PlanNode


class Audit(TenantModel):
    """Audit — 監査."""

    class Kind(models.TextChoices):
        EXTERNAL = "external", "包括外部監査"
        SECURITY = "security", "情報セキュリティ監査"
        OTHER = "other", "その他の監査"

    kind = models.CharField("監査の種類", max_length=20, choices=Kind.choices)
    fiscal_year = models.PositiveSmallIntegerField("年度")
    theme = models.CharField("監査テーマ", max_length=300)
    auditor = models.CharField("監査人", max_length=200, blank=True)
    auditor_qualification = models.CharField("監査人の資格", max_length=100, blank=True)
    assistants = models.JSONField("補助者", default=list, blank=True)
    report_date = models.DateField("報告日", null=True, blank=True)
    source = models.CharField("取込元", max_length=300, blank=True)

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "監査"
        ordering = ["municipality", "-fiscal_year", "kind", "theme"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "kind", "fiscal_year", "theme"], name="audit_unique_theme"),
        ]

    def __str__(self) -> str:
        return f"{fy_label(self.fiscal_year)} {self.get_kind_display()}「{self.theme}」"

    @property
    def fiscal_year_label(self) -> str:
        return fy_label(self.fiscal_year)


class Finding(TenantModel):
    """Finding — 指摘事項 (a finding that must be corrected) or 意見事項 (an opinion)."""

    class Kind(models.TextChoices):
        SHITEKI = "shiteki", "指摘事項"
        IKEN = "iken", "意見事項"

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="findings", verbose_name="監査")
    kind = models.CharField("分類", max_length=10, choices=Kind.choices)
    number = models.PositiveSmallIntegerField("番号")
    title = models.CharField("題名", max_length=300)
    summary = models.TextField("概要", blank=True)
    departments = models.ManyToManyField(Department, related_name="audit_findings", verbose_name="対象部局")
    department_text = models.CharField("対象部局（原文）", max_length=200, blank=True)
    page = models.PositiveIntegerField("頁", null=True, blank=True)
    order = models.PositiveIntegerField("掲載順", default=0)
    plan_nodes = models.ManyToManyField(PlanNode, blank=True, related_name="audit_findings", verbose_name="関連する計画項目")
    reminder_log = models.JSONField(
        "督促の記録", default=list, blank=True,
        help_text='回答督促メールの送信記録 [{"at": "…", "by": "…", "department": "…", "recipients": ["…"], "subject": "…"}]',
    )

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "監査の指摘・意見"
        ordering = ["audit", "order", "kind", "number"]
        constraints = [models.UniqueConstraint(fields=["audit", "kind", "number"], name="finding_unique_number")]
        indexes = [models.Index(fields=["municipality", "audit"])]

    def __str__(self) -> str:
        return f"{self.label} {self.title}"

    @property
    def label(self) -> str:
        return f"{self.get_kind_display()}{self.number}"


class ResponseState(models.TextChoices):
    """措置状況."""

    NONE = "none", "未措置"
    IN_PROGRESS = "in_progress", "措置中"
    DONE = "done", "措置済"


class Response(TenantModel):
    """Response — 措置: a department's answer to a finding, reviewed by the planning / audit office."""

    class Review(models.TextChoices):
        SUBMITTED = "submitted", "承認待ち"
        APPROVED = "approved", "承認済"
        RETURNED = "returned", "差戻し"

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="responses", verbose_name="指摘・意見")
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_responses", verbose_name="回答した所管課"
    )
    text = models.TextField("措置の内容")
    date = models.DateField("措置日")
    state = models.CharField("措置状況", max_length=20, choices=ResponseState.choices)
    review = models.CharField("確認", max_length=20, choices=Review.choices, default=Review.SUBMITTED)
    review_comment = models.TextField("確認コメント", blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="回答者"
    )
    submitted_at = models.DateTimeField("回答日時", auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="承認者"
    )
    approved_at = models.DateTimeField("承認日時", null=True, blank=True)

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "措置"
        ordering = ["finding", "date", "id"]
        indexes = [models.Index(fields=["municipality", "review"])]

    def __str__(self) -> str:
        return f"{self.finding.label} {self.date:%Y-%m-%d} {self.get_state_display()}"

    @property
    def is_approved(self) -> bool:
        return self.review == self.Review.APPROVED


def validate_upload_size(file) -> None:
    limit = settings.SHINCHOKU_MAX_UPLOAD_BYTES
    if file is not None and getattr(file, "size", 0) > limit:
        raise ValidationError(
            f"ファイルが大きすぎます（{file.size:,}バイト）。上限は{limit:,}バイト（{limit / 1024 / 1024:.0f}MB）です。"
        )


class LoggedFileField(models.FileField):
    """A FileField whose value in the change log is the stored file name.

    ``core.changelog.snapshot`` writes ``field.value_from_object`` into a JSON column; a plain
    FileField gives a ``FieldFile`` there, which JSON cannot hold. (A fix in ``core.changelog``
    — file fields by name — would make this subclass unnecessary.)
    """

    def value_from_object(self, obj):
        value = super().value_from_object(obj)
        return value.name if value else ""


class Evidence(TenantModel):
    """Evidence — 根拠資料: a file attached to a response (stored under ``MEDIA_ROOT``)."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="evidence", verbose_name="措置")
    file = LoggedFileField("ファイル", upload_to="audits/evidence/%Y/%m/", validators=[validate_upload_size], max_length=300)
    name = models.CharField("ファイル名", max_length=255)
    size = models.PositiveBigIntegerField("サイズ（バイト）", default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="登録者"
    )
    uploaded_at = models.DateTimeField("登録日時", auto_now_add=True)

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "根拠資料"
        ordering = ["response", "id"]

    def __str__(self) -> str:
        return self.name
