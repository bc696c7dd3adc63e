"""Small files that would make an import read for minutes or hold gigabytes are refused before
or while they are read, with a message naming the limit; nothing is written. The hostile
workbooks are the ones bench/import_limits.py measures at full size, here a few hundred KB."""

import time

import pytest
from django.utils import translation

from bench.import_limits import many_strings, wide
from ledger.imports.errors import FileError
from ledger.imports.files import read_table
from ledger.imports.run import run_import
from ledger.imports.specs import specs
from pairings.models import Exchange
from tests.ledger.imports.conftest import EXCHANGE_HEADER, csv_bytes, exchange_rows, xlsx_bytes


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def refusal(data: bytes) -> str:
    started = time.perf_counter()
    with pytest.raises(FileError) as error:
        read_table(data)
    assert time.perf_counter() - started < 2
    return str(error.value)


def test_a_sheet_600_columns_wide_is_refused_by_its_range_before_a_row_is_read():
    data = wide(200, 600)
    assert len(data) < 100_000
    message = refusal(data)
    assert "600 columns (A1:WB200)" in message
    assert "at most 100 columns" in message


def test_a_sheet_600_columns_wide_that_claims_one_cell_is_refused_at_its_first_row():
    message = refusal(wide(200, 600, dimension=False))
    assert "Row 1 has 600 columns" in message
    assert "at most 100 columns" in message


def test_cells_are_counted_against_their_limit(settings):
    settings.IMPORT_MAX_CELLS = 1000
    assert "more than 1000 cells" in refusal(wide(30, 50))  # by the sheet's range
    assert "more than 1000 cells" in refusal(wide(30, 50, dimension=False))  # while reading
    rows = [[str(n)] * 50 for n in range(30)]
    assert "more than 1000 cells" in refusal(csv_bytes(["a"] * 50, rows))


def test_a_csv_row_wider_than_the_limit_is_refused():
    message = refusal(csv_bytes(["日期", "主题"], [["2024-10-09", "交流", *["1"] * 200]]))
    assert "Row 2 has 202 columns; at most 100 columns" in message


def test_a_shared_string_table_of_millions_is_refused_by_its_count():
    data = many_strings(1_100_000)
    assert len(data) < 100_000
    assert "more than 1000000 texts" in refusal(data)


def test_a_shared_string_table_that_understates_its_count_is_counted():
    assert "more than 1000000 texts" in refusal(many_strings(1_100_000, declared=1))


def test_a_workbook_that_unpacks_large_is_refused_unread(settings):
    settings.IMPORT_XLSX_MAX_UNPACKED_BYTES = 1_000_000
    message = refusal(many_strings(100_000))
    assert "unpacks to 2 MB; at most 1 MB" in message


def test_a_workbook_within_the_limits_is_read(settings):
    settings.IMPORT_MAX_COLUMNS = 7
    settings.IMPORT_MAX_CELLS = 7 * 3
    table = read_table(xlsx_bytes(EXCHANGE_HEADER, exchange_rows(2)))
    assert len(table.rows) == 3


@pytest.mark.parametrize("data", [wide(200, 600), many_strings(1_100_000, declared=1)])
def test_an_editor_importing_a_hostile_workbook_reads_why_and_nothing_is_written(
    editor_a, hospital_pairing, data
):
    with translation.override("zh-hans"):
        result = run_import(specs()["exchanges"], data, user=editor_a)
    assert not result.ok
    [error] = result.errors
    assert "100" in error.message or "1000000" in error.message
    assert Exchange.objects.count() == 0


@pytest.mark.parametrize("chunk", [5, 7, 64 * 1024])
def test_shared_strings_are_counted_exactly_across_chunks_and_prefixes(monkeypatch, chunk):
    import io

    from ledger.imports import files

    monkeypatch.setattr(files, "XML_CHUNK", chunk)
    xml = b'<x:sst xmlns:x="urn:x" count="3"><x:si><x:t>a</x:t></x:si><x:si/>'
    xml += b"<x:si>\n<x:t>&lt;si&gt;</x:t></x:si><x:sis/></x:sst>"
    assert files.count_strings(io.BytesIO(xml), 10) == 3
    assert files.count_strings(io.BytesIO(xml), 2) == 3  # past the limit: it says so
