"""The admin refuses each bad input of the issue with the model's message and saves nothing;
its autocompletes offer the right side; its lists stay cheap with many rows."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from ledger.constraints import END_NOT_BEFORE_START
from pairings import models
from pairings.admin import LAST_PAIRING
from pairings.models import (
    Exchange,
    ExchangeKind,
    ExchangePairing,
    Mentorship,
    Pairing,
    UnitKind,
    UnitSide,
)
from tests.factories import (
    BatchFactory,
    BodyFactory,
    ExchangeFactory,
    MemberFactory,
    PairingFactory,
    UnitFactory,
    create_pairings_ledger,
)
from tests.utils import NO_EVIDENCE_FILES, as_shown, language_of, loaded_version, msgid_as_shown

pytestmark = pytest.mark.django_db

ADMIN = "/admin/pairings"
HELPER, HELPED = UnitSide.HELPER, UnitSide.HELPED


def inline(prefix: str, rows: list[dict], *, initial: int = 0) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data |= {f"{prefix}-{index}-{key}": value for key, value in row.items()}
    return data


def pairing_form(helper, helped, body, *, links=(), initial=0, **fields) -> dict:
    return (
        {
            "helper": helper.pk,
            "helped": helped.pk,
            "signed_on": "2023-09-01",
            "agreement": "乡村治理工作结对帮带协议",
            "responsible_body": body.pk,
            "status": "active",
            "ended_on": "",
            "notes": "",
        }
        | fields
        | inline("exchange_links", list(links), initial=initial)
        | NO_EVIDENCE_FILES
    )


def exchange_form(body, pairings, **fields) -> dict:
    rows = [{"id": "", "exchange": "", "pairing": pairing.pk} for pairing in pairings]
    return (
        {
            "date": "2024-05-22",
            "title": "交流研讨活动",
            "kind": ExchangeKind.SEMINAR,
            "place": "平昌县",
            "participants": "35",
            "lead_body": body.pk,
            "new_techniques": "0",
            "outcome": "",
            "notes": "",
        }
        | fields
        | inline("links", rows)
        | NO_EVIDENCE_FILES
    )


def mentorship_form(mentor, unit, **fields) -> dict:
    return (
        {
            "mentor": mentor.pk,
            "mentee_name": "王晓东",
            "mentee_unit": unit.pk,
            "mentee_post": "科员",
            "start_date": "2023-09-01",
            "end_date": "",
            "goals": "",
            "outcome": "",
            "notes": "",
        }
        | fields
        | NO_EVIDENCE_FILES
    )


@pytest.fixture
def team():
    body = BodyFactory(name="综合协调组")
    programme = body.batch.programme
    return {
        "body": body,
        "member": MemberFactory(batch=body.batch),
        "zigong": UnitFactory(programme=programme, side=HELPER, kind=UnitKind.TOWNSHIP),
        "pingchang": UnitFactory(programme=programme, side=HELPED, kind=UnitKind.TOWNSHIP),
    }


def refused(response, message) -> None:
    assert response.status_code == 200
    assert as_shown(response, message) in response.content.decode()


# Pairings ---------------------------------------------------------------------------------------


def test_admin_adds_a_pairing_and_sets_its_category(admin_client, team):
    data = pairing_form(team["zigong"], team["pingchang"], team["body"])
    response = admin_client.post(f"{ADMIN}/pairing/add/", data)
    assert response.status_code == 302
    pairing = Pairing.objects.get()
    assert pairing.category == UnitKind.TOWNSHIP
    assert pairing.programme == team["body"].batch.programme


def test_admin_ignores_a_typed_category(admin_client, team):
    data = pairing_form(team["zigong"], team["pingchang"], team["body"], category="hospital")
    assert admin_client.post(f"{ADMIN}/pairing/add/", data).status_code == 302
    assert Pairing.objects.get().category == UnitKind.TOWNSHIP


def test_admin_refuses_a_same_side_pairing(admin_client, team):
    other = UnitFactory(programme=team["zigong"].programme, side=HELPER)
    response = admin_client.post(
        f"{ADMIN}/pairing/add/", pairing_form(team["zigong"], other, team["body"])
    )
    with translation.override(language_of(response)):
        message = models.wrong_side_message(role="helped", place="平昌县")
    refused(response, message)
    assert not Pairing.objects.exists()


def test_admin_refuses_a_duplicate_active_pairing(admin_client, team):
    PairingFactory(helper=team["zigong"], helped=team["pingchang"], responsible_body=team["body"])
    response = admin_client.post(
        f"{ADMIN}/pairing/add/", pairing_form(team["zigong"], team["pingchang"], team["body"])
    )
    refused(response, models.ONE_ACTIVE_PAIRING)
    assert Pairing.objects.count() == 1


def test_admin_refuses_a_pairing_ending_before_it_was_signed(admin_client, team):
    data = pairing_form(
        team["zigong"], team["pingchang"], team["body"], status="ended", ended_on="2023-08-01"
    )
    refused(admin_client.post(f"{ADMIN}/pairing/add/", data), END_NOT_BEFORE_START)
    assert not Pairing.objects.exists()


def test_admin_refuses_an_ended_pairing_without_end_date(admin_client, team):
    data = pairing_form(team["zigong"], team["pingchang"], team["body"], status="ended")
    response = admin_client.post(f"{ADMIN}/pairing/add/", data)
    refused(response, msgid_as_shown(response, "Enter the date the pairing ended."))
    assert not Pairing.objects.exists()


def test_admin_refuses_a_command_post_as_responsible_body(admin_client, team):
    post = BodyFactory(batch=team["body"].batch, kind="command_post", name="前线指挥部")
    data = pairing_form(team["zigong"], team["pingchang"], post)
    assert admin_client.post(f"{ADMIN}/pairing/add/", data).status_code == 200
    assert not Pairing.objects.exists()


def test_admin_refuses_unlinking_an_exchanges_last_pairing(admin_client, team):
    pairing = PairingFactory(
        helper=team["zigong"], helped=team["pingchang"], responsible_body=team["body"]
    )
    exchange = ExchangeFactory(lead_body=team["body"], pairings=[pairing])
    link = ExchangePairing.objects.get()
    data = pairing_form(
        team["zigong"],
        team["pingchang"],
        team["body"],
        links=[{"id": link.pk, "pairing": pairing.pk, "exchange": exchange.pk, "DELETE": "on"}],
        initial=1,
    )
    response = admin_client.post(f"{ADMIN}/pairing/{pairing.pk}/change/", data)
    refused(response, LAST_PAIRING % {"exchange": exchange})
    assert ExchangePairing.objects.filter(pk=link.pk).exists()


def test_admin_unlinks_an_exchange_that_keeps_another_pairing(admin_client, team):
    pairing = PairingFactory(
        helper=team["zigong"], helped=team["pingchang"], responsible_body=team["body"]
    )
    other = PairingFactory(helper__programme=team["zigong"].programme)
    exchange = ExchangeFactory(lead_body=team["body"], pairings=[pairing, other])
    link = ExchangePairing.objects.get(pairing=pairing)
    data = pairing_form(
        team["zigong"],
        team["pingchang"],
        team["body"],
        links=[{"id": link.pk, "pairing": pairing.pk, "exchange": exchange.pk, "DELETE": "on"}],
        initial=1,
    )
    data |= loaded_version(pairing)
    response = admin_client.post(f"{ADMIN}/pairing/{pairing.pk}/change/", data)
    assert response.status_code == 302
    assert list(exchange.pairings.all()) == [other]


# Exchanges --------------------------------------------------------------------------------------


def test_admin_adds_an_exchange_under_two_pairings(admin_client, team):
    one, two = PairingFactory.create_batch(2, helper__programme=team["zigong"].programme)
    response = admin_client.post(f"{ADMIN}/exchange/add/", exchange_form(team["body"], [one, two]))
    assert response.status_code == 302
    assert set(Exchange.objects.get().pairings.all()) == {one, two}


def test_admin_refuses_an_exchange_without_pairing_and_saves_nothing(admin_client, team):
    response = admin_client.post(f"{ADMIN}/exchange/add/", exchange_form(team["body"], []))
    refused(response, models.NO_PAIRING)
    assert not Exchange.objects.exists()


def test_admin_refuses_an_exchange_whose_only_pairing_row_is_deleted(admin_client, team):
    pairing = PairingFactory(helper__programme=team["zigong"].programme)
    data = exchange_form(team["body"], [pairing]) | {"links-0-DELETE": "on"}
    refused(admin_client.post(f"{ADMIN}/exchange/add/", data), models.NO_PAIRING)
    assert not Exchange.objects.exists()


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("participants", models.NEGATIVE_PARTICIPANTS),
        ("new_techniques", models.NEGATIVE_TECHNIQUES),
    ],
)
def test_admin_refuses_negative_counts_with_a_clear_message(admin_client, team, field, message):
    pairing = PairingFactory(helper__programme=team["zigong"].programme)
    data = exchange_form(team["body"], [pairing], **{field: "-3"})
    refused(admin_client.post(f"{ADMIN}/exchange/add/", data), message)
    assert not Exchange.objects.exists()
    assert not ExchangePairing.objects.exists()


# Mentorships ------------------------------------------------------------------------------------


def test_admin_adds_a_mentorship(admin_client, team):
    data = mentorship_form(team["member"], team["pingchang"])
    assert admin_client.post(f"{ADMIN}/mentorship/add/", data).status_code == 302
    assert Mentorship.objects.get().mentor == team["member"]


def test_admin_refuses_a_mentor_who_is_not_a_member_of_the_programme(admin_client, team):
    outsider = MemberFactory(name="外人")
    response = admin_client.post(
        f"{ADMIN}/mentorship/add/", mentorship_form(outsider, team["pingchang"])
    )
    # The mentor's name is on the page anyway (the autocomplete shows it): check the error.
    [error] = response.context["adminform"].form.errors["mentor"]
    assert "外人" in error
    assert team["body"].batch.programme.name in error
    refused(response, error)
    assert not Mentorship.objects.exists()


def test_admin_refuses_a_mentorship_ending_before_it_starts(admin_client, team):
    data = mentorship_form(
        team["member"], team["pingchang"], start_date="2024-01-01", end_date="2023-12-01"
    )
    refused(admin_client.post(f"{ADMIN}/mentorship/add/", data), END_NOT_BEFORE_START)
    assert not Mentorship.objects.exists()


# Autocomplete -----------------------------------------------------------------------------------


def autocomplete(client, model: str, field: str) -> set[str]:
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "pairings", "model_name": model, "field_name": field, "term": ""},
    )
    assert response.status_code == 200
    return {row["text"] for row in json.loads(response.content)["results"]}


def test_unit_autocomplete_offers_the_side_the_field_needs(admin_client, team):
    zigong, pingchang = team["zigong"].name, team["pingchang"].name
    assert autocomplete(admin_client, "pairing", "helper") == {zigong}
    assert autocomplete(admin_client, "pairing", "helped") == {pingchang}
    assert autocomplete(admin_client, "mentorship", "mentee_unit") == {pingchang}


def test_unit_changelist_search_is_not_limited_to_a_side(admin_client, team):
    response = admin_client.get(f"{ADMIN}/unit/", {"q": "单位"})
    html = response.content.decode()
    assert team["zigong"].name in html
    assert team["pingchang"].name in html


@pytest.mark.parametrize(
    ("model", "title"), [("exchange", "pairing category"), ("mentorship", "kind of unit")]
)
def test_admin_filters_through_a_relation_say_whose_field_they_filter(admin_client, model, title):
    response = admin_client.get(f"{ADMIN}/{model}/")
    assert msgid_as_shown(response, title) in response.content.decode()


# Who may see the admin lists, and what they cost ------------------------------------------------

CHANGELISTS = ["unit", "pairing", "exchange", "mentorship"]


@pytest.mark.parametrize("model", CHANGELISTS)
def test_admin_changelist_denies_staff_without_a_role(client, staff_user, model):
    client.force_login(staff_user)
    response = client.get(f"{ADMIN}/{model}/")
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


@pytest.mark.parametrize("model", CHANGELISTS)
def test_admin_changelist_queries_do_not_grow_with_rows(
    admin_client, django_assert_max_num_queries, model
):
    batch = BatchFactory()
    create_pairings_ledger(batch=batch, pairings=5, exchanges=5, mentorships=5)
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(f"{ADMIN}/{model}/").status_code == 200
    create_pairings_ledger(batch=batch, pairings=200, exchanges=200, mentorships=200)
    with django_assert_max_num_queries(12), CaptureQueriesContext(connection) as many:
        assert admin_client.get(f"{ADMIN}/{model}/").status_code == 200
    assert len(many) == len(few)


def test_admin_pairing_change_page_renders_with_exchanges(admin_client):
    exchange = ExchangeFactory()
    pairing = exchange.pairings.get()
    response = admin_client.get(f"{ADMIN}/pairing/{pairing.pk}/change/")
    assert response.status_code == 200
    assert exchange.title in response.content.decode()


def change_page_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_admin_exchange_change_page_queries_do_not_grow_with_its_pairings(
    admin_client, django_assert_max_num_queries
):
    """The signing ceremony sits under 28 pairings: each row's label must not cost queries."""
    exchange = ExchangeFactory()
    programme = exchange.lead_body.batch.programme
    exchange.pairings.add(PairingFactory(helper__programme=programme))
    url = f"{ADMIN}/exchange/{exchange.pk}/change/"
    change_page_queries(admin_client, url)  # the first visit fills per-process caches
    few = change_page_queries(admin_client, url)
    exchange.pairings.add(*PairingFactory.create_batch(28, helper__programme=programme))
    with django_assert_max_num_queries(15):
        many = change_page_queries(admin_client, url)
    assert many == few
    html = admin_client.get(url).content.decode()
    assert all(str(pairing) in html for pairing in exchange.pairings.all())


def test_admin_pairing_change_page_queries_do_not_grow_with_its_exchanges(
    admin_client, django_assert_max_num_queries
):
    exchange = ExchangeFactory()
    pairing = exchange.pairings.get()
    url = f"{ADMIN}/pairing/{pairing.pk}/change/"
    few = change_page_queries(admin_client, url)
    ExchangeFactory.create_batch(20, lead_body=exchange.lead_body, pairings=[pairing])
    with django_assert_max_num_queries(15):
        many = change_page_queries(admin_client, url)
    assert many == few
    html = admin_client.get(url).content.decode()
    assert all(str(exchange) in html for exchange in pairing.exchanges.all())


def test_exchange_autocomplete_lists_newest_first_across_its_pages(admin_client):
    """A clerk linking an exchange from a pairing pages through the matches: newest first,
    none repeated or skipped (the pairing count's GROUP BY drops the model's ordering)."""
    pairing = PairingFactory()
    for day in range(25):  # created oldest first, so the table's order is not the answer
        ExchangeFactory(
            date=datetime.date(2024, 1, 1) + datetime.timedelta(days=day),
            title=f"互访{day:02d}",
            lead_body=pairing.responsible_body,
            pairings=[pairing],
        )
    texts = []
    for page in (1, 2):
        response = admin_client.get(
            "/admin/autocomplete/",
            {
                "app_label": "pairings",
                "model_name": "exchangepairing",
                "field_name": "exchange",
                "term": "互访",
                "page": page,
            },
        )
        texts += [row["text"] for row in json.loads(response.content)["results"]]
    assert texts == [f"2024-01-{25 - day:02d} 互访{24 - day:02d}" for day in range(25)]


# A run of records ---------------------------------------------------------------------------------


def paired(team) -> Pairing:
    return PairingFactory(
        helper=team["zigong"], helped=team["pingchang"], responsible_body=team["body"]
    )


def test_save_and_add_another_starts_the_next_exchange_from_the_last(admin_client, team):
    data = exchange_form(team["body"], [paired(team)]) | {"_addanother": "1"}
    response = admin_client.post(f"{ADMIN}/exchange/add/", data)
    assert response.status_code == 302
    form = admin_client.get(response["Location"]).context["adminform"].form
    assert form["date"].value() == "2024-05-22"
    assert form["kind"].value() == ExchangeKind.SEMINAR
    assert form["place"].value() == "平昌县"
    assert str(form["lead_body"].value()) == str(team["body"].pk)
    assert not form["title"].value()  # what differs per record starts empty
    assert Exchange.objects.count() == 1  # nothing saved for the next one yet


def test_plain_save_returns_to_the_list(admin_client, team):
    response = admin_client.post(
        f"{ADMIN}/exchange/add/", exchange_form(team["body"], [paired(team)])
    )
    assert response.status_code == 302
    assert response["Location"] == f"{ADMIN}/exchange/"
