"""load_demo (the report's team, idempotent) and ensure_login (someone can always log in)."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.test import RequestFactory

from aidledger.models import Batch, Body, BodyKind, Member, MemberRole, Programme, RoleKind
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def load_demo() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "programmes": Programme.objects.count(),
        "batches": Batch.objects.count(),
        "bodies": Body.objects.count(),
        "members": Member.objects.count(),
        "roles": MemberRole.objects.count(),
    }


@pytest.fixture
def demo(demo_ledger):
    """The second batch of the shared demo ledger (tests/conftest.py)."""
    return Batch.objects.get(number=2)


def test_load_demo_twice_gives_the_same_ledger():
    load_demo()
    first = counts()
    load_demo()
    assert counts() == first
    assert first["programmes"] == 1
    assert first["batches"] == 2
    assert first["roles"] > first["members"]


def test_demo_second_batch_has_the_1_plus_1_plus_3_structure(demo):
    kinds = list(demo.bodies.values_list("kind", flat=True))
    assert len(kinds) == 5
    assert kinds.count(BodyKind.COMMAND_POST) == 1
    assert kinds.count(BodyKind.PARTY_BRANCH) == 1
    assert kinds.count(BodyKind.WORKING_GROUP) == 3
    assert set(demo.bodies.values_list("name", flat=True)) == {
        "前线指挥部",
        "临时党支部",
        "综合协调组",
        "产业扶持组",
        "社会事业组",
    }
    assert demo.members.count() == 30


def test_demo_facts_from_the_report(demo):
    leader = Member.objects.get(batch=demo, name="蔡小波")
    assert demo.leader == leader
    assert leader.home_unit == "自贡市社会保险事务中心"
    assert leader.roles.get(body__name="前线指挥部").role == RoleKind.LEADER
    assert Member.objects.get(batch=demo, name="张陈").posting_unit == "平昌县人民医院"
    social = set(
        MemberRole.objects.filter(body__batch=demo, body__name="社会事业组").values_list(
            "member__name", flat=True
        )
    )
    assert {"杨宗池", "刘邦贵"} <= social


def test_demo_roles_stay_inside_their_batch(demo):
    assert not MemberRole.objects.exclude(body__batch=demo).exists()
    for role in MemberRole.objects.select_related("member", "body"):
        role.full_clean()


def test_members_list_filtered_by_a_demo_group(client_logged_in, demo):
    industry = Body.objects.get(batch=demo, name="产业扶持组")
    response = client_logged_in.get("/members/", {"body": industry.pk, "per_page": 100})
    listed = sorted(obj.name for obj, _cells in response.context["table"])
    expected = sorted(industry.roles.values_list("member__name", flat=True))
    assert listed == expected
    assert len(listed) > 1


def test_demo_batch_export_has_thirty_rows(client_logged_in, demo):
    response = client_logged_in.get("/members/export.csv", {"batch": demo.pk})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == 1 + 30
    assert "蔡小波" in [row[0] for row in rows[1:]]


# ensure_login -------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _default_admin_name(monkeypatch):
    monkeypatch.delenv("AIDLEDGER_ADMIN_USER", raising=False)


def ensure_login(*args) -> str:
    out = io.StringIO()
    call_command("ensure_login", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def log_in(username: str, password: str):
    """The user the login page would let in. With the login throttle (django-axes) first among
    the backends, authenticate() needs the request it counts failures for."""
    request = RequestFactory().post("/accounts/login/")
    return authenticate(request, username=username, password=password)


def printed_password(output: str) -> str:
    match = re.search(r"password: (\S+)", output)
    assert match, output
    return match.group(1)


def test_ensure_login_creates_a_superuser_with_a_working_password():
    output = ensure_login()
    password = printed_password(output)
    user = log_in("admin", password)
    assert user is not None
    assert user.is_superuser
    assert user.is_staff


def test_ensure_login_again_keeps_the_existing_superuser():
    password = printed_password(ensure_login())
    output = ensure_login()
    assert get_user_model().objects.count() == 1
    assert "admin" in output
    assert "password:" not in output
    assert log_in("admin", password) is not None


def test_ensure_login_leaves_an_existing_superuser_alone():
    UserFactory(username="chief", is_superuser=True, is_staff=True, password="kept-secret")
    output = ensure_login()
    assert "chief" in output
    assert get_user_model().objects.count() == 1
    assert log_in("chief", "kept-secret") is not None


def test_ensure_login_passwords_differ_between_fresh_databases():
    first = printed_password(ensure_login())
    get_user_model().objects.all().delete()  # a fresh database
    second = printed_password(ensure_login())
    assert first != second
    assert len(second) >= 12


def test_ensure_login_takes_a_username():
    password = printed_password(ensure_login("--username", "caixiaobo"))
    assert log_in("caixiaobo", password).is_superuser


def test_ensure_login_refuses_to_promote_an_ordinary_account():
    ordinary = UserFactory(username="admin")
    with pytest.raises(SystemExit) as excinfo:
        ensure_login()
    assert excinfo.value.code == 1
    ordinary.refresh_from_db()
    assert not ordinary.is_superuser
    assert get_user_model().objects.count() == 1


def test_ensure_login_names_the_port_the_site_is_served_on(monkeypatch):
    monkeypatch.setenv("PORT", "8123")
    assert "http://127.0.0.1:8123/" in ensure_login()
    assert "http://127.0.0.1:8123/" in ensure_login()  # and for an existing superuser
    assert "http://0.0.0.0:9000/" in ensure_login("--url", "http://0.0.0.0:9000/")


def test_make_run_tells_ensure_login_its_host_and_port():
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    assert "manage.py ensure_login --url http://$(HOST):$(PORT)/" in makefile
