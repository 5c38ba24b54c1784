from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "shinchoku.evaluations"
    label = "evaluations"
    verbose_name = "事務事業評価"
