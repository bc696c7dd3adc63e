from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = _("Evidence files")

    def ready(self) -> None:
        # Signal receivers (file removal, refusing to delete a record that has files) and the
        # system check that keeps the files out of anything served publicly.
        from evidence import checks, signals  # noqa: F401
        from evidence.admin import evidence_inlines
        from ledger import admin as ledger_admin

        # Every ledger admin of a record that carries files shows them as an inline.
        if evidence_inlines not in ledger_admin.extra_inlines:
            ledger_admin.extra_inlines.append(evidence_inlines)
