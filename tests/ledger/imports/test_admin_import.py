"""The admin's upload → preview → confirm, and who may use it."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from ledger import permissions
from ledger.imports.run import run_import
from ledger.imports.specs import specs
from ledger.imports.views import SESSION_KEY
from pairings.models import Exchange
from tests.factories import ExchangeFactory, user_with_role
from tests.ledger.imports.conftest import EXCHANGE_HEADER, csv_bytes, exchange_rows

IMPORT = "admin:pairings_exchange_import"


@pytest.fixture(autouse=True)
def _pending_dir(settings, tmp_path):
    settings.IMPORT_PENDING_DIR = tmp_path / "pending"


@pytest.fixture
def admin_client(client, db):
    client.force_login(get_user_model().objects.create_superuser("boss", password="x"))
    return client


def upload(client, data: bytes, name: str = "交流.csv"):
    return client.post(reverse(IMPORT), {"file": SimpleUploadedFile(name, data)})


def test_anonymous_is_sent_to_the_admin_login(client, db):
    response = client.get(reverse(IMPORT))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_viewer_may_not_open_the_import_page(client, db):
    viewer = user_with_role(permissions.VIEWER, is_staff=True)
    client.force_login(viewer)
    response = client.get(reverse(IMPORT))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_editor_may_not_import_members(client, editor_a):
    client.force_login(editor_a)
    assert client.get(reverse("admin:aidledger_member_import")).status_code == 403
    page = client.get(reverse("admin:aidledger_member_changelist"))
    assert reverse("admin:aidledger_member_import") not in page.content.decode()
    exchanges = client.get(reverse("admin:pairings_exchange_changelist"))
    assert reverse(IMPORT) in exchanges.content.decode()


def test_changelist_offers_import_to_those_who_may_add(admin_client, client, db):
    page = admin_client.get(reverse("admin:pairings_exchange_changelist"))
    assert reverse(IMPORT) in page.content.decode()


def test_import_page_lists_columns_and_the_template(admin_client):
    page = admin_client.get(reverse(IMPORT)).content.decode()
    assert reverse("exchanges-import-template") in page
    assert "牵头机构" in page
    assert "pairings" in page


def test_import_page_in_english_lists_choices_with_english_punctuation(admin_client):
    """The choices were joined with 、 and introduced with ： whatever the language."""
    admin_client.cookies["django_language"] = "en"
    page = admin_client.get(reverse(IMPORT)).content.decode()
    assert "one of the list: visit, training, lecture" in page
    assert "、" not in page


def test_import_page_in_chinese_lists_choices_with_chinese_punctuation(admin_client):
    page = admin_client.get(reverse(IMPORT)).content.decode()
    assert "从下拉列表中选择：考察互访、培训、学术讲座" in page


def test_preview_then_confirm(admin_client, hospital_pairing, settings):
    response = upload(admin_client, csv_bytes(EXCHANGE_HEADER, exchange_rows(20), encoding="gbk"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "20" in page
    assert response.context["result"].counts == {"new": 20, "updated": 0, "unchanged": 0}
    assert len(response.context["preview"]) == 10
    assert "医院交流01" in page
    assert Exchange.objects.count() == 0
    token = response.context["token"]
    assert (settings.IMPORT_PENDING_DIR / f"{token}.upload").exists()

    done = admin_client.post(reverse(IMPORT), {"token": token}, follow=True)
    assert Exchange.objects.count() == 20
    assert done.redirect_chain[-1][0] == reverse("admin:pairings_exchange_changelist")
    assert "20" in str(next(iter(done.context["messages"])))
    assert not (settings.IMPORT_PENDING_DIR / f"{token}.upload").exists()

    again = admin_client.post(reverse(IMPORT), {"token": token}, follow=True)
    assert Exchange.objects.count() == 20
    assert again.redirect_chain[-1][0] == reverse(IMPORT)

    listed = admin_client.get(reverse("exchanges"))
    assert listed.context["page"].paginator.count == 20
    assert "医院交流20" in listed.content.decode()


def test_the_history_of_imported_records_names_the_admin_who_imported_them(
    admin_client, hospital_pairing
):
    response = upload(admin_client, csv_bytes(EXCHANGE_HEADER, exchange_rows(2)))
    admin_client.post(reverse(IMPORT), {"token": response.context["token"]})
    assert Exchange.objects.count() == 2
    names = [row.history_user.username for row in Exchange.history.all()]
    assert names == ["boss", "boss"]


def test_errors_are_listed_and_nothing_can_be_confirmed(admin_client, hospital_pairing):
    response = upload(admin_client, csv_bytes(EXCHANGE_HEADER, exchange_rows(20, bad_row=7)))
    page = response.content.decode()
    assert "第 7 行 · 日期 · 没有这个日期 · 2024/2/30" in page
    assert "token" not in response.context
    assert Exchange.objects.count() == 0


def test_a_forged_or_foreign_token_imports_nothing(admin_client, hospital_pairing):
    response = upload(admin_client, csv_bytes(EXCHANGE_HEADER, exchange_rows(2)))
    token = response.context["token"]
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("other", password="x"))
    client.post(reverse(IMPORT), {"token": token})
    client.post(reverse(IMPORT), {"token": "../../etc/passwd"})
    assert Exchange.objects.count() == 0
    assert token in admin_client.session[SESSION_KEY]


def test_cancel_deletes_the_pending_file(admin_client, hospital_pairing, settings):
    token = upload(admin_client, csv_bytes(EXCHANGE_HEADER, exchange_rows(2))).context["token"]
    admin_client.post(reverse(IMPORT), {"token": token, "cancel": "1"})
    assert not list(settings.IMPORT_PENDING_DIR.iterdir())
    assert Exchange.objects.count() == 0


def test_a_50_mb_file_is_refused_without_being_read(admin_client, db):
    response = upload(admin_client, b"x" * 50_000_001, "big.csv")
    assert "10 MB" in str(response.context["form"].errors["file"])
    assert "result" not in response.context


def test_a_file_over_the_size_limit_is_refused_at_upload(admin_client, settings, db):
    settings.IMPORT_MAX_BYTES = 100
    response = upload(admin_client, b"x" * 500)
    assert response.context["form"].errors["file"]
    assert "result" not in response.context


def test_editor_sees_rows_of_other_groups_refused(client, hospital_pairing, group_b):
    editor = user_with_role(permissions.EDITOR, group_b, is_staff=True)
    client.force_login(editor)
    response = upload(client, csv_bytes(EXCHANGE_HEADER, exchange_rows(2)))
    page = response.content.decode()
    assert "第 2 行 · 牵头机构 · " in page
    assert "token" not in response.context


# The files beside each list ---------------------------------------------------------------


@pytest.mark.parametrize(
    "url_name",
    [
        "members-import-template",
        "units-import-template",
        "pairings-import-template",
        "exchanges-import-template",
        "mentorships-import-template",
        "projects-import-template",
        "funding-import-template",
        "disbursements-import-template",
        "indicators-import-template",
        "leads-import-template",
        "sales-import-template",
    ],
)
def test_every_ledger_has_a_template_with_an_example_row(client_logged_in, url_name):
    response = client_logged_in.get(reverse(url_name))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.getvalue()))
    sheet = book.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert all(header)
    assert any(cell.value not in (None, "") for cell in sheet[2])
    assert sheet.freeze_panes == "A2"


def test_exchanges_template_offers_the_kinds_as_a_list(client_logged_in):
    content = client_logged_in.get("/pairings/exchanges/template.xlsx").getvalue()
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header[:4] == ["日期", "主题", "类型", "结对关系"]
    lists = [v.formula1 for v in sheet.data_validations.dataValidation]
    assert any("考察互访" in formula for formula in lists)


def test_the_template_example_row_is_skipped_on_import(admin_client, hospital_pairing):
    template = admin_client.get("/pairings/exchanges/template.xlsx").getvalue()
    response = upload(admin_client, template, "template.xlsx")
    result = response.context["result"]
    assert any("2" in warning for warning in result.warnings)
    assert not result.planned


def test_template_needs_a_role(client, no_role_user):
    client.force_login(no_role_user)
    assert client.get("/pairings/exchanges/template.xlsx").status_code == 403
    client.logout()
    assert client.get("/pairings/exchanges/template.xlsx").status_code == 302


def test_list_page_links_the_template_and_the_import_only_for_those_who_import(client, viewer, db):
    # Issue 18: a viewer, who cannot import, is not offered the import format at all.
    client.force_login(viewer)
    page = client.get(reverse("exchanges")).content.decode()
    assert "/pairings/exchanges/template.xlsx" not in page
    assert "/pairings/exchanges/records.xlsx" not in page
    assert reverse(IMPORT) not in page
    boss = get_user_model().objects.create_superuser("boss", password="x")
    client.force_login(boss)
    page = client.get(reverse("exchanges")).content.decode()
    assert "/pairings/exchanges/template.xlsx" in page
    assert "/pairings/exchanges/records.xlsx" in page
    assert reverse(IMPORT) in page


def test_records_file_holds_the_lists_filtered_rows_and_reimports_unchanged(
    client_logged_in, hospital_pairing, group_b
):
    ExchangeFactory(
        title="甲", lead_body=hospital_pairing.responsible_body, pairings=[hospital_pairing]
    )
    ExchangeFactory(title="乙", lead_body=group_b, pairings=[hospital_pairing])
    response = client_logged_in.get("/pairings/exchanges/records.xlsx", {"q": "甲"})
    content = response.getvalue()
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    titles = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert titles == ["甲"]
    result = run_import(specs()["exchanges"], content)
    assert result.counts == {"new": 0, "updated": 0, "unchanged": 1}


def test_records_file_with_an_unreadable_filter_exports_nothing(client_logged_in, db):
    response = client_logged_in.get("/pairings/exchanges/records.xlsx", {"date_from": "not-a-date"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("exchanges"))
