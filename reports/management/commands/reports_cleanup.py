from django.core.management.base import BaseCommand

from reports import services


class Command(BaseCommand):
    help = (
        "Delete the files of export jobs past REPORTS_EXPIRY_HOURS and mark failed the jobs "
        "whose worker died (running past REPORTS_JOB_TIMEOUT_MINUTES). For cron; the worker "
        "does the same before each job."
    )

    def handle(self, *args, **options) -> None:
        expired = services.expire_jobs()
        failed = services.fail_stale_jobs()
        self.stdout.write(f"expired {expired}, failed as stale {failed}")
