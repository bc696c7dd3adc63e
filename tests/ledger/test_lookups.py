"""Filters over big tables are search boxes backed by the lookup endpoint, never a <select>
of thousands of records (ledger.lookups)."""

import json
import re

import pytest
from django.urls import reverse

from pairings.models import UnitKind, UnitSide
from tests.factories import OutletFactory, ProgrammeFactory, UnitFactory, UserFactory

MANY = 80  # more than LOOKUP_SELECT_LIMIT


@pytest.fixture
def townships(db):
    programme = ProgrammeFactory()
    return UnitFactory.create_batch(
        MANY, programme=programme, side=UnitSide.HELPED, kind=UnitKind.TOWNSHIP
    )


def select_sizes(html: str) -> dict[str, int]:
    """Options per <select>, by its name."""
    return {
        name: body.count("<option")
        for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', html, re.S)
    }


@pytest.mark.parametrize("url", ["projects", "funding", "disbursements", "indicators"])
def test_many_townships_are_a_search_box_not_a_select(client_logged_in, townships, url):
    html = client_logged_in.get(reverse(url)).content.decode()
    sizes = select_sizes(html)
    assert "township" not in sizes
    assert max(sizes.values()) <= 50
    assert f'data-lookup="{reverse("lookup", args=["township"])}"' in html


def test_many_outlets_are_a_search_box_not_a_select(client_logged_in, db):
    OutletFactory.create_batch(MANY)
    html = client_logged_in.get(reverse("sales")).content.decode()
    assert "outlet" not in select_sizes(html)
    assert f'data-lookup="{reverse("lookup", args=["outlet"])}"' in html


def test_few_records_stay_a_select(client_logged_in, db):
    outlets = OutletFactory.create_batch(3)
    html = client_logged_in.get(reverse("sales")).content.decode()
    assert select_sizes(html)["outlet"] == 4  # "All" and the three
    assert all(outlet.name in html for outlet in outlets)


def test_a_township_set_by_link_shows_its_name_and_filters(client_logged_in, townships):
    chosen = townships[7]
    html = client_logged_in.get(reverse("projects"), {"township": chosen.pk}).content.decode()
    assert f'<input type="hidden" name="township" value="{chosen.pk}"' in html
    assert f'value="{chosen.name}"' in html


def test_an_unknown_township_is_an_error_not_all_rows(client_logged_in, townships):
    response = client_logged_in.get(reverse("projects"), {"township": "999999"})
    assert response.context["filterset"].errors


def test_lookup_returns_matches(client_logged_in, townships):
    townships[3].name = "城关镇"
    townships[3].save()
    response = client_logged_in.get(reverse("lookup", args=["township"]), {"q": "城关"})
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"results": [{"id": townships[3].pk, "text": "城关镇"}]}


def test_lookup_returns_at_most_twenty(client_logged_in, townships):
    response = client_logged_in.get(reverse("lookup", args=["township"]))
    assert len(json.loads(response.content)["results"]) == 20


def test_lookup_escapes_markup(client_logged_in, db):
    OutletFactory(name='<script>alert("x")</script>&')
    response = client_logged_in.get(reverse("lookup", args=["outlet"]), {"q": "script"})
    assert b"<script>" not in response.content
    assert b"&" not in response.content
    assert json.loads(response.content)["results"][0]["text"] == '<script>alert("x")</script>&'


def test_lookup_needs_login(client, townships):
    response = client.get(reverse("lookup", args=["township"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_lookup_needs_a_role(client, no_role_user, townships):
    client.force_login(no_role_user)
    assert client.get(reverse("lookup", args=["township"])).status_code == 403


def test_unknown_lookup_is_not_found(client_logged_in):
    assert client_logged_in.get(reverse("lookup", args=["password"])).status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"),
    [("viewer", 404), ("editor_a", 200), ("ledger_admin", 200)],
)
def test_account_lookup_is_only_for_those_who_may_enter_the_admin(
    request, db, client, persona, status
):
    # Usernames and real names of every account: not for every reader of the ledger.
    UserFactory(username="zhang.wei", first_name="伟", last_name="张")
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("lookup", args=["user"]), {"q": "zhang"})
    assert response.status_code == status
    if status == 404:
        assert "zhang.wei" not in response.content.decode()


@pytest.mark.parametrize(("persona", "shown"), [("viewer", False), ("ledger_admin", True)])
def test_changed_by_filter_shows_only_for_those_who_may_see_accounts(
    request, db, client, persona, shown
):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("changes"))
    assert response.status_code == 200
    assert ('name="user"' in response.content.decode()) is shown
