from django.urls import path

from shinchoku.meetings import views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("actions/<int:pk>/update/", views.action_update, name="action-update"),
]
