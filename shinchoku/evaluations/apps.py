from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "shinchoku.evaluations"
    label = "evaluations"
    verbose_name = "事務事業評価"

    def ready(self) -> None:
        from shinchoku.core.importing import register_importer

        register_importer("arakawa-sheet", "shinchoku.evaluations.importers.arakawa_import:ArakawaSheetImporter")
