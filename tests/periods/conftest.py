import pytest

from tests.factories import approved_period


@pytest.fixture
def programme(group_a):
    return group_a.batch.programme


@pytest.fixture
def september(programme, ledger_admin):
    """2024-09 approved by the ledger admin: its records are locked."""
    return approved_period("2024-09", programme=programme, user=ledger_admin)
