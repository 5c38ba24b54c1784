from __future__ import annotations

from django import forms
from django.utils import timezone

from shinchoku.audits.models import ResponseState, validate_upload_size


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
