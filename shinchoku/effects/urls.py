from django.urls import path

from shinchoku.effects import views

app_name = "effects"
urlpatterns = [
    path("", views.effect_list, name="list"),
    path("effects.csv", views.effect_csv, name="csv"),
]
