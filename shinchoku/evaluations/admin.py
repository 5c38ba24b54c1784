from django.contrib import admin

from shinchoku.core.admin_base import ActionAdmin
from shinchoku.evaluations import models as models_module
from shinchoku.evaluations.models import BudgetYear, Classification, CostLine, EvaluationSheet


class BudgetYearInline(admin.TabularInline):
    model = BudgetYear
    fields = ("fiscal_year", "budget", "budget_raw", "settlement", "settlement_raw", "settlement_estimate")
    extra = 0


class ClassificationInline(admin.TabularInline):
    model = Classification
    fields = ("fiscal_year", "label")
    extra = 0


class CostLineInline(admin.TabularInline):
    model = CostLine
    fields = ("order", "side", "label", "earlier", "earlier_raw", "later", "later_raw", "difference", "difference_raw")
    extra = 0


@admin.register(EvaluationSheet)
class EvaluationSheetAdmin(ActionAdmin):
    """Corrections by the operator (``core.actions.admin_save``); every save is in the change log.
    Staff use the sheet page's edit form."""

    list_display = ("code", "name", "fiscal_year", "department", "municipality", "version")
    list_filter = ("municipality", "fiscal_year", "department")
    search_fields = ("code", "name", "purpose")
    readonly_fields = ("version", "source_file", "line_start", "line_end", "parse_warnings")
    inlines = (ClassificationInline, BudgetYearInline, CostLineInline)

    def save_model(self, request, obj, form, change):
        if change:
            obj.version += 1  # an edit form opened before this correction must not overwrite it
        super().save_model(request, obj, form, change)


# Every model is reachable in the admin (the parts above are also edited inline on their parents).
for _model in (models_module.SmallProject, models_module.Contract, models_module.SheetIndicator, models_module.SheetIndicatorValue, models_module.Classification, models_module.BudgetYear, models_module.ActivitySeries, models_module.ActivityValue, models_module.BreakdownColumn, models_module.BreakdownItem, models_module.CostLine,):
    if not admin.site.is_registered(_model):
        admin.site.register(_model, ActionAdmin)
