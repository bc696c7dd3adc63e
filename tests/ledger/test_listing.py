"""Column values as a list shows and exports them."""

from decimal import Decimal
from types import SimpleNamespace

from django.urls import URLResolver, get_resolver
from django.utils import translation

from ledger.listing import Column, LedgerListView, display
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


def _list_views() -> list[type[LedgerListView]]:
    views = []

    def walk(patterns):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if "admin" not in str(entry.pattern):
                    walk(entry.url_patterns)
                continue
            view_class = getattr(entry.callback, "view_class", None)
            if view_class and issubclass(view_class, LedgerListView) and view_class not in views:
                views.append(view_class)

    walk(get_resolver().url_patterns)
    return views


def test_every_figure_column_of_every_list_can_be_sorted():
    """A reader looks for the largest or the smallest of a figure (执行率, 金额, 人数): every
    number, amount and rate column of every list has a sort."""
    unsortable = []
    for view in _list_views():
        queryset = view().get_queryset()
        for column in view.columns:
            kind = column.bind(queryset).kind
            if kind in ("number", "money", "percent") and not column.sort:
                unsortable.append(f"{view.__name__}.{column.key}")
    assert unsortable == []
