from django.apps import AppConfig


class RoundsConfig(AppConfig):
    name = "shinchoku.rounds"
    label = "rounds"
    verbose_name = "照会（進捗調査）"
