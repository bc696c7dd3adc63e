"""A system check: evidence files never sit where something serves files publicly."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, register


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents or path in folder.parents


@register()
def evidence_root_is_private(app_configs, **kwargs) -> list[Error]:
    root = Path(settings.EVIDENCE_ROOT).resolve()
    public = [Path(folder) for folder in getattr(settings, "STATICFILES_DIRS", [])]
    for name in ("STATIC_ROOT", "MEDIA_ROOT"):
        if getattr(settings, name, None):
            public.append(Path(getattr(settings, name)))
    errors = []
    for folder in public:
        if _inside(root, folder.resolve()):
            errors.append(
                Error(
                    f"EVIDENCE_ROOT ({root}) overlaps {folder}, which is served publicly.",
                    hint="Point EVIDENCE_ROOT at a private folder, e.g. var/evidence.",
                    id="evidence.E001",
                )
            )
    return errors
