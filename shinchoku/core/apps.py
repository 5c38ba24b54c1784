from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shinchoku.core"
    label = "core"
    verbose_name = "基本情報"

    def ready(self) -> None:
        from shinchoku.core import changelog

        changelog.connect_signals()
