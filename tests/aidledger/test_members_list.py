"""The list/export pattern on the members list: filters, sort, pages, CSV, query counts."""

import csv
import datetime
import io
import re
from decimal import Decimal
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from aidledger.models import Member, RoleKind
from ledger.exports import BOM, csv_cell, csv_chunks, neutralise
from tests.factories import BatchFactory, BodyFactory, MemberFactory, MemberRoleFactory, create_team
from tests.utils import as_shown

LIST = "/members/"
EXPORT = "/members/export.csv"
XLSX_EXPORT = "/members/export.xlsx"
D = datetime.date
HEAD, MEMBER = RoleKind.HEAD, RoleKind.MEMBER


def names(response) -> list[str]:
    """The members on the page, in page order."""
    assert response.status_code == 200
    return [obj.name for obj, _cells in response.context["table"]]


def csv_rows(response) -> list[list[str]]:
    """The export's rows, header included; also checks the BOM."""
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def exported_names(response) -> list[str]:
    return [row[0] for row in csv_rows(response)[1:]]


@pytest.fixture
def groups(db):
    """Two working groups of one batch, and a member of another batch.

    甲 heads group A and is a member of group B; 乙 is a member of A; 丙 heads B; 丁 has no role;
    戊 is in another batch.
    """
    batch = BatchFactory(name="第二批")
    a = BodyFactory(batch=batch, name="产业扶持组")
    b = BodyFactory(batch=batch, name="社会事业组")
    jia = MemberFactory(batch=batch, name="甲", home_unit="自贡市农业农村局")
    yi = MemberFactory(batch=batch, name="乙", posting_unit="平昌县人民医院")
    bing = MemberFactory(batch=batch, name="丙")
    MemberFactory(batch=batch, name="丁")
    MemberRoleFactory(member=jia, body=a, role=HEAD)
    MemberRoleFactory(member=jia, body=b, role=MEMBER)
    MemberRoleFactory(member=yi, body=a, role=MEMBER)
    MemberRoleFactory(member=bing, body=b, role=HEAD)
    other = MemberRoleFactory(member__name="戊", role=HEAD)
    return {"batch": batch, "a": a, "b": b, "other": other}


# Who may see it ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", [LIST, EXPORT, XLSX_EXPORT])
def test_anonymous_visitor_is_sent_to_login(client, url):
    response = client.get(url, {"batch": "1"})
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("url", [LIST, EXPORT, XLSX_EXPORT])
def test_logged_in_user_sees_list_and_export(client_logged_in, groups, url):
    assert client_logged_in.get(url).status_code == 200


# Filters -----------------------------------------------------------------------------------


def test_filter_by_body_lists_exactly_its_members(client_logged_in, groups):
    response = client_logged_in.get(LIST, {"body": groups["b"].pk})
    assert sorted(names(response)) == sorted(["甲", "丙"])


def test_filter_by_batch(client_logged_in, groups):
    assert names(client_logged_in.get(LIST, {"batch": groups["other"].member.batch_id})) == ["戊"]
    response = client_logged_in.get(LIST, {"batch": groups["batch"].pk})
    assert sorted(names(response)) == sorted(["甲", "乙", "丙", "丁"])


def test_filter_by_role_across_bodies(client_logged_in, groups):
    response = client_logged_in.get(LIST, {"role": HEAD})
    assert sorted(names(response)) == sorted(["甲", "丙", "戊"])


def test_filter_by_body_and_role_needs_one_role_row_matching_both(client_logged_in, groups):
    # 甲 heads A and is a member of B: not a head *of B*.
    response = client_logged_in.get(LIST, {"body": groups["b"].pk, "role": HEAD})
    assert names(response) == ["丙"]
    response = client_logged_in.get(LIST, {"body": groups["a"].pk, "role": HEAD})
    assert names(response) == ["甲"]
    response = client_logged_in.get(LIST, {"body": groups["a"].pk, "role": MEMBER})
    assert names(response) == ["乙"]


def test_member_with_several_matching_roles_is_listed_once(client_logged_in, groups):
    response = client_logged_in.get(LIST, {"batch": groups["batch"].pk, "per_page": 200})
    assert names(response).count("甲") == 1
    response = client_logged_in.get(LIST, {"role": MEMBER})
    assert sorted(names(response)) == sorted(["甲", "乙"])


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("甲", ["甲"]),
        ("农业农村", ["甲"]),
        ("人民医院", ["乙"]),
        ("  人民医院  ", ["乙"]),
        ("无此人", []),
    ],
)
def test_text_search_over_name_and_units(client_logged_in, groups, q, expected):
    assert names(client_logged_in.get(LIST, {"q": q})) == expected


def test_active_on_lists_members_active_that_day(client_logged_in):
    batch = BatchFactory()
    MemberFactory(batch=batch, name="open", active_from=D(2023, 7, 1))
    MemberFactory(batch=batch, name="ended", active_from=D(2023, 7, 1), active_until=D(2024, 1, 1))
    MemberFactory(batch=batch, name="undated")
    MemberFactory(batch=batch, name="later", active_from=D(2024, 6, 1))
    MemberFactory(batch=batch, name="last-day", active_until=D(2024, 3, 1))
    response = client_logged_in.get(LIST, {"active_on": "2024-03-01"})
    assert sorted(names(response)) == sorted(["open", "undated", "last-day"])
    response = client_logged_in.get(LIST, {"active_on": "2024-01-01"})
    assert sorted(names(response)) == sorted(["open", "ended", "undated", "last-day"])


def test_malformed_date_shows_field_error_and_no_rows(client_logged_in, groups):
    response = client_logged_in.get(LIST, {"active_on": "2024-13-45"})
    assert response.status_code == 200
    assert names(response) == []
    html = response.content.decode()
    assert 'class="field-error"' in html
    assert as_shown(response, forms.DateField.default_error_messages["invalid"]) in html
    assert EXPORT not in html  # no export link while a filter cannot be read


@pytest.mark.parametrize(
    "params",
    [
        {"active_on": "2024-13-45"},
        {"active_on": "not a date", "sort": "-name", "q": "甲"},
        {"body": "99999"},
        {"role": "emperor", "batch": "1"},
    ],
)
def test_export_with_malformed_filter_redirects_to_the_list(client_logged_in, groups, params):
    response = client_logged_in.get(EXPORT, params)
    assert response.status_code == 302
    target = urlsplit(response.url)
    assert target.path == LIST
    assert parse_qs(target.query) == {key: [value] for key, value in params.items()}


# The export ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"body": "b"},
        {"role": HEAD, "sort": "-name"},
        {"q": "人民医院"},
        {"sort": "-name"},
        {"sort": "home_unit"},
    ],
)
def test_export_holds_the_rows_of_the_page_in_page_order(client_logged_in, groups, params):
    params = {key: groups["b"].pk if value == "b" else value for key, value in params.items()}
    page = names(client_logged_in.get(LIST, params | {"per_page": 200}))
    assert page
    assert exported_names(client_logged_in.get(EXPORT, params)) == page


def test_export_link_on_the_page_carries_filters_and_sort(client_logged_in, groups):
    params = {"body": groups["b"].pk, "sort": "-name", "per_page": 25, "page": 1}
    response = client_logged_in.get(LIST, params)
    link = re.search(r'href="(/members/export\.csv[^"]*)"', response.content.decode())
    assert link
    url = unescape(link.group(1))
    query = parse_qs(urlsplit(url).query)
    assert query == {"body": [str(groups["b"].pk)], "sort": ["-name"]}
    assert exported_names(client_logged_in.get(url)) == names(response)


def test_export_header_matches_the_page_columns(client_logged_in, groups):
    page = client_logged_in.get(LIST)
    header = csv_rows(client_logged_in.get(EXPORT))[0]
    with translation.override(page["Content-Language"]):
        assert header == [str(h.column.label) for h in page.context["headers"]]


def test_export_is_utf8_csv_attachment_with_bom(client_logged_in, groups):
    MemberFactory(batch=groups["batch"], name="蔡小波", home_unit="自贡市社会保险事务中心")
    response = client_logged_in.get(EXPORT)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert ".csv" in response["Content-Disposition"]
    rows = csv_rows(response)  # checks the BOM bytes
    row = next(row for row in rows if row[0] == "蔡小波")
    assert "自贡市社会保险事务中心" in row


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", '=HYPERLINK("http://example.org/x","click")'),
        ("notes", "+1+1"),
        ("notes", "-2+3"),
        ("notes", "@SUM(A1:A2)"),
        ("notes", "\tcmd"),
        ("home_unit", "=1+1"),
    ],
)
def test_export_neutralises_formulas(client_logged_in, field, value):
    member = MemberFactory(**{field: value})
    row = csv_rows(client_logged_in.get(EXPORT))[1]
    cells = dict(zip(["name", "home_unit", "notes"], [row[0], row[3], row[-1]], strict=True))
    assert cells[field] == "'" + value
    assert getattr(member, field) == value  # the record itself is untouched


def test_export_round_trips_commas_quotes_and_newlines(client_logged_in):
    awkward = 'A, "B"\nC'
    MemberFactory(name="怪名", home_unit=awkward, notes="第一行\r\n第二行")
    row = csv_rows(client_logged_in.get(EXPORT))[1]
    assert row[0] == "怪名"
    assert row[3] == awkward
    assert row[-1] == "第一行\r\n第二行"


# exports.py on its own ---------------------------------------------------------------------


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@A1", "\tx", "\rx", "\nx", "\0x"])
def test_neutralise_prefixes_formula_triggers(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["", "蔡小波", "a=b", "1-2", "'already"])
def test_neutralise_leaves_plain_text(text):
    assert neutralise(text) == text


def test_csv_cell_formats_values():
    assert csv_cell(None) == ""
    assert csv_cell(Decimal("-12.50")) == "-12.50"  # a number, not a formula
    assert csv_cell(-3) == "-3"
    assert csv_cell(D(2024, 10, 9)) == "2024-10-09"
    assert csv_cell("-12.50") == "'-12.50"  # text that looks like a formula is neutralised
    moment = datetime.datetime(2024, 10, 9, 1, 30, tzinfo=datetime.UTC)
    assert csv_cell(moment) == timezone.localtime(moment).isoformat(timespec="seconds")
    with translation.override("en"):
        assert csv_cell(True) == "yes"
        assert csv_cell(False) == "no"


def test_csv_chunks_yields_header_then_chunks_of_rows():
    rows = [[f"r{i}", i] for i in range(5)]
    chunks = list(csv_chunks(["name", "n"], rows, chunk_rows=2))
    assert len(chunks) == 4
    assert chunks[0] == BOM + "name,n\r\n"
    parsed = [list(csv.reader(io.StringIO(chunk, newline=""))) for chunk in chunks[1:]]
    assert parsed == [[["r0", "0"], ["r1", "1"]], [["r2", "2"], ["r3", "3"]], [["r4", "4"]]]


def test_csv_chunks_with_no_rows_yields_only_the_header():
    assert list(csv_chunks(["a"], [], chunk_rows=2)) == [BOM + "a\r\n"]


# Sorting -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "field"), [("name", "name"), ("home_unit", "home_unit")])
def test_sort_by_column_both_directions(client_logged_in, key, field):
    create_team(members=12)
    ascending = names(client_logged_in.get(LIST, {"sort": key}))
    descending = names(client_logged_in.get(LIST, {"sort": f"-{key}"}))
    assert ascending == list(Member.objects.order_by(field, "pk").values_list("name", flat=True))
    assert descending == list(
        Member.objects.order_by(f"-{field}", "-pk").values_list("name", flat=True)
    )
    assert descending == ascending[::-1]
    html = client_logged_in.get(LIST, {"sort": f"-{key}"}).content.decode()
    assert 'aria-sort="descending"' in html


@pytest.mark.parametrize("sort", ["bogus", "-bogus", "roles", "notes", "pk"])
def test_unknown_or_unsortable_key_falls_back_to_default(client_logged_in, sort):
    first = create_team(members=3)
    second = create_team(members=3)
    default = names(client_logged_in.get(LIST))
    assert names(client_logged_in.get(LIST, {"sort": sort})) == default
    expected = [m.name for m in Member.objects.order_by("batch__number", "pk")]
    assert default == expected
    assert first.number < second.number
    assert exported_names(client_logged_in.get(EXPORT, {"sort": sort})) == default


# Pagination --------------------------------------------------------------------------------


@pytest.fixture
def sixty_members(db):
    return create_team(members=60, bodies=1)


def test_pages_of_twenty_five(client_logged_in, sixty_members):
    assert len(names(client_logged_in.get(LIST, {"per_page": 25}))) == 25
    assert len(names(client_logged_in.get(LIST, {"per_page": 25, "page": 2}))) == 25
    assert len(names(client_logged_in.get(LIST, {"per_page": 25, "page": 3}))) == 10


def test_pages_do_not_repeat_or_skip_rows(client_logged_in, sixty_members):
    seen = []
    for page in (1, 2, 3):
        seen += names(client_logged_in.get(LIST, {"per_page": 25, "page": page, "sort": "-name"}))
    assert sorted(seen) == sorted(Member.objects.values_list("name", flat=True))


@pytest.mark.parametrize(("page", "shown", "rows"), [("999", 3, 10), ("-1", 3, 10), ("abc", 1, 25)])
def test_page_out_of_range_or_unreadable_shows_a_real_page(
    client_logged_in, sixty_members, page, shown, rows
):
    response = client_logged_in.get(LIST, {"per_page": 25, "page": page})
    assert response.context["page"].number == shown
    assert len(names(response)) == rows


@pytest.mark.parametrize("per_page", ["7", "abc", "", "1000000", "-25"])
def test_invalid_page_size_falls_back_to_default(client_logged_in, sixty_members, per_page):
    response = client_logged_in.get(LIST, {"per_page": per_page})
    assert response.context["page_size"] == 50
    assert len(names(response)) == 50


def test_row_count_shows_the_total(client_logged_in, sixty_members):
    html = client_logged_in.get(LIST, {"per_page": 25}).content.decode()
    count = re.search(r'<p class="row-count">(.*?)</p>', html, re.S)
    assert count
    assert "60" in count.group(1)


# Query counts --------------------------------------------------------------------------------


def queries_for(client, url, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)
    return len(queries)


@pytest.mark.parametrize("url", [LIST, EXPORT, XLSX_EXPORT])
def test_query_count_does_not_grow_with_rows(client_logged_in, django_assert_max_num_queries, url):
    batch = create_team(members=10)
    params = {"per_page": 200, "batch": batch.pk, "sort": "-name"}
    few = queries_for(client_logged_in, url, params)
    create_team(members=190, batch=batch)
    assert Member.objects.filter(batch=batch).count() == 200
    with django_assert_max_num_queries(12):
        many = queries_for(client_logged_in, url, params)
    assert many == few


def test_all_two_hundred_rows_render_with_their_roles(client_logged_in):
    batch = create_team(members=200)
    response = client_logged_in.get(LIST, {"per_page": 200})
    assert len(names(response)) == 200
    rows = csv_rows(client_logged_in.get(EXPORT, {"batch": batch.pk}))
    assert len(rows) == 201
    body_names = sorted(batch.bodies.values_list("name", flat=True))
    assert all(all(name in row[2] for name in body_names) for row in rows[1:])


def test_export_in_several_chunks_keeps_each_members_own_roles(client_logged_in, settings):
    settings.EXPORT_CHUNK_ROWS = 3  # seven members: chunks of 3, 3 and 1
    batch = BatchFactory()
    bodies = [BodyFactory(batch=batch, name=f"第{n}组") for n in range(7)]
    for n, body in enumerate(bodies):
        MemberRoleFactory(member=MemberFactory(batch=batch, name=f"队员{n}"), body=body)
    rows = csv_rows(client_logged_in.get(EXPORT, {"sort": "name"}))[1:]
    assert [(row[0], row[2].split(" · ")[0]) for row in rows] == [
        (f"队员{n}", f"第{n}组") for n in range(7)
    ]


def test_csv_cell_joins_lists_and_neutralises_the_joined_text():
    assert (
        csv_cell(["产业扶持组 · 组长", "临时党支部 · 成员"])
        == "产业扶持组 · 组长; 临时党支部 · 成员"
    )
    assert csv_cell(["=1+1", "x"]) == "'=1+1; x"
    assert csv_cell([]) == ""


def test_roles_show_one_per_line_on_the_page(client_logged_in, groups):
    html = client_logged_in.get(LIST, {"q": "甲"}).content.decode()
    assert "<div>产业扶持组 · " in html
    assert "<div>社会事业组 · " in html


def test_page_cells_show_yes_no_and_dashes_like_the_csv():
    from ledger.listing import display

    with translation.override("en"):
        assert (display(True), display(False)) == ("yes", "no")
    assert display(None) == display("") == "—"
    assert display(Decimal("1234567.5"), "money") == "1,234,567.50"
