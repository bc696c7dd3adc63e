"""The Word briefing: the summary's figures in the report's words, its tables and charts,
checked by opening the file with python-docx."""

import datetime
import io
import logging
from decimal import Decimal

import docx
import pytest
from django.utils import translation

from ledger.numbers import wan_text
from reports import charts
from reports.briefing import TitleContext, build_docx, default_title
from summary.selectors import as_json, ledger_summary

pytestmark = pytest.mark.django_db

REPORT_DAY = datetime.date(2024, 10, 9)


@pytest.fixture
def demo(demo_ledger):
    """The shared demo ledger (tests/conftest.py), loaded once for the module."""


def briefing(figures: dict, **title) -> docx.document.Document:
    output = io.BytesIO()
    with translation.override("zh-hans"):
        context = TitleContext(
            title.get("title", default_title()),
            title.get("period", "截至2024年10月9日"),
            title.get("scope", [("批次", "全部")]),
        )
        build_docx(figures, title=context, output=output)
    output.seek(0)
    return docx.Document(output)


def text_of(document) -> str:
    return "\n".join(paragraph.text for paragraph in document.paragraphs)


def rows_of(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


@pytest.mark.parametrize(
    ("yuan", "written"),
    [
        ("27400000.00", "2740"),
        ("1800000.00", "180"),
        ("70600000.00", "7060"),
        ("10000000.00", "1000"),
        ("218700.00", "21.87"),
        ("12345.00", "1.23"),  # half up at the second decimal of 万元
        ("5.00", "0"),
        ("0.00", "0"),
    ],
)
def test_money_is_written_in_wan_as_the_team_writes_it(yuan, written):
    assert wan_text(Decimal(yuan)) == written


def test_the_briefing_carries_the_reports_figures(demo):
    document = briefing(as_json(ledger_summary(as_of=REPORT_DAY)))
    text = text_of(document)
    assert "对口帮扶工作简报" in text
    assert "建立结对关系56对" in text
    assert "21个市级部门、28个乡镇（街道）、4所学校、3所医院" in text
    assert "开展互动交流31次" in text
    assert "医院间互访22次，引进新技术新项目3项" in text
    assert "30名队员一对一结对帮带平昌干部人才54人" in text
    assert "优质肉牛全产业链1000万元" in text  # 10,000,000 yuan
    assert "教育180万元" in text  # 1,800,000 yuan of teaching equipment
    assert "能繁母牛和存栏肉牛：完成109800头" in text
    assert "对接拜访考察企业38家，邀请来平考察企业7家，市县领导拜访企业3家，达成签约意向3家" in text
    assert "注册资本7060万元" in text  # 70,600,000 yuan
    assert "," not in text.split("注册资本")[1][:8]  # no thousands separators


def test_the_tables_match_the_summary(demo):
    figures = as_json(ledger_summary(as_of=REPORT_DAY))
    document = briefing(figures)
    projects, sources, indicators = document.tables
    project_rows = rows_of(projects)[1:]
    assert [row[0] for row in project_rows] == list(figures["funds"]["by_project"])
    for row in project_rows:
        line = figures["funds"]["by_project"][row[0]]
        assert row[1:4] == [line["name"], wan_text(line["planned"]), wan_text(line["disbursed"])]
    assert rows_of(sources)[-1][:3] == [
        "合计",
        wan_text(figures["funds"]["planned"]),
        wan_text(figures["funds"]["disbursed"]),
    ]
    assert len(rows_of(indicators)) - 1 == len(figures["indicators"])
    assert ["109800 头", "109800 头"] in [row[2:4] for row in rows_of(indicators)]


def test_the_charts_are_pictures_in_the_document(demo):
    document = briefing(as_json(ledger_summary(as_of=REPORT_DAY)))
    # pairings by kind, exchanges by kind, funds by sector, the investment funnel
    assert len(document.inline_shapes) == 4
    assert "图表" in text_of(document)


def test_the_footer_names_the_filters_and_the_time(demo):
    document = briefing(as_json(ledger_summary(as_of=REPORT_DAY)), scope=[("批次", "第二批")])
    footer = document.sections[0].footer.paragraphs[0].text
    assert "批次：第二批" in footer
    assert "由帮扶工作台账于" in footer


def test_a_period_with_no_records_gives_a_short_report_not_an_error(db):
    document = briefing(as_json(ledger_summary(as_of=REPORT_DAY)), period="2019年第1季度")
    text = text_of(document)
    assert "本期无可报告事项" in text
    assert "一、队伍建设" not in text
    assert not document.tables
    assert not document.inline_shapes


def test_without_a_cjk_font_the_charts_are_drawn_with_a_warning(demo, monkeypatch, caplog):
    monkeypatch.setattr(charts, "CJK_FAMILIES", ("No Such Font",))
    charts.cjk_font.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="reports.charts"):
            document = briefing(as_json(ledger_summary(as_of=REPORT_DAY)))
    finally:
        charts.cjk_font.cache_clear()
    assert len(document.inline_shapes) == 4
    assert "fonts-noto-cjk" in caplog.text


def test_the_english_briefing_says_the_same_in_english(demo):
    output = io.BytesIO()
    with translation.override("en"):
        build_docx(
            as_json(ledger_summary(as_of=REPORT_DAY)),
            title=TitleContext(default_title(), "as of 2024-10-09"),
            output=output,
        )
    output.seek(0)
    text = text_of(docx.Document(output))
    assert "56 pairings in all" in text
    assert "7060 × 10,000 yuan of registered capital" in text


# A reporting period's briefing (issue 16): its figures as reported once it is approved ----------


def period_briefing(client, user, **params) -> str:
    client.force_login(user)
    response = client.get("/reports/briefing.docx", params, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(b"".join(response.streaming_content)))
    footer = "\n".join(
        paragraph.text for section in document.sections for paragraph in section.footer.paragraphs
    )
    return text_of(document) + "\n" + footer


def test_an_approved_periods_briefing_carries_its_figures_as_reported(demo, client, viewer):
    """The demo approved 2024-09 and kept its summary. What was reported then, not the ledger
    now, is what the period's briefing says; reopened for correction, it reads the ledger."""
    from periods.models import Period, Status

    period = Period.objects.get(kind="month", first_day=datetime.date(2024, 9, 1))
    assert period.status == Status.APPROVED
    snapshot = period.snapshots.latest("approved_at")
    live = snapshot.summary["pairings"]["total"]
    snapshot.summary["pairings"]["total"] = live + 1000  # as if the province had been told so
    snapshot.save()

    text = period_briefing(client, viewer, period="2024-09")
    assert f"建立结对关系{live + 1000}对" in text
    assert "按报送数据" in text  # the footer says the figures are those reported

    # A batch or a working group was never reported on its own: the ledger's figures.
    batch = period.programme.batches.order_by("number").last()
    scoped = period_briefing(client, viewer, period="2024-09", batch=batch.pk)
    assert f"建立结对关系{live + 1000}对" not in scoped

    Period.objects.filter(pk=period.pk).update(status=Status.REOPENED)
    reopened = period_briefing(client, viewer, period="2024-09")
    assert f"建立结对关系{live + 1000}对" not in reopened
    assert f"建立结对关系{live}对" in reopened
