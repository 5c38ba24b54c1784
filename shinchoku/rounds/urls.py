from django.urls import path

from shinchoku.rounds import views

app_name = "rounds"
urlpatterns = [
    path("", views.round_list, name="list"),
    path("<int:pk>/", views.dashboard, name="dashboard"),
    path("<int:pk>/status.json", views.dashboard_json, name="dashboard_json"),
    path("<int:pk>/mine/", views.my_department, name="mine"),
    path("<int:pk>/close/", views.close_view, name="close"),
    path("<int:pk>/reopen/", views.reopen_view, name="reopen"),
    path("<int:pk>/remind/", views.remind_view, name="remind"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/departments/<int:dep>/", views.department_page, name="department"),
    path("<int:pk>/departments/<int:dep>/submit/", views.submit_view, name="submit"),
    path("<int:pk>/departments/<int:dep>/approve/", views.approve_department_view, name="approve_department"),
    path("<int:pk>/departments/<int:dep>/export.xlsx", views.export_view, name="export"),
    path("<int:pk>/departments/<int:dep>/import/", views.import_view, name="import"),
    path("<int:pk>/nodes/<int:node>/answer/", views.save_answer_view, name="save_answer"),
    path("<int:pk>/indicators/<int:indicator>/actual/", views.save_actual_view, name="save_actual"),
    path("<int:pk>/<str:kind>/<int:item>/return/", views.return_view, name="return"),
    path("<int:pk>/<str:kind>/<int:item>/approve/", views.approve_view, name="approve"),
    path("<int:pk>/<str:kind>/<int:item>/history/", views.history, name="history"),
]
