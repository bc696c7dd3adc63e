"""The demo pairings ledger reproduces the report's figures, and loading it twice changes
nothing."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db.models import Count, Q, Sum

from aidledger.models import BodyKind
from pairings.models import Exchange, Mentorship, Pairing, Unit
from tests.utils import totals

pytestmark = pytest.mark.django_db

REPORT_DAY = datetime.date(2024, 10, 9)
SECOND_BATCH_START = datetime.date(2023, 7, 1)


@pytest.fixture(scope="module")
def demo(demo_ledger, django_db_blocker):
    """The shared demo ledger (loaded once for the module), loaded a second time."""
    with django_db_blocker.unblock():
        call_command("load_demo", stdout=io.StringIO())


def active_on(day):
    return Pairing.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=day), signed_on__lte=day
    )


def test_demo_has_56_pairings_by_category_active_on_the_report_day(demo):
    assert Pairing.objects.count() == 56
    counts = dict(active_on(REPORT_DAY).values_list("category").annotate(n=Count("pk")))
    assert counts == {"department": 21, "township": 28, "school": 4, "hospital": 3}


def test_demo_pairings_are_the_second_batchs_and_signed_since_july_2023(demo):
    assert not Pairing.objects.filter(signed_on__lt=SECOND_BATCH_START).exists()
    groups = set(Pairing.objects.values_list("responsible_body__name", flat=True))
    assert groups == {"综合协调组", "产业扶持组", "社会事业组"}
    assert not Pairing.objects.exclude(responsible_body__kind=BodyKind.WORKING_GROUP).exists()
    assert set(Pairing.objects.values_list("responsible_body__batch__number", flat=True)) == {2}


def test_demo_names_the_reported_units(demo):
    assert Pairing.objects.filter(
        helper__name="自贡市牛佛中学", helped__name="巴中市平昌中学实验学校", category="school"
    ).exists()
    assert Pairing.objects.filter(helped__name="平昌县人民医院", category="hospital").exists()
    helped_towns = Unit.objects.filter(side="helped", kind="township").values_list(
        "name", flat=True
    )
    assert {"平昌县江口镇", "平昌县驷马镇", "平昌县岳家镇", "平昌县板庙镇", "平昌县邱家镇"} <= set(
        helped_towns
    )


def test_demo_sample_records_say_so(demo):
    assert not Pairing.objects.exclude(notes__contains="示例数据").exists()
    assert not Exchange.objects.exclude(notes__contains="示例数据").exists()
    assert not Mentorship.objects.exclude(notes__contains="示例数据").exists()


def test_demo_has_31_exchanges_in_the_second_batchs_time(demo):
    assert Exchange.objects.count() == 31
    assert not Exchange.objects.filter(date__lt=SECOND_BATCH_START).exists()
    assert not Exchange.objects.filter(date__gt=REPORT_DAY).exists()
    assert not Exchange.objects.filter(pairings__isnull=True).exists()


def test_demo_hospital_figures_read_as_the_summary_will(demo):
    hospital = Exchange.objects.filter(pairings__category="hospital").distinct()
    assert hospital.filter(kind="visit").count() == 22
    techniques = Exchange.objects.filter(pk__in=hospital.values("pk")).aggregate(
        total=Sum("new_techniques")
    )["total"]
    assert techniques == 3
    assert Exchange.objects.aggregate(total=Sum("new_techniques"))["total"] == 3


def test_demo_signing_ceremony_of_the_governance_agreement(demo):
    ceremony = Exchange.objects.get(kind="signing", title__contains="乡村治理工作结对帮带协议")
    assert ceremony.pairings.count() == 28
    assert set(ceremony.pairings.values_list("agreement", flat=True)) == {
        "乡村治理工作结对帮带协议"
    }


def test_demo_has_54_mentorships_by_all_30_members_of_the_second_batch(demo):
    assert Mentorship.objects.count() == 54
    per_mentor = Mentorship.objects.values("mentor").annotate(n=Count("pk"))
    assert len(per_mentor) == 30
    assert sorted(row["n"] for row in per_mentor) == [1] * 6 + [2] * 24
    assert set(Mentorship.objects.values_list("mentor__batch__number", flat=True)) == {2}
    assert not Mentorship.objects.exclude(mentee_unit__side="helped").exists()


def test_demo_records_pass_their_own_validation(demo):
    for model in (Pairing, Mentorship, Exchange):
        for record in model.objects.all():
            record.full_clean()


def test_pages_show_the_demo_counts(demo, client_logged_in):
    response = client_logged_in.get("/pairings/")
    assert response.context["page"].paginator.count == 56
    counts = {code: n for code, _label, n in response.context["categories"]}
    assert counts == {"department": 21, "township": 28, "school": 4, "hospital": 3}
    assert client_logged_in.get("/pairings/exchanges/").context["page"].paginator.count == 31
    response = client_logged_in.get("/pairings/mentorships/")
    assert response.context["page"].paginator.count == 54
    assert totals(response)["mentors"] == 30
