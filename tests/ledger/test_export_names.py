"""Issue 18, item 1: a list's export is named for what it holds: the list, the filters chosen
from a list (working group, sector, status …), the time."""

import re
from urllib.parse import unquote

import pytest

from projects.models import Sector
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def filename(response) -> str:
    header = response["Content-Disposition"]
    star = re.search(r"filename\*=utf-8''([^;]+)", header, re.IGNORECASE)
    return unquote(star.group(1)) if star else re.search(r'filename="([^"]+)"', header).group(1)


def test_a_filtered_export_names_its_choices(client_logged_in, group_a):
    ProjectFactory(responsible_body=group_a, sector=Sector.AGRICULTURE)
    params = {"body": group_a.pk, "sector": Sector.AGRICULTURE}
    for url, extension in (("/projects/export.csv", "csv"), ("/projects/export.xlsx", "xlsx")):
        response = client_logged_in.get(url, params)
        assert response.status_code == 200, url
        name = filename(response)
        # The choices as the form shows them, in its order: the sector, then the group.
        stem = f"帮扶项目-农业-{group_a.batch.name} · 产业扶持组-"
        assert name.startswith(stem), name
        assert re.fullmatch(rf"\d{{8}}-\d{{4}}\.{extension}", name.removeprefix(stem)), name


def test_an_unfiltered_export_is_the_list_and_time(client_logged_in):
    name = filename(client_logged_in.get("/projects/export.csv"))
    assert re.fullmatch(r"帮扶项目-\d{8}-\d{4}\.csv", name), name


def test_free_text_search_stays_out_of_the_file_name(client_logged_in):
    name = filename(client_logged_in.get("/projects/export.csv", {"q": "a/b:c"}))
    assert re.fullmatch(r"帮扶项目-\d{8}-\d{4}\.csv", name), name
