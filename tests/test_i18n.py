"""The committed catalogues: Chinese complete, compiled files in step with their sources."""

import gettext
from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"


def _entries(language: str) -> list[polib.POEntry]:
    return list(polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po")))


def test_every_string_has_a_chinese_translation():
    untranslated = [
        entry.msgid for entry in _entries("zh_Hans") if not entry.translated() or entry.fuzzy
    ]
    assert untranslated == []


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_compiled_catalogue_matches_its_source(language):
    directory = LOCALE / language / "LC_MESSAGES"
    with (directory / "django.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    for entry in _entries(language):
        if not entry.translated():
            continue
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural:
            assert catalogue._catalog[(key, 0)] == entry.msgstr_plural[0], entry.msgid
        else:
            assert catalogue._catalog[key] == entry.msgstr, entry.msgid
