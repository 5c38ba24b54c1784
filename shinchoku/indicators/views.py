from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from shinchoku.core import fiscal
from shinchoku.core.access import Access
from shinchoku.core.actions import StaleError
from shinchoku.core.rules import Owners, require
from shinchoku.core.views_helpers import fiscal_year_param, get_scoped, scoped
from shinchoku.core.web import access_of, member_view, render_outcome
from shinchoku.indicators import actions, rules
from shinchoku.indicators.charts import indicator_chart
from shinchoku.indicators.engine import judge_plan, spec_for
from shinchoku.indicators.forms import (
    DefinitionChangeForm,
    IndicatorDefinitionForm,
    NewIndicatorForm,
    ValueForm,
    reading_of,
)
from shinchoku.indicators.judgement import Grade, Judgement, judge
from shinchoku.indicators.models import Indicator, IndicatorDefinitionChange, IndicatorValue
from shinchoku.indicators.queries import indicator_table, responsible_departments
from shinchoku.indicators.values import parse_value
from shinchoku.plans.models import Plan

GRADES = [g.value for g in Grade]


@login_required
def indicator_index(request):
    plan = scoped(request, Plan.objects.filter(indicators__isnull=False)).distinct().order_by("-period_start").first()
    if plan is None:
        return render(request, "indicators/empty.html")
    return redirect("indicators:plan", pk=plan.pk)


@login_required
def plan_indicators(request, pk: int):
    """The indicator trend table (as published) with each indicator's grade for the chosen year."""
    plan = get_scoped(request, Plan.objects.all(), pk=pk)
    table = indicator_table(plan)
    fy, fy_error = fiscal_year_param(request, table.latest_actual_year or plan.period_start)
    kind = "estimate" if request.GET.get("kind") == "estimate" else "actual"
    grade = request.GET.get("grade") or ""
    judgements = {ind.pk: j for ind, j in judge_plan(plan, fy, kind)}
    for group in table.groups:
        group.rows = [r for r in group.rows if not grade or judgements[r.indicator.pk].grade.value == grade]
        for row in group.rows:
            row.judgement = judgements[row.indicator.pk]
    table.groups = [g for g in table.groups if g.rows]
    counts = {g: sum(1 for j in judgements.values() if j.grade.value == g) for g in GRADES}
    return render(request, "indicators/plan_indicators.html", {
        "plan": plan, "table": table, "fy": fy, "fy_label": fiscal.label(fy), "fy_error": fy_error,
        "years": [(y, fiscal.label(y)) for y in range(plan.period_end, plan.period_start - 1, -1)],
        "grade": grade, "grades": GRADES, "grade_counts": counts, "kind": kind,
        "can_create": rules.create(access_of(request), plan.municipality_id) is None,
    })


@login_required
def indicator_detail(request, pk: int):
    """One indicator: its values as published, the chart and the judgement of every year."""
    indicator = get_scoped(request, Indicator.objects.select_related("plan", "owner"), pk=pk)
    values = list(indicator.values.order_by("fiscal_year", "kind"))
    changes = list(indicator.definition_changes.all())
    spec, series = spec_for(indicator, values, changes)
    years = sorted(set(series.actuals) | set(series.estimates))
    judgements = [judge(spec, series.actuals, y, estimates=series.estimates) for y in sorted(series.actuals)]
    judgements += [
        judge(spec, series.actuals, y, estimates=series.estimates, kind="estimate") for y in sorted(series.estimates)
    ]
    latest = judgements[-1] if judgements else None
    return render(request, "indicators/indicator_detail.html", {
        "indicator": indicator, "values": values, "plan": indicator.plan, "changes": changes,
        "chart": mark_safe(indicator_chart(spec, series)), "judgements": judgements, "latest": latest,
        "direction": spec.direction, "years": years,
        "can_edit": rules.edit(access_of(request), indicator, responsible_departments(indicator)) is None,
        "can_define": rules.define(access_of(request), indicator) is None, "tab": "detail",
    })


# --------------------------------------------------------------------------- editing
#
# Plain POST forms; with htmx a value cell posts itself and swaps only itself (plus the grade and
# chart, out of band). Every write goes through ``actions``, which ask ``rules``; the pages ask
# ``rules`` first so that a refused person sees why instead of a form. The definition page and
# definition changes are the planning division's; the values grid is open to an editor who answers
# for the indicator, with the 目標 cells shown read-only (see ``rules``).


@dataclass
class Editing:
    """The indicator being edited, who edits it, and the departments that answer for it."""

    indicator: Indicator
    access: Access
    responsible: Owners


def _indicator_for_edit(request, pk: int, what: str = "この指標の編集") -> Editing:
    """The indicator, for someone who may enter its 実績・見込み (planning, or an editor answering for it)."""
    indicator = get_scoped(request, Indicator.objects.select_related("plan", "owner"), pk=pk)
    editing = Editing(indicator, access_of(request), responsible_departments(indicator))
    require(rules.edit(editing.access, indicator, editing.responsible, what))
    return editing


def _indicator_for_define(request, pk: int, what: str) -> tuple[Indicator, Access]:
    """The indicator, for someone who may change its definition (the planning division)."""
    indicator = get_scoped(request, Indicator.objects.select_related("plan", "owner"), pk=pk)
    access = access_of(request)
    require(rules.define(access, indicator, what))
    return indicator, access


def _latest_actual(indicator: Indicator) -> Judgement | None:
    spec, series = spec_for(indicator, list(indicator.values.all()), list(indicator.definition_changes.all()))
    if not series.actuals:
        return None
    return judge(spec, series.actuals, max(series.actuals), estimates=series.estimates)


def _grade_note(before: Judgement | None, after: Judgement | None) -> str:
    if after is None:
        return ""
    label = f"判定（{fiscal.to_wareki(after.fiscal_year)} 実績）"
    if before is not None and before.fiscal_year == after.fiscal_year and before.grade != after.grade:
        return f"{label}: {before.grade.value} → {after.grade.value}"
    return f"{label}: {after.grade.value}"


FIELD_LABELS = {name: IndicatorDefinitionForm.base_fields[name].label for name in actions.DEFINITION_FIELDS}


@member_view
def indicator_edit(request, pk: int):
    """The definition of one indicator and its definition changes (planning division only)."""
    indicator, access = _indicator_for_define(request, pk, "指標の定義の変更")
    form_kwargs = {"municipality": indicator.municipality, "plan": indicator.plan, "indicator": indicator}
    if request.method == "POST":
        form = IndicatorDefinitionForm(request.POST, **form_kwargs)
        if form.is_valid():
            before = _latest_actual(indicator)
            try:
                changed = actions.update_definition(access, indicator, **form.service_fields())
            except ValidationError as exc:
                form.add_service_error(exc)
            else:
                if changed:
                    note = _grade_note(before, _latest_actual(indicator))
                    names = "・".join(FIELD_LABELS[c] for c in changed)
                    messages.success(request, "。".join(filter(None, [f"保存しました（{names}）", note])) + "。")
                else:
                    messages.info(request, "変更はありませんでした。")
                return redirect("indicators:edit", pk=indicator.pk)
    else:
        form = IndicatorDefinitionForm(**form_kwargs)
    return _edit_page(request, indicator, form, DefinitionChangeForm())


def _edit_page(request, indicator, form, change_form, status: int = 200):
    return render(request, "indicators/indicator_edit.html", {
        "indicator": indicator, "plan": indicator.plan, "form": form, "change_form": change_form,
        "changes": list(indicator.definition_changes.all()), "can_define": True,
        "latest": _latest_actual(indicator), "tab": "edit",
        "linked_nodes": list(indicator.nodes.select_related("relisted_from").order_by("path")),
    }, status=status)


@member_view
@require_POST
def definition_change_add(request, pk: int):
    indicator, access = _indicator_for_define(request, pk, "定義変更の登録")
    change_form = DefinitionChangeForm(request.POST)
    if change_form.is_valid():
        try:
            change = actions.add_definition_change(
                access, indicator, change_form.cleaned_data["effective_fiscal_year"], change_form.cleaned_data["description"]
            )
        except ValidationError as exc:
            change_form.add_service_error(exc)
        else:
            messages.success(request, f"定義変更（{fiscal.to_wareki(change.effective_fiscal_year)}〜）を登録しました。")
            return redirect(reverse("indicators:edit", args=[indicator.pk]) + "#changes")
    form = IndicatorDefinitionForm(municipality=indicator.municipality, plan=indicator.plan, indicator=indicator)
    return _edit_page(request, indicator, form, change_form)


@member_view
@require_POST
def definition_change_delete(request, pk: int, change_pk: int):
    indicator, access = _indicator_for_define(request, pk, "定義変更の削除")
    change = get_object_or_404(IndicatorDefinitionChange, pk=change_pk, indicator=indicator)
    actions.remove_definition_change(access, change)
    messages.success(request, f"定義変更（{fiscal.to_wareki(change.effective_fiscal_year)}〜）を削除しました。")
    return redirect(reverse("indicators:edit", args=[indicator.pk]) + "#changes")


@member_view
def indicator_new(request, pk: int):
    """A new indicator of a plan (planning division only)."""
    plan = get_scoped(request, Plan.objects.all(), pk=pk)
    access = access_of(request)
    require(rules.create(access, plan.municipality_id))
    form_kwargs = {"municipality": plan.municipality, "plan": plan}
    if request.method == "POST":
        form = NewIndicatorForm(request.POST, **form_kwargs)
        if form.is_valid():
            fields = form.service_fields()
            try:
                indicator = actions.create_indicator(access, plan, code=form.cleaned_data["code"], **fields)
            except ValidationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, f"指標「{indicator.name}」（{indicator.code}）を追加しました。値を入力してください。")
                return redirect("indicators:values", pk=indicator.pk)
    else:
        form = NewIndicatorForm(initial={"kind": Indicator.Kind.OUTCOME, "final_target_year": plan.period_end}, **form_kwargs)
    groups = list(
        Indicator.objects.filter(plan=plan).exclude(group="").order_by("order").values_list("group", flat=True).distinct()
    )
    return render(request, "indicators/indicator_new.html", {"plan": plan, "form": form, "groups": list(dict.fromkeys(groups))})


# --- the values grid


KINDS = [(k.value, k.label) for k in (IndicatorValue.Kind.ACTUAL, IndicatorValue.Kind.TARGET, IndicatorValue.Kind.ESTIMATE)]


@dataclass
class Cell:
    """One cell of the values grid and what to show in it (``editable`` False: shown read-only)."""

    fiscal_year: int
    kind: str
    stored: IndicatorValue | None
    text: str = ""
    previous: str = ""
    reading_class: str = ""
    reading: str = ""
    errors: list[str] = field(default_factory=list)
    confirm: bool = False
    saved: str = ""
    editable: bool = True

    @property
    def id(self) -> str:
        return f"cell-{self.fiscal_year}-{self.kind}"

    @property
    def kind_label(self) -> str:
        return IndicatorValue.Kind(self.kind).label

    @property
    def year_label(self) -> str:
        return fiscal.to_wareki(self.fiscal_year)


def _cell(indicator: Indicator, year: int, kind: str, stored: IndicatorValue | None, editable: bool = True) -> Cell:
    text = stored.raw_text if stored is not None else ""
    cell = Cell(year, kind, stored, text=text, previous=text, editable=editable)
    if stored is not None:
        cell.reading_class, cell.reading = reading_of(parse_value(stored.raw_text), indicator.unit)
    return cell


def _grid_years(indicator: Indicator, values) -> list[int]:
    years = {v.fiscal_year for v in values}
    if indicator.plan is not None:
        years |= set(range(indicator.plan.period_start, indicator.plan.period_end + 1))
    years |= {y for y in (indicator.baseline_year, indicator.final_target_year) if y}
    if not years:
        years = {fiscal.fiscal_year_of(timezone.localdate())}
    return sorted(years)


def _values_context(editing: Editing, overrides: dict[tuple[int, str], Cell] | None = None) -> dict:
    """The grid as the editor sees it: cells of the kinds it may not enter (目標 for an editor) read-only."""
    indicator = editing.indicator
    editable = rules.editable_kinds(editing.access, indicator, editing.responsible)
    values = list(indicator.values.all())
    changes = list(indicator.definition_changes.all())
    spec, series = spec_for(indicator, values, changes)
    index = {(v.fiscal_year, v.kind): v for v in values}
    grades = _grades(spec, series)
    rows = []
    for year in _grid_years(indicator, values):
        cells = []
        for kind, _ in KINDS:
            cell = (overrides or {}).get((year, kind)) or _cell(
                indicator, year, kind, index.get((year, kind)), editable=kind in editable
            )
            cells.append(cell)
        rows.append({
            "year": year, "label": fiscal.to_wareki(year), "cells": cells,
            "actual": grades.get((year, "actual")), "estimate": grades.get((year, "estimate")),
            "change": next((c for c in changes if c.effective_fiscal_year == year), None),
        })
    return {
        "indicator": indicator, "plan": indicator.plan, "rows": rows, "kinds": KINDS, "grades": grades,
        "chart": mark_safe(indicator_chart(spec, series)), "direction": spec.direction, "tab": "values",
        "editable_kinds": editable, "can_define": rules.define(editing.access, indicator) is None,
        "locked_kinds": [label for kind, label in KINDS if kind not in editable],
        "editable_labels": [label for kind, label in KINDS if kind in editable],
    }


def _grades(spec, series) -> dict[tuple[int, str], Judgement]:
    out = {(y, "actual"): judge(spec, series.actuals, y, estimates=series.estimates) for y in series.actuals}
    out |= {(y, "estimate"): judge(spec, series.actuals, y, estimates=series.estimates, kind="estimate") for y in series.estimates}
    return out


@member_view
def indicator_values(request, pk: int):
    """The values grid: one row per fiscal year, 実績・目標・見込み each saved on its own.

    A department editor sees the 目標 cells read-only (targets are the planning division's)."""
    ctx = _values_context(_indicator_for_edit(request, pk, "指標の値の入力"))
    ctx["extra_form"] = _extra_form(ctx)
    return render(request, "indicators/indicator_values.html", ctx)


def _extra_form(ctx: dict, form: ValueForm | None = None) -> ValueForm:
    """The "another year" form, offering only the kinds the person may enter."""
    if form is None:
        return ValueForm(initial={"kind": IndicatorValue.Kind.ACTUAL}, kinds=ctx["editable_kinds"])
    form.fields["kind"].choices = [(k, label) for k, label in KINDS if k in ctx["editable_kinds"]]
    return form


@member_view
@require_POST
def indicator_value_save(request, pk: int):
    """Save (or clear) one cell. Unreadable text is stored only after the editor confirms it.

    The rules refuse a kind the person may not enter (目標 for an editor): 403 with the reason."""
    editing = _indicator_for_edit(request, pk, "指標の値の入力")
    indicator = editing.indicator
    form = ValueForm(request.POST)
    extra = request.POST.get("origin") == "extra"
    if form.is_valid() or "kind" not in form.errors:  # a kind the person may not enter: refused first
        verb = "削除" if request.POST.get("action") == "clear" else "入力"
        kind = form.cleaned_data["kind"]
        require(rules.enter_value(editing.access, indicator, kind, editing.responsible, rules.value_action(kind, verb)))
    if not form.is_valid() and ("fiscal_year" in form.errors or "kind" in form.errors or extra):
        return _value_form_error(request, editing, form)
    year, kind = form.cleaned_data["fiscal_year"], form.cleaned_data["kind"]
    text = form.cleaned_data.get("raw_text", "") if "raw_text" not in form.errors else request.POST.get("raw_text", "")
    cell = Cell(year, kind, None, text=text, previous=request.POST.get("previous", ""))
    change = None
    status = 200  # 409 when someone changed the cell since the editor opened it
    if form.errors:
        cell.errors = [e for errors in form.errors.values() for e in errors]
    else:
        clear = request.POST.get("action") == "clear"
        try:
            if clear:
                change = actions.clear_value(editing.access, indicator, year, kind, expected=form.expected())
            else:
                # The confirmation holds for the text it was asked about only.
                confirmed = form.cleaned_data["confirm"] and request.POST.get("confirm_text", "").strip() == text.strip()
                change = actions.save_value(
                    editing.access, indicator, year, kind, text, confirm_unreadable=confirmed, expected=form.expected()
                )
        except actions.UnreadableValueError as exc:
            cell.confirm = True
            cell.reading_class, cell.reading = reading_of(exc.parsed, indicator.unit)
        except StaleError as exc:
            cell.errors = [str(exc)]
            cell.previous = exc.current_version
            status = 409
        except ValidationError as exc:
            cell.errors = exc.messages
    if change is not None:
        ctx = _values_context(editing)
        row = next((r for r in ctx["rows"] if r["year"] == year), None)
        saved = next((c for c in row["cells"] if c.kind == kind), None) if row else None
        saved = saved or _cell(indicator, year, kind, change.value)
        saved.saved = _saved_message(change, ctx["grades"])
        if not request.htmx:
            messages.success(request, f"{fiscal.to_wareki(year)} {saved.kind_label}: {saved.saved}")
            return redirect(reverse("indicators:values", args=[indicator.pk]) + f"#{saved.id}")
        return render(request, "indicators/_value_saved.html", {**ctx, "cell": saved})
    if not cell.reading and cell.text and not cell.confirm:
        cell.reading_class, cell.reading = reading_of(parse_value(cell.text), indicator.unit)
    if request.htmx and not extra:
        return render_outcome(request, "indicators/_value_cell.html", {"indicator": indicator, "cell": cell}, status)
    ctx = _values_context(editing, {(year, kind): cell})
    if extra or not any(r["year"] == year for r in ctx["rows"]):  # answer where the person typed
        return _value_form_error(request, editing, form, cell)
    ctx["extra_form"] = _extra_form(ctx)
    return render(request, "indicators/indicator_values.html", ctx, status=status)


def _value_form_error(request, editing: Editing, form, cell: Cell | None = None):
    ctx = _values_context(editing)
    ctx["extra_form"] = _extra_form(ctx, form)
    ctx["extra_cell"] = cell
    return render(request, "indicators/indicator_values.html", ctx)


def _saved_message(change, grades: dict) -> str:
    what = {"created": "保存しました", "updated": "保存しました", "unchanged": "変更はありません",
            "deleted": "削除しました", "absent": "値はありません"}[change.action]
    if change.value is not None and not change.value.readable:
        what += "（数値として読めない文のまま）"
    grade_kind = "estimate" if change.kind == IndicatorValue.Kind.ESTIMATE else "actual"
    judgement = grades.get((change.fiscal_year, grade_kind))
    if judgement is not None:
        return f"{what}。判定（{'見込み' if grade_kind == 'estimate' else '実績'}）: {judgement.grade.value}"
    return what
