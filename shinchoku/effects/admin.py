from django.contrib import admin

from shinchoku.core.admin_base import ActionAdmin
from shinchoku.effects.inputs import InputError, published_figure
from shinchoku.effects.models import Effect


@admin.register(Effect)
class EffectAdmin(ActionAdmin):
    """The operator's repair door (``core.actions.admin_save``); staff import effects or use the workbook."""

    list_display = ("plan", "node", "fiscal_year", "until_fiscal_year", "kind", "raw_value", "amount", "unit", "period")
    list_filter = ("plan", "kind", "fiscal_year")
    search_fields = ("raw_value", "basis", "notes", "node__code")
    raw_id_fields = ("node",)
    readonly_fields = ("amount", "unit", "period")

    def save_model(self, request, obj, form, change):
        """Keep the parsed amount in step with the published text edited here (read as the importer
        reads it; a text that is not a figure of the kind's unit keeps no amount)."""
        try:
            obj.amount, obj.unit, obj.period = published_figure(obj.kind, obj.raw_value)
        except InputError:
            obj.amount, obj.unit, obj.period = None, "時間" if obj.kind == Effect.Kind.HOURS else "円", ""
        super().save_model(request, obj, form, change)
