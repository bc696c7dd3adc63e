"""The pairings ledger's rules hold in the database and are explained by full_clean()."""

import datetime
from contextlib import contextmanager

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction

from aidledger.models import BodyKind
from ledger.constraints import END_NOT_BEFORE_START
from pairings import models
from pairings.models import (
    Exchange,
    ExchangeKind,
    ExchangePairing,
    Mentorship,
    Pairing,
    PairingStatus,
    Unit,
    UnitKind,
    UnitSide,
)
from pairings.services import record_exchange
from tests.aidledger.test_models import constraint_message
from tests.factories import (
    BatchFactory,
    BodyFactory,
    ExchangeFactory,
    MemberFactory,
    MentorshipFactory,
    PairingFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
HELPER, HELPED = UnitSide.HELPER, UnitSide.HELPED


@contextmanager
def refused_by_database():
    """Expect an IntegrityError inside a savepoint (PostgreSQL aborts the transaction)."""
    with pytest.raises(IntegrityError), transaction.atomic():
        yield


def messages_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


@pytest.fixture
def team():
    """A programme's batch with a working group, and a unit on each side."""
    body = BodyFactory(name="社会事业组")
    programme = body.batch.programme
    return {
        "body": body,
        "programme": programme,
        "zigong": UnitFactory(programme=programme, side=HELPER, kind=UnitKind.SCHOOL),
        "pingchang": UnitFactory(programme=programme, side=HELPED, kind=UnitKind.SCHOOL),
    }


def new_pairing(team, **fields) -> Pairing:
    values = {
        "helper": team["zigong"],
        "helped": team["pingchang"],
        "responsible_body": team["body"],
        "signed_on": D(2023, 9, 1),
    } | fields
    return Pairing(**values)


# Pairings: what they take from the helper unit ------------------------------------------------


def test_category_and_programme_come_from_the_helper_unit(team):
    pairing = new_pairing(team)
    pairing.category = UnitKind.HOSPITAL  # typed by mistake: ignored
    pairing.full_clean()
    pairing.save()
    pairing.refresh_from_db()
    assert pairing.category == UnitKind.SCHOOL
    assert pairing.programme == team["programme"]


def test_changing_the_helper_units_kind_changes_its_pairings_category(team):
    pairing = PairingFactory(helper=team["zigong"], helped=team["pingchang"])
    team["zigong"].kind = UnitKind.HOSPITAL
    team["zigong"].save()
    pairing.refresh_from_db()
    assert pairing.category == UnitKind.HOSPITAL


def test_a_unit_whose_pairings_cannot_follow_its_new_kind_keeps_its_old_kind(team, monkeypatch):
    pairing = PairingFactory(helper=team["zigong"], helped=team["pingchang"])

    def fail(pairing, *args, **kwargs):
        raise DatabaseError("the pairings could not be updated")

    monkeypatch.setattr(Pairing, "save", fail)
    team["zigong"].kind = UnitKind.HOSPITAL
    with pytest.raises(DatabaseError):
        team["zigong"].save()
    monkeypatch.undo()
    assert Unit.objects.get(pk=team["zigong"].pk).kind == UnitKind.SCHOOL
    assert Pairing.objects.get(pk=pairing.pk).category == UnitKind.SCHOOL


# Pairings: bad input --------------------------------------------------------------------------


def test_full_clean_refuses_two_helper_side_units_with_a_clear_message(team):
    other_zigong = UnitFactory(programme=team["programme"], side=HELPER)
    with pytest.raises(ValidationError) as excinfo:
        new_pairing(team, helped=other_zigong).full_clean()
    assert messages_of(excinfo)["helped"] == [
        models.wrong_side_message(role="helped", place="平昌县")
    ]


def test_full_clean_refuses_two_helped_side_units(team):
    other_pingchang = UnitFactory(programme=team["programme"], side=HELPED)
    with pytest.raises(ValidationError) as excinfo:
        new_pairing(team, helper=other_pingchang).full_clean()
    assert messages_of(excinfo)["helper"] == [
        models.wrong_side_message(role="helper", place="自贡市")
    ]


def test_full_clean_refuses_sides_the_wrong_way_round(team):
    with pytest.raises(ValidationError) as excinfo:
        new_pairing(team, helper=team["pingchang"], helped=team["zigong"]).full_clean()
    assert set(messages_of(excinfo)) == {"helper", "helped"}


def test_full_clean_refuses_a_unit_paired_with_itself(team):
    with pytest.raises(ValidationError) as excinfo:
        new_pairing(team, helped=team["zigong"]).full_clean()
    assert str(models.PAIRED_WITH_ITSELF) in messages_of(excinfo)["helped"]


def test_full_clean_refuses_units_of_two_programmes(team):
    stranger = UnitFactory(side=HELPED)
    with pytest.raises(ValidationError) as excinfo:
        new_pairing(team, helped=stranger).full_clean()
    assert messages_of(excinfo)["helped"] == [str(models.SAME_PROGRAMME)]


def test_full_clean_refuses_a_working_group_of_another_programme(team):
    with pytest.raises(ValidationError) as excinfo:
        new_pairing(team, responsible_body=BodyFactory()).full_clean()
    assert "responsible_body" in messages_of(excinfo)


def test_full_clean_refuses_a_duplicate_active_pairing_with_its_message(team):
    new_pairing(team).save()
    with pytest.raises(ValidationError) as excinfo:
        new_pairing(team, signed_on=D(2024, 1, 1)).full_clean()
    assert str(models.ONE_ACTIVE_PAIRING) in excinfo.value.messages


def test_an_ended_pairing_may_be_followed_by_a_new_active_one(team):
    new_pairing(team, status=PairingStatus.ENDED, ended_on=D(2023, 12, 31)).save()
    again = new_pairing(team, signed_on=D(2024, 1, 1))
    again.full_clean()
    again.save()
    assert Pairing.objects.count() == 2


def test_full_clean_asks_for_the_end_date_of_an_ended_pairing(team):
    with pytest.raises(ValidationError) as excinfo:
        new_pairing(team, status=PairingStatus.ENDED).full_clean()
    assert "ended_on" in messages_of(excinfo)


def test_full_clean_refuses_an_end_date_on_an_active_pairing(team):
    with pytest.raises(ValidationError) as excinfo:
        new_pairing(team, ended_on=D(2024, 1, 1)).full_clean()
    assert "ended_on" in messages_of(excinfo)


def test_full_clean_refuses_end_before_signing_with_the_shared_message(team):
    pairing = new_pairing(team, status=PairingStatus.ENDED, ended_on=D(2023, 8, 1))
    with pytest.raises(ValidationError) as excinfo:
        pairing.full_clean()
    assert str(END_NOT_BEFORE_START) in excinfo.value.messages


def test_database_refuses_a_duplicate_active_pairing(team):
    PairingFactory(helper=team["zigong"], helped=team["pingchang"])
    with refused_by_database():
        PairingFactory(helper=team["zigong"], helped=team["pingchang"])
    assert Pairing.objects.count() == 1


@pytest.mark.parametrize(
    ("status", "ended_on"),
    [("ended", None), ("active", D(2024, 1, 1)), ("ended", D(2023, 1, 1)), ("paused", None)],
)
def test_database_refuses_inconsistent_status_and_end_date(team, status, ended_on):
    with refused_by_database():
        PairingFactory(
            helper=team["zigong"], helped=team["pingchang"], status=status, ended_on=ended_on
        )


def test_database_refuses_same_side_pairings_that_skip_full_clean(team):
    other_zigong = UnitFactory(programme=team["programme"], side=HELPER)
    with refused_by_database():
        PairingFactory(helper=team["zigong"], helped=other_zigong)
    with refused_by_database():
        Pairing.objects.bulk_create(
            [
                Pairing(
                    programme=team["programme"],
                    helper=team["pingchang"],
                    helped=team["zigong"],
                    category=UnitKind.SCHOOL,
                    responsible_body=team["body"],
                    signed_on=D(2023, 9, 1),
                )
            ]
        )
    pairing = PairingFactory(helper=team["zigong"], helped=team["pingchang"])
    with refused_by_database():
        Pairing.objects.filter(pk=pairing.pk).update(helped=other_zigong)
    assert list(Pairing.objects.all()) == [pairing]


def test_database_refuses_a_unit_paired_with_itself(team):
    with refused_by_database():
        Pairing.objects.filter(
            pk=PairingFactory(helper=team["zigong"], helped=team["pingchang"]).pk
        ).update(helped=team["zigong"])


def test_a_paired_unit_keeps_its_side(team):
    PairingFactory(helper=team["zigong"], helped=team["pingchang"])
    unit = team["pingchang"]
    unit.side = HELPER
    with pytest.raises(ValidationError):
        unit.full_clean()
    with refused_by_database():
        Unit.objects.filter(pk=unit.pk).update(side=HELPER)
    unit.refresh_from_db()
    assert unit.side == HELPED


def test_an_unpaired_unit_may_change_side(team):
    unit = team["pingchang"]
    unit.side = HELPER
    unit.full_clean()
    unit.save()
    assert Unit.objects.get(pk=unit.pk).side == HELPER


def test_a_unit_name_is_refused_twice_on_one_side_with_a_clear_message(team):
    twin = Unit(
        programme=team["programme"],
        side=HELPED,
        kind=UnitKind.TOWNSHIP,
        name=team["pingchang"].name,
    )
    with pytest.raises(ValidationError) as excinfo:
        twin.full_clean()
    assert excinfo.value.messages == [constraint_message(Unit, "unit_name_unique_per_side")]
    with refused_by_database():
        twin.save()


def test_the_same_name_may_be_a_unit_on_each_side(team):
    namesake = Unit(
        programme=team["programme"], side=HELPER, kind=UnitKind.SCHOOL, name=team["pingchang"].name
    )
    namesake.full_clean()
    namesake.save()


def test_responsible_body_offers_working_groups_only():
    choices = Pairing._meta.get_field("responsible_body").get_limit_choices_to()
    assert choices == {"kind": BodyKind.WORKING_GROUP}


def test_units_with_pairings_cannot_be_deleted(team):
    PairingFactory(helper=team["zigong"], helped=team["pingchang"])
    with pytest.raises(IntegrityError):  # ProtectedError is an IntegrityError
        team["zigong"].delete()


# Exchanges ------------------------------------------------------------------------------------


def test_record_exchange_saves_the_exchange_and_its_pairings(team):
    pairing = PairingFactory(helper=team["zigong"], helped=team["pingchang"])
    exchange = record_exchange(
        pairings=[pairing],
        date=D(2024, 5, 22),
        title="交流研讨活动",
        kind=ExchangeKind.SEMINAR,
        lead_body=team["body"],
        participants=35,
    )
    assert list(exchange.pairings.all()) == [pairing]


def test_record_exchange_refuses_an_exchange_without_pairing_and_saves_nothing(team):
    with pytest.raises(ValidationError) as excinfo:
        record_exchange(
            pairings=[],
            date=D(2024, 5, 22),
            title="无结对的活动",
            kind=ExchangeKind.SEMINAR,
            lead_body=team["body"],
        )
    assert messages_of(excinfo)["pairings"] == [str(models.NO_PAIRING)]
    assert not Exchange.objects.exists()


def test_record_exchange_with_a_bad_field_saves_nothing(team):
    pairing = PairingFactory(helper=team["zigong"], helped=team["pingchang"])
    with pytest.raises(ValidationError) as excinfo:
        record_exchange(
            pairings=[pairing],
            date=D(2024, 5, 22),
            title="人数为负",
            kind=ExchangeKind.SEMINAR,
            lead_body=team["body"],
            participants=-3,
        )
    assert str(models.NEGATIVE_PARTICIPANTS) in messages_of(excinfo)["participants"]
    assert not Exchange.objects.exists()
    assert not ExchangePairing.objects.exists()


def test_database_refuses_negative_participants_and_techniques():
    exchange = ExchangeFactory()
    with refused_by_database():
        Exchange.objects.filter(pk=exchange.pk).update(participants=-1)
    with refused_by_database():
        Exchange.objects.filter(pk=exchange.pk).update(new_techniques=-1)
    with refused_by_database():
        Exchange.objects.filter(pk=exchange.pk).update(kind="party")


def test_database_refuses_linking_an_exchange_twice_to_one_pairing():
    exchange = ExchangeFactory()
    with refused_by_database():
        ExchangePairing.objects.create(exchange=exchange, pairing=exchange.pairings.get())


def test_pairings_with_exchanges_cannot_be_deleted():
    exchange = ExchangeFactory()
    with pytest.raises(IntegrityError):
        exchange.pairings.get().delete()


# Mentorships ----------------------------------------------------------------------------------


def test_full_clean_refuses_a_mentor_from_another_programme(team):
    outsider = MemberFactory()  # a batch of another programme
    mentorship = Mentorship(
        mentor=outsider,
        mentee_name="王晓东",
        mentee_unit=team["pingchang"],
        start_date=D(2023, 9, 1),
    )
    with pytest.raises(ValidationError) as excinfo:
        mentorship.full_clean()
    [message] = messages_of(excinfo)["mentor"]
    assert outsider.name in message
    assert team["programme"].name in message


def test_full_clean_accepts_a_mentor_of_any_batch_of_the_programme(team):
    member = MemberFactory(batch=BatchFactory(programme=team["programme"]))
    Mentorship(
        mentor=member, mentee_name="王晓东", mentee_unit=team["pingchang"], start_date=D(2023, 9, 1)
    ).full_clean()


def test_full_clean_refuses_a_mentee_unit_on_the_helper_side(team):
    member = MemberFactory(batch=team["body"].batch)
    mentorship = Mentorship(
        mentor=member, mentee_name="王晓东", mentee_unit=team["zigong"], start_date=D(2023, 9, 1)
    )
    with pytest.raises(ValidationError) as excinfo:
        mentorship.full_clean()
    assert "mentee_unit" in messages_of(excinfo)


def test_database_refuses_a_mentee_unit_on_the_helper_side(team):
    member = MemberFactory(batch=team["body"].batch)
    with refused_by_database():
        Mentorship.objects.create(
            mentor=member,
            mentee_name="王晓东",
            mentee_unit=team["zigong"],
            start_date=D(2023, 9, 1),
        )


def test_mentorship_end_before_start_is_refused_with_the_shared_message():
    mentorship = MentorshipFactory.build(
        mentor=MemberFactory(), start_date=D(2024, 1, 1), end_date=D(2023, 12, 31)
    )
    mentorship.mentee_unit = UnitFactory(side=HELPED, programme=mentorship.mentor.batch.programme)
    with pytest.raises(ValidationError) as excinfo:
        mentorship.full_clean()
    assert str(END_NOT_BEFORE_START) in excinfo.value.messages
    with refused_by_database():
        mentorship.save()


def test_database_refuses_the_same_mentee_twice_for_one_mentor():
    mentorship = MentorshipFactory()
    with refused_by_database():
        MentorshipFactory(
            mentor=mentorship.mentor,
            mentee_unit=mentorship.mentee_unit,
            mentee_name=mentorship.mentee_name,
        )


def test_unit_factory_keeps_its_defaults_for_the_projects_ledger():
    unit = UnitFactory()
    assert (unit.side, unit.kind) == (HELPER, UnitKind.DEPARTMENT)
