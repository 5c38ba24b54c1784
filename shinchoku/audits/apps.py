from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "shinchoku.audits"
    label = "audits"
    verbose_name = "監査"
