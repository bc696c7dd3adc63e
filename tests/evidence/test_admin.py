"""Evidence in the admin: an inline of files on the page of every record that carries them,
checked like the site's upload; who may add or delete is the record's editors."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from evidence.admin import EvidenceInline
from evidence.models import Evidence, FileKind
from pairings.models import Mentorship
from projects.models import Project
from tests.evidence import samples
from tests.factories import MemberRoleFactory, MentorshipFactory, ProjectFactory, make_evidence
from tests.utils import EVIDENCE_INLINE, loaded_version

pytestmark = pytest.mark.django_db

EVIDENCE = EVIDENCE_INLINE


def mentorship_data(mentorship, rows: list[dict], *, initial: int = 0) -> dict:
    data = {
        "mentor": mentorship.mentor_id,
        "mentee_name": mentorship.mentee_name,
        "mentee_unit": mentorship.mentee_unit_id,
        "mentee_post": mentorship.mentee_post,
        "start_date": mentorship.start_date.isoformat(),
        "end_date": "",
        "goals": "",
        "outcome": "",
        "notes": "",
        f"{EVIDENCE}-TOTAL_FORMS": str(len(rows)),
        f"{EVIDENCE}-INITIAL_FORMS": str(initial),
        f"{EVIDENCE}-MIN_NUM_FORMS": "0",
        f"{EVIDENCE}-MAX_NUM_FORMS": "1000",
    } | loaded_version(mentorship)
    for index, row in enumerate(rows):
        data |= {f"{EVIDENCE}-{index}-{key}": value for key, value in row.items()}
    return data


def change_url(record) -> str:
    opts = record._meta
    return f"/admin/{opts.app_label}/{opts.model_name}/{record.pk}/change/"


@pytest.mark.parametrize("model", [Project, Mentorship])
def test_record_admin_pages_carry_the_evidence_inline(admin_client, model):
    record = ProjectFactory() if model is Project else MentorshipFactory()
    response = admin_client.get(change_url(record))
    assert response.status_code == 200
    assert f'name="{EVIDENCE}-TOTAL_FORMS"' in response.content.decode()
    assert 'enctype="multipart/form-data"' in response.content.decode()


def test_reference_data_has_no_evidence_inline(admin_client, group_a):
    response = admin_client.get(f"/admin/aidledger/body/{group_a.pk}/change/")
    assert response.status_code == 200
    assert EVIDENCE not in response.content.decode()


def test_admin_attaches_a_file_through_the_inline(admin_client, admin_user, evidence_root):
    mentorship = MentorshipFactory()
    row = {
        "title": "帮带谈心记录",
        "date": "2024-05-22",
        "file": samples.upload("谈心记录.docx", samples.docx()),
    }
    response = admin_client.post(change_url(mentorship), mentorship_data(mentorship, [row]))
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.record == mentorship
    assert evidence.original_name == "谈心记录.docx"
    assert evidence.kind == FileKind.DOCX
    assert evidence.uploaded_by == admin_user
    assert (evidence_root / evidence.file.name).exists()


def test_inline_refuses_a_disguised_file_and_saves_nothing(admin_client, evidence_root):
    mentorship = MentorshipFactory()
    row = {"title": "发票", "date": "", "file": samples.upload("发票.pdf", samples.exe())}
    data = mentorship_data(mentorship, [row]) | {"mentee_post": "副科长"}
    response = admin_client.post(change_url(mentorship), data)
    assert response.status_code == 200
    assert "发票.pdf" in response.content.decode()
    assert not Evidence.objects.exists()
    mentorship.refresh_from_db()
    assert mentorship.mentee_post == "科员"  # the record's own change is not saved either
    assert not evidence_root.exists() or not any(evidence_root.rglob("*.*"))


def test_stored_file_cannot_be_swapped_in_the_inline(admin_client, admin_user):
    mentorship = MentorshipFactory()
    evidence = make_evidence(mentorship, uploaded_by=admin_user)
    before = evidence.file.name
    row = {
        "id": evidence.pk,
        "title": "新标题",
        "date": "2024-05-23",
        "file": samples.upload("别的.pdf", samples.pdf()),
    }
    response = admin_client.post(
        change_url(mentorship), mentorship_data(mentorship, [row], initial=1)
    )
    assert response.status_code == 302
    evidence.refresh_from_db()
    assert evidence.title == "新标题"
    assert evidence.file.name == before
    assert evidence.kind == FileKind.JPEG


def test_admin_refuses_to_delete_a_record_that_has_files(admin_client, admin_user):
    mentorship = MentorshipFactory()
    make_evidence(mentorship, uploaded_by=admin_user, title="谈心照片")
    url = f"/admin/pairings/mentorship/{mentorship.pk}/delete/"
    page = admin_client.get(url).content.decode()
    assert "谈心照片" in page  # named as what stops the deletion
    admin_client.post(url, {"post": "yes"})
    assert Mentorship.objects.filter(pk=mentorship.pk).exists()


def test_inline_permissions_follow_the_record(group_a, editor_a, editor_b, viewer):
    project = ProjectFactory(responsible_body=group_a)
    inline = EvidenceInline(Project, admin.site)
    request = RequestFactory().get("/")
    for user, may in ((editor_a, True), (editor_b, False), (viewer, False)):
        request.user = user
        assert inline.has_add_permission(request, project) is may
        assert inline.has_change_permission(request, project) is may
        assert inline.has_delete_permission(request, project) is may
        assert inline.has_view_permission(request, project) is True


def test_mentorship_files_answer_to_the_mentors_groups(group_a, editor_a, editor_b):
    mentorship = MentorshipFactory()
    MemberRoleFactory(member=mentorship.mentor, body=group_a)
    inline = EvidenceInline(Mentorship, admin.site)
    request = RequestFactory().get("/")
    request.user = editor_a
    assert inline.has_add_permission(request, mentorship)
    request.user = editor_b
    assert not inline.has_add_permission(request, mentorship)


def test_editor_of_another_group_sees_the_files_read_only(client, group_a, editor_a, editor_b):
    project = ProjectFactory(responsible_body=group_a)
    evidence = make_evidence(project, uploaded_by=editor_a)
    client.force_login(editor_b)
    response = client.get(change_url(project))
    assert response.status_code == 200
    html = response.content.decode()
    assert evidence.original_name in html
    assert f'href="/evidence/{evidence.pk}/"' in html  # the download, checked by the view
    assert f'name="{EVIDENCE}-0-title"' not in html  # nothing to edit
