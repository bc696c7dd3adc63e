"""A raw cell as text, and how texts are compared: headers and choices leniently, a record's
name as written."""

from __future__ import annotations

import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.utils import translation

# Between the parts of one cell ("第二批 · 产业扶持组") and of one message.
SEPARATOR = " · "


def normalise(text: str) -> str:
    """Header and choice text compared the lenient way: full-width folded, case and spaces,
    a trailing required mark (*) and a bracketed unit ("（元）") ignored."""
    text = unicodedata.normalize("NFKC", str(text)).strip().casefold()
    text = re.sub(r"\(.*?\)$", "", text).strip()
    return re.sub(r"[\s*]+", "", text)


def name_key(text: str) -> str:
    """A record's name compared as written, give or take full-width forms and spaces (not
    brackets or case: "平昌县人民医院（本部）" is another unit, NY-2023-01 another code)."""
    return " ".join(unicodedata.normalize("NFKC", str(text)).split())


def as_text(value: Any) -> str:
    """A raw cell as the clerk typed it, for messages and text fields."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def comparable(value: Any) -> str:
    """A cell's text with numbers compared by value (10000 == 10000.00)."""
    text = normalise(as_text(value))
    try:
        return str(Decimal(text).normalize())
    except InvalidOperation:
        return text


def is_blank(value: Any) -> bool:
    return as_text(value) == ""


def labels_in_every_language(label: Any) -> list[str]:
    """A (lazy) label as each of the site's languages writes it: a header or a choice may be
    written in any of them."""
    labels = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            labels.append(str(label))
    return labels
