from django.contrib import admin

from shinchoku.indicators.models import Indicator, IndicatorDefinitionChange, IndicatorValue


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


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    list_display = ("indicator", "fiscal_year", "kind", "raw_text", "value", "readable")
    list_filter = ("kind", "readable", "fiscal_year")


@admin.register(IndicatorDefinitionChange)
class IndicatorDefinitionChangeAdmin(admin.ModelAdmin):
    list_display = ("indicator", "effective_fiscal_year", "description")
