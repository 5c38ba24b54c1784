from django.apps import AppConfig


class ProceduresConfig(AppConfig):
    name = "shinchoku.procedures"
    label = "procedures"
    verbose_name = "行政手続"
