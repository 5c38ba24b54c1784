from django.contrib import admin

from shinchoku.core import actions
from shinchoku.core.admin_base import ActionAdmin
from shinchoku.core.models import ApiToken, ChangeLog, Department, Membership, Municipality
from shinchoku.core.web import access_of


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


@admin.register(ApiToken)
class ApiTokenAdmin(ActionAdmin):
    """Tokens are issued with ``shinchoku api-token create`` (shown once); here they are listed and revoked."""

    list_display = ("prefix", "user", "name", "created_at", "expires_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("prefix", "user__username", "name")
    readonly_fields = ("user", "prefix", "created_at")
    exclude = ("key_hash",)
    actions = ["revoke_tokens"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="選択したトークンを失効させる")
    def revoke_tokens(self, request, queryset):
        access = access_of(request)
        for token in queryset.filter(revoked_at__isnull=True):
            actions.revoke_api_token(access, token)
