from django.apps import AppConfig


class EffectsConfig(AppConfig):
    name = "shinchoku.effects"
    label = "effects"
    verbose_name = "効果"

    def ready(self) -> None:
        from shinchoku.core.importing import register_importer

        register_importer("effects", "shinchoku.effects.importers.effects_import:EffectsImporter")
