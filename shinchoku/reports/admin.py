from django.contrib import admin
from django.utils import timezone

from shinchoku.reports.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
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
        for token in queryset.filter(revoked_at__isnull=True):
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
