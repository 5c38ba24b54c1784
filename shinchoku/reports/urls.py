from django.urls import path

from shinchoku.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("plans/<int:pk>/<slug:kind>/", views.report_view, name="report"),
]
