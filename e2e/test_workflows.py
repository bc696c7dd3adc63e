"""What people do with the ledger, end to end: search a filter by keyboard, enter a payment in
the admin and see the summary move, import a spreadsheet, attach evidence, switch language,
and move around by keyboard."""

import io
import re
from decimal import Decimal

import openpyxl
import pytest
from PIL import Image
from playwright.sync_api import expect

from projects.models import Disbursement, Project, Sale


def card_yuan(page, label: str) -> Decimal:
    """The exact yuan a dashboard card shows on hover (its title: "21,250,000.00 元")."""
    card = page.locator("a.card", has_text=label)
    return Decimal(re.sub(r"[^\d.]", "", card.get_attribute("title")))


def test_lookup_picks_a_township_by_keyboard(open_browser, accounts, settings):
    # More townships than this and the filter is a search box (the demo has a handful).
    settings.LOOKUP_SELECT_LIMIT = 2
    browser = open_browser(accounts["viewer"])
    page = browser.goto("/projects/")
    box = page.get_by_role("combobox", name="乡镇（街道）")
    box.click()
    box.press_sequentially("江口")
    # Only the match is offered (the box offered every township on focus).
    offered = page.locator(".lookup-results [role='option']")
    expect(offered).to_have_count(1)
    expect(offered).to_have_text(re.compile("江口镇"))
    box.press("ArrowDown")
    expect(offered).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    expect(box).to_have_value(re.compile("江口镇"))
    browser.follow(page.locator("form.filters button.primary").click)

    townships = page.locator("table.ledger tbody td.col-township").all_inner_texts()
    expected = Project.objects.filter(township__name__contains="江口镇").count()
    assert len(townships) == expected > 0
    assert all("江口镇" in text for text in townships)


def test_editor_pays_from_a_line_in_the_admin_and_the_summary_moves(open_browser, accounts):
    browser = open_browser(accounts["editor"])
    page = browser.goto("/")
    before = card_yuan(page, "已拨付")
    project = Project.objects.get(code="GY-2023-01")  # kept by the editor's 产业扶持组

    browser.goto(project.get_absolute_url())
    page = browser.follow(page.get_by_role("link", name="在管理后台编辑").click)
    assert f"next=/projects/{project.pk}/" in page.url
    group = page.locator("#disbursements-group")
    group.locator(".add-row a").click()
    row = group.locator("tr.form-row.dynamic-disbursements").last
    row.locator("select[name$='-funding']").select_option(index=1)
    row.locator("input[name$='-paid_on']").fill("2024-10-01")
    amount = row.locator("input[name$='-amount']")
    amount.fill("1234567.8")
    # The amount reads back grouped and in 万元 while typing (static/js/admin-money.js).
    expect(row.locator(".money-hint")).to_have_text("1,234,567.80 元 · 123.46 万元")
    amount.fill("1000.00")
    row.locator("input[name$='-payee']").fill("平昌县经济开发区管理委员会")
    browser.audit()
    page = browser.follow(page.locator("input[name='_save']").click)

    # Back on the project's page it came from, which says what was saved.
    assert page.url == browser.url(project.get_absolute_url())
    expect(page.locator(".messages")).to_be_visible()
    assert Disbursement.objects.filter(project=project, amount=Decimal("1000.00")).exists()
    page = browser.goto("/")
    assert card_yuan(page, "已拨付") == before + Decimal("1000.00")


def test_import_previews_then_writes_the_sales_sheet(open_browser, accounts, tmp_path):
    """The demo's sales are all in approved (locked) months: a changed row there refuses the
    whole file with the period named; a new row for the open month previews, then writes."""
    browser = open_browser(accounts["admin"])
    page = browser.goto("/projects/sales/")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("导入格式")).click()
    downloaded = tmp_path / "sales.xlsx"
    download.value.save_as(downloaded)

    def headed(book, prefix):
        return next(
            (cell.row, cell.column)
            for row in book.active.iter_rows()
            for cell in row
            if isinstance(cell.value, str) and cell.value.startswith(prefix)
        )

    def upload(book, name):
        path = tmp_path / name
        book.save(path)
        page = browser.follow(
            browser.goto("/projects/sales/").get_by_role("link", name="导入", exact=True).click
        )
        page.locator("input[type='file']").set_input_files(path)
        return browser.follow(page.locator("input[type='submit'].default").click)

    # A changed row in September, an approved month: refused whole, the period named.
    book = openpyxl.load_workbook(downloaded)
    header_row, notes_column = headed(book, "备注")
    book.active.cell(header_row + 1, notes_column).value = "端到端测试改的备注"
    page = upload(book, "九月销售.xlsx")
    expect(page.locator("main")).to_contain_text("2024-09")
    expect(page.get_by_role("button", name="导入这些行")).to_have_count(0)
    assert not Sale.objects.filter(notes="端到端测试改的备注").exists()

    # A new row for October, still open: previewed first, written on confirmation.
    book = openpyxl.load_workbook(downloaded)
    sheet = book.active
    _, month_column = headed(book, "月份")
    last = sheet.max_row + 1
    for column in range(1, sheet.max_column + 1):
        sheet.cell(last, column).value = sheet.cell(header_row + 1, column).value
    month = sheet.cell(header_row + 1, month_column).value
    sheet.cell(last, month_column).value = (
        month.replace(month=10)
        if hasattr(month, "replace") and not isinstance(month, str)
        else "2024-10"
    )
    sheet.cell(last, notes_column).value = "端到端测试新增的十月销售"
    page = upload(book, "消费帮扶销售.xlsx")
    expect(page.locator(".import-counts")).to_contain_text("1")
    assert not Sale.objects.filter(notes="端到端测试新增的十月销售").exists()  # previewed only
    page = browser.follow(page.get_by_role("button", name="导入这些行").click)
    expect(page.locator(".messagelist")).to_contain_text("消费帮扶销售.xlsx")
    assert Sale.objects.filter(notes="端到端测试新增的十月销售").count() == 1


def test_editor_attaches_a_photo_to_a_payment(open_browser, accounts):
    payment = Disbursement.objects.filter(project__code="GY-2023-01").first()
    browser = open_browser(accounts["editor"])
    page = browser.goto(payment.get_absolute_url())
    image = io.BytesIO()
    Image.new("RGB", (64, 48), "#b3261e").save(image, format="PNG")
    form = page.locator("form.evidence-upload")
    form.get_by_label("主题").fill("拨付凭证照片")
    form.get_by_label("日期").fill("2024-10-01")
    form.locator("input[type='file']").set_input_files(
        {"name": "凭证.png", "mimeType": "image/png", "buffer": image.getvalue()}
    )
    page = browser.follow(form.get_by_role("button", name="上传").click)
    files = page.locator(".evidence-file")
    expect(files).to_have_count(1)
    expect(files).to_contain_text("拨付凭证照片")
    expect(files.locator("img")).to_have_js_property("complete", True)
    assert files.locator("img").evaluate("img => img.naturalWidth") > 0


def test_language_switch_turns_the_page_english_and_back(open_browser, accounts):
    browser = open_browser(accounts["viewer"])
    page = browser.goto("/projects/")
    expect(page.locator("h1")).to_have_text("帮扶项目")
    page = browser.follow(page.get_by_role("button", name="English").click)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Projects")
    assert page.url.endswith("/projects/")
    page = browser.follow(page.get_by_role("button", name="中文").click)
    expect(page.locator("h1")).to_have_text("帮扶项目")


@pytest.mark.parametrize("path", ["/", "/projects/"])
def test_keyboard_user_skips_to_the_content_with_a_visible_ring(open_browser, accounts, path):
    browser = open_browser(accounts["viewer"])
    page = browser.goto(path)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到正文")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    # The next Tab lands inside the content, with a ring at least 2 px wide.
    page.keyboard.press("Tab")
    focused = page.evaluate_handle("document.activeElement")
    assert focused.evaluate("el => !!el.closest('main')")
    assert focused.evaluate("el => parseFloat(getComputedStyle(el).outlineWidth)") >= 2
