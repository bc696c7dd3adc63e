"""The four review pages: filters, export = the filtered rows, counts, query bounds."""

import csv
import datetime
import io
import re
from html import unescape
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.text import capfirst

from pairings.models import Exchange, Pairing, UnitKind
from tests.factories import (
    BatchFactory,
    BodyFactory,
    ExchangeFactory,
    MemberFactory,
    MemberRoleFactory,
    MentorshipFactory,
    PairingFactory,
    UnitFactory,
    create_pairings_ledger,
)
from tests.utils import language_of, msgid_as_shown, totals

pytestmark = pytest.mark.django_db

D = datetime.date
UNITS, PAIRINGS, EXCHANGES, MENTORSHIPS = (
    "/pairings/units/",
    "/pairings/",
    "/pairings/exchanges/",
    "/pairings/mentorships/",
)
LISTS = [UNITS, PAIRINGS, EXCHANGES, MENTORSHIPS]
K = UnitKind


def rows(response) -> list:
    assert response.status_code == 200
    return [obj for obj, _cells in response.context["table"]]


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


@pytest.fixture
def ledger():
    """Batch 2 of one programme with two working groups; a school pairing (牛佛) with two
    exchanges, a hospital pairing with a visit, an ended township pairing; a pairing of an
    older batch; mentorships."""
    second = BatchFactory(name="第二批", number=2)
    programme = second.programme
    first = BatchFactory(programme=programme, name="第一批", number=1)
    social = BodyFactory(batch=second, name="社会事业组")
    general = BodyFactory(batch=second, name="综合协调组")
    old_group = BodyFactory(batch=first, name="一批工作组")

    def pair(kind, zigong, pingchang, body, **fields):
        return PairingFactory(
            helper=UnitFactory(programme=programme, side="helper", kind=kind, name=zigong),
            helped=UnitFactory(programme=programme, side="helped", kind=kind, name=pingchang),
            responsible_body=body,
            **fields,
        )

    school = pair(K.SCHOOL, "自贡市牛佛中学", "巴中市平昌中学实验学校", social)
    hospital = pair(K.HOSPITAL, "自贡市第一人民医院", "平昌县人民医院", social)
    township = pair(
        K.TOWNSHIP,
        "荣县双石镇",
        "平昌县邱家镇",
        general,
        status="ended",
        ended_on=D(2024, 6, 30),
        agreement="乡村治理工作结对帮带协议",
    )
    old = pair(K.TOWNSHIP, "荣县旭阳镇", "平昌县江口镇", old_group, signed_on=D(2021, 9, 1))
    ExchangeFactory(
        title="牛佛中学交流研讨",
        kind="seminar",
        date=D(2024, 5, 22),
        lead_body=social,
        pairings=[school],
    )
    ExchangeFactory(
        title="示范带教",
        kind="demonstration",
        date=D(2023, 6, 20),
        lead_body=social,
        pairings=[school],
    )
    ExchangeFactory(
        title="医院互访",
        kind="visit",
        date=D(2024, 1, 18),
        lead_body=social,
        pairings=[hospital],
        new_techniques=1,
    )
    ExchangeFactory(
        title="签约仪式",
        kind="signing",
        date=D(2023, 11, 16),
        lead_body=general,
        pairings=[township, old],
    )
    mentor = MemberFactory(batch=second, name="张陈")
    MemberRoleFactory(member=mentor, body=social)
    MentorshipFactory(mentor=mentor, mentee_name="王晓东", mentee_unit=hospital.helped)
    MentorshipFactory(mentor=mentor, mentee_name="李丽萍", mentee_unit=school.helped)
    MentorshipFactory(
        mentor=MemberFactory(batch=second, name="蔡小波"),
        mentee_name="张建军",
        mentee_unit=township.helped,
        end_date=D(2024, 3, 1),
    )
    MentorshipFactory(
        mentor=MemberFactory(batch=first, name="一批队员"),
        mentee_name="刘志强",
        mentee_unit=old.helped,
    )
    return {
        "second": second,
        "first": first,
        "social": social,
        "general": general,
        "school": school,
        "hospital": hospital,
        "township": township,
        "old": old,
    }


def helpers(response) -> list[str]:
    return sorted(pairing.helper.name for pairing in rows(response))


def titles(response) -> list[str]:
    return sorted(exchange.title for exchange in rows(response))


# Who may see them --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", [*LISTS, *(f"{url}export.{ext}" for url in LISTS for ext in ("csv", "xlsx"))]
)
def test_anonymous_visitor_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize(
    "url", [*LISTS, *(f"{url}export.{ext}" for url in LISTS for ext in ("csv", "xlsx"))]
)
def test_logged_in_user_sees_each_list_and_export(client_logged_in, ledger, url):
    assert client_logged_in.get(url).status_code == 200


# Pairings ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": "school"}, ["自贡市牛佛中学"]),
        ({"category": "township"}, ["荣县双石镇", "荣县旭阳镇"]),
        ({"status": "ended"}, ["荣县双石镇"]),
        ({"q": "平昌中学"}, ["自贡市牛佛中学"]),
        ({"q": "乡村治理"}, ["荣县双石镇"]),
    ],
)
def test_pairings_filters(client_logged_in, ledger, params, expected):
    assert helpers(client_logged_in.get(PAIRINGS, params)) == expected


def test_pairings_in_force_on_a_date_count_their_end_day(client_logged_in, ledger):
    def in_force(day: str) -> list[str]:
        return sorted(helpers(client_logged_in.get(PAIRINGS, {"active_on": day})))

    assert in_force("2021-08-31") == []
    assert in_force("2021-09-01") == ["荣县旭阳镇"]
    assert "荣县双石镇" in in_force("2024-06-30")
    assert "荣县双石镇" not in in_force("2024-07-01")
    assert len(in_force("2024-07-01")) == 3


def test_pairings_filter_by_batch_and_working_group(client_logged_in, ledger):
    response = client_logged_in.get(PAIRINGS, {"batch": ledger["second"].pk})
    assert helpers(response) == ["自贡市牛佛中学", "自贡市第一人民医院", "荣县双石镇"]
    response = client_logged_in.get(PAIRINGS, {"body": ledger["general"].pk})
    assert helpers(response) == ["荣县双石镇"]


def test_pairings_filter_by_unit_on_either_side_and_name_it(client_logged_in, ledger):
    unit = ledger["school"].helped
    response = client_logged_in.get(PAIRINGS, {"unit": unit.pk})
    assert helpers(response) == ["自贡市牛佛中学"]
    assert response.context["hidden_filters"][0][1] == unit
    assert unit.name in response.content.decode()
    assert helpers(client_logged_in.get(PAIRINGS, {"unit": ledger["school"].helper.pk})) == [
        "自贡市牛佛中学"
    ]


def test_pairings_unit_filter_renders_no_select_of_units(client_logged_in, ledger):
    html = client_logged_in.get(PAIRINGS).content.decode()
    assert 'type="hidden" name="unit"' in html
    assert html.count("巴中市平昌中学实验学校") == 1  # the row, not an <option>


def test_pairings_page_counts_categories_under_the_other_filters(client_logged_in, ledger):
    response = client_logged_in.get(PAIRINGS, {"category": "school"})
    counts = {code: count for code, _label, count in response.context["categories"]}
    assert counts == {"township": 2, "school": 1, "hospital": 1}
    response = client_logged_in.get(PAIRINGS, {"batch": ledger["second"].pk})
    counts = {code: count for code, _label, count in response.context["categories"]}
    assert counts == {"township": 1, "school": 1, "hospital": 1}


def test_school_pairings_link_to_their_exchanges_in_two_clicks(client_logged_in, ledger):
    """ "Which Zigong schools are paired, and what exchanges did they hold between 2023-07
    and 2024-10?": click the school count, then the exchanges link, then narrow the dates."""
    page = client_logged_in.get(PAIRINGS).content.decode()
    first = unescape(re.search(r'href="([^"]*category=school[^"]*)"', page).group(1))
    schools = client_logged_in.get(PAIRINGS + first)
    assert helpers(schools) == ["自贡市牛佛中学"]
    second = unescape(
        re.search(r'class="exchanges-link" href="([^"]+)"', schools.content.decode()).group(1)
    )
    assert parse_qs(urlsplit(second).query) == {"category": ["school"]}
    assert titles(client_logged_in.get(second)) == ["牛佛中学交流研讨", "示范带教"]
    dated = {"date_from": "2023-07-01", "date_to": "2024-10-09"}
    assert titles(client_logged_in.get(f"{second}&{urlencode(dated)}")) == ["牛佛中学交流研讨"]
    exported = csv_rows(
        client_logged_in.get(EXCHANGES + "export.csv", {"category": "school"} | dated)
    )
    assert [row[1] for row in exported[1:]] == ["牛佛中学交流研讨"]


def test_pairing_rows_link_to_the_pairing_page(client_logged_in, ledger):
    html = client_logged_in.get(PAIRINGS).content.decode()
    assert f'href="/pairings/{ledger["school"].pk}/"' in html


# Exchanges --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": "school"}, ["牛佛中学交流研讨", "示范带教"]),
        ({"category": "hospital", "kind": "visit"}, ["医院互访"]),
        ({"category": "township"}, ["签约仪式"]),
        ({"kind": "signing"}, ["签约仪式"]),
        ({"date_from": "2023-07-01", "date_to": "2023-12-31"}, ["签约仪式"]),
        ({"date_from": "2024-05-22"}, ["牛佛中学交流研讨"]),
        ({"date_to": "2023-06-20"}, ["示范带教"]),
        ({"q": "互访"}, ["医院互访"]),
        ({"q": "邱家镇"}, ["签约仪式"]),  # a unit of its pairings
    ],
)
def test_exchanges_filters(client_logged_in, ledger, params, expected):
    assert titles(client_logged_in.get(EXCHANGES, params)) == expected


def test_exchanges_filter_by_lead_body_batch_pairing_and_unit(client_logged_in, ledger):
    get = client_logged_in.get
    assert titles(get(EXCHANGES, {"body": ledger["general"].pk})) == ["签约仪式"]
    assert len(rows(get(EXCHANGES, {"batch": ledger["second"].pk}))) == 4
    assert rows(get(EXCHANGES, {"batch": ledger["first"].pk})) == []
    assert titles(get(EXCHANGES, {"pairing": ledger["old"].pk})) == ["签约仪式"]
    assert titles(get(EXCHANGES, {"unit": ledger["hospital"].helper.pk})) == ["医院互访"]


def test_exchanges_page_totals_new_techniques_and_participants_of_the_filtered_rows(
    client_logged_in, ledger
):
    ExchangeFactory(
        title="医院义诊",
        kind="free_clinic",
        lead_body=ledger["social"],
        pairings=[ledger["hospital"], ledger["school"]],  # counted once
        participants=300,
        new_techniques=2,
    )
    response = client_logged_in.get(EXCHANGES, {"category": "hospital"})
    assert totals(response) == {"participants": 310, "new_techniques": 3}
    assert "310" in response.content.decode()


def test_exchange_under_two_matching_pairings_is_listed_once(client_logged_in, ledger):
    response = client_logged_in.get(EXCHANGES, {"category": "township"})
    assert len(rows(response)) == 1


def test_exchange_rows_show_all_their_pairings(client_logged_in, ledger):
    response = client_logged_in.get(EXCHANGES, {"kind": "signing"})
    [exchange] = rows(response)
    assert [str(p) for p in exchange.pairing_list] == [
        "荣县双石镇 — 平昌县邱家镇",
        "荣县旭阳镇 — 平昌县江口镇",
    ]
    row = csv_rows(client_logged_in.get(EXCHANGES + "export.csv", {"kind": "signing"}))[1]
    assert "荣县双石镇 — 平昌县邱家镇; 荣县旭阳镇 — 平昌县江口镇" in row


def test_unreadable_date_shows_an_error_and_export_redirects(client_logged_in, ledger):
    response = client_logged_in.get(EXCHANGES, {"date_from": "2024-13-45"})
    assert rows(response) == []
    assert 'class="field-error"' in response.content.decode()
    response = client_logged_in.get(EXCHANGES + "export.csv", {"date_from": "2024-13-45"})
    assert response.status_code == 302


# Units and mentorships ---------------------------------------------------------------------------


def test_units_filters_and_pairing_counts(client_logged_in, ledger):
    response = client_logged_in.get(UNITS, {"side": "helped", "kind": "township"})
    units = {unit.name: unit for unit in rows(response)}
    assert set(units) == {"平昌县邱家镇", "平昌县江口镇"}
    assert [unit.name for unit in rows(client_logged_in.get(UNITS, {"q": "牛佛"}))] == [
        "自贡市牛佛中学"
    ]
    cells = dict(
        zip(
            [header.column.key for header in response.context["headers"]],
            response.context["table"][0][1],
            strict=True,
        )
    )
    assert cells["pairings"][1] == 1
    assert cells["mentorships"][1] == 1


def test_unit_rows_link_to_their_pairings(client_logged_in, ledger):
    unit = ledger["school"].helped
    html = client_logged_in.get(UNITS, {"q": unit.name}).content.decode()
    assert f'href="/pairings/?unit={unit.pk}"' in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["刘志强", "张建军", "李丽萍", "王晓东"]),
        ({"q": "医院"}, ["王晓东"]),
        ({"kind": "school"}, ["李丽萍"]),
        ({"active_on": "2024-06-01"}, ["刘志强", "李丽萍", "王晓东"]),
    ],
)
def test_mentorships_filters(client_logged_in, ledger, params, expected):
    response = client_logged_in.get(MENTORSHIPS, params)
    assert sorted(m.mentee_name for m in rows(response)) == expected


def test_mentorships_date_filter_is_not_labelled_as_a_members_time_in_post(client_logged_in):
    response = client_logged_in.get(MENTORSHIPS)
    html = response.content.decode()
    assert msgid_as_shown(response, "active on") not in html
    with translation.override(language_of(response)):
        label = translation.pgettext("of a mentorship", "active on")
    assert f'<label for="id_active_on">{label}</label>' in html


def test_mentorships_by_batch_body_and_unit_count_mentors(client_logged_in, ledger):
    response = client_logged_in.get(MENTORSHIPS, {"batch": ledger["second"].pk})
    assert len(rows(response)) == 3
    assert totals(response)["mentors"] == 2
    response = client_logged_in.get(MENTORSHIPS, {"body": ledger["social"].pk})
    assert sorted(m.mentee_name for m in rows(response)) == ["李丽萍", "王晓东"]
    assert totals(response)["mentors"] == 1
    response = client_logged_in.get(MENTORSHIPS, {"unit": ledger["township"].helped_id})
    assert [m.mentee_name for m in rows(response)] == ["张建军"]


# Exports ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "params"),
    [
        (PAIRINGS, {"category": "township", "sort": "-helper"}),
        (PAIRINGS, {"status": "active"}),
        (EXCHANGES, {"category": "school", "sort": "date"}),
        (EXCHANGES, {"date_from": "2023-07-01", "date_to": "2024-10-09"}),
        (UNITS, {"side": "helper"}),
        (MENTORSHIPS, {"q": "张"}),
    ],
)
def test_export_holds_exactly_the_filtered_rows_in_page_order(
    client_logged_in, ledger, url, params
):
    page = client_logged_in.get(url, params | {"per_page": 200})
    first_column = page.context["headers"][0].column
    expected = [str(first_column.value_of(obj)) for obj in rows(page)]
    assert expected
    exported = csv_rows(client_logged_in.get(url + "export.csv", params))
    assert [row[0] for row in exported[1:]] == expected
    with translation.override(page["Content-Language"]):
        assert exported[0] == [capfirst(h.column.label) for h in page.context["headers"]]


def test_export_neutralises_formulas_in_titles(client_logged_in):
    ExchangeFactory(title='=HYPERLINK("http://example.org")')
    row = csv_rows(client_logged_in.get(EXCHANGES + "export.csv"))[1]
    assert row[1].startswith("'=")


# Query counts ------------------------------------------------------------------------------------


def queries_for(client, url, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)
    return len(queries)


@pytest.mark.parametrize(
    "url", [*LISTS, *(f"{url}export.{ext}" for url in LISTS for ext in ("csv", "xlsx"))]
)
def test_query_count_does_not_grow_with_rows(
    client_logged_in, django_assert_max_num_queries, url, settings
):
    settings.EXPORT_CHUNK_ROWS = 1000
    batch = BatchFactory()
    create_pairings_ledger(batch=batch, pairings=5, exchanges=5, mentorships=5)
    params = {"per_page": 200, "batch": batch.pk}
    few = queries_for(client_logged_in, url, params)
    create_pairings_ledger(batch=batch, pairings=210, exchanges=210, mentorships=210)
    assert Pairing.objects.count() == 215
    assert Exchange.objects.count() == 215
    with django_assert_max_num_queries(12):
        many = queries_for(client_logged_in, url, params)
    assert many == few


def test_two_hundred_exchanges_render_with_their_pairings(client_logged_in):
    batch = BatchFactory()
    create_pairings_ledger(batch=batch, pairings=20, exchanges=210, mentorships=0)
    response = client_logged_in.get(EXCHANGES, {"per_page": 200})
    exchanges = rows(response)
    assert len(exchanges) == 200
    assert all(len(exchange.pairing_list) == 2 for exchange in exchanges)
    exported = csv_rows(client_logged_in.get(EXCHANGES + "export.csv"))
    assert len(exported) == 211


def test_exchanges_link_carries_the_batch_category_and_unit(client_logged_in, ledger):
    unit = ledger["school"].helped
    params = {"batch": ledger["second"].pk, "category": "school", "unit": unit.pk}
    url, text = client_logged_in.get(PAIRINGS, params).context["exchanges_link"]
    assert parse_qs(urlsplit(url).query) == {key: [str(value)] for key, value in params.items()}
    assert "第二批" in text
    assert unit.name in text
    assert titles(client_logged_in.get(url)) == ["牛佛中学交流研讨", "示范带教"]


def test_unknown_unit_or_pairing_in_a_link_shows_an_error_not_everything(client_logged_in, ledger):
    for url, params in ((PAIRINGS, {"unit": "99999"}), (EXCHANGES, {"pairing": "99999"})):
        response = client_logged_in.get(url, params)
        assert rows(response) == []
        assert 'class="field-error"' in response.content.decode()
        assert client_logged_in.get(url + "export.csv", params).status_code == 302
