from __future__ import annotations

import re

from django import forms
from django.utils import timezone

from shinchoku.audits.models import Audit, Finding, ResponseState, validate_upload_size
from shinchoku.core.fiscal import FiscalYearError, parse_fiscal_year
from shinchoku.core.models import Department
from shinchoku.plans.models import Plan, PlanNode


class ResponseForm(forms.Form):
    text = forms.CharField(label="措置の内容", widget=forms.Textarea(attrs={"rows": 4}))
    state = forms.ChoiceField(label="措置状況", choices=ResponseState.choices)
    date = forms.DateField(label="措置日", initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"}))
    department = forms.TypedChoiceField(label="回答する所管課", coerce=int, required=False, empty_value=None)

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        departments = list(departments)
        self.fields["department"].choices = [(d.pk, d.name) for d in departments]
        if len(departments) <= 1:
            self.fields["department"].widget = forms.HiddenInput()
            if departments:
                self.fields["department"].initial = departments[0].pk


class EvidenceForm(forms.Form):
    file = forms.FileField(label="根拠資料", validators=[validate_upload_size])


class ReviewForm(forms.Form):
    comment = forms.CharField(label="コメント（差戻しの場合は理由）", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PlanNodeLinkForm(forms.Form):
    codes = forms.CharField(
        label="関連する計画項目のコード（読点・カンマ・空白区切り）", required=False,
        widget=forms.TextInput(attrs={"placeholder": "例: 1-1-①, 2-3-②"}),
    )
    plan = forms.TypedChoiceField(label="計画", coerce=int)

    def __init__(self, *args, plans=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = [(p.pk, p.name) for p in plans]


# --------------------------------------------------------------------------- registering audits and findings

_CODE_SPLIT = re.compile(r"[\s,、，]+")


def split_codes(text: str) -> list[str]:
    """Plan item codes typed as 「1-1-①, 2-3-②」 (読点・カンマ・空白区切り), duplicates dropped."""
    return list(dict.fromkeys(c for c in _CODE_SPLIT.split(text or "") if c))


def department_choices(municipality) -> list[tuple[int, str]]:
    """Departments of the municipality as choices, 部 first then their 課 (indented), then the rest."""
    departments = list(Department.objects.filter(municipality=municipality).order_by("name"))
    children: dict[int | None, list[Department]] = {}
    ids = {d.pk for d in departments}
    for d in departments:
        children.setdefault(d.parent_id if d.parent_id in ids else None, []).append(d)
    out: list[tuple[int, str]] = []

    def walk(parent_id, depth):
        for d in children.get(parent_id, []):
            out.append((d.pk, "　" * depth + d.name + ("" if d.active else "（廃止）")))
            walk(d.pk, depth + 1)

    walk(None, 0)
    return out


class PlanNodeCodesMixin:
    """Two fields — 計画 (select) and コード (text) — resolved to the plan's nodes in ``clean``.

    ``cleaned_data["plan_nodes"]`` is the list of nodes, or ``None`` when the municipality has no plan
    (the fields are then removed). Unknown codes are a form error on the codes field (nothing saved).
    """

    def _setup_plan_fields(self, municipality, initial_nodes=()):
        self._plans = list(Plan.objects.filter(municipality=municipality).order_by("-period_start", "name")) if municipality else []
        self._municipality = municipality
        if not self._plans:
            del self.fields["plan"]
            del self.fields["codes"]
            return
        self.fields["plan"].choices = [(p.pk, p.name) for p in self._plans]
        initial_nodes = list(initial_nodes)
        if initial_nodes and not self.is_bound:
            plan_id = initial_nodes[0].plan_id
            self.initial.setdefault("plan", plan_id)
            self.initial.setdefault("codes", ", ".join(n.code for n in initial_nodes if n.plan_id == plan_id))
        elif not self.is_bound:
            self.initial.setdefault("plan", self._plans[0].pk)

    def _clean_plan_nodes(self, cleaned):
        if "plan" not in self.fields:
            cleaned["plan_nodes"] = None
            return
        plan_id = cleaned.get("plan")
        codes = split_codes(cleaned.get("codes", ""))
        if plan_id is None:
            cleaned["plan_nodes"] = None
            return
        nodes = list(PlanNode.objects.filter(plan_id=plan_id, municipality=self._municipality, code__in=codes))
        missing = [c for c in codes if c not in {n.code for n in nodes}]
        if missing:
            self.add_error("codes", f"この計画にないコードです: {'、'.join(missing)}")
        order = {c: i for i, c in enumerate(codes)}
        cleaned["plan_nodes"] = sorted(nodes, key=lambda n: order[n.code])


class AuditForm(forms.Form):
    wide_fields = ("theme",)
    kind = forms.ChoiceField(label="監査の種類", choices=Audit.Kind.choices)
    fiscal_year = forms.CharField(
        label="年度", max_length=20, widget=forms.TextInput(attrs={"placeholder": "例: 令和6年度、R6、2024"}),
        help_text="令和・平成の年度、R6、2024 のいずれでも入力できます",
    )
    theme = forms.CharField(label="監査テーマ", max_length=300)
    auditor = forms.CharField(label="監査人", max_length=200, required=False)
    auditor_qualification = forms.CharField(label="監査人の資格", max_length=100, required=False,
                                            widget=forms.TextInput(attrs={"placeholder": "例: 公認会計士"}))
    report_date = forms.DateField(label="報告日", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean_fiscal_year(self):
        raw = self.cleaned_data["fiscal_year"]
        try:
            return parse_fiscal_year(raw)
        except FiscalYearError as exc:
            raise forms.ValidationError(str(exc))


class FindingForm(PlanNodeCodesMixin, forms.Form):
    wide_fields = ("title", "summary", "departments", "codes")
    kind = forms.ChoiceField(label="分類", choices=Finding.Kind.choices, widget=forms.RadioSelect)
    number = forms.IntegerField(label="番号", min_value=1, help_text="分類ごとの通し番号（意見事項12 → 12）")
    title = forms.CharField(label="題名", max_length=300)
    summary = forms.CharField(label="概要", required=False, widget=forms.Textarea(attrs={"rows": 5}))
    departments = forms.TypedMultipleChoiceField(
        label="対象部局", coerce=int, widget=forms.CheckboxSelectMultiple,
        help_text="共同所管の場合は複数選びます", error_messages={"required": "対象部局を1つ以上選んでください"},
    )
    page = forms.IntegerField(label="報告書の頁", min_value=1, required=False)
    plan = forms.TypedChoiceField(label="関連する計画項目の計画", coerce=int, required=False, empty_value=None)
    codes = forms.CharField(
        label="関連する計画項目のコード（読点・カンマ・空白区切り）", required=False,
        widget=forms.TextInput(attrs={"placeholder": "例: 1-1-①, 2-3-②"}),
        help_text="選んだ計画の項目で置き換えます（他の計画の項目との関連はそのまま残ります）",
    )

    def __init__(self, *args, municipality=None, plan_nodes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].choices = department_choices(municipality)
        self._setup_plan_fields(municipality, plan_nodes)

    def clean(self):
        cleaned = super().clean()
        self._clean_plan_nodes(cleaned)
        return cleaned

    def departments_selected(self) -> list[Department]:
        ids = self.cleaned_data.get("departments") or []
        by_id = Department.objects.in_bulk(ids)
        return [by_id[i] for i in ids if i in by_id]
