from django.contrib import admin

from shinchoku.effects.models import Effect


@admin.register(Effect)
class EffectAdmin(admin.ModelAdmin):
    list_display = ("plan", "node", "fiscal_year", "until_fiscal_year", "kind", "raw_value", "amount", "unit", "period")
    list_filter = ("plan", "kind", "fiscal_year")
    search_fields = ("raw_value", "basis", "notes", "node__code")
    raw_id_fields = ("node",)
    readonly_fields = ("amount", "unit", "period")

    def save_model(self, request, obj, form, change):
        """Keep the parsed amount in step with the published text edited here."""
        from shinchoku.indicators.values import parse_value

        pv = parse_value(obj.raw_value)
        obj.unit = Effect.Unit.HOURS if obj.kind == Effect.Kind.HOURS else Effect.Unit.YEN
        if pv.has_number and pv.base_unit == obj.unit and pv.period in (None, "year", "month"):
            obj.amount, obj.period = pv.value, pv.period or ""
        else:
            obj.amount, obj.period = None, ""
        super().save_model(request, obj, form, change)
