"""Long lists: a list without totals stops counting at LIST_COUNT_LIMIT ("30+ rows") and still
pages to its end; a list with totals says its exact count, from the totals' own query."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aidledger.models import Member
from tests.factories import BatchFactory, BodyFactory, ExchangeFactory, create_team

LIST = "/members/"


@pytest.fixture
def sixty_members(db, settings):
    settings.LIST_COUNT_LIMIT = 30
    return create_team(members=60, bodies=1)


def row_count(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.search(r'<p class="row-count">(.*?)</p>', html, re.S).group(1))


def pager(response) -> str:
    match = re.search(r'<nav class="pagination".*?</nav>', response.content.decode(), re.S)
    return match.group(0) if match else ""


def names(response) -> list[str]:
    assert response.status_code == 200
    return [obj.name for obj, _cells in response.context["table"]]


def test_a_long_list_says_it_stopped_counting(client_logged_in, sixty_members):
    response = client_logged_in.get(LIST, {"per_page": 25})
    assert "超过 30 条记录" in row_count(response)  # "30+ rows"
    assert response.context["page"].count_exact is False
    nav = pager(response)
    assert 'rel="next"' in nav
    assert "page=2" in nav
    assert response.context["page"].num_pages is None  # the last page is not known yet


def test_next_pages_reach_the_end_and_keep_filters(client_logged_in, sixty_members):
    params = {"per_page": 25, "sort": "-name", "batch": sixty_members.pk}
    seen = []
    page = 1
    while True:
        response = client_logged_in.get(LIST, {**params, "page": page})
        seen += names(response)
        nav = pager(response)
        if 'rel="next"' not in nav:
            break
        link = re.search(r'href="\?([^"]*)" rel="next"', nav).group(1).replace("&amp;", "&")
        assert "sort=-name" in link
        assert "per_page=25" in link
        assert f"batch={sixty_members.pk}" in link
        page += 1
    assert page == 3
    assert sorted(seen) == sorted(Member.objects.values_list("name", flat=True))
    # On the last page the whole length is known: 60 rows, page 3 of 3.
    assert "60" in row_count(response)
    assert "3" in pager(response)
    assert 'rel="prev"' in pager(response)


def test_a_page_past_the_end_shows_the_last_page(client_logged_in, sixty_members):
    response = client_logged_in.get(LIST, {"per_page": 25, "page": 999})
    assert response.context["page"].number == 3
    assert len(names(response)) == 10


def test_a_short_list_counts_exactly(client_logged_in, db, settings):
    settings.LIST_COUNT_LIMIT = 30
    create_team(members=12, bodies=1)
    response = client_logged_in.get(LIST)
    assert "12" in row_count(response)
    assert "超过" not in row_count(response)
    assert not pager(response)


@pytest.fixture
def exchanges(db, settings):
    settings.LIST_COUNT_LIMIT = 5
    body = BodyFactory(batch=BatchFactory())
    return ExchangeFactory.create_batch(40, lead_body=body, participants=3, new_techniques=1)


def test_a_list_with_totals_counts_exactly_and_totals_all_rows(client_logged_in, exchanges):
    with CaptureQueriesContext(connection) as queries:
        response = client_logged_in.get("/pairings/exchanges/", {"per_page": 25})
    assert "40" in row_count(response)
    assert "超过" not in row_count(response)
    assert " 2" in pager(response)  # page 1 of 2, and a link to the last
    assert {t.key: v for t, v in response.context["totals"]} == {
        "participants": 120,
        "new_techniques": 40,
    }
    # One query gives the count and the totals: no separate COUNT.
    assert not [q for q in queries if q["sql"].startswith('SELECT COUNT(*) AS "__count"')]
