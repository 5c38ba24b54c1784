from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "shinchoku.reports"
    label = "reports"
    verbose_name = "報告書"
