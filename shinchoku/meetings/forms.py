from __future__ import annotations

import re

from django import forms

from shinchoku.audits.forms import PlanNodeCodesMixin, department_choices
from shinchoku.meetings.models import ActionItem, AgendaItem, Publication
from shinchoku.procedures.models import Procedure


class ActionUpdateForm(forms.Form):
    state = forms.ChoiceField(label="状態", choices=ActionItem.State.choices)
    progress_note = forms.CharField(label="対応状況", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    completed_on = forms.DateField(label="完了日", required=False, widget=forms.DateInput(attrs={"type": "date"}))


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class MeetingForm(forms.Form):
    wide_fields = ("title", "meeting_publication_reason", "minutes_publication_reason", "notes")
    body = forms.CharField(label="会議体", max_length=200, widget=forms.TextInput(attrs={"placeholder": "例: 行政情報化推進本部"}))
    number = forms.IntegerField(label="回（年度内）", min_value=1, help_text="年度内の回数（第2回 → 2）。年度は開催日から決まります")
    title = forms.CharField(label="会議名", max_length=300, required=False,
                            help_text="空欄なら「令和6年度第1回行政情報化推進本部」のように表示します")
    date = forms.DateField(label="開催日", widget=DATE)
    start_time = forms.TimeField(label="開始時刻", required=False, widget=TIME)
    end_time = forms.TimeField(label="終了時刻", required=False, widget=TIME)
    place = forms.CharField(label="開催場所", max_length=200, required=False)
    secretariat = forms.TypedChoiceField(label="事務局（担当課）", coerce=int, required=False, empty_value=None)
    meeting_publication = forms.ChoiceField(label="会議の公開", choices=Publication.choices)
    meeting_publication_reason = forms.CharField(label="会議を非公開・一部非公開とする理由", required=False,
                                                 widget=forms.Textarea(attrs={"rows": 2}))
    minutes_publication = forms.ChoiceField(label="会議録の公開", choices=Publication.choices)
    minutes_publication_reason = forms.CharField(label="会議録を非公開・一部非公開とする理由", required=False,
                                                 widget=forms.Textarea(attrs={"rows": 2}))
    notes = forms.CharField(label="備考", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, municipality=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["secretariat"].choices = [("", "（なし）")] + department_choices(municipality)
        if editing:  # body and number name the meeting; they are fixed once registered
            for name in ("body", "number"):
                self.fields[name].disabled = True
                self.fields[name].help_text = "登録後は変更できません"

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_time"), cleaned.get("end_time")
        if start and end and end < start:
            self.add_error("end_time", "終了時刻が開始時刻より前です")
        for field in ("meeting_publication", "minutes_publication"):
            if cleaned.get(field) and cleaned[field] != Publication.PUBLIC and not (cleaned.get(f"{field}_reason") or "").strip():
                self.add_error(f"{field}_reason", "非公開・一部非公開とする場合は、その理由を入力してください")
        return cleaned


DECISIONS = ("承認", "了承", "一部修正のうえ承認", "継続審議", "否決")


class AgendaItemForm(forms.Form):
    wide_fields = ("title", "summary", "discussion", "decision_text")
    kind = forms.ChoiceField(label="種別", choices=AgendaItem.Kind.choices, widget=forms.RadioSelect)
    number = forms.IntegerField(label="番号", min_value=1, help_text="議案（１）→ 1。種別ごとの通し番号")
    title = forms.CharField(label="件名", max_length=300)
    presenter = forms.CharField(label="説明者", max_length=100, required=False)
    summary = forms.CharField(label="要旨", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    discussion = forms.CharField(label="質疑の要点", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    decision = forms.CharField(
        label="結果", max_length=50, required=False,
        widget=forms.TextInput(attrs={"list": "decision-choices", "placeholder": "例: 承認"}),
        help_text="議案の結果（承認・了承・継続審議 …）。報告事項は空欄でかまいません",
    )
    decision_text = forms.CharField(label="結果の記載", max_length=300, required=False,
                                    widget=forms.TextInput(attrs={"placeholder": "例: 議題について案のとおり承認"}))
    decisions = DECISIONS


_KEY_SPLIT = re.compile(r"[\s,、，]+")


def split_keys(text: str) -> list[str]:
    return list(dict.fromkeys(k for k in _KEY_SPLIT.split(text or "") if k))


class ProcedureKeysMixin:
    """A text field of 事務番号 resolved to the municipality's procedures in ``clean``."""

    def _clean_procedures(self, cleaned, municipality):
        if "procedure_keys" not in self.fields:
            cleaned["procedures"] = []
            return
        keys = split_keys(cleaned.get("procedure_keys", ""))
        found = {p.key: p for p in Procedure.objects.filter(municipality=municipality, key__in=keys)}
        missing = [k for k in keys if k not in found]
        if missing:
            self.add_error("procedure_keys", f"登録されていない事務番号です: {'、'.join(missing)}")
        cleaned["procedures"] = [found[k] for k in keys if k in found]


class ActionItemForm(PlanNodeCodesMixin, ProcedureKeysMixin, forms.Form):
    wide_fields = ("title", "description", "progress_note", "codes", "procedure_keys")
    title = forms.CharField(label="対応事項", max_length=300)
    description = forms.CharField(label="内容", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    agenda_item = forms.TypedChoiceField(label="議題", coerce=int, required=False, empty_value=None)
    owner = forms.TypedChoiceField(label="担当部局", coerce=int)
    due_date = forms.DateField(label="期限", required=False, widget=DATE, help_text="期限を過ぎて完了していないものは「期限超過」になります")
    state = forms.ChoiceField(label="状態", choices=ActionItem.State.choices, initial=ActionItem.State.NOT_STARTED)
    completed_on = forms.DateField(label="完了日", required=False, widget=DATE, help_text="状態が「完了」のとき。空欄なら今日")
    progress_note = forms.CharField(label="対応状況", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    plan = forms.TypedChoiceField(label="関連する計画項目の計画", coerce=int, required=False, empty_value=None)
    codes = forms.CharField(label="関連する計画項目のコード", required=False,
                            widget=forms.TextInput(attrs={"placeholder": "例: 1-1-①, 2-3-②"}))
    procedure_keys = forms.CharField(label="関連する行政手続の事務番号", required=False,
                                     widget=forms.TextInput(attrs={"placeholder": "例: P0012, P0047"}),
                                     help_text="読点・カンマ・空白区切り")

    def __init__(self, *args, meeting=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        municipality = meeting.municipality if meeting is not None else None
        self._municipality_obj = municipality
        self.fields["agenda_item"].choices = [("", "（議題なし）")] + [
            (a.pk, f"{a.label} {a.title}") for a in meeting.agenda.order_by("order")
        ]
        self.fields["owner"].choices = [("", "（選んでください）")] + department_choices(municipality)
        if editing:  # links are edited on their own screen
            for name in ("plan", "codes", "procedure_keys"):
                del self.fields[name]
            self._plans, self._municipality = [], municipality
        else:
            self._setup_plan_fields(municipality)
            if not Procedure.objects.filter(municipality=municipality).exists():
                del self.fields["procedure_keys"]

    def clean(self):
        cleaned = super().clean()
        self._clean_plan_nodes(cleaned)
        self._clean_procedures(cleaned, self._municipality_obj)
        return cleaned


class PlanLinkForm(PlanNodeCodesMixin, forms.Form):
    wide_fields = ("codes",)
    plan = forms.TypedChoiceField(label="計画", coerce=int)
    codes = forms.CharField(label="計画項目のコード", widget=forms.TextInput(attrs={"placeholder": "例: 1-1-①, 2-3-②"}),
                            help_text="読点・カンマ・空白区切り")

    def __init__(self, *args, municipality=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_plan_fields(municipality)

    def clean(self):
        cleaned = super().clean()
        self._clean_plan_nodes(cleaned)
        return cleaned


class ProcedureLinkForm(ProcedureKeysMixin, forms.Form):
    wide_fields = ("procedure_keys",)
    procedure_keys = forms.CharField(label="行政手続の事務番号", widget=forms.TextInput(attrs={"placeholder": "例: P0012, P0047"}),
                                     help_text="読点・カンマ・空白区切り。下の検索から選ぶこともできます")

    def __init__(self, *args, municipality=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._municipality_obj = municipality

    def clean(self):
        cleaned = super().clean()
        self._clean_procedures(cleaned, self._municipality_obj)
        return cleaned
