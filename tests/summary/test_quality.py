"""The data-quality checklist of a reporting period (summary.quality): each rule's count is the
row count of the list its link opens, the records at the edges of the period land on the
right side, a working group sees its own, and the checks cost a fixed number of queries."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from aidledger.models import Body, BodyKind
from pairings.models import PairingStatus
from projects.models import Product
from summary.quality import RULES, findings
from tests.factories import (
    DisbursementFactory,
    ExchangeFactory,
    FundingFactory,
    IndicatorFactory,
    MemberFactory,
    MemberRoleFactory,
    OutletFactory,
    PairingFactory,
    ProjectFactory,
    SaleFactory,
    make_evidence,
)

pytestmark = pytest.mark.django_db

SEPT = {"start": datetime.date(2024, 9, 1), "end": datetime.date(2024, 9, 30)}
Q3 = {"start": datetime.date(2024, 7, 1), "end": datetime.date(2024, 9, 30)}


def by_rule(found) -> dict:
    """{rule: finding}; fails if a rule appears twice (one body or none: once per rule)."""
    result = {finding.rule: finding for finding in found}
    assert len(result) == len(found), found
    return result


def page_of(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    assert not response.context["filterset"].errors, (url, response.context["filterset"].errors)
    return response.context["page"]


def rows(client, url: str) -> int:
    return page_of(client, url).paginator.count


def listed(client, url: str) -> set[int]:
    """The primary keys of the rows the list shows (one page of 200 holds them all here)."""
    page = page_of(client, f"{url}&per_page=200")
    return {obj.pk for obj in page.object_list}


@pytest.fixture
def admin_client(client, ledger_admin):
    client.force_login(ledger_admin)
    return client


def assert_link_gives_count(client, finding) -> None:
    assert rows(client, finding.url) == finding.count, finding


# Projects with money planned and nothing paid for N months -----------------------------------


def planned_project(body, *, amount="1000000.00", approved_on=None, **project):
    project = ProjectFactory(responsible_body=body, **project)
    funding = FundingFactory(project=project, amount=Decimal(amount), approved_on=approved_on)
    return project, funding


def pay(funding, on: datetime.date, amount: str = "1000.00"):
    return DisbursementFactory(funding=funding, paid_on=on, amount=Decimal(amount))


@pytest.fixture
def idle_projects(group_a, group_b):
    idle, funding = planned_project(group_a)
    pay(funding, datetime.date(2024, 6, 30))  # the day before the three months
    _paid_on_first_day, funding = planned_project(group_a)
    pay(funding, datetime.date(2024, 7, 1))
    _paid_on_last_day, funding = planned_project(group_a)
    pay(funding, datetime.date(2024, 9, 30))
    paid_only_after, funding = planned_project(group_a)
    pay(funding, datetime.date(2024, 10, 1))
    _paid_in_full, funding = planned_project(group_a, amount="1000.00")
    pay(funding, datetime.date(2024, 1, 5), "1000.00")
    ProjectFactory(responsible_body=group_a)  # no plan at all
    planned_project(group_a, approved_on=datetime.date(2024, 10, 5))  # planned after the end
    other_group, _funding = planned_project(group_b)
    return {"a": {idle.pk, paid_only_after.pk}, "b": {other_group.pk}}


def test_projects_with_money_planned_and_nothing_paid_for_three_months(admin_client, idle_projects):
    finding = by_rule(findings(**SEPT))["no_disbursement"]
    assert finding.count == 3
    assert listed(admin_client, finding.url) == idle_projects["a"] | idle_projects["b"]
    assert_link_gives_count(admin_client, finding)


def test_the_months_without_disbursement_come_from_settings(admin_client, idle_projects, settings):
    settings.LEDGER_QUALITY = {**settings.LEDGER_QUALITY, "no_disbursement_months": 4}
    finding = by_rule(findings(**SEPT))["no_disbursement"]
    # From 2024-06-01 on, the payment of 2024-06-30 counts: that project is no longer idle.
    assert finding.count == 2
    assert "2024-06-01" in finding.url
    assert "4" in finding.label
    assert_link_gives_count(admin_client, finding)


def test_a_working_group_sees_its_own_idle_projects(admin_client, idle_projects, group_a):
    finding = by_rule(findings(**SEPT, body_ids=[group_a.pk]))["no_disbursement"]
    assert finding.count == 2
    assert listed(admin_client, finding.url) == idle_projects["a"]


# Indicators without an actual measured in the period ------------------------------------------


@pytest.fixture
def indicators(group_a):
    project = ProjectFactory(responsible_body=group_a)

    def indicator(as_of=None, *, of=project):
        actual = None if as_of is None else Decimal("5")
        return IndicatorFactory(project=of, actual=actual, as_of=as_of).pk

    expected = {
        indicator(),
        indicator(datetime.date(2024, 8, 31)),
        indicator(datetime.date(2024, 10, 1)),
        indicator(of=ProjectFactory(responsible_body=group_a, end_date=datetime.date(2024, 9, 1))),
    }
    indicator(datetime.date(2024, 9, 1))
    indicator(datetime.date(2024, 9, 30))
    indicator(of=ProjectFactory(responsible_body=group_a, start_date=datetime.date(2024, 10, 1)))
    indicator(
        of=ProjectFactory(
            responsible_body=group_a,
            start_date=datetime.date(2024, 1, 1),
            end_date=datetime.date(2024, 8, 31),
        )
    )
    return expected


def test_indicators_without_an_actual_measured_in_the_period(admin_client, indicators):
    finding = by_rule(findings(**SEPT))["indicator_without_actual"]
    assert finding.count == 4
    assert listed(admin_client, finding.url) == indicators
    assert_link_gives_count(admin_client, finding)


# Exchanges and disbursements without evidence files ---------------------------------------------


@pytest.fixture
def exchanges(group_a, group_b, ledger_admin):
    def exchange(day, body=group_a):
        return ExchangeFactory(date=day, lead_body=body)

    bare = {
        exchange(datetime.date(2024, 9, 1)).pk,
        exchange(datetime.date(2024, 9, 30)).pk,
    }
    make_evidence(exchange(datetime.date(2024, 9, 15)), uploaded_by=ledger_admin)
    exchange(datetime.date(2024, 8, 31))
    exchange(datetime.date(2024, 10, 1))
    other = exchange(datetime.date(2024, 9, 10), body=group_b)
    return {"a": bare, "b": {other.pk}}


def test_exchanges_of_the_period_without_evidence_files(admin_client, exchanges):
    finding = by_rule(findings(**SEPT))["exchange_without_evidence"]
    assert finding.count == 3
    assert listed(admin_client, finding.url) == exchanges["a"] | exchanges["b"]
    assert_link_gives_count(admin_client, finding)


def test_a_file_of_another_kind_of_record_with_the_same_id_is_not_the_exchanges(
    admin_client, exchanges, ledger_admin
):
    """Files belong to a record by its type and id: a project's file does not cover the
    exchange that happens to have the project's id."""
    exchange_id = min(exchanges["a"])
    project = ProjectFactory()
    project.pk = exchange_id  # an unsaved stand-in: only its type and id reach the file's row
    make_evidence(project, uploaded_by=ledger_admin)
    finding = by_rule(findings(**SEPT))["exchange_without_evidence"]
    assert exchange_id in listed(admin_client, finding.url)
    assert finding.count == 3


@pytest.fixture
def disbursements(group_a, ledger_admin):
    funding = FundingFactory(project=ProjectFactory(responsible_body=group_a))
    bare = {
        pay(funding, datetime.date(2024, 9, 1)).pk,
        pay(funding, datetime.date(2024, 9, 30)).pk,
    }
    make_evidence(pay(funding, datetime.date(2024, 9, 12)), uploaded_by=ledger_admin)
    pay(funding, datetime.date(2024, 8, 31))
    pay(funding, datetime.date(2024, 10, 1))
    return bare


def test_disbursements_of_the_period_without_evidence_files(admin_client, disbursements):
    finding = by_rule(findings(**SEPT))["disbursement_without_evidence"]
    assert finding.count == 2
    assert listed(admin_client, finding.url) == disbursements
    assert_link_gives_count(admin_client, finding)


# Pairings without an exchange this year ----------------------------------------------------------


@pytest.fixture
def pairings(group_a):
    def pairing(*exchange_days, **fields):
        made = PairingFactory(
            responsible_body=group_a, helper__programme=group_a.batch.programme, **fields
        )
        for day in exchange_days:
            ExchangeFactory(date=day, lead_body=group_a, pairings=[made])
        return made.pk

    expected = {
        pairing(),
        pairing(datetime.date(2023, 12, 31)),
        pairing(datetime.date(2024, 10, 1)),
        pairing(signed_on=datetime.date(2024, 9, 30)),
    }
    pairing(datetime.date(2024, 1, 1))
    pairing(datetime.date(2024, 9, 30))
    pairing(status=PairingStatus.ENDED, ended_on=datetime.date(2024, 9, 29))
    pairing(signed_on=datetime.date(2024, 10, 1))
    return expected


def test_pairings_in_force_without_an_exchange_this_year(admin_client, pairings):
    finding = by_rule(findings(**SEPT))["pairing_without_exchange"]
    assert finding.count == 4
    assert listed(admin_client, finding.url) == pairings
    assert_link_gives_count(admin_client, finding)


# Months without sales -----------------------------------------------------------------------------


@pytest.fixture
def outlets(group_a):
    def outlet(*months, products=(Product.TEA,)):
        made = OutletFactory(responsible_body=group_a)
        for month in months:
            for product in products:
                SaleFactory(outlet=made, product=product, period=datetime.date(2024, month, 1))
        return made.pk

    return {
        "full": outlet(7, 8, 9),
        "gap in august": outlet(7, 9),
        "two products, nothing in september": outlet(7, 8, products=(Product.TEA, Product.SAUSAGE)),
        "june only": outlet(6),
        "opened in october": outlet(10),
        "never sold": outlet(),
    }


def test_outlets_with_a_month_of_the_quarter_without_sales(admin_client, outlets):
    finding = by_rule(findings(**Q3))["sales_month_missing"]
    assert listed(admin_client, finding.url) == {
        outlets["gap in august"],
        outlets["two products, nothing in september"],
        outlets["june only"],
    }
    assert_link_gives_count(admin_client, finding)


def test_outlets_without_sales_in_the_month(admin_client, outlets):
    finding = by_rule(findings(**SEPT))["sales_month_missing"]
    assert listed(admin_client, finding.url) == {
        outlets["two products, nothing in september"],
        outlets["june only"],
    }
    assert finding.count == 2
    assert "sales_missing_from=2024-09&sales_missing_to=2024-09" in finding.url


# Members without a role ---------------------------------------------------------------------------


@pytest.fixture
def members(group_a):
    def member(**fields):
        return MemberFactory(batch=group_a.batch, **fields)

    expected = {
        member().pk,
        member(active_until=datetime.date(2024, 9, 1)).pk,
        member(active_from=datetime.date(2024, 9, 30)).pk,
    }
    MemberRoleFactory(member=member(), body=group_a)
    member(active_until=datetime.date(2024, 8, 31))
    member(active_from=datetime.date(2024, 10, 1))
    return expected


def test_members_in_post_without_a_role(admin_client, members):
    finding = by_rule(findings(**SEPT))["member_without_role"]
    assert finding.count == 3
    assert listed(admin_client, finding.url) == members
    assert_link_gives_count(admin_client, finding)


def test_members_without_a_role_are_no_working_groups_finding(members, group_a):
    """A member without a role belongs to no working group: the ledger admin's item."""
    assert findings(**SEPT, body_ids=[group_a.pk]) == []


# Scoping, labels, order -----------------------------------------------------------------------


@pytest.fixture
def everything(idle_projects, indicators, exchanges, disbursements, pairings, outlets, members):
    """Every rule has findings in September, most of them group A's."""


def test_findings_come_in_the_order_the_rules_are_declared(everything):
    found = [finding.rule for finding in findings(**SEPT)]
    assert found == [rule.code for rule in RULES]


def test_each_finding_of_a_working_group_links_to_its_own_records(
    admin_client, everything, group_a, group_b
):
    for body in (group_a, group_b):
        for finding in findings(**SEPT, body_ids=[body.pk]):
            assert f"body={body.pk}" in finding.url
            assert_link_gives_count(admin_client, finding)
    group_b_rules = {f.rule: f.count for f in findings(**SEPT, body_ids=[group_b.pk])}
    assert group_b_rules == {"no_disbursement": 1, "exchange_without_evidence": 1}


def test_several_working_groups_get_a_finding_each_named_by_its_group(
    admin_client, everything, group_a, group_b
):
    found = [
        f
        for f in findings(**SEPT, body_ids=[group_b.pk, group_a.pk])
        if f.rule == "exchange_without_evidence"
    ]
    # Group A's: two of the exchanges fixture, and the pairings fixture's exchange of 30 September.
    assert [(str(group_a) in f.label, f.count) for f in found] == [(True, 3), (False, 1)]
    assert str(group_b) in found[1].label
    for finding in found:
        assert_link_gives_count(admin_client, finding)


def test_a_body_that_keeps_no_records_has_no_findings(everything, group_a):
    command_post = Body.objects.create(
        batch=group_a.batch, kind=BodyKind.COMMAND_POST, name="前线指挥部"
    )
    assert findings(**SEPT, body_ids=[command_post.pk]) == []
    assert findings(**SEPT, body_ids=[]) == []


def test_labels_are_in_the_users_language_with_the_count(disbursements):
    with translation.override("zh-hans"):
        (finding,) = findings(**SEPT)
    assert finding.label == "2 笔资金拨付没有佐证材料"
    with translation.override("en"):
        (finding,) = findings(**SEPT)
    assert finding.label == "2 disbursements of the period have no evidence files"


def test_a_period_that_ends_before_it_starts_is_a_mistake():
    with pytest.raises(ValueError, match="starts"):
        findings(start=datetime.date(2024, 9, 30), end=datetime.date(2024, 9, 1))


def test_a_clean_period_has_no_findings(group_a):
    assert findings(**SEPT) == []


# Cost ---------------------------------------------------------------------------------------------


def make_problems(group, n: int, ledger_admin) -> None:
    """n records breaking each rule, and n keeping it, for group."""
    for i in range(n):
        _project, funding = planned_project(group)
        pay(funding, datetime.date(2024, 5, 1))
        IndicatorFactory(project=funding.project)
        pay(funding, datetime.date(2024, 9, 2 + i % 20))
        ExchangeFactory(date=datetime.date(2024, 9, 3), lead_body=group)
        make_evidence(
            ExchangeFactory(date=datetime.date(2024, 9, 4), lead_body=group),
            uploaded_by=ledger_admin,
        )
        SaleFactory(outlet=OutletFactory(responsible_body=group), period=datetime.date(2024, 8, 1))
        MemberFactory(batch=group.batch)


@pytest.mark.parametrize("n", [2, 12])
def test_findings_cost_the_same_few_queries_at_any_size(
    n, group_a, group_b, ledger_admin, django_assert_max_num_queries
):
    make_problems(group_a, n, ledger_admin)
    make_problems(group_b, n, ledger_admin)
    with django_assert_max_num_queries(len(RULES)):
        everyone = findings(**SEPT)
    assert {f.rule: f.count for f in everyone}["exchange_without_evidence"] == 2 * n
    with django_assert_max_num_queries(len(RULES) + 1):
        scoped = findings(**SEPT, body_ids=[group_a.pk, group_b.pk])
    assert sum(f.count for f in scoped if f.rule == "exchange_without_evidence") == 2 * n


# Who may open the links ---------------------------------------------------------------------------


def finding_urls() -> list[str]:
    return [f.url for f in findings(**SEPT)]


@pytest.mark.parametrize("persona", ["viewer", "editor_b"])
def test_readers_open_every_findings_list_and_see_all_its_rows(
    client, everything, persona, request, ledger_admin
):
    """The lists are read by every role: an editor of group B sees group A's findings' rows
    too (editing stays with group A)."""
    client.force_login(ledger_admin)
    counts = {url: rows(client, url) for url in finding_urls()}
    client.force_login(request.getfixturevalue(persona))
    for url, count in counts.items():
        assert rows(client, url) == count, url


def test_no_role_and_no_login_open_no_findings_list(client, everything, no_role_user):
    urls = finding_urls()
    assert len(urls) == len(RULES)
    for url in urls:
        assert client.get(url).status_code == 302  # to the login page
    client.force_login(no_role_user)
    for url in urls:
        assert client.get(url).status_code == 403


# The new filters read hostile values as a message, never as a crash -------------------------------


@pytest.mark.parametrize(
    ("list_name", "query"),
    [
        ("projects", "no_disbursement_since=10000-01-01&no_disbursement_until=2024-09-30"),
        ("projects", "no_disbursement_until=0001-01-01"),
        ("indicators", "no_actual_from=2024-09-31"),
        ("pairings", "no_exchange_by=9999-12-31"),
        ("exchanges", "evidence=maybe"),
        ("disbursements", "evidence=NONE"),
        ("outlets", "sales_missing_from=2024-13"),
        ("outlets", "sales_missing_from=0001-01&sales_missing_to=9999-12"),
        ("members", "role=nobody&in_post_from=x"),
    ],
)
def test_a_bad_filter_value_is_a_message_not_a_crash(admin_client, list_name, query):
    response = admin_client.get(f"{reverse(list_name)}?{query}")
    assert response.status_code == 200
    assert response.context["filterset"].errors
    assert response.context["page"].paginator.count == 0


def test_the_widest_range_of_months_is_read_in_one_query(admin_client, outlets):
    """From 1900 to 2200: 3,612 months, counted in SQL, not built as a list."""
    url = f"{reverse('outlets')}?sales_missing_from=1900-01&sales_missing_to=2200-12"
    assert rows(admin_client, url) == 5  # every outlet that has begun selling


def test_the_outlets_list_is_found_in_the_projects_menu(admin_client, outlets):
    response = admin_client.get(reverse("sales"))
    assert reverse("outlets").encode() in response.content


# The demo ledger ---------------------------------------------------------------------------------


DEMO_PERIODS = {
    "2024-09": SEPT,
    "2024-10": {"start": datetime.date(2024, 10, 1), "end": datetime.date(2024, 10, 31)},
    "2024Q3": Q3,
    "2024": {"start": datetime.date(2024, 1, 1), "end": datetime.date(2024, 12, 31)},
}


@pytest.mark.parametrize("period", DEMO_PERIODS)
def test_on_the_demo_ledger_every_count_is_its_lists_row_count(demo_ledger, admin_client, period):
    window = DEMO_PERIODS[period]
    groups = list(Body.objects.filter(kind=BodyKind.WORKING_GROUP).values_list("pk", flat=True))
    scopes = [None, groups, *([pk] for pk in groups)]
    checked = 0
    for body_ids in scopes:
        for finding in findings(**window, body_ids=body_ids):
            assert_link_gives_count(admin_client, finding)
            checked += 1
    assert checked


def test_what_the_demo_ledger_lacks_in_september_and_october(demo_ledger):
    september = {f.rule: f.count for f in findings(**SEPT)}
    october = {f.rule: f.count for f in findings(**DEMO_PERIODS["2024-10"])}
    assert september == {
        "no_disbursement": 3,
        "indicator_without_actual": 2,
        "exchange_without_evidence": 2,
        "pairing_without_exchange": 49,
    }
    assert october == {
        "no_disbursement": 3,
        "disbursement_without_evidence": 1,
        "pairing_without_exchange": 49,
        "sales_month_missing": 2,
    }


def test_each_findings_export_holds_exactly_its_rows(admin_client, everything):
    """The CSV beside each list (on PostgreSQL written by COPY) applies the same filters."""
    for finding in findings(**SEPT):
        path, query = finding.url.split("?")
        response = admin_client.get(f"{path}export.csv?{query}")
        assert response.status_code == 200, finding.url
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        assert len(list(csv.reader(io.StringIO(text)))) == 1 + finding.count, finding.url
