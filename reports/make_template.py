"""Write the briefing's Word template, templates/reports/briefing.docx.

The template is what a clerk restyles in Word (fonts, spacing, headings, the footer): the
placeholders (`{{ title }}`, `{%p for … %}`, `{%tr for … %}`) are docxtpl's and must stay as
they are; everything else may change. This script makes the first version and can make it
again (`python -m reports.make_template`); once a clerk has restyled the file, commit theirs
and stop running this.
"""

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "reports" / "briefing.docx"

BODY_FONT = "仿宋"  # the body text of a government document (仿宋_GB2312 where installed)
HEADING_FONT = "黑体"
TITLE_FONT = "宋体"
LATIN_FONT = "Times New Roman"
TABLE_TEXT = "Table Text"  # the cells' paragraphs: no first-line indent, single spacing


def _fonts(style, east_asian: str, size: float, *, bold: bool = False) -> None:
    style.font.name = LATIN_FONT
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.color.rgb = RGBColor(0, 0, 0)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asian)


def _table(document, headers: list[str], row: list[str], loop: str, widths: list[float]) -> None:
    """A table: its header row, then a row repeated for each item of `loop`."""
    table = document.add_table(rows=4, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for index, width in enumerate(widths):
        table.columns[index].width = Cm(width)  # the grid: what LibreOffice lays out by
    for table_row in table.rows:
        for index, width in enumerate(widths):
            table_row.cells[index].width = Cm(width)  # the cells: what Word lays out by
            table_row.cells[index].paragraphs[0].style = TABLE_TEXT
    for index, header in enumerate(headers):
        cell = table.rows[0].cells[index]
        cell.paragraphs[0].add_run(header).bold = True
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    table.rows[1].cells[0].paragraphs[0].add_run(f"{{%tr for row in {loop} %}}")
    for index, value in enumerate(row):
        paragraph = table.rows[2].cells[index].paragraphs[0]
        paragraph.add_run(value)
        if value.endswith(("planned }}", "disbursed }}", "rate }}", "target }}", "actual }}",
                           "completion }}")):  # fmt: skip
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    table.rows[3].cells[0].paragraphs[0].add_run("{%tr endfor %}")
    # The header row repeats on every page a long table runs over.
    header_props = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header_props.append(repeat)


def _page_number(paragraph) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def build() -> Document:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)

    styles = document.styles
    _fonts(styles["Normal"], BODY_FONT, 14)
    styles["Normal"].paragraph_format.first_line_indent = Pt(28)
    styles["Normal"].paragraph_format.line_spacing = Pt(26)
    _fonts(styles["Title"], TITLE_FONT, 20, bold=True)
    styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    styles["Title"].paragraph_format.first_line_indent = Pt(0)
    # python-docx's default Title has a blue bottom border: a government title has none.
    border = styles["Title"].element.pPr.find(qn("w:pBdr"))
    if border is not None:
        styles["Title"].element.pPr.remove(border)
    _fonts(styles["Subtitle"], BODY_FONT, 14)
    styles["Subtitle"].font.italic = False
    styles["Subtitle"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    styles["Subtitle"].paragraph_format.first_line_indent = Pt(0)
    _fonts(styles["Heading 1"], HEADING_FONT, 15, bold=True)
    styles["Heading 1"].paragraph_format.space_before = Pt(12)
    styles["Heading 1"].paragraph_format.space_after = Pt(6)
    _fonts(styles["Caption"], HEADING_FONT, 11)
    styles["Caption"].font.italic = False
    styles["Caption"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    styles["Caption"].paragraph_format.first_line_indent = Pt(0)
    styles["Caption"].paragraph_format.space_before = Pt(8)
    styles["Caption"].paragraph_format.space_after = Pt(4)
    table_text = styles.add_style(TABLE_TEXT, WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = styles["Normal"]
    _fonts(table_text, BODY_FONT, 10.5)
    table_text.paragraph_format.first_line_indent = Pt(0)
    table_text.paragraph_format.line_spacing = 1.0
    table_text.paragraph_format.space_before = Pt(2)
    table_text.paragraph_format.space_after = Pt(2)

    document.add_paragraph("{{ title }}", style="Title")
    document.add_paragraph("{{ subtitle }}", style="Subtitle")
    document.add_paragraph("{%p for line in headline %}")
    document.add_paragraph("{{ line }}")
    document.add_paragraph("{%p endfor %}")
    document.add_paragraph("{%p if not empty %}")
    for key in ("team", "pairings", "mentorships", "funds"):
        _section(document, key)
    document.add_paragraph("{{ captions.projects }}", style="Caption")
    _table(
        document,
        ["{{ columns.code }}", "{{ columns.project }}", "{{ columns.planned }}",
         "{{ columns.disbursed }}", "{{ columns.rate }}"],
        ["{{ row.code }}", "{{ row.name }}", "{{ row.planned }}", "{{ row.disbursed }}",
         "{{ row.rate }}"],
        "project_rows",
        [2.8, 6.6, 2.4, 2.4, 1.8],
    )  # fmt: skip
    document.add_paragraph("{{ captions.sources }}", style="Caption")
    _table(
        document,
        ["{{ columns.source }}", "{{ columns.planned }}", "{{ columns.disbursed }}",
         "{{ columns.rate }}"],
        ["{{ row.label }}", "{{ row.planned }}", "{{ row.disbursed }}", "{{ row.rate }}"],
        "source_rows",
        [5.6, 3.6, 3.6, 3.4],
    )  # fmt: skip
    _section(document, "indicators")
    document.add_paragraph("{%p if indicator_rows %}")
    document.add_paragraph("{{ captions.indicators }}", style="Caption")
    _table(
        document,
        ["{{ columns.code }}", "{{ columns.indicator }}", "{{ columns.target }}",
         "{{ columns.actual }}", "{{ columns.completion }}"],
        ["{{ row.project }}", "{{ row.name }}", "{{ row.target }}", "{{ row.actual }}",
         "{{ row.completion }}"],
        "indicator_rows",
        [2.8, 6.2, 2.6, 2.6, 1.8],
    )  # fmt: skip
    document.add_paragraph("{%p endif %}")
    for key in ("investment", "sales"):
        _section(document, key)
    document.add_paragraph("{%p if charts %}")
    document.add_paragraph("{{ headings.charts }}", style="Heading 1")
    document.add_paragraph("{%p for chart in charts %}")
    picture = document.add_paragraph("{{ chart.image }}")
    picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture.paragraph_format.first_line_indent = Pt(0)
    picture.paragraph_format.line_spacing = 1.0
    document.add_paragraph("{{ chart.caption }}", style="Caption")
    document.add_paragraph("{%p endfor %}")
    document.add_paragraph("{%p endif %}")
    document.add_paragraph("{%p endif %}")

    footer = section.footer.paragraphs[0]
    footer.text = "{{ footer }}  "
    footer.style = styles["Normal"]
    footer.paragraph_format.first_line_indent = Pt(0)
    footer.paragraph_format.line_spacing = 1.0
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for run in footer.runs:
        run.font.size = Pt(9)
    _page_number(footer)
    return document


def _section(document, key: str) -> None:
    document.add_paragraph(f"{{{{ headings.{key} }}}}", style="Heading 1")
    document.add_paragraph(f"{{%p for line in text.{key} %}}")
    document.add_paragraph("{{ line }}")
    document.add_paragraph("{%p endfor %}")


def main() -> None:
    TEMPLATE.parent.mkdir(parents=True, exist_ok=True)
    build().save(TEMPLATE)
    print(TEMPLATE)


if __name__ == "__main__":
    main()
