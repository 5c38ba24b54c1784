from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "shinchoku.plans"
    label = "plans"
    verbose_name = "計画・進捗"

    def ready(self) -> None:
        from shinchoku.core.importing import register_importer

        register_importer("nakano-progress", "shinchoku.plans.importers.nakano_import:NakanoProgressImporter")
        register_importer("workbook", "shinchoku.plans.workbook.importer:WorkbookImporter")
