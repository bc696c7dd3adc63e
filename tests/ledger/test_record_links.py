"""Issue 18, item 9: a list's link to the row's own record sits on the column a clerk reads
first (a payment's date, a funding line's project, a mentorship's mentor), not on a detail
(payee, source, mentee)."""

import re

import pytest

from tests.factories import DisbursementFactory, FundingFactory, MentorshipFactory

pytestmark = pytest.mark.django_db


def linked_columns(html: str, url: str) -> list[str]:
    """The column keys of the cells that link to `url`."""
    return re.findall(rf'<td class="col-([\w-]+)[^"]*"><a href="{re.escape(url)}">', html)


def test_a_payment_links_its_record_on_the_date(client_logged_in):
    payment = DisbursementFactory(payee="平昌县农业农村局")
    html = client_logged_in.get("/projects/disbursements/").content.decode()
    assert linked_columns(html, payment.get_absolute_url()) == ["paid_on"]


def test_a_funding_line_links_its_record_on_the_project(client_logged_in):
    line = FundingFactory()
    html = client_logged_in.get("/projects/funding/").content.decode()
    assert linked_columns(html, line.get_absolute_url()) == ["project"]


def test_a_mentorship_links_its_record_on_the_mentor(client_logged_in):
    mentorship = MentorshipFactory(mentee_name="王五")
    html = client_logged_in.get("/pairings/mentorships/").content.decode()
    assert linked_columns(html, mentorship.get_absolute_url()) == ["mentor"]
