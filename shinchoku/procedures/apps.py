from django.apps import AppConfig


class ProceduresConfig(AppConfig):
    name = "shinchoku.procedures"
    label = "procedures"
    verbose_name = "行政手続"

    def ready(self) -> None:
        from shinchoku.core.importing import register_importer

        register_importer("procedures", "shinchoku.procedures.inventory_io:ProcedureInventoryImporter")
