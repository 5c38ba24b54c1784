"""/public/ — published plans and open data, no login (included from ``shinchoku.urls``)."""

from django.urls import path

from shinchoku.reports import public

app_name = "public"
urlpatterns = [
    path("", public.index, name="index"),
    path("plans.csv", public.index_data, {"fmt": "csv"}, name="index-csv"),
    path("plans.json", public.index_data, {"fmt": "json"}, name="index-json"),
    path("plans/<int:pk>/", public.plan_page, name="plan"),
    path("plans/<int:pk>.json", public.plan_json, name="plan-json"),
    path("plans/<int:pk>/progress.csv", public.plan_progress_csv, name="plan-progress-csv"),
    path("plans/<int:pk>/summary.csv", public.plan_summary_csv, name="plan-summary-csv"),
    path("data-dictionary/", public.dictionary, name="dictionary"),
    path("data-dictionary.csv", public.dictionary_data, {"fmt": "csv"}, name="dictionary-csv"),
    path("data-dictionary.json", public.dictionary_data, {"fmt": "json"}, name="dictionary-json"),
]
