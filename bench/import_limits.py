"""Two small XLSX files that once ran an import worker to its timeout and 1.44 GB, and the peak
memory of reading each now (`ledger.imports.files.read_table`, in a process of its own).

    .venv/bin/python bench/import_limits.py [--rows 20000 --columns 600 --strings 10800000]
        [--limits on|beyond-unpacked|off]

- wide: 20,000 rows x 600 numeric cells (about 100 KB zipped);
- strings: a sheet of one cell and a sharedStrings.xml of 10.8M tiny strings (about 480 KB).

Each file is read in a child process; its peak RSS is `getrusage(RUSAGE_CHILDREN).ru_maxrss`,
with the time taken and the outcome (rows read, or the refusal). `--limits off` raises the
import's limits (IMPORT_XLSX_*, IMPORT_MAX_COLUMNS, IMPORT_MAX_CELLS) out of the way, to see
what reading the file whole would cost; `--limits beyond-unpacked` raises only the unpacked
size, to see the shared-string and column limits refuse on their own. No database is used.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""  # noqa: E501
ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PACKAGE_RELS}">
<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="{MAIN}" xmlns:r="{RELS}">
<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets>
</workbook>"""
WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PACKAGE_RELS}">
<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>"""


def column_letter(index: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def workbook(
    sheet_rows: Iterable[str] | None, *, dimension: str, strings: tuple[int, int]
) -> bytes:
    """An XLSX written part by part: `sheet_rows` (the <row> elements, as text, written one
    at a time so a large sheet is never one string), `strings` = (the count the table
    declares, the number of <si> it holds)."""
    declared, held = strings
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w") as part:
            part.write(
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f'<worksheet xmlns="{MAIN}"><dimension ref="{dimension}"/><sheetData>'.encode()
            )
            for row in sheet_rows or ['<row r="1"><c r="A1" t="s"><v>0</v></c></row>']:
                part.write(row.encode())
            part.write(b"</sheetData></worksheet>")
        with archive.open("xl/sharedStrings.xml", "w") as part:
            part.write(
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f'<sst xmlns="{MAIN}" count="{declared}" uniqueCount="{declared}">'.encode()
            )
            chunk = b"<si><t>a</t></si>" * 10_000
            for _ in range(held // 10_000):
                part.write(chunk)
            part.write(b"<si><t>a</t></si>" * (held % 10_000))
            part.write(b"</sst>")
    return buffer.getvalue()


def wide(rows: int, columns: int, *, dimension: bool = True) -> bytes:
    """`rows` rows of `columns` numeric cells; with `dimension` False the sheet claims A1:A1.
    Rows and cells without their optional `r` attribute: every row the same bytes, which
    deflate packs a thousandfold."""
    row = "<row>" + "<c><v>1</v></c>" * columns + "</row>"
    ref = f"A1:{column_letter(columns)}{rows}" if dimension else "A1:A1"
    return workbook((row for _ in range(rows)), dimension=ref, strings=(1, 1))


def many_strings(count: int, *, declared: int | None = None) -> bytes:
    """A one-cell sheet and a shared-string table of `count` strings (declaring `declared`)."""
    return workbook(
        None, dimension="A1:A1", strings=(count if declared is None else declared, count)
    )


def child(path: str, limits: str) -> None:
    """Read the file as the import does and print what came of it (in the child process)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    from ledger.imports.errors import FileError
    from ledger.imports.files import read_table

    if limits == "beyond-unpacked":
        # The unpacked size out of the way: what the other limits do on their own.
        settings.IMPORT_XLSX_MAX_UNPACKED_BYTES = 10**12
    elif limits == "off":
        settings.IMPORT_MAX_BYTES = 10**9
        settings.IMPORT_MAX_ROWS = 10**9
        for name in dir(settings):
            if name.startswith(("IMPORT_XLSX_", "IMPORT_MAX_COLUMNS", "IMPORT_MAX_CELLS")):
                setattr(settings, name, 10**12)
    data = Path(path).read_bytes()
    started = time.perf_counter()
    try:
        table = read_table(data)
    except FileError as exc:
        outcome = f"refused: {exc}"
    else:
        outcome = f"read {len(table.rows)} rows"
    print(f"read_table {time.perf_counter() - started:.2f} s; {outcome}")


def measure(name: str, data: bytes, limits: str) -> None:
    with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as file:
        file.write(data)
    try:
        started = time.perf_counter()
        completed = subprocess.run(
            [sys.executable, __file__, "--child", file.name, "--limits", limits],
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    finally:
        os.unlink(file.name)
    outcome = (completed.stdout.strip() or completed.stderr.strip().splitlines()[-1])[:160]
    # This process has one child, the reader. Linux reports kilobytes.
    print(
        f"{name}: {len(data) / 1000:.0f} KB zipped, peak RSS {peak / 1024:.0f} MB, "
        f"{seconds:.1f} s in all; {outcome}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--columns", type=int, default=600)
    parser.add_argument("--strings", type=int, default=10_800_000)
    parser.add_argument("--limits", choices=["on", "beyond-unpacked", "off"], default="on")
    parser.add_argument("--measure", choices=["wide", "strings"], help=argparse.SUPPRESS)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    options = parser.parse_args()
    limits = options.limits
    if options.child:
        child(options.child, limits)
    elif options.measure == "wide":
        measure(
            f"wide {options.rows}x{options.columns}", wide(options.rows, options.columns), limits
        )
    elif options.measure == "strings":
        measure(f"strings {options.strings:,}", many_strings(options.strings), limits)
    else:
        # Each file from a process of its own: RUSAGE_CHILDREN is the largest child's so far.
        print(f"limits {options.limits}")
        for kind in ("wide", "strings"):
            subprocess.run([sys.executable, __file__, *sys.argv[1:], "--measure", kind], check=True)


if __name__ == "__main__":
    main()
