from django.urls import path

from shinchoku.meetings import views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_new, name="new"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("remind/", views.remind, name="remind"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("<int:pk>/agenda/new/", views.agenda_new, name="agenda-new"),
    path("agenda/<int:pk>/edit/", views.agenda_edit, name="agenda-edit"),
    path("<int:pk>/actions/new/", views.action_new, name="action-new"),
    path("actions/<int:pk>/", views.action_detail, name="action"),
    path("actions/<int:pk>/edit/", views.action_edit, name="action-edit"),
    path("actions/<int:pk>/links/", views.action_links, name="action-links"),
    path("actions/<int:pk>/update/", views.action_update, name="action-update"),
]
