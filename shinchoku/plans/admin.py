from django.contrib import admin

from shinchoku.plans.models import NodeDepartment, Plan, PlanNode, ProgressEntry, StatusScale, StatusSymbol


class StatusSymbolInline(admin.TabularInline):
    model = StatusSymbol
    extra = 0


@admin.register(StatusScale)
class StatusScaleAdmin(admin.ModelAdmin):
    list_display = ("name", "municipality")
    inlines = [StatusSymbolInline]


@admin.register(StatusSymbol)
class StatusSymbolAdmin(admin.ModelAdmin):
    list_display = ("symbol", "meaning", "category", "scale")


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("name", "municipality", "period_start", "period_end", "status_scale", "is_published")
    list_filter = ("municipality",)
    search_fields = ("name",)


class NodeDepartmentInline(admin.TabularInline):
    model = NodeDepartment
    extra = 0
    autocomplete_fields = ("department",)


@admin.register(PlanNode)
class PlanNodeAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "plan", "depth", "relisted_from")
    list_filter = ("plan", "depth")
    search_fields = ("code", "title")
    raw_id_fields = ("parent", "relisted_from")
    inlines = [NodeDepartmentInline]


@admin.register(NodeDepartment)
class NodeDepartmentAdmin(admin.ModelAdmin):
    list_display = ("node", "department", "order")
    raw_id_fields = ("node",)


@admin.register(ProgressEntry)
class ProgressEntryAdmin(admin.ModelAdmin):
    list_display = ("node", "fiscal_year", "status", "state", "version", "updated_at")
    list_filter = ("fiscal_year", "state")
    search_fields = ("node__code", "node__title", "result")
    raw_id_fields = ("node",)
