from django.contrib import admin

from shinchoku.indicators import models as models_module
from shinchoku.indicators.models import Indicator, IndicatorDefinitionChange, IndicatorValue
from shinchoku.indicators.values import parsed_fields


def _read_again(value: IndicatorValue) -> None:
    """The admin edits the published text only: derive the parsed columns from it (never a stale
    number next to a changed text) and give a new row its indicator's municipality."""
    for name, parsed in parsed_fields(value.raw_text).items():
        setattr(value, name, parsed)
    if value.indicator_id and not value.municipality_id:
        value.municipality_id = value.indicator.municipality_id


class IndicatorValueInline(admin.TabularInline):
    model = IndicatorValue
    extra = 0
    fields = ("fiscal_year", "kind", "raw_text", "value", "unit", "approximate", "bound", "readable", "parse_note")
    readonly_fields = ("value", "unit", "approximate", "bound", "readable", "parse_note")


class DefinitionChangeInline(admin.TabularInline):
    model = IndicatorDefinitionChange
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "unit", "direction", "plan")
    list_filter = ("plan", "kind", "direction")
    search_fields = ("code", "name")
    filter_horizontal = ("nodes",)
    inlines = [DefinitionChangeInline, IndicatorValueInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is not IndicatorValue:
            return super().save_formset(request, form, formset, change)
        for value in formset.save(commit=False):
            _read_again(value)
            value.save()
        for value in formset.deleted_objects:
            value.delete()
        formset.save_m2m()


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    list_display = ("indicator", "fiscal_year", "kind", "raw_text", "value", "readable")
    list_filter = ("kind", "readable", "fiscal_year")
    readonly_fields = ("value", "unit", "approximate", "bound", "denominator", "readable", "parse_note", "footnote_marks")

    def save_model(self, request, obj, form, change):
        _read_again(obj)
        super().save_model(request, obj, form, change)


# Every model is reachable in the admin (the parts above are also edited inline on their parents).
for _model in (models_module.IndicatorDefinitionChange,):
    if not admin.site.is_registered(_model):
        admin.site.register(_model)
