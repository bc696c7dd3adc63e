"""Issue 18, item 2: an editor is offered only what they can save, and told why when that is
nothing (an account not yet linked to a member of a working group)."""

import pytest

from ledger import permissions
from projects.models import Project
from tests.factories import FundingFactory, ProjectFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def unlinked_editor(db):
    """A 录入员 whose account is not yet linked to any member: no working group."""
    return user_with_role(permissions.EDITOR, username="editor-unlinked")


def autocomplete(client, model_name: str, field_name: str, app_label: str = "projects"):
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": app_label, "model_name": model_name, "field_name": field_name},
    )
    assert response.status_code == 200
    return [item["text"] for item in response.json()["results"]]


def test_funding_line_autocomplete_offers_an_editor_only_own_groups_lines(
    client, editor_a, group_a, group_b
):
    own = FundingFactory(project=ProjectFactory(responsible_body=group_a, code="NY-2023-01"))
    FundingFactory(project=ProjectFactory(responsible_body=group_b, code="JY-2023-01"))
    client.force_login(editor_a)
    assert autocomplete(client, "disbursement", "funding") == [str(own)]


def test_funding_line_autocomplete_offers_a_ledger_admin_every_line(
    client, ledger_admin, group_a, group_b
):
    FundingFactory(project=ProjectFactory(responsible_body=group_a))
    FundingFactory(project=ProjectFactory(responsible_body=group_b))
    client.force_login(ledger_admin)
    assert len(autocomplete(client, "disbursement", "funding")) == 2


def test_project_autocomplete_of_a_funding_line_offers_own_groups_projects(
    client, editor_a, group_a, group_b
):
    ProjectFactory(responsible_body=group_a, name="优质肉牛全产业链")
    ProjectFactory(responsible_body=group_b, name="教学设备捐赠")
    client.force_login(editor_a)
    offered = autocomplete(client, "funding", "project")
    assert len(offered) == 1
    assert "优质肉牛全产业链" in offered[0]


def test_an_unlinked_editor_may_not_add_ledger_records(unlinked_editor):
    assert not permissions.can_add(unlinked_editor, Project)


def test_an_unlinked_editor_is_not_offered_add_or_import(client, unlinked_editor):
    client.force_login(unlinked_editor)
    page = client.get("/projects/").content.decode()
    assert "/admin/projects/project/import/" not in page
    admin_list = client.get("/admin/projects/project/")
    assert admin_list.status_code == 200
    assert "/admin/projects/project/add/" not in admin_list.content.decode()


def test_an_unlinked_editor_is_told_why(client, unlinked_editor):
    client.force_login(unlinked_editor)
    response = client.get("/admin/projects/project/", follow=True)
    shown = [str(message) for message in response.context["messages"]]
    assert any("尚未关联" in message and "管理员" in message for message in shown), shown


def test_a_linked_editor_is_offered_import(client, editor_a):
    client.force_login(editor_a)
    page = client.get("/projects/").content.decode()
    assert "/admin/projects/project/import/" in page


def test_a_viewer_sees_no_import_format_links(client, viewer):
    client.force_login(viewer)
    page = client.get("/projects/").content.decode()
    assert "import-template" not in page
    assert "导入格式" not in page
    assert 'class="import-links"' not in page


def test_an_editor_sees_the_import_format_links(client, editor_a):
    client.force_login(editor_a)
    page = client.get("/projects/").content.decode()
    assert 'class="import-links"' in page
