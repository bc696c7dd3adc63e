"""Each ledger list in the browser: filtered, sorted, paged and exported, the export read back
(UTF-8 BOM; the rows are the page's rows). The wide lists keep their header row and first
column in view (issue 18, item 3), and fold their filters on a phone (item 6)."""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from e2e.conftest import PHONE
from e2e.test_layout import LISTS


@pytest.fixture
def short_pages(settings):
    """Five rows a page (the smallest size offered), so that every demo list has pages."""
    settings.LIST_PAGE_SIZES = (5, 25, 50, 100, 200)


def row_count(page) -> int:
    return int(re.search(r"\d+", page.locator(".row-count").inner_text().replace(",", "")).group())


def column_texts(page, index: int) -> list[str]:
    return page.locator(f"table.ledger tbody tr td:nth-child({index + 1})").all_inner_texts()


def sort_value(text: str, kind: str):
    text = text.strip()
    if text in ("", "—"):
        return None
    if kind == "date":
        return datetime.date.fromisoformat(text[:10]) if len(text) >= 10 else text
    return Decimal(text.replace(",", ""))


def assert_ordered(values, descending: bool) -> None:
    present = [value for value in values if value is not None]
    assert present == sorted(present, reverse=descending)


def choose_a_filter(browser, page) -> str:
    """Pick the first choice of a drop-down filter that leaves rows; its label."""
    selects = page.locator("form.filters select:not([name='per_page'])")
    for index in range(selects.count()):
        select = selects.nth(index)
        options = select.locator("option").all_inner_texts()[1:4]
        name = select.get_attribute("name")
        for option in options:
            page.locator(f"form.filters select[name='{name}']").select_option(label=option)
            browser.follow(page.locator("form.filters button.primary").click)
            if row_count(page) > 0:
                return option
            browser.goto(page.url.split("?")[0].removeprefix(browser.base_url))
    raise AssertionError(f"{page.url}: no drop-down filter leaves rows")


@pytest.mark.parametrize("path", list(LISTS.values()), ids=list(LISTS))
def test_list_filtered_sorted_paged_and_exported(open_browser, accounts, short_pages, path):
    browser = open_browser(accounts["viewer"])
    page = browser.goto(path)
    everything = row_count(page)

    # Filtered: the toggle's summary names the filter in effect.
    chosen = choose_a_filter(browser, page)
    filtered = row_count(page)
    assert 0 < filtered <= everything
    expect(page.locator("details.filters-panel > summary")).to_contain_text(chosen)

    # Sorted by a figure or a date when the list has one, both ways, on the database's order.
    headers = page.locator("table.ledger thead th")
    kinds = [
        re.search(r"kind-(\w+)", c).group(1)
        for c in headers.evaluate_all("ths => ths.map(th => th.className)")
    ]
    linked = [i for i in range(headers.count()) if headers.nth(i).locator("a").count()]
    figures = [i for i in linked if kinds[i] in ("money", "number", "percent", "date")]
    column = (figures or linked)[0]
    for direction in ("ascending", "descending"):
        browser.follow(headers.nth(column).locator("a").click)
        expect(headers.nth(column)).to_have_attribute("aria-sort", direction)
        if kinds[column] in ("money", "number", "percent", "date"):
            values = [sort_value(t, kinds[column]) for t in column_texts(page, column)]
            assert_ordered(values, descending=direction == "descending")

    # Paged: five rows a page; the next page holds the next rows.
    browser.follow(lambda: page.get_by_label("每页行数").select_option("5"))
    assert "per_page=5" in page.url
    # Compared with the file: the first column that the page and the CSV write alike (a date
    # and time is 2024-10-09 13:28 on the page, ISO 8601 in the file).
    compared = next(i for i, kind in enumerate(kinds) if kind in ("text", "longtext"))
    first_page = column_texts(page, compared)
    assert len(first_page) == min(5, filtered)
    shown = first_page
    if filtered > 5:
        browser.follow(page.get_by_role("link", name=re.compile("下一页")).click)
        assert "page=2" in page.url
        shown = column_texts(page, compared)
        assert 0 < len(shown) <= 5
        assert row_count(page) == filtered

    # Exported: the file has a BOM and exactly the filtered rows, in the page's order.
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 CSV").click()
    content = download.value.path().read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    header_at = next(i for i, row in enumerate(rows) if len(row) == headers.count())
    records = rows[header_at + 1 :]
    assert len(records) == filtered
    offset = 5 if filtered > 5 else 0
    exported = [row[compared] or "—" for row in records[offset : offset + len(shown)]]
    assert exported == [text.strip() for text in shown]


def test_projects_list_keeps_header_and_first_column_in_view(open_browser, accounts):
    """At 1366 px the projects list shows 执行率 without scrolling the page; scrolled inside
    its box, the header row stays on top and the project codes at the left."""
    browser = open_browser(accounts["viewer"])
    page = browser.goto("/projects/?sort=-rate")
    box = page.locator(".table-scroll")
    rate = page.locator("table.ledger thead th", has_text="执行率")
    expect(rate).to_be_in_viewport()
    expect(rate).to_have_attribute("aria-sort", "descending")
    rates = [sort_value(t, "percent") for t in column_texts(page, 12)]
    assert_ordered(rates, descending=True)

    box.evaluate("el => { el.scrollTop = 200; el.scrollLeft = 400; }")
    box_top = box.bounding_box()["y"]
    box_left = box.bounding_box()["x"]
    header = page.locator("table.ledger thead th").first.bounding_box()
    first_cell = page.locator("table.ledger tbody tr:nth-child(4) td").first.bounding_box()
    assert abs(header["y"] - box_top) <= 2
    assert abs(first_cell["x"] - box_left) <= 2


def test_phone_folds_the_filters_behind_a_toggle_naming_them(open_browser, accounts):
    browser = open_browser(accounts["viewer"], viewport=PHONE)
    page = browser.goto("/pairings/?status=active")
    panel = page.locator("details.filters-panel")
    expect(panel).not_to_have_attribute("open", "")
    expect(panel.locator("summary")).to_contain_text("筛选")
    expect(panel.locator("summary .filter-chip")).to_have_count(1)
    # The first row is on the first screen, not after a screen and a half of filters.
    expect(page.locator("table.ledger tbody tr").first).to_be_in_viewport()
    panel.locator("summary").click()
    expect(page.locator("form.filters")).to_be_visible()
    assert browser.scroll_width() <= PHONE["width"]
    browser.audit()


def test_reader_hides_a_column_and_the_list_remembers(open_browser, accounts):
    browser = open_browser(accounts["viewer"])
    page = browser.goto("/projects/leads/")
    notes = page.locator("table.ledger th.col-notes")
    expect(notes).to_be_visible()
    page.get_by_text("显示的列").click()
    page.get_by_role("checkbox", name="备注").uncheck()
    expect(notes).to_be_hidden()
    expect(page.locator("table.ledger td.col-notes").first).to_be_hidden()
    browser.audit()

    page = browser.goto("/projects/leads/?sort=-registered_capital")
    expect(page.locator("table.ledger th.col-notes")).to_be_hidden()
    expect(page.locator("table.ledger th.col-company")).to_be_visible()
    page.get_by_text("显示的列").click()
    page.get_by_role("checkbox", name="备注").check()
    expect(page.locator("table.ledger th.col-notes")).to_be_visible()
