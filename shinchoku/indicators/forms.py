"""Forms of the indicator editing pages. They read what people type (令和5年度, R5, 2023; reference
amounts as lines) and hand plain values to :mod:`shinchoku.indicators.actions`, which validates
again and writes; no form saves a model itself."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from shinchoku.core import fiscal
from shinchoku.core.models import Department
from shinchoku.core.text import nfkc
from shinchoku.indicators import actions
from shinchoku.indicators.models import Indicator, IndicatorValue
from shinchoku.indicators.values import ParsedValue
from shinchoku.plans.models import Plan, PlanNode

DIRECTION_CHOICES = [
    ("", "未設定（目標の「以上・以下」などから判断）"),
    (Indicator.Direction.HIGHER, "高いほど良い（例: 申請件数・資格取得者数）"),
    (Indicator.Direction.LOWER, "低いほど良い（例: 事故件数・文書量）"),
    (Indicator.Direction.WITHIN, "範囲内に保つ（例: 「50%程度」を維持）"),
    (Indicator.Direction.QUALITATIVE, "定性的（記述が目標と一致すれば達成）"),
]
YEAR_PLACEHOLDER = "例: 令和5年度・R5・2023"


class FiscalYearField(forms.CharField):
    """A fiscal year in any accepted form (2023, 2023年度, 令和5年度, R5, 令5 …) → int; shown in 和暦."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"placeholder": YEAR_PLACEHOLDER, "size": 12, "maxlength": 20}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):
            try:
                return fiscal.to_wareki(value)
            except fiscal.FiscalYearError:
                return str(value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        try:
            return fiscal.parse_fiscal_year(text)
        except fiscal.FiscalYearError as exc:
            raise ValidationError(str(exc), code="fiscal_year") from exc


_AMOUNT_LINE = re.compile(r"^(?P<year>[^:=\t]+?)\s*[:=\t]\s*(?P<amount>.+)$")


class ReferenceAmountsField(forms.CharField):
    """基準量 by fiscal year, one line each: ``2024: 120,000,000`` (R6: 1.2億円 also reads)."""

    widget = forms.Textarea(attrs={"rows": 3, "placeholder": "例）2024: 120,000,000"})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, dict):
            lines = []
            for year, amount in sorted(value.items(), key=lambda kv: str(kv[0])):
                try:
                    shown = f"{Decimal(str(amount)):,f}"
                except ArithmeticError:
                    shown = str(amount)
                lines.append(f"{year}: {shown}")
            return "\n".join(lines)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        amounts: dict[int, str] = {}
        errors: list[str] = []
        for number, line in enumerate(text.splitlines(), start=1):
            line = nfkc(line).strip()
            if not line:
                continue
            m = _AMOUNT_LINE.match(line)
            if m is None:
                errors.append(f"{number}行目「{line}」: 「年度: 金額」の形で書いてください（例: 2024: 120,000,000）")
                continue
            try:
                year = fiscal.parse_fiscal_year(m.group("year"))
            except fiscal.FiscalYearError as exc:
                errors.append(f"{number}行目: {exc}")
                continue
            if year in amounts:
                errors.append(f"{number}行目: {year}年度が2回書かれています")
                continue
            problems: dict[str, list[str]] = {}
            actions.normalise_reference_amounts({year: m.group("amount")}, problems)
            if problems:
                errors.extend(f"{number}行目: {p}" for p in problems["reference_amounts"])
                continue
            amounts[year] = m.group("amount")
        if errors:
            raise ValidationError(errors)
        return amounts


class NodeChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, node: PlanNode) -> str:
        title = node.title or "（再掲）"
        return f"{'　' * node.depth}{node.code} {title}"[:120]


class ServiceErrors:
    def add_service_error(self, exc: ValidationError) -> None:
        """Put the service's errors on the fields they name (others on the form)."""
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, exc)


class IndicatorDefinitionForm(ServiceErrors, forms.Form):
    """The definition of one indicator — used by the planning division only (department editors
    enter 実績・見込み in the values grid; the definition decides the grade, see ``rules``)."""

    name = forms.CharField(label="指標名", max_length=300)
    kind = forms.ChoiceField(label="種別", choices=Indicator.Kind.choices)
    unit = forms.CharField(label="単位", max_length=30, required=False, help_text="例: 件・%・人・団体・fm・千円。値に単位がないときに使います")
    direction = forms.ChoiceField(label="方向", choices=DIRECTION_CHOICES, required=False)
    definition = forms.CharField(label="定義", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    data_source = forms.CharField(label="出典", max_length=300, required=False)
    baseline_year = FiscalYearField(label="基準年度")
    baseline_text = forms.CharField(
        label="基準値", max_length=100, required=False, help_text="空欄: 基準年度の実績を基準値とします"
    )
    final_target_year = FiscalYearField(label="最終目標年度", help_text="空欄: 目標のある最後の年度")
    cumulative_since = FiscalYearField(label="累計の起点年度", help_text="累計値の指標のみ（例: 令和3年度以降の累計）")
    owner = forms.ModelChoiceField(label="担当課", queryset=Department.objects.none(), required=False, empty_label="（未設定）")
    nodes = NodeChoiceField(
        label="関連項目", queryset=PlanNode.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="Ctrl（⌘）キーを押しながら選ぶと複数選べます",
    )
    group = forms.CharField(label="区分", max_length=300, required=False, help_text="指標表の見出し（例: 目標1 …）")
    reference_amounts = ReferenceAmountsField(
        label="基準量", help_text="目標が他の量の割合（例: 予算額の1割程度）のとき、年度ごとに「年度: 金額」を1行ずつ"
    )

    def __init__(self, *args, municipality, plan: Plan | None, indicator: Indicator | None = None, **kwargs):
        if indicator is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_of(indicator)
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Department.objects.filter(municipality=municipality).order_by("name")
        self.fields["nodes"].queryset = (
            PlanNode.objects.filter(plan=plan).order_by("path") if plan is not None else PlanNode.objects.none()
        )

    def clean_unit(self):
        return nfkc(self.cleaned_data.get("unit") or "").strip()

    def service_fields(self) -> dict:
        """What to hand to the service: the definition fields (not the form-only ones such as code)."""
        return {k: v for k, v in self.cleaned_data.items() if k in actions.DEFINITION_FIELDS}


def initial_of(indicator: Indicator) -> dict:
    data = {name: getattr(indicator, name) for name in actions.DEFINITION_FIELDS if name not in ("owner", "nodes")}
    data["owner"] = indicator.owner_id
    data["nodes"] = list(indicator.nodes.values_list("pk", flat=True)) if indicator.pk else []
    return data


class NewIndicatorForm(IndicatorDefinitionForm):
    code = forms.CharField(
        label="指標コード", max_length=50, required=False, help_text="空欄: 区分から自動で付けます（例: 目標1-6）"
    )
    field_order = ("group", "code", "name")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].widget.attrs["list"] = "indicator-groups"
        self.fields["group"].help_text = "指標表の見出し。既存の見出しから選ぶと、その最後に追加します"


class DefinitionChangeForm(ServiceErrors, forms.Form):
    effective_fiscal_year = FiscalYearField(label="適用年度", required=True)
    description = forms.CharField(
        label="変更内容", widget=forms.Textarea(attrs={"rows": 2, "placeholder": "例: 交付率から保有率に変更（令和5年5月、※1）"})
    )


class ValueForm(ServiceErrors, forms.Form):
    """One cell of the values grid (年度 × 実績/目標/見込み), or the "another year" form.

    ``kinds`` limits the 区分 offered (a department editor is offered 実績・見込み only); the save
    view reads every kind so that the service, not the form, refuses a target with its reason.
    """

    fiscal_year = FiscalYearField(label="年度", required=True)
    kind = forms.ChoiceField(label="区分", choices=IndicatorValue.Kind.choices)
    raw_text = forms.CharField(label="公表値", max_length=300, required=False, help_text="公表資料の表記のまま（空欄で保存すると削除）")
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)
    previous = forms.CharField(required=False, strip=False, widget=forms.HiddenInput)

    def __init__(self, *args, kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        if kinds is not None:
            self.fields["kind"].choices = [(k, label) for k, label in IndicatorValue.Kind.choices if k in kinds]

    def expected(self) -> str | None:
        """The text the editor started from, when the page sent one (optimistic check)."""
        return self.cleaned_data.get("previous", "") if "previous" in self.data else None


def reading_of(pv: ParsedValue | None, default_unit: str = "") -> tuple[str, str]:
    """How the parser read a published text, for the person who typed it: (css class, Japanese text)."""
    if pv is None:
        return "", ""
    if pv.is_missing:
        return "missing", f"値なし（{pv.missing_label}）"
    if not pv.readable:
        return "unreadable", f"数値として読めません: {pv.error}"
    parts: list[str] = []
    if pv.denominator is not None:
        parts.append(f"{_number(pv.number)} / {_number(pv.denominator)}（分数）")
    else:
        unit = pv.base_unit if pv.unit else default_unit
        parts.append(f"{_number(pv.value)}{unit}")
    qualifiers = []
    if pv.approximate:
        qualifiers.append("概数")
    if pv.subject:
        qualifiers.append(f"対象「{pv.subject}」")
    if pv.reference:
        qualifiers.append(f"{pv.reference}に対する割合")
    if pv.bound_word:
        qualifiers.append(f"条件「{pv.bound_word}」")
    if pv.period:
        qualifiers.append({"year": "年あたり", "month": "月あたり", "week": "週あたり", "day": "日あたり"}[pv.period])
    if pv.footnotes:
        qualifiers.append(f"注記 {' '.join(pv.footnotes)}")
    text = parts[0] + (f"（{'・'.join(qualifiers)}）" if qualifiers else "")
    return "readable", f"読み取り: {text}"


def _number(number: Decimal | None) -> str:
    if number is None:
        return ""
    if number == number.to_integral_value():
        return f"{number.quantize(Decimal(1)):,}"
    return f"{number.normalize():,f}"

