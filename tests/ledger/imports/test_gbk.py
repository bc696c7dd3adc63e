"""What Chinese Excel does to our files: a sheet saved as "CSV (逗号分隔)" is GBK (code page
936), and a character GBK lacks becomes "?". Everything we write into a cell a clerk may fill
in and import back (the templates' examples and notes, the records export, every list export)
must survive that, and the import must read it back."""

import csv
import io

import pytest
from django.utils import translation

from ledger.imports.run import run_import
from ledger.imports.specs import specs
from ledger.imports.workbook import export_rows
from pairings.models import Exchange
from tests.factories import ExchangeFactory

pytestmark = pytest.mark.django_db

LANGUAGES = ["zh-hans", "en"]


def as_excel_saves_gbk(header: list[str], rows: list[list]) -> bytes:
    """A sheet saved by Chinese Excel as CSV: GBK, and "?" for what GBK lacks."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([["" if cell is None else str(cell) for cell in row] for row in rows])
    return buffer.getvalue().encode("gbk", errors="replace")


def not_gbk(text: str) -> str:
    return "".join(char for char in str(text) if char.encode("gbk", errors="replace") == b"?")


@pytest.mark.parametrize("language", LANGUAGES)
def test_filled_template_saved_as_gbk_csv_imports(hospital_pairing, group_a, language):
    spec = specs()["exchanges"]
    with translation.override(language):
        header = [spec.label(col) for col in spec.columns]
        # The clerk keeps the example's way of writing each reference, with their own records.
        row = spec.example_row()
        names = [col.name for col in spec.columns]
        row[names.index("title")] = "医院管理经验交流座谈会（二）"
        row[names.index("lead_body")] = str(group_a)
        data = as_excel_saves_gbk(header, [row])
        result = run_import(spec, data)
    assert result.ok, result.report()
    assert list(Exchange.objects.get().pairings.all()) == [hospital_pairing]


def test_records_export_saved_as_gbk_csv_imports_back_unchanged(hospital_pairing, group_a):
    ExchangeFactory(lead_body=group_a, pairings=[hospital_pairing], title="交流一")
    spec = specs()["exchanges"]
    header = [spec.label(col) for col in spec.columns]
    data = as_excel_saves_gbk(header, list(export_rows(spec)))
    result = run_import(spec, data)
    assert result.ok, result.report()
    assert result.counts["new"] == result.counts["updated"] == 0


def test_a_pairing_written_by_an_older_template_reads_back(hospital_pairing):
    """Older templates wrote ↔, which Excel saved to GBK as "?"; <-> and dashes are what a
    clerk types instead."""
    from ledger.imports.references import ImportContext
    from pairings.imports import resolve_pairing

    ctx = ImportContext()
    for text in [
        "自贡市第一人民医院 ↔ 平昌县人民医院",
        "自贡市第一人民医院 ? 平昌县人民医院",
        "自贡市第一人民医院 <-> 平昌县人民医院",
        "自贡市第一人民医院—平昌县人民医院",
        "自贡市第一人民医院——平昌县人民医院",
        "自贡市第一人民医院 － 平昌县人民医院",
    ]:
        assert resolve_pairing(ctx, text) == hospital_pairing, text


@pytest.mark.parametrize("language", LANGUAGES)
def test_templates_write_only_what_gbk_can_hold(language):
    with translation.override(language):
        for name, spec in specs().items():
            texts = [str(cell) for cell in spec.example_row() if cell is not None]
            for col in spec.columns:
                texts += [spec.label(col), col.how_to_write(), *col.parser.choices()]
            bad = {text: not_gbk(text) for text in texts if not_gbk(text)}
            assert not bad, f"{name}: {bad}"


# Every list's CSV export, the summary's, and every ledger's records in its import format.
LIST_EXPORTS = [
    "/members/",
    "/pairings/",
    "/pairings/units/",
    "/pairings/exchanges/",
    "/pairings/mentorships/",
    "/projects/",
    "/projects/funding/",
    "/projects/disbursements/",
    "/projects/indicators/",
    "/projects/leads/",
    "/projects/sales/",
]


@pytest.mark.parametrize("language", LANGUAGES)
def test_exports_of_the_demo_ledger_write_only_what_gbk_can_hold(
    client_logged_in, demo_ledger, language
):
    client_logged_in.cookies["django_language"] = language
    bad = {}
    for url in [f"{url}export.csv" for url in LIST_EXPORTS] + ["/summary.csv"]:
        response = client_logged_in.get(url)
        assert response.status_code == 200, url
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        for row in csv.reader(io.StringIO(text, newline="")):
            bad |= {(url, cell): not_gbk(cell) for cell in row if not_gbk(cell)}
    with translation.override(language):
        for name, spec in specs().items():
            for row in export_rows(spec):
                bad |= {
                    (name, str(cell)): not_gbk(cell)
                    for cell in row
                    if cell is not None and not_gbk(cell)
                }
    assert not bad
