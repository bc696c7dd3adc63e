"""The committed catalogues: Chinese complete, compiled files in step with their sources."""

import gettext
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

from pairings.models import PairingStatus
from tests.factories import ProjectFactory

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


@pytest.mark.django_db
def test_ledger_words_do_not_retranslate_the_admins_own(client, ledger_admin):
    """Our catalogue comes first: a bare "active" (a pairing's 存续) turned the account's
    有效 box into 存续, and the dashboard's "Summary" (工作汇总) headed the admin's delete
    confirmation. Those words now carry a context."""
    client.force_login(ledger_admin)
    account = client.get(f"/admin/auth/user/{ledger_admin.pk}/change/").content.decode()
    assert "有效" in account
    assert "存续" not in account
    project = ProjectFactory()
    confirm = client.get(f"/admin/projects/project/{project.pk}/delete/").content.decode()
    assert "<h2>概览</h2>" in confirm
    assert "工作汇总" not in confirm


def test_a_pairings_status_still_reads_as_the_ledger_words_it():
    with translation.override("zh-hans"):
        assert str(PairingStatus.ACTIVE.label) == "存续"
