"""The admin's writes go through an action too: :class:`ActionAdmin` wraps every save and delete of
Django's admin in ``core.actions.admin_save`` (operator only, one transaction, change log), so the
admin is a door like the others, not a back door."""

from __future__ import annotations

from django.contrib import admin

from shinchoku.core.actions import admin_save
from shinchoku.core.web import access_of


class ActionAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        admin_save(access_of(request), lambda: super(ActionAdmin, self).save_model(request, obj, form, change))

    def delete_model(self, request, obj):
        admin_save(access_of(request), lambda: super(ActionAdmin, self).delete_model(request, obj), "管理画面での削除")

    def delete_queryset(self, request, queryset):
        admin_save(access_of(request), lambda: super(ActionAdmin, self).delete_queryset(request, queryset), "管理画面での削除")

    def save_related(self, request, form, formsets, change):
        admin_save(access_of(request), lambda: super(ActionAdmin, self).save_related(request, form, formsets, change))
