"""Indicators and their values.

- ``Indicator`` — 指標: an outcome KPI (成果指標) or an activity measure (活動指標).
- ``IndicatorDefinitionChange`` — 定義変更: e.g. Nakano's My Number card figure, 交付率 → 保有率
  from May 2023 (FY2023).
- ``IndicatorValue`` — 指標値: one figure per indicator × fiscal year × kind (実績 / 目標 / 見込み),
  kept exactly as published (``raw_text``) and as read by the value parser.
"""

from __future__ import annotations

from django.db import models

from shinchoku.core.models import Department, TenantModel
from shinchoku.plans.models import Plan, PlanNode


class Indicator(TenantModel):
    class Kind(models.TextChoices):
        OUTCOME = "outcome", "成果指標"
        ACTIVITY = "activity", "活動指標"

    class Direction(models.TextChoices):
        HIGHER = "higher", "高いほど良い"
        LOWER = "lower", "低いほど良い"
        WITHIN = "within", "範囲内"
        QUALITATIVE = "qualitative", "定性"

    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.CASCADE, related_name="indicators", verbose_name="計画")
    code = models.CharField("指標コード", max_length=50)
    name = models.CharField("指標名", max_length=300)
    kind = models.CharField("種別", max_length=20, choices=Kind.choices, default=Kind.OUTCOME)
    unit = models.CharField("単位", max_length=30, blank=True)
    direction = models.CharField("方向", max_length=20, choices=Direction.choices, blank=True)
    definition = models.TextField("定義", blank=True)
    data_source = models.CharField("出典", max_length=300, blank=True)
    baseline_year = models.PositiveSmallIntegerField("基準年度", null=True, blank=True)
    final_target_year = models.PositiveSmallIntegerField("最終目標年度", null=True, blank=True)
    cumulative_since = models.PositiveSmallIntegerField("累計の起点年度", null=True, blank=True)
    owner = models.ForeignKey(Department, null=True, blank=True, on_delete=models.SET_NULL, verbose_name="担当課")
    nodes = models.ManyToManyField(PlanNode, blank=True, related_name="indicators", verbose_name="関連項目")
    baseline_text = models.CharField(
        "基準値", max_length=100, blank=True, help_text="空欄: 基準年度の実績を基準値とする"
    )
    reference_amounts = models.JSONField(
        "基準量", default=dict, blank=True,
        help_text='目標が他の量の割合（例: 予算額の1割程度）のとき、年度ごとの基準量: {"2024": "120000000"}',
    )
    group = models.CharField("区分", max_length=300, blank=True, help_text="例: 目標1（表の見出し）")
    footnotes = models.JSONField("注記", default=list, blank=True, help_text='[{"mark": "※1", "text": "…"}]')
    order = models.PositiveIntegerField("表示順", default=0)

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "指標"
        ordering = ["plan", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="indicator_unique_code")]

    def __str__(self) -> str:
        return self.name


class IndicatorDefinitionChange(TenantModel):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="definition_changes")
    effective_fiscal_year = models.PositiveSmallIntegerField("適用年度")
    description = models.TextField("変更内容")

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "指標の定義変更"
        ordering = ["indicator", "effective_fiscal_year"]

    def __str__(self) -> str:
        return f"{self.indicator} {self.effective_fiscal_year}年度〜"


class IndicatorValue(TenantModel):
    class Kind(models.TextChoices):
        ACTUAL = "actual", "実績"
        TARGET = "target", "目標"
        ESTIMATE = "estimate", "見込み"

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values", verbose_name="指標")
    fiscal_year = models.PositiveSmallIntegerField("年度")
    kind = models.CharField("区分", max_length=10, choices=Kind.choices)
    raw_text = models.CharField("公表値", max_length=300, blank=True)
    value = models.DecimalField("数値", max_digits=24, decimal_places=6, null=True, blank=True)
    unit = models.CharField("単位", max_length=30, blank=True)
    approximate = models.BooleanField("概数（約）", default=False)
    bound = models.CharField("範囲", max_length=10, blank=True)
    denominator = models.DecimalField("分母", max_digits=24, decimal_places=6, null=True, blank=True)
    readable = models.BooleanField("読取可", default=True)
    parse_note = models.CharField("読取結果", max_length=300, blank=True)
    footnote_marks = models.JSONField("注記記号", default=list, blank=True)
    as_of = models.CharField("時点", max_length=100, blank=True)
    notes = models.TextField("注記", blank=True)

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "指標値"
        ordering = ["indicator", "fiscal_year", "kind"]
        constraints = [models.UniqueConstraint(fields=["indicator", "fiscal_year", "kind"], name="indicator_value_unique")]

    def __str__(self) -> str:
        return f"{self.indicator} {self.fiscal_year}年度 {self.get_kind_display()} {self.raw_text}"
