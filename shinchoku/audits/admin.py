from django.contrib import admin

from shinchoku.audits import models as models_module
from shinchoku.audits.models import Audit, Evidence, Finding, Response


class FindingInline(admin.TabularInline):
    model = Finding
    extra = 0
    fields = ("kind", "number", "title", "page", "order")
    show_change_link = True


@admin.register(Audit)
class AuditAdmin(admin.ModelAdmin):
    list_display = ("fiscal_year", "kind", "theme", "auditor", "municipality")
    list_filter = ("municipality", "kind", "fiscal_year")
    search_fields = ("theme", "auditor")
    inlines = [FindingInline]


class ResponseInline(admin.StackedInline):
    model = Response
    extra = 0
    fields = ("department", "date", "state", "text", "review", "review_comment", "approved_by", "approved_at")
    readonly_fields = ("approved_by", "approved_at")


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = ("__str__", "audit", "page", "department_text")
    list_filter = ("municipality", "kind", "audit")
    search_fields = ("title", "summary", "department_text")
    filter_horizontal = ("departments",)
    raw_id_fields = ("plan_nodes",)
    inlines = [ResponseInline]


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    fields = ("name", "file", "size", "uploaded_by", "uploaded_at")
    readonly_fields = ("size", "uploaded_by", "uploaded_at")


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ("finding", "department", "date", "state", "review", "approved_at")
    list_filter = ("municipality", "state", "review")
    inlines = [EvidenceInline]


# Every model is reachable in the admin (the parts above are also edited inline on their parents).
for _model in (models_module.Evidence,):
    if not admin.site.is_registered(_model):
        admin.site.register(_model)
