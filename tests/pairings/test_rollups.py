"""The exchanges' roll-up: kept by the database when exchanges, their pairing links or a
pairing's category change, and equal to a recount (`rebuild_rollups --check`)."""

import datetime

import pytest
from django.db import connection

from ledger.rollups import drift
from pairings.models import Exchange, ExchangeKind, ExchangePairing, ExchangeRollup, UnitKind
from projects.rollups import ROLLUPS
from tests.factories import ExchangeFactory, PairingFactory, UnitFactory

pytestmark = pytest.mark.django_db


def assert_no_drift() -> None:
    drifted = [item for item in drift(ROLLUPS) if item.count]
    assert not drifted, drifted


def counted(*, hospital: bool, month: str = "2024-03-01") -> int:
    rows = ExchangeRollup.objects.filter(
        month=datetime.date.fromisoformat(month), hospital=hospital
    )
    return sum(rows.values_list("exchanges", flat=True))


@pytest.fixture
def hospital_pairing():
    return PairingFactory(helper=UnitFactory(kind=UnitKind.HOSPITAL))


def test_an_exchange_counts_under_hospital_once_a_hospital_pairing_joins(hospital_pairing):
    exchange = ExchangeFactory(new_techniques=2)
    assert (counted(hospital=False), counted(hospital=True)) == (1, 0)
    exchange.pairings.add(hospital_pairing)
    assert (counted(hospital=False), counted(hospital=True)) == (0, 1)
    second = PairingFactory(helper=UnitFactory(kind=UnitKind.HOSPITAL))
    exchange.pairings.add(second)
    assert counted(hospital=True) == 1
    exchange.pairings.remove(hospital_pairing)
    assert counted(hospital=True) == 1
    exchange.pairings.remove(second)
    assert (counted(hospital=False), counted(hospital=True)) == (1, 0)
    assert_no_drift()


def test_changing_and_deleting_exchanges_moves_their_counts(hospital_pairing):
    exchange = ExchangeFactory(pairings=[hospital_pairing], new_techniques=1)
    exchange.date = datetime.date(2024, 4, 2)
    exchange.kind = ExchangeKind.TRAINING
    exchange.save()
    assert counted(hospital=True, month="2024-03-01") == 0
    assert counted(hospital=True, month="2024-04-01") == 1
    Exchange.objects.filter(pk=exchange.pk).update(new_techniques=5)
    assert_no_drift()
    exchange.delete()
    assert counted(hospital=True, month="2024-04-01") == 0
    assert_no_drift()


def test_a_link_moved_to_another_pairing_or_a_category_changed_is_recounted(hospital_pairing):
    exchange = ExchangeFactory()
    link = ExchangePairing.objects.get(exchange=exchange)
    ExchangePairing.objects.filter(pk=link.pk).update(pairing=hospital_pairing)
    assert counted(hospital=True) == 1
    assert_no_drift()
    school = UnitFactory(kind=UnitKind.SCHOOL)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE pairings_pairing SET category = %s WHERE id = %s",
            [school.kind, hospital_pairing.pk],
        )
    assert counted(hospital=True) == 0
    assert_no_drift()


def test_bulk_links_are_counted():
    hospitals = [PairingFactory(helper=UnitFactory(kind=UnitKind.HOSPITAL)) for _ in range(2)]
    exchanges = [ExchangeFactory() for _ in range(5)]
    ExchangePairing.objects.bulk_create(
        ExchangePairing(exchange=exchange, pairing=pairing)
        for exchange in exchanges[:3]
        for pairing in hospitals
    )
    assert counted(hospital=True) == 3
    ExchangePairing.objects.filter(pairing=hospitals[0]).delete()
    assert counted(hospital=True) == 3
    ExchangePairing.objects.filter(pairing=hospitals[1], exchange=exchanges[0]).delete()
    assert counted(hospital=True) == 2
    assert_no_drift()
