from django.contrib import admin

from shinchoku.meetings import models as models_module
from shinchoku.meetings.models import ActionItem, AgendaItem, Attendee, Meeting


class AttendeeInline(admin.TabularInline):
    model = Attendee
    extra = 0
    fields = ("group", "title", "role", "proxy", "order")


class AgendaItemInline(admin.StackedInline):
    model = AgendaItem
    extra = 0
    fields = ("kind", "number", "title", "presenter", "summary", "discussion", "decision", "decision_text", "order")


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("__str__", "date", "place", "meeting_publication", "minutes_publication", "municipality")
    list_filter = ("municipality", "body", "fiscal_year")
    inlines = [AttendeeInline, AgendaItemInline]


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ("title", "owner", "due_date", "state", "meeting")
    list_filter = ("municipality", "state", "owner")
    search_fields = ("title", "description")
    raw_id_fields = ("plan_nodes", "procedures")


# Every model is reachable in the admin (the parts above are also edited inline on their parents).
for _model in (models_module.Attendee, models_module.AgendaItem,):
    if not admin.site.is_registered(_model):
        admin.site.register(_model)
