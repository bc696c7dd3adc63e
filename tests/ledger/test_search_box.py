"""Issue 18, item 9: a list's search box is wide enough for its hint in either language
(the English "title, place, outcome or unit" was cut to "title, place, outcome or u")."""

import re

import pytest

pytestmark = pytest.mark.django_db


def search_box(html: str) -> str:
    return re.search(r'<input[^>]*name="q"[^>]*>', html).group(0)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_search_box_fits_its_hint(client_logged_in, language):
    client_logged_in.cookies["django_language"] = language
    box = search_box(client_logged_in.get("/pairings/exchanges/").content.decode())
    hint = re.search(r'placeholder="([^"]+)"', box).group(1)
    size = int(re.search(r'size="(\d+)"', box).group(1))
    width = sum(2 if ord(char) > 0x2E80 else 1 for char in hint)
    assert size >= min(width, 36), (hint, size)
    assert f'title="{hint}"' in box  # the whole hint on hover, where a phone cuts it
