"""The overview, a member's page, and the language switch."""

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.html import escape

from aidledger.models import BodyKind, MemberRole, RoleKind
from tests.factories import (
    BatchFactory,
    BodyFactory,
    MemberFactory,
    MemberRoleFactory,
    MentorshipFactory,
    ProgrammeFactory,
    create_team,
)

pytestmark = pytest.mark.django_db


def html_lang(response) -> str:
    match = re.search(r'<html lang="([^"]+)"', response.content.decode())
    assert match
    return match.group(1)


# The overview --------------------------------------------------------------------------------


@pytest.fixture
def programme():
    programme = ProgrammeFactory(name="自贡市对口帮扶平昌县")
    first = BatchFactory(programme=programme, number=1, name="第一批")
    second = BatchFactory(programme=programme, number=2, name="第二批")
    MemberFactory.create_batch(2, batch=first)
    leader = MemberFactory(batch=second, name="蔡小波")
    post = BodyFactory(batch=second, kind=BodyKind.COMMAND_POST, name="前线指挥部")
    MemberRoleFactory(member=leader, body=post, role=RoleKind.LEADER)
    MemberFactory.create_batch(4, batch=second)
    second.leader = leader
    second.save()
    return programme


def card_figures(html: str) -> list[str]:
    """The figures of the team section's cards (the summary's cards come before it)."""
    team = html[html.index('id="team"') :]
    return re.findall(r'<span class="card-figure">(\d+)</span>', team)


def test_home_shows_programme_batches_and_member_counts(client_logged_in, programme):
    response = client_logged_in.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "自贡市对口帮扶平昌县" in html
    assert "第一批" in html
    assert "第二批" in html
    assert "蔡小波" in html
    # Newest batch first: batch 2 has 5 members and 1 body, batch 1 has 2 members and none.
    assert card_figures(html) == ["5", "1", "2", "0"]
    assert html.index("第二批") < html.index("第一批")


def test_home_counts_a_member_with_several_roles_once(client_logged_in):
    batch = create_team(members=3, bodies=3)
    html = client_logged_in.get("/").content.decode()
    assert card_figures(html) == ["3", "3"]
    assert batch.bodies.count() == 3


def test_home_sends_anonymous_visitor_to_login(client, programme):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_home_with_empty_ledger_still_renders(client_logged_in):
    assert client_logged_in.get("/").status_code == 200


def home_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


def test_home_query_count_does_not_grow_with_members(
    client_logged_in, django_assert_max_num_queries
):
    batch = create_team(members=10, bodies=3)
    for body in batch.bodies.all()[:2]:
        MemberRole.objects.filter(body=body).update(role=RoleKind.HEAD)
    few = home_queries(client_logged_in)
    create_team(members=90, bodies=3, batch=batch)
    MemberRole.objects.update(role=RoleKind.HEAD)
    # The summary's aggregate queries and the team's four, whatever the number of members.
    with django_assert_max_num_queries(30):
        many = home_queries(client_logged_in)
    assert many == few


# A member's page -----------------------------------------------------------------------------


def test_member_page_shows_name_and_roles(client_logged_in):
    member = MemberFactory(name="张陈", posting_unit="平昌县人民医院")
    social = BodyFactory(batch=member.batch, name="社会事业组")
    branch = BodyFactory(batch=member.batch, kind=BodyKind.PARTY_BRANCH, name="临时党支部")
    MemberRoleFactory(member=member, body=social, role=RoleKind.HEAD)
    MemberRoleFactory(member=member, body=branch, role=RoleKind.MEMBER)
    response = client_logged_in.get(f"/members/{member.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "张陈" in html
    assert "平昌县人民医院" in html
    assert "社会事业组" in html
    assert "临时党支部" in html
    with translation.override(response["Content-Language"]):
        for role in member.roles.all():
            assert escape(role.get_role_display()) in html


def test_member_page_of_missing_member_is_404(client_logged_in):
    member = MemberFactory()
    assert client_logged_in.get(f"/members/{member.pk + 1000}/").status_code == 404


def test_member_page_sends_anonymous_visitor_to_login(client):
    member = MemberFactory()
    response = client.get(f"/members/{member.pk}/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert member.name not in response.content.decode()


# The language switch -------------------------------------------------------------------------


def test_default_language_is_simplified_chinese(client_logged_in):
    response = client_logged_in.get("/")
    assert html_lang(response) == "zh-hans"
    assert response["Content-Language"] == "zh-hans"
    assert settings.LANGUAGE_CODE == "zh-hans"


def test_language_switch_to_english_and_back(client_logged_in):
    response = client_logged_in.post("/i18n/setlang/", {"language": "en", "next": "/members/"})
    assert response.status_code == 302
    assert response.url == "/members/"
    response = client_logged_in.get("/members/")
    assert html_lang(response) == "en"
    assert response["Content-Language"] == "en"

    client_logged_in.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    response = client_logged_in.get("/")
    assert html_lang(response) == "zh-hans"
    assert response["Content-Language"] == "zh-hans"


def test_language_switch_works_before_login(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response.url == "/accounts/login/"
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert html_lang(response) == "en"


def test_language_switch_refuses_get(client):
    assert client.get("/i18n/setlang/", {"language": "en"}).status_code == 405


def test_language_switch_does_not_redirect_off_site(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert "evil.example" not in response.url


def test_log_out_returns_to_the_login_page(client_logged_in):
    response = client_logged_in.post("/accounts/logout/")
    assert response.status_code == 302
    assert response.url == "/accounts/login/"
    assert client_logged_in.get("/").status_code == 302


def test_browser_language_does_not_override_chinese_default(client_logged_in):
    response = client_logged_in.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hans"


def test_missing_page_shows_the_sites_own_404_page(client_logged_in):
    response = client_logged_in.get("/no-such-page/")
    assert response.status_code == 404
    assert 'class="site-header"' in response.content.decode()
    assert "/accounts/logout/" in response.content.decode()


def test_server_error_page_renders_without_a_request_context():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "<form" not in html
    assert 'class="site-header"' in html


def test_member_page_lists_the_cadres_they_mentor_with_a_link_to_the_list(
    client_logged_in, django_assert_max_num_queries
):
    mentor = MemberFactory(name="蔡小波")
    for name in ("高玉洁", "李明"):
        MentorshipFactory(mentor=mentor, mentee_name=name)
    MentorshipFactory(mentee_name="别人的帮带对象")
    # +1 since the roles and the change history met: the reader's roles, read once per request.
    with django_assert_max_num_queries(9):
        response = client_logged_in.get(f"/members/{mentor.pk}/")
    html = response.content.decode()
    assert "高玉洁" in html
    assert "李明" in html
    assert "别人的帮带对象" not in html
    assert f'href="/pairings/mentorships/?mentor={mentor.pk}"' in html
