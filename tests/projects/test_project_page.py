"""A project's page: funds by source with execution rate, disbursements, indicators, links."""

from decimal import Decimal

import pytest

from tests.factories import DisbursementFactory, FundingFactory, IndicatorFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(db):
    project = ProjectFactory(name="优质肉牛全产业链")
    municipal = FundingFactory(project=project, year=2023, amount=Decimal("6000000.00"))
    district = FundingFactory(
        project=project, year=2024, source="district", amount=Decimal("4000000.00")
    )
    DisbursementFactory(funding=municipal, amount=Decimal("3000000.00"), payee="合作社联合社")
    DisbursementFactory(funding=municipal, amount=Decimal("2500000.00"))
    DisbursementFactory(funding=district, amount=Decimal("2000000.00"))
    IndicatorFactory(
        project=project,
        name="能繁母牛和存栏肉牛",
        target=Decimal("109800"),
        actual=Decimal("109800"),
        as_of="2024-10-09",
    )
    return project


def test_anonymous_visitor_is_sent_to_login(client, project):
    response = client.get(project.get_absolute_url())
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_missing_project_is_404(client_logged_in):
    assert client_logged_in.get("/projects/999999/").status_code == 404


def test_page_shows_funds_by_source_with_execution_rate(client_logged_in, project):
    response = client_logged_in.get(project.get_absolute_url())
    assert response.status_code == 200
    page = response.context["page"]
    assert [(line.source, line.planned, line.disbursed, line.rate) for line in page.by_source] == [
        ("municipal", Decimal("6000000.00"), Decimal("5500000.00"), Decimal("91.7")),
        ("district", Decimal("4000000.00"), Decimal("2000000.00"), Decimal("50.0")),
    ]
    assert (page.total.planned, page.total.disbursed, page.total.remaining, page.total.rate) == (
        Decimal("10000000.00"),
        Decimal("7500000.00"),
        Decimal("2500000.00"),
        Decimal("75.0"),
    )
    html = response.content.decode()
    for text in ("10,000,000.00", "7,500,000.00", "1,000.00", "75.0%", "合作社联合社", "109,800"):
        assert text in html


def test_page_links_to_the_lists_filtered_to_the_project(client_logged_in, project):
    html = client_logged_in.get(project.get_absolute_url()).content.decode()
    for url in ("/projects/funding/", "/projects/disbursements/", "/projects/indicators/"):
        assert f'href="{url}?project={project.pk}"' in html
    response = client_logged_in.get("/projects/disbursements/", {"project": project.pk})
    assert len(response.context["table"]) == 3


def test_page_runs_a_constant_number_of_queries(
    client_logged_in, project, django_assert_max_num_queries
):
    line = project.fundings.first()
    for _ in range(50):
        DisbursementFactory(funding=line, amount=Decimal("1.00"))
        IndicatorFactory(project=project)
    # +1 since the roles and the change history met: the reader's roles, read once per request;
    # +1 since evidence files are in the change history: their history rows, one query;
    # +4 since the history shows the funding lines and payments (issue 18): their history
    # rows, one query each, and the names of the records their changes name.
    with django_assert_max_num_queries(15):
        response = client_logged_in.get(project.get_absolute_url())
    assert len(response.context["page"].disbursements) == 53


def test_page_of_a_project_without_funds(client_logged_in):
    project = ProjectFactory()
    response = client_logged_in.get(project.get_absolute_url())
    assert response.status_code == 200
    assert response.context["page"].total.rate is None
