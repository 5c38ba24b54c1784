from django.contrib import admin

from shinchoku.rounds.models import Round, RoundAnswer, RoundIndicatorActual


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ("plan", "fiscal_year", "deadline", "state", "municipality")
    list_filter = ("municipality", "state", "fiscal_year")


@admin.register(RoundAnswer)
class RoundAnswerAdmin(admin.ModelAdmin):
    list_display = ("round", "node", "status", "state", "version")
    list_filter = ("state", "round")
    raw_id_fields = ("node",)
    search_fields = ("node__code", "node__title")


@admin.register(RoundIndicatorActual)
class RoundIndicatorActualAdmin(admin.ModelAdmin):
    list_display = ("round", "indicator", "state", "version")
    list_filter = ("state", "round")
