from django.apps import AppConfig


class EffectsConfig(AppConfig):
    name = "shinchoku.effects"
    label = "effects"
    verbose_name = "効果"
