from __future__ import annotations

from django import forms

from shinchoku.meetings.models import ActionItem


class ActionUpdateForm(forms.Form):
    state = forms.ChoiceField(label="状態", choices=ActionItem.State.choices)
    progress_note = forms.CharField(label="対応状況", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    completed_on = forms.DateField(label="完了日", required=False, widget=forms.DateInput(attrs={"type": "date"}))
