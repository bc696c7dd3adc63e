"""Issue 18, item 9: the admin has a language switch, as the site does."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_admin_offers_both_languages(client, ledger_admin):
    client.force_login(ledger_admin)
    html = client.get("/admin/").content.decode()
    assert 'class="admin-language-switch" action="/i18n/setlang/"' in html
    assert 'value="en" lang="en">English</button>' in html
    assert 'value="zh-hans" lang="zh-hans" aria-pressed="true" disabled>中文</button>' in html


def test_switching_to_english_in_the_admin_stays_in_the_admin(client, ledger_admin):
    client.force_login(ledger_admin)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    assert response.status_code == 302
    assert response.url == "/admin/"
    html = client.get("/admin/").content.decode()
    assert "Log out" in html
    assert 'value="en" lang="en" aria-pressed="true" disabled>English</button>' in html


def test_a_viewer_gets_no_admin_and_so_no_switch_there(client, viewer):
    client.force_login(viewer)
    response = client.get("/admin/")
    assert b"admin-language-switch" not in response.content
