from django.contrib import admin

from shinchoku.core.models import ChangeLog, Department, Membership, Municipality


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "parent", "municipality", "active")
    list_filter = ("municipality", "kind", "active")
    search_fields = ("name",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "municipality")
    list_filter = ("municipality", "role")
    filter_horizontal = ("departments",)


@admin.register(ChangeLog)
class ChangeLogAdmin(admin.ModelAdmin):
    """Read-only: the change log is evidence; nobody edits it, not even an administrator."""

    list_display = ("timestamp", "actor", "action", "model", "object_repr", "batch")
    list_filter = ("action", "model", "municipality")
    search_fields = ("object_repr", "actor", "object_id", "batch")
    readonly_fields = [f.name for f in ChangeLog._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
