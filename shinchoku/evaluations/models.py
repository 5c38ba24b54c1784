"""Project evaluation sheets — 事務事業分析シート (Arakawa layout) as records.

One :class:`EvaluationSheet` per municipality × project code × fiscal year, with every field of the
published sheet. Parts that are queried or checked (budget/settlement years, the cost statement,
breakdown by 節, indicators, classifications, contracts, activity series, small projects) are child
tables; parts that are only shown (radio option lists, the improvement table, issues, history
entries, council fields) are JSON.

Conventions (as in :mod:`shinchoku.evaluations.importers.arakawa`):

* amounts are in thousands of yen (千円) unless the field says 円; every figure keeps the text as
  printed (``*_raw``) next to its value;
* anything absent from the document is ``None`` / blank, never 0;
* a radio-button group is stored as ``{"options": [{"label": …, "checked": …}], "raw": …}`` plus the
  checked label in its own column where it is worth filtering on.

Every model is tenant-scoped (``municipality``) and tracked in the change log.
"""

from __future__ import annotations

from django.db import models

from shinchoku.core.fiscal import to_wareki
from shinchoku.core.models import Department, TenantModel


class EvaluationSheet(TenantModel):
    """事務事業分析シート: one project's evaluation for one fiscal year."""

    fiscal_year = models.PositiveSmallIntegerField("年度")
    code = models.CharField("事務事業コード", max_length=20)
    name = models.CharField("事務事業名", max_length=300)
    heading = models.CharField("表題", max_length=200, blank=True)
    page_label = models.CharField("頁番号", max_length=20, blank=True)

    # 部課名・課長名・担当者名・内線
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="evaluation_sheets",
        verbose_name="所管課",
    )
    department_raw = models.CharField("部課名（原文）", max_length=200, blank=True)
    department_bu = models.CharField("部", max_length=100, blank=True)
    department_ka = models.CharField("課", max_length=100, blank=True)
    department_kakari = models.CharField("係", max_length=100, blank=True)
    manager = models.CharField("課長名", max_length=100, blank=True)
    staff = models.JSONField("担当者名", default=list, blank=True)
    staff_raw = models.CharField("担当者名（原文）", max_length=300, blank=True)
    extension = models.CharField("内線", max_length=50, blank=True)

    # radio groups
    strategic_plan = models.CharField("戦略プラン", max_length=50, blank=True)
    strategic_plan_radio = models.JSONField("戦略プラン（選択肢）", null=True, blank=True)
    project_type = models.CharField("事務事業の種類", max_length=50, blank=True)
    project_type_radio = models.JSONField("事務事業の種類（選択肢）", null=True, blank=True)
    new_project_year_radio = models.JSONField("新規事業の年度（選択肢）", null=True, blank=True)

    small_projects_year = models.PositiveSmallIntegerField("小事業の年度", null=True, blank=True)

    start_year = models.PositiveSmallIntegerField("開始年度", null=True, blank=True)
    start_year_raw = models.CharField("開始年度（原文）", max_length=100, blank=True)
    legal_basis = models.TextField("根拠法令等", blank=True)
    end_year_setting = models.CharField("終期設定", max_length=20, blank=True)
    end_year_setting_radio = models.JSONField("終期設定（選択肢）", null=True, blank=True)
    end_year = models.PositiveSmallIntegerField("終期", null=True, blank=True)
    end_year_raw = models.CharField("終期（原文）", max_length=100, blank=True)
    implementation_standard = models.CharField("実施基準", max_length=50, blank=True)
    implementation_standard_radio = models.JSONField("実施基準（選択肢）", null=True, blank=True)
    plan_category = models.CharField("計画区分", max_length=20, blank=True)
    plan_category_radio = models.JSONField("計画区分（選択肢）", null=True, blank=True)

    # 行政評価事業体系
    policy_field_code = models.CharField("分野コード", max_length=20, blank=True)
    policy_field_title = models.CharField("分野", max_length=300, blank=True)
    policy_policy_code = models.CharField("政策コード", max_length=20, blank=True)
    policy_policy_title = models.CharField("政策", max_length=300, blank=True)
    policy_measure_code = models.CharField("施策コード", max_length=20, blank=True)
    policy_measure_title = models.CharField("施策", max_length=300, blank=True)
    policy_path = models.CharField("体系コード", max_length=60, blank=True, db_index=True, help_text="例: VII-15-05（NFKC）")

    purpose = models.TextField("目的", blank=True)
    target_group = models.TextField("対象者等", blank=True)
    content = models.TextField("内容", blank=True)
    content_raw = models.TextField("内容（原文）", blank=True)
    history = models.TextField("経過", blank=True)
    history_raw = models.TextField("経過（原文）", blank=True)
    history_entries = models.JSONField("経過（年表）", default=list, blank=True, help_text='[{"when": "平成15年度", "text": "…"}]')
    necessity = models.TextField("必要性", blank=True)

    # 実施方法
    method_raw = models.TextField("実施方法（原文）", blank=True)
    method_mode_printed = models.CharField("実施方法の区分（印字）", max_length=50, blank=True)
    method_mode = models.CharField(
        "実施方法の区分", max_length=20, blank=True, help_text="全部委託 / 一部委託 / 直営（読めないときは空欄）"
    )
    method_mode_radio = models.JSONField("実施方法の区分（選択肢）", null=True, blank=True)
    method_direct_staff_radio = models.JSONField("直営の場合（選択肢）", null=True, blank=True)
    method_contracts_text = models.TextField("委託契約（原文）", blank=True)
    method_contract_year = models.PositiveSmallIntegerField("委託契約の年度", null=True, blank=True)
    has_method = models.BooleanField("実施方法の記載あり", default=False)

    # 指標
    indicator_years = models.JSONField("指標の年度", default=list, blank=True)
    indicator_target_year = models.PositiveSmallIntegerField("指標の目標年度", null=True, blank=True)

    classification_reason = models.TextField("分類についての説明・意見等", blank=True)

    # 行政コスト計算書
    cost_year_earlier = models.PositiveSmallIntegerField("行政コスト計算書の前年度", null=True, blank=True)
    cost_year_later = models.PositiveSmallIntegerField("行政コスト計算書の年度", null=True, blank=True)
    cost_has_difference_column = models.BooleanField("差額列あり", default=False)
    cost_line_no = models.PositiveIntegerField("行政コスト計算書の行", null=True, blank=True)

    remarks = models.TextField("備考", blank=True)
    issues = models.JSONField("問題点・課題", default=list, blank=True, help_text='[{"number": 1, "text": "…"}]')
    improvement_headings = models.JSONField("改善策の見出し", default=list, blank=True)
    improvements = models.JSONField(
        "問題点・課題の改善策", default=list, blank=True,
        help_text='[{"number": 1, "planned": "…", "implemented": "…", "next_plan": "…", "line": 76}]',
    )
    has_improvements = models.BooleanField("改善策の表あり", default=False)

    # 他区の状況
    other_wards_raw = models.CharField("他区の状況（原文）", max_length=300, blank=True)
    other_wards_implemented = models.PositiveSmallIntegerField("実施区数", null=True, blank=True)
    other_wards_not_implemented = models.PositiveSmallIntegerField("未実施区数", null=True, blank=True)
    other_wards_unknown = models.PositiveSmallIntegerField("不明区数", null=True, blank=True)
    other_wards_notes = models.TextField("他区の状況（注記）", blank=True)
    has_other_wards = models.BooleanField("他区の状況の記載あり", default=False)

    council_fields = models.JSONField("議会欄", default=list, blank=True, help_text='[{"label": "議会議案要旨", "text": null, "line": 83}]')

    # provenance
    source_file = models.CharField("取込元", max_length=300, blank=True)
    line_start = models.PositiveIntegerField("開始行", null=True, blank=True)
    line_end = models.PositiveIntegerField("終了行", null=True, blank=True)
    parse_warnings = models.JSONField("取込時の注意", default=list, blank=True)

    version = models.PositiveIntegerField("版", default=1, help_text="同時編集の検出用（保存のたびに1増える）")

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "事務事業分析シート"
        ordering = ["municipality", "-fiscal_year", "code"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code", "fiscal_year"], name="evaluation_sheet_unique"),
        ]
        indexes = [models.Index(fields=["municipality", "department", "fiscal_year"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}（{self.fiscal_year}年度）"

    @property
    def fiscal_year_label(self) -> str:
        return to_wareki(self.fiscal_year)

    @property
    def cost_years(self) -> tuple[int, int] | None:
        if self.cost_year_earlier is None or self.cost_year_later is None:
            return None
        return self.cost_year_earlier, self.cost_year_later


class SheetChild(TenantModel):
    """Base of the sheet's child rows (same municipality as the sheet)."""

    class Meta:
        abstract = True


class SmallProject(SheetChild):
    """事務事業を構成する小事業名及び予算事業コード."""

    sheet = models.ForeignKey(EvaluationSheet, on_delete=models.CASCADE, related_name="small_projects")
    order = models.PositiveSmallIntegerField("順", default=0)
    code = models.CharField("予算事業コード", max_length=20)
    name = models.CharField("小事業名", max_length=300, blank=True)

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "小事業"
        ordering = ["sheet", "order"]
        constraints = [models.UniqueConstraint(fields=["sheet", "order"], name="sheet_small_project_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Contract(SheetChild):
    """A contract named under 実施方法, amount in 円; ``parent`` for the parts of a split contract."""

    sheet = models.ForeignKey(EvaluationSheet, on_delete=models.CASCADE, related_name="contracts")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="parts")
    order = models.PositiveSmallIntegerField("順", default=0, help_text="シート内の通し番号（内訳も含む）")
    name = models.CharField("契約名", max_length=300)
    amount_yen = models.BigIntegerField("契約金額（円）", null=True, blank=True)
    amount_raw = models.CharField("契約金額（原文）", max_length=100, blank=True)

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "委託契約"
        ordering = ["sheet", "order"]
        constraints = [models.UniqueConstraint(fields=["sheet", "order"], name="sheet_contract_unique")]

    def __str__(self) -> str:
        return self.name


class SheetIndicator(SheetChild):
    """An indicator row of the sheet (①–③), linked to the indicator engine's :class:`Indicator`."""

    sheet = models.ForeignKey(EvaluationSheet, on_delete=models.CASCADE, related_name="indicators")
    number = models.PositiveSmallIntegerField("番号")
    name = models.CharField("指標名", max_length=300)
    kind = models.CharField("種別", max_length=10, help_text="成果 / 活動")
    unit = models.CharField("単位", max_length=30, blank=True)
    explanation = models.TextField("指標に関する説明", blank=True)
    line = models.PositiveIntegerField("行", null=True, blank=True)
    indicator = models.ForeignKey(
        "indicators.Indicator", null=True, blank=True, on_delete=models.SET_NULL, related_name="sheet_rows",
        verbose_name="指標（指標エンジン）",
    )

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "シートの指標"
        ordering = ["sheet", "number"]
        constraints = [models.UniqueConstraint(fields=["sheet", "number"], name="sheet_indicator_unique")]

    def __str__(self) -> str:
        # No database access here: the change log calls str() while cascading deletes.
        return f"{self.number} {self.name}"


class SheetIndicatorValue(SheetChild):
    """A figure of an indicator row, as printed on this sheet (actual, 見込み or 目標値)."""

    class Kind(models.TextChoices):
        ACTUAL = "actual", "実績"
        ESTIMATE = "estimate", "見込み"
        TARGET = "target", "目標"

    row = models.ForeignKey(SheetIndicator, on_delete=models.CASCADE, related_name="values")
    fiscal_year = models.PositiveSmallIntegerField("年度")
    kind = models.CharField("区分", max_length=10, choices=Kind.choices)
    raw = models.CharField("印字", max_length=100, blank=True)
    value = models.DecimalField("数値", max_digits=20, decimal_places=6, null=True, blank=True)

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "シートの指標値"
        ordering = ["row", "kind", "fiscal_year"]
        constraints = [models.UniqueConstraint(fields=["row", "fiscal_year", "kind"], name="sheet_indicator_value_unique")]

    def __str__(self) -> str:
        return f"{self.fiscal_year}年度 {self.get_kind_display()} {self.raw}"


class Classification(SheetChild):
    """事務事業の分類 for one fiscal year (重点的に推進 / 推進 / 継続 / 見直し / 縮小 / 廃止)."""

    sheet = models.ForeignKey(EvaluationSheet, on_delete=models.CASCADE, related_name="classifications")
    fiscal_year = models.PositiveSmallIntegerField("年度")
    label = models.CharField("分類", max_length=20)

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "事務事業の分類"
        ordering = ["sheet", "fiscal_year"]
        constraints = [models.UniqueConstraint(fields=["sheet", "fiscal_year"], name="sheet_classification_unique")]

    def __str__(self) -> str:
        return f"{to_wareki(self.fiscal_year)} {self.label}"


class BudgetYear(SheetChild):
    """予算・決算額等の推移: one year's budget and settlement (千円)."""

    sheet = models.ForeignKey(EvaluationSheet, on_delete=models.CASCADE, related_name="budget_years")
    fiscal_year = models.PositiveSmallIntegerField("年度")
    budget = models.BigIntegerField("予算額（千円）", null=True, blank=True)
    budget_raw = models.CharField("予算額（印字）", max_length=50, blank=True)
    settlement = models.BigIntegerField("決算額（千円）", null=True, blank=True)
    settlement_raw = models.CharField("決算額（印字）", max_length=50, blank=True)
    settlement_estimate = models.BooleanField("決算見込み", default=False)

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "予算・決算額"
        ordering = ["sheet", "fiscal_year"]
        constraints = [models.UniqueConstraint(fields=["sheet", "fiscal_year"], name="sheet_budget_year_unique")]

    def __str__(self) -> str:
        return f"{to_wareki(self.fiscal_year)} 予算 {self.budget_raw or '—'} 決算 {self.settlement_raw or '—'}"


class ActivitySeries(SheetChild):
    """実績の推移: one activity row (事項名) with its yearly values."""

    sheet = models.ForeignKey(EvaluationSheet, on_delete=models.CASCADE, related_name="activities")
    order = models.PositiveSmallIntegerField("順", default=0)
    name = models.CharField("事項名", max_length=300)
    unit = models.CharField("単位", max_length=30, blank=True)
    line = models.PositiveIntegerField("行", null=True, blank=True)

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "実績の推移"
        ordering = ["sheet", "order"]
        constraints = [models.UniqueConstraint(fields=["sheet", "order"], name="sheet_activity_unique")]

    def __str__(self) -> str:
        return self.name


class ActivityValue(SheetChild):
    series = models.ForeignKey(ActivitySeries, on_delete=models.CASCADE, related_name="values")
    fiscal_year = models.PositiveSmallIntegerField("年度")
    raw = models.CharField("印字", max_length=100, blank=True)
    value = models.DecimalField("数値", max_digits=20, decimal_places=6, null=True, blank=True)
    estimate = models.BooleanField("見込み", default=False)

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "実績の値"
        ordering = ["series", "fiscal_year"]
        constraints = [models.UniqueConstraint(fields=["series", "fiscal_year"], name="sheet_activity_value_unique")]

    def __str__(self) -> str:
        return f"{self.fiscal_year}年度 {self.raw}"


class BreakdownColumn(SheetChild):
    """予算・決算の内訳: one year's column (決算 or 予算) by 節."""

    sheet = models.ForeignKey(EvaluationSheet, on_delete=models.CASCADE, related_name="breakdown_columns")
    order = models.PositiveSmallIntegerField("順", default=0)
    fiscal_year = models.PositiveSmallIntegerField("年度")
    kind = models.CharField("区分", max_length=10, help_text="決算 / 予算")
    heading = models.CharField("見出し", max_length=100)
    amounts_printed = models.BooleanField("金額列あり", default=True)
    total = models.BigIntegerField("合計（千円）", null=True, blank=True)
    total_raw = models.CharField("合計（印字）", max_length=50, blank=True)

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "予算・決算の内訳（年度）"
        ordering = ["sheet", "order"]
        constraints = [models.UniqueConstraint(fields=["sheet", "order"], name="sheet_breakdown_column_unique")]

    def __str__(self) -> str:
        return self.heading


class BreakdownItem(SheetChild):
    column = models.ForeignKey(BreakdownColumn, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField("順", default=0)
    section = models.CharField("節", max_length=100, blank=True)
    description = models.CharField("主な事項", max_length=300, blank=True)
    amount = models.BigIntegerField("金額（千円）", null=True, blank=True)
    amount_raw = models.CharField("金額（印字）", max_length=50, blank=True)
    line = models.PositiveIntegerField("行", null=True, blank=True)

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "予算・決算の内訳"
        ordering = ["column", "order"]
        constraints = [models.UniqueConstraint(fields=["column", "order"], name="sheet_breakdown_item_unique")]

    def __str__(self) -> str:
        return f"{self.section} {self.description} {self.amount_raw}"


class CostLine(SheetChild):
    """A line of the 行政コスト計算書 with the two years' figures and the 差額 (千円)."""

    class Side(models.TextChoices):
        COST = "費用", "行政費用"
        REVENUE = "収入", "行政収入"

    class Role(models.TextChoices):
        ITEM = "item", "科目"
        TOTAL = "total", "合計"
        INPUT = "input", "記号つきの科目"
        DERIVED = "derived", "差額（計算式）"

    sheet = models.ForeignKey(EvaluationSheet, on_delete=models.CASCADE, related_name="cost_lines")
    order = models.PositiveSmallIntegerField("順", default=0)
    label = models.CharField("科目（印字）", max_length=100)
    name = models.CharField("科目", max_length=100)
    side = models.CharField("区分", max_length=4, choices=Side.choices)
    role = models.CharField("種別", max_length=10, choices=Role.choices)
    letter = models.CharField("記号", max_length=2, blank=True)
    terms = models.JSONField("計算式", default=list, blank=True, help_text='[[1, "a"], [-1, "b"]]')
    earlier = models.BigIntegerField("前年度（千円）", null=True, blank=True)
    earlier_raw = models.CharField("前年度（印字）", max_length=50, blank=True)
    later = models.BigIntegerField("当年度（千円）", null=True, blank=True)
    later_raw = models.CharField("当年度（印字）", max_length=50, blank=True)
    difference = models.BigIntegerField("差額（千円）", null=True, blank=True)
    difference_raw = models.CharField("差額（印字）", max_length=50, blank=True)
    line = models.PositiveIntegerField("行", null=True, blank=True)

    track_changes = True

    class Meta:
        verbose_name = verbose_name_plural = "行政コスト計算書"
        ordering = ["sheet", "order"]
        constraints = [models.UniqueConstraint(fields=["sheet", "order"], name="sheet_cost_line_unique")]

    def __str__(self) -> str:
        return self.label
