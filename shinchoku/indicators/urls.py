from django.urls import path

from shinchoku.indicators import views

app_name = "indicators"
urlpatterns = [
    path("", views.indicator_index, name="list"),
    path("plan/<int:pk>/", views.plan_indicators, name="plan"),
    path("plan/<int:pk>/new/", views.indicator_new, name="new"),
    path("<int:pk>/", views.indicator_detail, name="detail"),
    path("<int:pk>/edit/", views.indicator_edit, name="edit"),
    path("<int:pk>/changes/", views.definition_change_add, name="change_add"),
    path("<int:pk>/changes/<int:change_pk>/delete/", views.definition_change_delete, name="change_delete"),
    path("<int:pk>/values/", views.indicator_values, name="values"),
    path("<int:pk>/values/save/", views.indicator_value_save, name="value_save"),
]
