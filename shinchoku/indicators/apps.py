from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "shinchoku.indicators"
    label = "indicators"
    verbose_name = "成果指標"
