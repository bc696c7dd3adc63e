"""Every ledger record has a page: its fields in the reader's language (choice labels, money
in yuan, related records linked), its evidence files, a bounded number of queries; and the
lists link each row to it."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import (
    DisbursementFactory,
    ExchangeFactory,
    FundingFactory,
    IndicatorFactory,
    InvestmentLeadFactory,
    MemberRoleFactory,
    MentorshipFactory,
    OutletFactory,
    SaleFactory,
    SegmentFactory,
    make_evidence,
)

pytestmark = pytest.mark.django_db

# Session, user, roles, the record (+ its pairings), its files (+ a mentor's bodies for the
# permission), its change history (the rows, their authors, the records they name), whatever
# the number of files or changes: the same for every page.
QUERY_BOUND = 10


def exchange(group):
    return ExchangeFactory(
        lead_body=group, title="肉牛养殖技术培训", kind="training", place="平昌县"
    )


def mentorship(group):
    record = MentorshipFactory(mentee_name="王晓东", goals="提升乡村治理能力")
    MemberRoleFactory(member=record.mentor, body=group)
    return record


def funding(group):
    return FundingFactory(project__responsible_body=group, amount=Decimal("10000000.00"))


def disbursement(group):
    return DisbursementFactory(
        funding__project__responsible_body=group, amount=Decimal("1234567.80"), payee="合作社"
    )


def indicator(group):
    return IndicatorFactory(
        project__responsible_body=group,
        name="肉牛存栏",
        target=Decimal("109800"),
        actual=Decimal("54900"),
        as_of=datetime.date(2024, 9, 30),
    )


def lead(group):
    return InvestmentLeadFactory(
        company="胜峰茶叶",
        follower_body=group,
        segment=SegmentFactory(name="茶叶"),
        registered_capital=Decimal("70600000.00"),
    )


def sale(group):
    return SaleFactory(outlet=OutletFactory(name="百佳超市汇东店", responsible_body=group))


# (make a record of a group, page's URL name, list's URL name, texts the page must show)
PAGES = {
    "exchange": (exchange, "exchange-detail", "exchanges", ["肉牛养殖技术培训", "培训", "平昌县"]),
    "mentorship": (mentorship, "mentorship-detail", "mentorships", ["王晓东", "提升乡村治理能力"]),
    "funding": (funding, "funding-detail", "funding", ["10,000,000.00", "市级财政"]),
    "disbursement": (disbursement, "disbursement-detail", "disbursements", ["1,234,567.80"]),
    "indicator": (indicator, "indicator-detail", "indicators", ["109,800", "54,900", "50.0%"]),
    "lead": (lead, "lead-detail", "leads", ["胜峰茶叶", "70,600,000.00", "食品饮料", "茶叶"]),
    "sale": (sale, "sale-detail", "sales", ["百佳超市汇东店", "茶叶", "1,680.00"]),
}


@pytest.fixture(params=sorted(PAGES))
def page(request, group_a):
    make, url_name, list_name, texts = PAGES[request.param]
    record = make(group_a)
    return record, url_name, list_name, texts


def test_record_page_shows_its_fields_in_chinese(client, viewer, page):
    record, url_name, list_name, texts = page
    client.force_login(viewer)
    response = client.get(record.get_absolute_url())
    assert response.status_code == 200
    assert record.get_absolute_url() == reverse(url_name, args=[record.pk])
    html = response.content.decode()
    for text in texts:
        assert text in html
    with translation.override("zh-hans"):
        for row in response.context["rows"]:
            assert str(row.label) in html
        assert str(record._meta.verbose_name_plural) in html
    assert f'href="{reverse(list_name)}"' in html  # back to its list


def test_record_page_links_related_records(client, viewer, group_a):
    record = disbursement(group_a)
    client.force_login(viewer)
    html = client.get(record.get_absolute_url()).content.decode()
    assert f'href="{record.project.get_absolute_url()}"' in html
    assert f'href="{record.funding.get_absolute_url()}"' in html


def test_exchange_page_lists_its_pairings_as_links(client, viewer, group_a):
    record = exchange(group_a)
    client.force_login(viewer)
    html = client.get(record.get_absolute_url()).content.decode()
    for pairing in record.pairings.all():
        assert f'href="{pairing.get_absolute_url()}"' in html


def test_record_page_queries_are_bounded(client, viewer, page, django_assert_max_num_queries):
    record, *_ = page
    for number in range(3):
        make_evidence(record, uploaded_by=viewer, title=f"照片{number}")
    client.force_login(viewer)
    client.get(record.get_absolute_url())  # warm the content type cache
    with django_assert_max_num_queries(QUERY_BOUND):
        response = client.get(record.get_absolute_url())
    assert len(response.context["files"]) == 3


def test_record_page_needs_a_role(client, no_role_user, page):
    record, *_ = page
    client.force_login(no_role_user)
    assert client.get(record.get_absolute_url()).status_code == 403


def test_anonymous_visitor_is_sent_to_login(client, page):
    record, *_ = page
    response = client.get(record.get_absolute_url())
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_missing_record_is_not_found(client, viewer, page):
    record, url_name, *_ = page
    client.force_login(viewer)
    assert client.get(reverse(url_name, args=[record.pk + 1000])).status_code == 404


def test_edit_and_upload_only_for_the_records_editors(client, editor_a, editor_b, viewer, page):
    record, *_ = page
    admin_url = f"/admin/{record._meta.app_label}/{record._meta.model_name}/{record.pk}/change/"
    client.force_login(editor_a)
    html = client.get(record.get_absolute_url()).content.decode()
    assert admin_url in html
    assert 'name="evidence-file"' in html
    for other in (editor_b, viewer):
        client.force_login(other)
        html = client.get(record.get_absolute_url()).content.decode()
        assert admin_url not in html
        assert 'name="evidence-file"' not in html


def test_page_has_a_place_for_the_change_history(client, viewer, page):
    record, *_ = page
    client.force_login(viewer)
    response = client.get(record.get_absolute_url())
    assert "ledger/record_detail.html" in [t.name for t in response.templates]


# The lists link rows to these pages --------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PAGES))
def test_list_rows_link_to_the_record_page(client, viewer, group_a, name):
    make, _url_name, list_name, _texts = PAGES[name]
    record = make(group_a)
    client.force_login(viewer)
    html = client.get(reverse(list_name)).content.decode()
    assert f'href="{record.get_absolute_url()}"' in html


def test_money_lists_link_the_project_to_the_project_page(client, viewer, group_a):
    record = disbursement(group_a)
    client.force_login(viewer)
    html = client.get(reverse("disbursements")).content.decode()
    assert f'href="{record.project.get_absolute_url()}"' in html
    assert f'href="{record.get_absolute_url()}"' in html


def test_project_page_links_its_money_rows_to_their_pages(client, viewer, group_a):
    record = disbursement(group_a)
    item = IndicatorFactory(project=record.project)
    client.force_login(viewer)
    html = client.get(record.project.get_absolute_url()).content.decode()
    for linked in (record, record.funding, item):
        assert f'href="{linked.get_absolute_url()}"' in html


def test_pairing_page_links_exchanges_and_mentorships(client, viewer, group_a):
    record = exchange(group_a)
    pairing = record.pairings.get()
    pupil = MentorshipFactory(mentee_unit=pairing.helped, mentor__batch=group_a.batch)
    client.force_login(viewer)
    html = client.get(pairing.get_absolute_url()).content.decode()
    assert f'href="{record.get_absolute_url()}"' in html
    assert f'href="{pupil.get_absolute_url()}"' in html
