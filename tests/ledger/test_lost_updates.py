"""Two people editing the same record: the second save is refused with who changed it and
when, never silently overwriting the first; stale and forged forms are refused too."""

import pytest
from django import forms
from django.db import transaction
from django.test import Client

from aidledger.models import Member, RoleKind
from ledger.history import (
    CHANGED_SINCE,
    DELETED_SINCE,
    STALE_FORM,
    VERSION_FIELD,
    VersionedFormMixin,
)
from pairings.models import Unit
from tests.aidledger.test_admin import member_form
from tests.factories import BodyFactory, MemberFactory, UnitFactory, UserFactory
from tests.utils import as_shown

pytestmark = pytest.mark.django_db


def session(first_name: str) -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True, first_name=first_name))
    return client


def load(client: Client, url: str) -> str:
    """Open the change form as a browser does; the version it carries."""
    response = client.get(url)
    assert response.status_code == 200
    return response.context["adminform"].form[VERSION_FIELD].value()


def form_errors(response) -> str:
    return str(response.context["adminform"].form.non_field_errors())


@pytest.fixture
def member():
    return MemberFactory(phone="13800000000")


def test_second_save_of_a_record_loaded_before_the_first_save_is_refused(member):
    url = f"/admin/aidledger/member/{member.pk}/change/"
    first, second = session("王芳"), session("张伟")
    first_version, second_version = load(first, url), load(second, url)
    assert first_version == second_version

    data = member_form(member.batch, name=member.name)
    response = first.post(url, {**data, "phone": "13911111111", VERSION_FIELD: first_version})
    assert response.status_code == 302
    body = BodyFactory(batch=member.batch)
    data = member_form(member.batch, name=member.name, roles=[(body, RoleKind.MEMBER)])
    response = second.post(url, {**data, "phone": "13722222222", VERSION_FIELD: second_version})

    assert response.status_code == 200
    errors = form_errors(response)
    assert "此记录已被 王芳 于" in errors
    assert "修改，请重新加载后再改" in errors
    member.refresh_from_db()
    assert member.phone == "13911111111"
    assert not member.roles.exists()  # the inline's new row was not saved either


def test_a_change_to_an_inline_row_also_makes_the_parent_form_stale(member):
    url = f"/admin/aidledger/member/{member.pk}/change/"
    first, second = session("王芳"), session("张伟")
    first_version, second_version = load(first, url), load(second, url)
    body = BodyFactory(batch=member.batch)
    roles = [(body, RoleKind.MEMBER)]
    data = member_form(member.batch, name=member.name, phone=member.phone, roles=roles)
    assert first.post(url, {**data, VERSION_FIELD: first_version}).status_code == 302
    data = member_form(member.batch, name=member.name, phone="13722222222")
    response = second.post(url, {**data, VERSION_FIELD: second_version})
    assert "王芳" in form_errors(response)
    member.refresh_from_db()
    assert member.phone == "13800000000"


def test_a_reloaded_form_saves(member):
    url = f"/admin/aidledger/member/{member.pk}/change/"
    first, second = session("王芳"), session("张伟")
    data = member_form(member.batch, name=member.name)
    assert first.post(url, {**data, VERSION_FIELD: load(first, url)}).status_code == 302
    response = second.post(url, {**data, "phone": "137", VERSION_FIELD: load(second, url)})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.phone == "137"


@pytest.mark.parametrize(
    "version", [None, "", "garbage", "aidledger.member:999999;aidledger.memberrole:0"]
)
def test_a_change_form_without_its_true_version_is_refused(member, version):
    url = f"/admin/aidledger/member/{member.pk}/change/"
    client = session("王芳")
    data = member_form(member.batch, name=member.name, phone="13911111111")
    if version is not None:
        data[VERSION_FIELD] = version
    response = client.post(url, data)
    assert response.status_code == 200
    assert as_shown(response, STALE_FORM) in response.content.decode()
    member.refresh_from_db()
    assert member.phone == "13800000000"


def test_an_add_form_needs_no_version():
    client = session("王芳")
    body = BodyFactory()
    response = client.post("/admin/aidledger/member/add/", member_form(body.batch))
    assert response.status_code == 302
    assert Member.objects.filter(name="新队员").exists()


# The mixin on a page's own form (not the admin) ---------------------------------------------------


class UnitForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["name", "contact_person"]


def submit(unit: Unit, loaded: str, **changes) -> UnitForm:
    data = {"name": unit.name, "contact_person": unit.contact_person, **changes}
    form = UnitForm({**data, VERSION_FIELD: loaded}, instance=Unit.objects.get(pk=unit.pk))
    with transaction.atomic():
        if form.is_valid():
            form.save()
    return form


def test_a_page_form_with_the_mixin_refuses_the_second_save():
    unit = UnitFactory()
    loaded = UnitForm(instance=unit)[VERSION_FIELD].value()
    first = submit(unit, loaded, contact_person="王芳")
    assert first.is_valid()
    second = submit(unit, loaded, contact_person="张伟")
    assert not second.is_valid()
    message = str(CHANGED_SINCE).split("%")[0]
    assert message in str(second.non_field_errors())
    unit.refresh_from_db()
    assert unit.contact_person == "王芳"


def test_a_page_form_of_a_record_deleted_meanwhile_says_so():
    unit = UnitFactory()
    loaded = UnitForm(instance=unit)[VERSION_FIELD].value()
    stale = Unit.objects.get(pk=unit.pk)
    unit.delete()
    form = UnitForm({"name": "x", "contact_person": "", VERSION_FIELD: loaded}, instance=stale)
    with transaction.atomic():
        assert not form.is_valid()
    assert str(DELETED_SINCE).split("%")[0] in str(form.non_field_errors())
