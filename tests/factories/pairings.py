"""Factories for the pairings ledger."""

import factory
from factory.django import DjangoModelFactory

from pairings.models import Unit
from tests.factories.team import ProgrammeFactory

__all__ = ["UnitFactory"]


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = Unit

    programme = factory.SubFactory(ProgrammeFactory)
    side = Unit.Side.HELPER
    kind = Unit.Kind.DEPARTMENT
    name = factory.Sequence(lambda n: f"单位{n:04d}")
