from django.urls import path

from shinchoku.procedures import views

app_name = "procedures"
urlpatterns = [
    path("", views.inventory, name="inventory"),
    path("import/", views.inventory_import, name="import"),
    path("export.xlsx", views.export, {"fmt": "xlsx"}, name="export-xlsx"),
    path("export.csv", views.export, {"fmt": "csv"}, name="export-csv"),
    path("<int:pk>/online/", views.procedure_online, name="online"),
    path("selections/", views.selection_list, name="selections"),
    path("selections/<int:pk>/", views.selection_detail, name="selection"),
    path("selections/<int:pk>/swap/", views.selection_swap, name="swap"),
]
