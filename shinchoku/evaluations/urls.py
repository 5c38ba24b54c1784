from django.urls import path

from shinchoku.evaluations import views

app_name = "evaluations"
urlpatterns = [
    path("", views.sheet_list, name="list"),
    path("sheets/<int:pk>/", views.sheet_detail, name="sheet"),
    path("sheets/<int:pk>/edit/", views.sheet_edit, name="sheet_edit"),
    path("sheets/<int:pk>/pdf/", views.sheet_pdf, name="sheet_pdf"),
    path("sheets/<int:pk>/xlsx/", views.sheet_xlsx, name="sheet_xlsx"),
    path("departments/<int:pk>/pdf/", views.department_pdf, name="department_pdf"),
    path("departments/<int:pk>/xlsx/", views.department_xlsx, name="department_xlsx"),
]
