"""A pairing's page: both units, the agreement, its exchanges and its helped unit's mentorships,
with links back to the filtered lists, in a constant number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    ExchangeFactory,
    MemberFactory,
    MentorshipFactory,
    PairingFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def pairing():
    pairing = PairingFactory(
        helper__name="自贡市牛佛中学",
        helper__kind="school",
        helper__area="大安区",
        helper__contact_person="韩老师",
        helper__phone="0813-0000000",
        helped__name="巴中市平昌中学实验学校",
        agreement="校联体结对帮扶协议",
        responsible_body__name="社会事业组",
    )
    other = PairingFactory(
        helper__programme=pairing.programme,
        helper__name="自贡市蜀光中学",
        responsible_body=pairing.responsible_body,
    )
    ExchangeFactory(
        title="交流研讨活动",
        date=datetime.date(2024, 5, 22),
        lead_body=pairing.responsible_body,
        pairings=[pairing, other],
    )
    ExchangeFactory(title="别的结对的活动", lead_body=pairing.responsible_body, pairings=[other])
    mentor = MemberFactory(batch=pairing.responsible_body.batch, name="韩磊")
    MentorshipFactory(mentor=mentor, mentee_unit=pairing.helped, mentee_name="王晓东")
    MentorshipFactory(mentor=mentor, mentee_unit=other.helped, mentee_name="别的干部")
    return pairing


def test_pairing_page_shows_units_agreement_exchanges_and_mentorships(client_logged_in, pairing):
    response = client_logged_in.get(f"/pairings/{pairing.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "自贡市牛佛中学",
        "巴中市平昌中学实验学校",
        "大安区",
        "韩老师",
        "0813-0000000",
        "自贡市",
        "平昌县",
        "校联体结对帮扶协议",
        "社会事业组",
        "交流研讨活动",
        "自贡市蜀光中学",  # the exchange's other pairing
        "韩磊",
        "王晓东",
    ):
        assert text in html, text
    assert "别的结对的活动" not in html
    assert "别的干部" not in html


def test_pairing_page_links_back_to_the_filtered_lists(client_logged_in, pairing):
    html = client_logged_in.get(f"/pairings/{pairing.pk}/").content.decode()
    assert f'href="/pairings/exchanges/?pairing={pairing.pk}"' in html
    assert f'href="/pairings/mentorships/?unit={pairing.helped_id}"' in html
    assert f'href="/pairings/?unit={pairing.helper_id}"' in html
    assert f'href="/pairings/?unit={pairing.helped_id}"' in html
    assert 'href="/pairings/?category=school"' in html
    exchanges = client_logged_in.get("/pairings/exchanges/", {"pairing": pairing.pk})
    assert [obj.title for obj, _cells in exchanges.context["table"]] == ["交流研讨活动"]


def test_pairing_page_of_a_missing_pairing_is_404(client_logged_in, pairing):
    assert client_logged_in.get(f"/pairings/{pairing.pk + 1000}/").status_code == 404


def test_pairing_page_sends_anonymous_visitor_to_login(client, pairing):
    response = client.get(f"/pairings/{pairing.pk}/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def page_queries(client, pk) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/pairings/{pk}/").status_code == 200
    return len(queries)


def test_pairing_page_queries_do_not_grow(client_logged_in, pairing, django_assert_max_num_queries):
    few = page_queries(client_logged_in, pairing.pk)
    body = pairing.responsible_body
    for n in range(30):
        other = PairingFactory(helper__programme=pairing.programme, responsible_body=body)
        ExchangeFactory(lead_body=body, pairings=[pairing, other])
        MentorshipFactory(
            mentor=MemberFactory(batch=body.batch),
            mentee_unit=pairing.helped,
            mentee_name=f"干部{n}",
        )
    # +1 since the roles and the change history met: the reader's roles, read once per request;
    # +1 since evidence files are in the change history: their history rows, one query.
    with django_assert_max_num_queries(13):
        many = page_queries(client_logged_in, pairing.pk)
    assert many == few
