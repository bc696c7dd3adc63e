"""Compare the evidence rows with the files in EVIDENCE_ROOT (after a restore, or from cron).

Reports rows whose file is missing (restore the folder from the backup that matches the
database) and files no row names: left by a transaction that rolled back after the file was
written, or by a restore of an older database. `--delete-orphans` removes orphan files older
than an hour (younger ones may belong to an upload that is still being saved).
"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand

from evidence.models import Evidence
from evidence.services import THUMBNAIL_FOLDER
from evidence.storage import evidence_storage

GRACE_SECONDS = 3600


class Command(BaseCommand):
    help = (
        "Report evidence rows without files and files without rows; optionally remove the latter."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--delete-orphans",
            action="store_true",
            help="Remove files that no row names (older than an hour) and their thumbnails.",
        )

    def handle(self, *args, delete_orphans: bool, **options) -> None:
        root = Path(evidence_storage.location)
        named = set(Evidence.objects.values_list("file", flat=True))
        stems = {Path(name).stem for name in named}
        missing = sorted(name for name in named if not (root / name).is_file())
        orphans = []
        if root.exists():
            for path in sorted(root.rglob("*")):
                if not path.is_file():
                    continue
                relative = path.relative_to(root).as_posix()
                if relative.startswith(f"{THUMBNAIL_FOLDER}/"):
                    if path.stem not in stems:
                        orphans.append(path)
                elif relative not in named:
                    orphans.append(path)
        for name in missing:
            self.stdout.write(f"missing file: {name}")
        removed = 0
        for path in orphans:
            old = time.time() - path.stat().st_mtime > GRACE_SECONDS
            if delete_orphans and old:
                path.unlink()
                removed += 1
                self.stdout.write(f"removed orphan: {path.relative_to(root).as_posix()}")
            else:
                self.stdout.write(f"orphan file: {path.relative_to(root).as_posix()}")
        self.stdout.write(
            f"{len(named)} rows, {len(missing)} missing files, {len(orphans)} orphan files"
            + (f", {removed} removed" if delete_orphans else "")
        )
        if missing:
            raise SystemExit(1)
