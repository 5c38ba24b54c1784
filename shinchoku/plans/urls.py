from django.urls import path

from shinchoku.plans import views
from shinchoku.plans.workbook import views as workbook_views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/progress/", views.progress_list_view, name="progress"),
    path("<int:pk>/workbook/", workbook_views.workbook_export, name="workbook_export"),
    path("workbook/template/", workbook_views.workbook_template, name="workbook_template"),
    path("workbook/import/", workbook_views.workbook_import, name="workbook_import"),
]
