"""/public/ — published plans and open data, no login (included from ``shinchoku.urls``).

Each page answers ``?format=csv|json`` itself. The file URLs published before this style stay as
aliases answering the same bytes (open-data users and their scripts have them bookmarked):

==============================  ===============================================
alias                           the same as
==============================  ===============================================
``plans.csv`` / ``plans.json``  ``/public/?format=csv`` / ``?format=json``
``plans/<id>.json``             ``/public/plans/<id>/?format=json``
``plans/<id>/progress.csv``     ``/public/plans/<id>/?format=csv``
``plans/<id>/summary.csv``      ``/public/plans/<id>/?format=csv&table=summary``
``data-dictionary.csv|.json``   ``/public/data-dictionary/?format=csv|json``
==============================  ===============================================
"""

from django.urls import path

from shinchoku.public import views

app_name = "public"
urlpatterns = [
    path("", views.index, name="index"),
    path("plans/<int:pk>/", views.plan_page, name="plan"),
    path("data-dictionary/", views.dictionary, name="dictionary"),
    # aliases (see the module docstring)
    path("plans.csv", views.index, {"fmt": "csv"}, name="index-csv"),
    path("plans.json", views.index, {"fmt": "json"}, name="index-json"),
    path("plans/<int:pk>.json", views.plan_page, {"fmt": "json"}, name="plan-json"),
    path("plans/<int:pk>/progress.csv", views.plan_page, {"fmt": "csv", "table": "progress"}, name="plan-progress-csv"),
    path("plans/<int:pk>/summary.csv", views.plan_page, {"fmt": "csv", "table": "summary"}, name="plan-summary-csv"),
    path("data-dictionary.csv", views.dictionary, {"fmt": "csv"}, name="dictionary-csv"),
    path("data-dictionary.json", views.dictionary, {"fmt": "json"}, name="dictionary-json"),
]
