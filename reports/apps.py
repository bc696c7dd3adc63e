from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """The documents the team hands in, generated from the ledger: the Word briefing, the
    assessment pack (ZIP), and the background jobs that build them ("我的导出")."""

    name = "reports"
    verbose_name = _("Reports and assessment packs")

    def ready(self) -> None:
        # The task queue's rows (django_tasks_db) are plumbing: users follow their jobs under
        # "我的导出", workers log their failures. Its admin would bypass the roles (it asks
        # Django's model permissions, which no role holds), so it is not offered.
        from django.contrib import admin
        from django_tasks_db.models import DBTaskResult

        if admin.site.is_registered(DBTaskResult):
            admin.site.unregister(DBTaskResult)
