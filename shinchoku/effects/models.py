"""Effects (効果) of a plan: amounts saved or earned, and working hours saved.

- ``Effect`` — one published figure: 効果額 / 削減額 / 増収額 in 円, or 削減時間 in 時間, for a plan item
  (or the plan as a whole) and a fiscal year, optionally per year over a span of years
  (``20,000千円/年`` from 令和5年度 to 令和9年度).

The figure is kept exactly as published (``raw_value``) and as read by the indicator value parser
(:func:`shinchoku.indicators.values.parse_value`): ``amount`` in base units (円 or 時間, multipliers
applied: 182百万円 → 182,000,000), ``unit`` and ``period`` (per year or per month; empty = a total).
A figure published as not yet known (集計中, -) has no amount (never 0).
"""

from __future__ import annotations

from django.db import models

from shinchoku.core.fiscal import to_wareki
from shinchoku.core.models import TenantModel
from shinchoku.plans.models import Plan, PlanNode


class Effect(TenantModel):
    class Kind(models.TextChoices):
        EFFECT = "effect", "効果額"
        SAVING = "saving", "削減額"
        REVENUE = "revenue", "増収額"
        HOURS = "hours", "削減時間"

    class Unit(models.TextChoices):
        YEN = "円", "円"
        HOURS = "時間", "時間"

    class Period(models.TextChoices):
        TOTAL = "", "期間なし（総額）"
        YEAR = "year", "年あたり"
        MONTH = "month", "月あたり"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="effects", verbose_name="計画")
    node = models.ForeignKey(
        PlanNode, null=True, blank=True, on_delete=models.CASCADE, related_name="effects", verbose_name="計画項目",
        help_text="空欄: 計画全体の効果",
    )
    fiscal_year = models.PositiveSmallIntegerField("年度")
    until_fiscal_year = models.PositiveSmallIntegerField(
        "終了年度", null=True, blank=True, help_text="年あたりの額が複数年度続くときの最後の年度"
    )
    kind = models.CharField("種別", max_length=10, choices=Kind.choices)
    raw_value = models.CharField("公表値", max_length=300, blank=True, help_text="公表どおりの値（182百万円、1,400時間/月 など）")
    amount = models.DecimalField(
        "数値", max_digits=24, decimal_places=6, null=True, blank=True, help_text="基本単位（円・時間）の値。値がなければ空"
    )
    unit = models.CharField("単位", max_length=10, choices=Unit.choices)
    period = models.CharField("期間", max_length=10, choices=Period.choices, blank=True, default="")
    basis = models.TextField("算定根拠", blank=True)
    notes = models.TextField("注記", blank=True)

    # --- computation inputs (算定の入力): hours saved × unit labour cost = yen, with stated rounding rules.
    # Computed by shinchoku.effects.compute with shinchoku.effects.calc; blank when only the published
    # figure is known. Rounding rules: "" = 端数処理なし, "half_up:0" = 円未満四捨五入, "floor:0" =
    # 円未満切り捨て, "half_up:2" = 小数第3位を四捨五入 (see compute.ROUNDING_CHOICES).
    name = models.CharField("効果の名称", max_length=300, blank=True, help_text="例: シナリオ自作型RPA")
    sheet = models.ForeignKey(
        "evaluations.EvaluationSheet", null=True, blank=True, on_delete=models.SET_NULL, related_name="effects",
        verbose_name="事務事業分析シート",
    )
    department = models.ForeignKey(
        "core.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="effects",
        verbose_name="所管課",
    )
    hours_saved = models.DecimalField(
        "削減時間（時間）", max_digits=20, decimal_places=6, null=True, blank=True,
        help_text="1単位あたりの削減時間（乗数を掛ける前）",
    )
    minutes_saved = models.DecimalField(
        "削減時間（分）", max_digits=20, decimal_places=6, null=True, blank=True, help_text="分で示された削減時間（例: 1日30分）"
    )
    hours_breakdown = models.JSONField(
        "削減時間の内訳", default=list, blank=True, help_text='[{"label": "きっずクラブ 利用状況集計", "hours": "10080"}]'
    )
    multipliers = models.JSONField(
        "乗数", default=list, blank=True,
        help_text='利用者数・日数など: [{"value": "20", "unit": "日", "label": "月平均稼働日数"}, {"value": "140", "unit": "ユーザー"}]',
    )
    period_unit = models.CharField(
        "削減時間の期間", max_length=10, blank=True, choices=[("year", "年あたり"), ("month", "月あたり")],
        help_text="削減時間（×乗数）が何あたりか",
    )
    periods_per_year = models.DecimalField(
        "年あたり期間数", max_digits=10, decimal_places=4, null=True, blank=True, help_text="空欄: 月なら12、年なら1"
    )
    hourly_rate = models.DecimalField(
        "時間単価（円）", max_digits=16, decimal_places=6, null=True, blank=True, help_text="空欄: 月額人件費から算出"
    )
    monthly_salary = models.DecimalField("月額人件費（円）", max_digits=16, decimal_places=2, null=True, blank=True)
    working_days = models.DecimalField("月あたり稼働日数", max_digits=8, decimal_places=4, null=True, blank=True)
    hours_per_day = models.DecimalField("1日あたり所定労働時間", max_digits=8, decimal_places=4, null=True, blank=True)
    labour_cost_label = models.CharField("人件費の根拠", max_length=300, blank=True)
    rate_rounding = models.CharField("時間単価の端数処理", max_length=20, blank=True, default="")
    yen_rounding = models.CharField("円の端数処理", max_length=20, blank=True, default="")
    thousand_rounding = models.CharField("千円換算の端数処理", max_length=20, blank=True, default="half_up:0")

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "効果"
        ordering = ["plan", "fiscal_year", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "node", "fiscal_year", "kind"], name="effect_unique_per_item_year_kind"),
        ]
        indexes = [models.Index(fields=["municipality", "fiscal_year"])]

    def __str__(self) -> str:
        # No database access here: the change log calls str() for every row of an import.
        return f"{to_wareki(self.fiscal_year)} {self.get_kind_display()} {self.raw_value}".strip()
