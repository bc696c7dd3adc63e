"""The site's navigation, declared once: sections in the header, their pages below it."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Link:
    label: str | Promise
    url_name: str


@dataclass(frozen=True)
class Section:
    label: str | Promise
    url_name: str
    prefix: str  # paths under this prefix belong to the section
    pages: tuple[Link, ...] = field(default=())


SECTIONS = (
    Section(_("Overview"), "home", "/"),
    Section(_("Members"), "members", "/members/"),
    Section(
        _("Pairings"),
        "pairings",
        "/pairings/",
        (
            Link(_("Pairings"), "pairings"),
            Link(_("Units"), "pairing-units"),
            Link(_("Exchanges"), "exchanges"),
            Link(_("Mentorships"), "mentorships"),
        ),
    ),
    Section(
        _("Projects"),
        "projects",
        "/projects/",
        (
            Link(_("Projects"), "projects"),
            Link(_("Funding lines"), "funding"),
            Link(_("Disbursements"), "disbursements"),
            Link(_("Indicators"), "indicators"),
            Link(_("Investment leads"), "leads"),
            Link(_("Consumer-assistance sales"), "sales"),
        ),
    ),
    Section(_("Recent changes"), "changes", "/changes/"),
)


@dataclass(frozen=True)
class Item:
    label: str | Promise
    url: str
    current: bool


def navigation(path: str) -> tuple[list[Item], list[Item]]:
    """The header's sections and, for the current section, its pages; each marked current."""
    # The longest matching prefix wins, so "/" only claims what no other section does.
    active = max(
        (section for section in SECTIONS if path.startswith(section.prefix)),
        key=lambda section: len(section.prefix),
        default=None,
    )
    sections = [
        Item(section.label, reverse(section.url_name), section is active) for section in SECTIONS
    ]
    pages = []
    if active is not None:
        urls = [(page, reverse(page.url_name)) for page in active.pages]
        # A page is current on its own URL and its detail pages ("/pairings/12/").
        best = max((url for _page, url in urls if path.startswith(url)), key=len, default=None)
        pages = [Item(page.label, url, url == best) for page, url in urls]
    return sections, pages
