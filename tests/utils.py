"""Helpers that compare a response with our own UI strings without hard-coding a rendering."""

from django.http import HttpResponse
from django.utils import translation
from django.utils.html import escape


def language_of(response: HttpResponse) -> str:
    """The language the response was rendered in (LocaleMiddleware sets Content-Language)."""
    return response["Content-Language"]


def as_shown(response: HttpResponse, message) -> str:
    """`message` (a lazy string from the code) as the response's HTML would show it."""
    with translation.override(language_of(response)):
        return escape(str(message))


def msgid_as_shown(response: HttpResponse, msgid: str) -> str:
    """A msgid that the code translates inline, looked up in the response's language."""
    with translation.override(language_of(response)):
        return escape(translation.gettext(msgid))


def totals(response: HttpResponse) -> dict:
    """A list page's totals over its filtered rows, by key ({"mentors": 30, …})."""
    return {total.key: value for total, value in response.context["totals"]}


def loaded_version(record) -> dict:
    """The hidden version a change form of `record` loaded now carries (ledger.history):
    what a clerk's browser posts back with the form."""
    from django.contrib import admin

    from ledger.history import VERSION_FIELD, version_of

    children = admin.site._registry[type(record)].version_children()
    return {VERSION_FIELD: version_of(record, children)}


# Every ledger record's admin page carries the evidence files inline (evidence.admin): an admin
# POST built by hand includes its management form, here with no rows.
EVIDENCE_INLINE = "evidence-evidence-content_type-object_id"
NO_EVIDENCE_FILES = {
    f"{EVIDENCE_INLINE}-TOTAL_FORMS": "0",
    f"{EVIDENCE_INLINE}-INITIAL_FORMS": "0",
    f"{EVIDENCE_INLINE}-MIN_NUM_FORMS": "0",
    f"{EVIDENCE_INLINE}-MAX_NUM_FORMS": "1000",
}
