"""The header's sections and the current section's pages."""

import re

import pytest
from django.urls import reverse

from ledger.navigation import declared_sections
from tests.factories import PairingFactory


def current_links(html: str, nav_class: str) -> list[str]:
    nav = re.search(rf'<nav class="{nav_class}".*?</nav>', html, re.S)
    assert nav, f"no {nav_class}"
    return re.findall(r'<a href="([^"]+)" aria-current="page">', nav.group(0))


def test_every_section_and_page_opens(client_logged_in):
    for section in declared_sections():
        response = client_logged_in.get(section.prefix)
        assert response.status_code == 200, section.prefix
        for page in section.pages:
            assert client_logged_in.get(reverse(page.url_name)).status_code == 200, page.url_name


@pytest.mark.parametrize(
    ("path", "section", "page"),
    [
        ("/pairings/", "/pairings/", "/pairings/"),
        ("/pairings/exchanges/", "/pairings/", "/pairings/exchanges/"),
        ("/projects/disbursements/", "/projects/", "/projects/disbursements/"),
        ("/projects/leads/?stage=visited", "/projects/", "/projects/leads/"),
    ],
)
def test_section_and_page_marked_current(client_logged_in, path, section, page):
    html = client_logged_in.get(path).content.decode()
    assert current_links(html, "site-nav") == [section]
    assert current_links(html, "section-nav") == [page]


def test_pairing_page_marks_the_pairings_list(client_logged_in):
    pairing = PairingFactory()
    html = client_logged_in.get(f"/pairings/{pairing.pk}/").content.decode()
    assert current_links(html, "section-nav") == ["/pairings/"]


def test_members_have_no_section_pages(client_logged_in):
    html = client_logged_in.get("/members/").content.decode()
    assert current_links(html, "site-nav") == ["/members/"]
    assert 'class="section-nav"' not in html


def test_anonymous_sees_no_navigation(client):
    html = client.get("/accounts/login/").content.decode()
    assert 'class="site-nav"' not in html
    assert 'class="section-nav"' not in html
