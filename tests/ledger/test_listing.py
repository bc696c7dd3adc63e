"""Column values as a list shows and exports them."""

from decimal import Decimal
from types import SimpleNamespace

from django.utils import translation

from ledger.listing import Column, display
from projects.models import Sector


def test_a_coded_column_shows_its_label_in_the_current_language():
    column = Column("project.sector", "sector", key="sector", choices=Sector)
    row = SimpleNamespace(project=SimpleNamespace(sector="agriculture"))
    with translation.override("zh-hans"):
        assert str(column.value_of(row)) == "农业"
    with translation.override("en"):
        assert str(column.value_of(row)) == "agriculture"


def test_a_coded_column_leaves_an_empty_value_empty():
    column = Column("project.sector", "sector", key="sector", choices=Sector)
    assert column.value_of(SimpleNamespace(project=None)) is None
    assert column.value_of(SimpleNamespace(project=SimpleNamespace(sector=""))) == ""


def test_a_rate_keeps_its_one_decimal_on_the_page():
    assert display(Decimal("75.0"), "percent") == "75.0"
    assert display(Decimal("100.0"), "percent") == "100.0"
    assert display(None, "percent") == "—"
