from django.urls import path

from shinchoku.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/progress/", views.progress_list_view, name="progress"),
]
