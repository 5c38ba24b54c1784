from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "shinchoku.audits"
    label = "audits"
    verbose_name = "監査"

    def ready(self) -> None:
        from shinchoku.core.importing import register_importer

        register_importer("koto-audit-findings", "shinchoku.audits.importers:KotoAuditImporter")
