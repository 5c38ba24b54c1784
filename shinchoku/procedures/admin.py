from django.contrib import admin

from shinchoku.procedures import models as models_module
from shinchoku.procedures.models import (
    DepartmentQuota,
    PeerAchievement,
    Procedure,
    SelectionItem,
    SelectionSwap,
    TargetSelection,
)


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ("key", "name", "department", "yearly_volume", "online", "channel", "target_year")
    list_filter = ("municipality", "online", "channel", "department")
    search_fields = ("key", "name", "legal_basis")


class DepartmentQuotaInline(admin.TabularInline):
    model = DepartmentQuota
    extra = 0
    readonly_fields = ("department", "quota", "already_online")
    can_delete = False


class SelectionSwapInline(admin.TabularInline):
    model = SelectionSwap
    extra = 0
    readonly_fields = ("department", "out_procedure", "in_procedure", "reason", "swapped_by", "swapped_at")
    can_delete = False


@admin.register(TargetSelection)
class TargetSelectionAdmin(admin.ModelAdmin):
    """Read-mostly: quotas and items change only through the selection and swap rules (services)."""

    list_display = ("name", "fiscal_year", "n", "target_total", "already_online", "municipality")
    list_filter = ("municipality", "fiscal_year")
    readonly_fields = ("n", "target_total", "already_online", "needed_for_target", "eligible_count", "blocked_count",
                       "not_online_count", "shortfall", "notes", "created_by", "created_at")
    inlines = [DepartmentQuotaInline, SelectionSwapInline]


@admin.register(SelectionItem)
class SelectionItemAdmin(admin.ModelAdmin):
    list_display = ("selection", "rank", "procedure", "department", "swapped_in")
    list_filter = ("selection",)
    readonly_fields = ("selection", "procedure", "department", "rank", "volume_at_selection", "swapped_in")


@admin.register(PeerAchievement)
class PeerAchievementAdmin(admin.ModelAdmin):
    list_display = ("department", "peer", "online_count", "fiscal_year", "municipality")
    list_filter = ("municipality",)


# Every model is reachable in the admin (the parts above are also edited inline on their parents).
for _model in (models_module.DepartmentQuota, models_module.SelectionSwap,):
    if not admin.site.is_registered(_model):
        admin.site.register(_model)
