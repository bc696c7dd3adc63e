"""Factories for the test-only example ledger (tests/example_ledger)."""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from tests.example_ledger.models import Training
from tests.factories.team import BodyFactory

__all__ = ["TrainingFactory"]


class TrainingFactory(DjangoModelFactory):
    class Meta:
        model = Training

    title = factory.Sequence(lambda n: f"乡村干部培训{n:03d}")
    held_on = datetime.date(2024, 6, 12)
    body = factory.SubFactory(BodyFactory)
    cost = Decimal("12500.50")
