from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data: the seed documents through the real importers, demo users, the synthetic ward."""

    name = "shinchoku.demo"
    label = "demo"
    verbose_name = "デモデータ"
