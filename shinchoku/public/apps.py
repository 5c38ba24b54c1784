from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "shinchoku.public"
    label = "public"
    verbose_name = "公開データ"
