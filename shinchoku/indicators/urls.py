from django.urls import path

from shinchoku.indicators import views

app_name = "indicators"
urlpatterns = [
    path("", views.indicator_index, name="list"),
    path("plan/<int:pk>/", views.plan_indicators, name="plan"),
    path("<int:pk>/", views.indicator_detail, name="detail"),
]
