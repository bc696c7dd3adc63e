"""The site's navigation: sections in the header, their pages below it, each declared once by
its app (AppConfig.navigation)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.urls import reverse
from django.utils.functional import Promise


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
    order: int = 0  # the sections are shown in this order, smallest first


def declared_sections() -> list[Section]:
    """The header's sections, in order: each app declares its own as its AppConfig's
    `navigation` (a Section), so a new list page is added to the menu by its app."""
    declared = (getattr(config, "navigation", None) for config in apps.get_app_configs())
    return sorted((section for section in declared if section), key=lambda s: s.order)


@dataclass(frozen=True)
class Item:
    label: str | Promise
    url: str
    current: bool


def navigation(path: str) -> tuple[list[Item], list[Item]]:
    """The header's sections and, for the current section, its pages; each marked current."""
    # The longest matching prefix wins, so "/" only claims what no other section does.
    declared = declared_sections()
    active = max(
        (section for section in declared if path.startswith(section.prefix)),
        key=lambda section: len(section.prefix),
        default=None,
    )
    sections = [
        Item(section.label, reverse(section.url_name), section is active) for section in declared
    ]
    pages = []
    if active is not None:
        urls = [(page, reverse(page.url_name)) for page in active.pages]
        # A page is current on its own URL and its detail pages ("/pairings/12/").
        best = max((url for _page, url in urls if path.startswith(url)), key=len, default=None)
        pages = [Item(page.label, url, url == best) for page, url in urls]
    return sections, pages
