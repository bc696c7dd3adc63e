"""CSV exports written by PostgreSQL (COPY) are byte for byte those written by Python.

The same export is fetched twice, once with EXPORT_CSV_COPY on (COPY on PostgreSQL) and once
off (the csv module), over rows holding every value that quoting or neutralisation could get
wrong, in both languages, with filters and sorts applied.
"""

import datetime
from decimal import Decimal
from unittest import mock

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Value
from django.test import override_settings

from aidledger.models import Batch
from ledger.copy_export import CopyStream, copy_select, money_text
from ledger.exports import BOM
from ledger.fields import fen_to_yuan
from pairings.models import PairingStatus, UnitKind, UnitSide
from projects.models import FundingSource, Product, Sale
from projects.views import DisbursementListView
from tests.factories import (
    BodyFactory,
    DisbursementFactory,
    ExchangeFactory,
    FundingFactory,
    MemberFactory,
    MentorshipFactory,
    OutletFactory,
    PairingFactory,
    ProjectFactory,
    SaleFactory,
    UnitFactory,
)

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="COPY is PostgreSQL's; SQLite has the Python path"
)

# Texts a spreadsheet would run, or that CSV must quote, or that differ between the writers.
TRICKY = [
    '=HYPERLINK("http://x","点")',
    "+1",
    "-5",
    "@x",
    "\t以制表符开头",
    "逗号,在中间",
    '引号"在中间"',
    "回车\r在中间",
    "换行\n在中间",
    "回车换行\r\n在中间",
    "\r开头是回车",
    "\n开头是换行",
    "结尾是换行\n",
    "",
    " 前后有空格 ",
    "\\.",
    "'已有撇号",
    # Formulas behind leading blanks or in full-width signs (OWASP CSV injection).
    "  =1+1",
    '\u3000=HYPERLINK("http://x","点")',
    "\u00a0+1",
    "＝1+1",
    "＋1",
    "－1",
    "＠SUM(A1)",
    " \u3000 ＝1",
    "\u3000普通",
    "普通的中文文本",
    "x",
]
# Whole fen the money text must write as str() of the Decimal yuan.
FEN = [1, 5, 10, 99, 100, 12345, 100000, 99999999999999]


def text(index: int) -> str:
    return TRICKY[index % len(TRICKY)]


@pytest.fixture
def tricky_ledger(db):
    """Rows of the four lists that COPY writes, each field taking every tricky text in turn."""
    batch = Batch.objects.create(
        programme=MemberFactory().batch.programme,
        number=999,
        name="=第九批",
        start_date="2024-01-01",
    )
    bodies = [BodyFactory(batch=batch, name=name) for name in ("-工作组", "产业扶持组", "@组")]
    sources = list(FundingSource)
    for n in range(len(TRICKY) + 4):
        project = ProjectFactory(
            code=f"{text(n)}{n}", name=text(n + 1), responsible_body=bodies[n % 3]
        )
        funding = FundingFactory(
            project=project,
            source=sources[n % len(sources)],
            year=2020 + n % 5,
            amount=Decimal("999999999999.99"),
        )
        DisbursementFactory(
            funding=funding,
            paid_on=datetime.date(2024, 1 + n % 12, 1 + n % 28),
            amount=fen_to_yuan(FEN[n % len(FEN)]),
            payee=text(n + 2),
            voucher_number=text(n + 3),
            notes=text(n + 4),
        )
        mentor = MemberFactory(batch=batch, name=f"{text(n + 5)}{n}")
        MentorshipFactory(
            mentor=mentor,
            mentee_name=text(n + 6),
            mentee_unit=UnitFactory(
                programme=batch.programme, side=UnitSide.HELPED, name=f"{text(n + 7)}{n}"
            ),
            mentee_post=text(n + 8),
            start_date=datetime.date(2023, 1 + n % 12, 1),
            end_date=None if n % 2 else datetime.date(2025, 1 + n % 12, 1),
            goals=text(n + 9),
            outcome=text(n + 10),
            notes=text(n + 11),
        )
        kind = list(UnitKind)[n % len(UnitKind)]
        ended = n % 3 == 0
        pairing = PairingFactory(
            helper__programme=batch.programme,
            helper__kind=kind,
            helper__name=f"{text(n + 12)}帮{n}",
            helped__name=f"{text(n + 13)}受{n}",
            responsible_body=bodies[n % 3],
            agreement=text(n + 14),
            status=PairingStatus.ENDED if ended else PairingStatus.ACTIVE,
            ended_on=datetime.date(2025, 6, 30) if ended else None,
            notes=text(n + 15),
        )
        for _ in range(n % 3):
            ExchangeFactory(lead_body=bodies[0], pairings=[pairing])
        SaleFactory(
            outlet=OutletFactory(name=f"{text(n + 16)}{n}", operator=text(n + 17)),
            product=list(Product)[n % len(Product)],
            period=datetime.date(2024, 1 + n % 12, 1),
            quantity=None if n % 4 == 0 else n * 7,
            quantity_unit=text(n + 18)[:10],
            amount=fen_to_yuan(FEN[n % len(FEN)]),
            notes=text(n),
        )
    return batch


# (list, query strings): the default sort, others up and down, and filters.
EXPORTS = [
    ("/projects/disbursements/", {}),
    ("/projects/disbursements/", {"sort": "payee"}),
    ("/projects/disbursements/", {"sort": "-amount", "source": "municipal"}),
    ("/projects/disbursements/", {"paid_from": "2024-03-01", "paid_to": "2024-09-30"}),
    ("/pairings/mentorships/", {}),
    ("/pairings/mentorships/", {"sort": "-end_date"}),
    ("/pairings/", {}),
    ("/pairings/", {"sort": "-exchanges"}),
    ("/pairings/", {"status": "ended"}),
    ("/projects/sales/", {}),
    ("/projects/sales/", {"sort": "quantity", "product": "tea"}),
]


def export(client, url: str, params: dict, *, copy: bool) -> bytes:
    with override_settings(EXPORT_CSV_COPY=copy):
        response = client.get(f"{url}export.csv", params)
        assert response.status_code == 200
        # The test client closes the response once its content is read.
        return b"".join(response.streaming_content)


class CopySpy:
    """Records the COPY statements psycopg runs (they bypass Django's query log)."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __enter__(self) -> "CopySpy":
        original = psycopg.ClientCursor.copy

        def copy(cursor, statement, params=None, **kwargs):
            self.statements.append(str(statement))
            return original(cursor, statement, params, **kwargs)

        self._patch = mock.patch.object(psycopg.ClientCursor, "copy", copy)
        self._patch.start()
        return self

    def __exit__(self, *exc) -> None:
        self._patch.stop()


@pytest.mark.postgres
@on_postgres
@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(("url", "params"), EXPORTS)
def test_copy_export_is_byte_identical_to_python_export(
    client_logged_in, tricky_ledger, url, params, language
):
    client_logged_in.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    python = export(client_logged_in, url, params, copy=False)
    with CopySpy() as spy:
        copied = export(client_logged_in, url, params, copy=True)
    assert len(spy.statements) == 1, "the export did not go through COPY"
    assert copied.startswith(BOM.encode())
    assert python.count(b"\r\n") > 3  # rows, not just the header
    assert copied == python


@pytest.mark.postgres
@on_postgres
def test_copy_export_writes_translated_labels_and_neutralised_text(client_logged_in, tricky_ledger):
    client_logged_in.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    content = export(client_logged_in, "/pairings/", {}, copy=True).decode("utf-8-sig")
    assert "municipal department" in content
    assert "'=第九批 · -工作组" not in content  # the pairings list names the group alone
    content = export(client_logged_in, "/projects/disbursements/", {}, copy=True)
    text = content.decode("utf-8-sig")
    assert "'=第九批 · -工作组" in text
    assert "'=HYPERLINK" in text
    assert ",=HYPERLINK" not in text
    assert "999999999999.99" in text
    assert "0.05" in text
    assert "0.01" in text


@pytest.mark.postgres
@on_postgres
def test_copy_export_neutralises_formulas_behind_blanks_and_in_full_width_signs(
    client_logged_in, tricky_ledger
):
    text = export(client_logged_in, "/projects/disbursements/", {}, copy=True).decode("utf-8-sig")
    for cell in ["'  =1+1", "'\u3000=HYPERLINK", "'\u00a0+1", "'＝1+1", "'＋1", "'－1", "'＠SUM"]:
        assert cell in text, cell
    assert "' \u3000 ＝1" in text
    assert "'\u3000普通" not in text  # blanks before ordinary text are left alone


@pytest.mark.postgres
@on_postgres
def test_lists_whose_columns_all_have_sql_use_copy_and_the_others_python(
    client_logged_in, tricky_ledger
):
    used = {}
    for url in [
        "/projects/disbursements/",
        "/pairings/mentorships/",
        "/pairings/",
        "/projects/sales/",
        "/projects/",
        "/projects/funding/",
        "/pairings/exchanges/",
        "/members/",
    ]:
        with CopySpy() as spy:
            export(client_logged_in, url, {}, copy=True)
        used[url] = bool(spy.statements)
    assert used == {
        "/projects/disbursements/": True,
        "/pairings/mentorships/": True,
        "/pairings/": True,
        "/projects/sales/": True,
        "/projects/": False,  # the execution rate is computed in Python
        "/projects/funding/": False,
        "/pairings/exchanges/": False,  # each row's list of pairings
        "/members/": False,  # each member's roles
    }


@pytest.mark.postgres
@on_postgres
@pytest.mark.django_db
def test_money_text_is_str_of_the_decimal_yuan():
    compiler = Sale.objects.all().query.get_compiler(connection=connection)
    with connection.cursor() as cursor:
        for fen in [0, *FEN, *(-fen for fen in FEN)]:
            sql, params = compiler.compile(money_text(Value(fen)))
            cursor.execute(f"SELECT {sql}", params)
            assert cursor.fetchone()[0] == str(fen_to_yuan(fen)), fen


@pytest.mark.postgres
@on_postgres
@pytest.mark.django_db(transaction=True)
def test_closing_a_copy_export_midway_ends_the_copy(tricky_ledger):
    """A client that goes away: the stream is closed after one row, the COPY ends and the
    connection serves the next query."""
    view = DisbursementListView()
    queryset = view.get_queryset().order_by(*view.ordering(view.default_sort))
    with mock.patch("ledger.copy_export.CHUNK_BYTES", 1):
        stream = CopyStream(*copy_select(queryset, view.columns), head=b"head\r\n")
        chunks = iter(stream)
        assert next(chunks).startswith(b"head\r\n")
        next(chunks)
        stream.close()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM projects_disbursement")
        assert cursor.fetchone() == (len(TRICKY) + 4,)


@pytest.mark.postgres
@on_postgres
def test_an_export_never_read_leaves_the_connection_free(client_logged_in, tricky_ledger):
    """The COPY starts only when the server reads the response: until then the middleware
    and anything else may still query."""
    response = client_logged_in.get("/projects/disbursements/export.csv")
    assert response.status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM projects_disbursement")
        assert cursor.fetchone() == (len(TRICKY) + 4,)


@pytest.mark.postgres
@on_postgres
def test_an_error_in_the_copy_statement_is_an_error_response(client, viewer, tricky_ledger):
    """The view checks the SELECT: a failing statement is a 500 page, not a cut-off file."""
    client.raise_request_exception = False
    client.force_login(viewer)
    broken = ("SELECT no_such_column, 1", ())
    with (
        override_settings(EXPORT_CSV_COPY=True),
        mock.patch("ledger.listing.copy_select", return_value=broken),
    ):
        response = client.get("/projects/disbursements/export.csv")
    assert response.status_code == 500
    assert not response.streaming


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite path")
def test_sqlite_writes_the_csv_in_python(client_logged_in):
    DisbursementFactory(payee="=1+1", notes="a,b")
    with CopySpy() as spy, override_settings(EXPORT_CSV_COPY=True):
        response = client_logged_in.get("/projects/disbursements/export.csv")
        content = b"".join(response.streaming_content)
    assert spy.statements == []
    assert b"'=1+1" in content
    assert b'"a,b"' in content
