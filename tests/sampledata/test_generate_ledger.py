"""manage.py generate_ledger: a synthetic ledger that scales with its arguments, is the same
for the same seed, obeys every rule of the models, and works with the rest of the product."""

import hashlib
import io
import json
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import F, Sum
from django.urls import reverse
from django.utils import translation

from aidledger.models import Batch, Body, Member, MemberRole, Programme
from ledger.history import VERSION_FIELD, history_model
from pairings.models import Exchange, ExchangePairing, Mentorship, Pairing, Unit
from projects.models import (
    Disbursement,
    Funding,
    Indicator,
    InvestmentLead,
    Outlet,
    Project,
    Sale,
)
from sampledata import synthetic
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


# A tenth of the real volumes: every kind of row, quickly. The counts test uses the real ones.
SMALL = 0.1


def generate(programmes: int = 1, years: int = 1, seed: int = 1, size: float = SMALL) -> dict:
    return synthetic.generate(programmes=programmes, years=years, seed=seed, size=size)


def fingerprint() -> str:
    """A hash of every column of every generated table, rows in id order."""
    digest = hashlib.sha256()
    for model in synthetic.MODELS:
        names = [f.attname for f in model._meta.concrete_fields]
        for row in model.objects.order_by("pk").values_list(*names):
            digest.update(repr(row).encode())
    return digest.hexdigest()


def fingerprint_of_a_run(**arguments) -> str:
    """Generate, hash, and roll back: the next run starts from the same (empty) database."""
    with transaction.atomic():
        generate(**arguments)
        result = fingerprint()
        transaction.set_rollback(True)
    return result


def test_counts_scale_with_programmes_and_years():
    one = generate(programmes=1, years=1, size=1)
    assert one[Exchange] == synthetic.EXCHANGES_PER_YEAR
    assert one[Project] == synthetic.PROJECTS_PER_YEAR
    assert one[Pairing] == synthetic.PAIRINGS_PER_YEAR
    # Disbursements are drawn per funding line: about as many as exchanges.
    assert 3000 < one[Disbursement] < 5000
    assert all(count > 0 for count in one.values()), one

    two_programmes = generate(programmes=2, years=1, seed=2, size=1)
    two_years = generate(programmes=1, years=2, seed=3, size=1)
    for counts in (two_programmes, two_years):
        for model in (Exchange, Project, Pairing):
            assert counts[model] == 2 * one[model]
        assert 1.4 < counts[Disbursement] / one[Disbursement] < 2.6
        assert counts[ExchangePairing] > counts[Exchange]
    assert Programme.objects.count() == 4
    assert Exchange.objects.count() == 5 * synthetic.EXCHANGES_PER_YEAR


def test_same_seed_gives_the_same_ledger_and_another_seed_another():
    first = fingerprint_of_a_run(programmes=2, years=1, seed=7)
    again = fingerprint_of_a_run(programmes=2, years=1, seed=7)
    other = fingerprint_of_a_run(programmes=2, years=1, seed=8)
    assert first == again
    assert other != first


def test_no_history_rows_for_synthetic_records():
    generate()
    for model in synthetic.MODELS:
        assert model.objects.exists()
        assert not history_model(model).objects.exists(), model


def sample(model, size: int = 25) -> list:
    """Rows spread over the table: the first, the last and every n-th between."""
    pks = list(model.objects.order_by("pk").values_list("pk", flat=True))
    step = max(1, len(pks) // size)
    chosen = set(pks[::step]) | {pks[-1]}
    return list(model.objects.filter(pk__in=chosen))


def test_every_rule_of_the_models_holds():
    generate(programmes=1, years=3)
    for model in synthetic.MODELS:
        for record in sample(model):
            record.full_clean()  # fields, constraints and clean(), as a clerk's form would
    overdrawn = (
        Funding.objects.annotate(paid=Sum("disbursements__amount"))
        .filter(paid__gt=F("amount"))
        .count()
    )
    assert overdrawn == 0
    assert not Disbursement.objects.exclude(project=F("funding__project")).exists()
    assert not Pairing.objects.exclude(programme=F("responsible_body__batch__programme")).exists()
    assert not Pairing.objects.exclude(category=F("helper__kind")).exists()
    assert not Exchange.objects.filter(links__isnull=True).exists()
    mentors_elsewhere = Mentorship.objects.exclude(
        mentor__batch__programme=F("mentee_unit__programme")
    )
    assert not mentors_elsewhere.exists()
    assert not Batch.objects.exclude(leader__batch=F("pk")).exists()
    assert not MemberRole.objects.exclude(member__batch=F("body__batch")).exists()
    # Every batch has its "1+1+3".
    for batch in Batch.objects.all():
        kinds = Counter(batch.bodies.values_list("kind", flat=True))
        assert kinds == {"command_post": 1, "party_branch": 1, "working_group": 3}


def test_distributions_look_like_a_real_ledger():
    generate(programmes=1, years=2, size=0.5)
    months = Counter(day.month for day in Exchange.objects.values_list("date", flat=True))
    # Few exchanges around the Spring Festival and in August; mostly on weekdays.
    assert months[2] < months[11] / 2
    assert months[8] < months[9] / 2
    weekdays = sum(d.weekday() < 5 for d in Exchange.objects.values_list("date", flat=True))
    assert weekdays > 0.9 * Exchange.objects.count()
    # Many small payments, a few large: the median far below the mean.
    amounts = sorted(Disbursement.objects.values_list("amount", flat=True))
    median, mean = amounts[len(amounts) // 2], sum(amounts) / len(amounts)
    assert mean > median * 3 / 2
    # The investment funnel narrows at each stage.
    reached = [
        InvestmentLead.objects.filter(**{f"{stage}__isnull": False}).count()
        for stage in synthetic.FUNNEL_FIELDS
    ]
    assert reached == sorted(reached, reverse=True)
    assert reached[0] > 4 * reached[-1] > 0
    statuses = Counter(Project.objects.values_list("status", flat=True))
    assert statuses["completed"] > statuses["suspended"]
    assert statuses["in_progress"] > 0


def test_beside_the_demo_and_the_summary_counts_both():
    call_command("load_demo", stdout=io.StringIO())
    demo_exchanges, demo_projects = Exchange.objects.count(), Project.objects.count()
    counts = generate()
    assert Exchange.objects.count() == demo_exchanges + counts[Exchange]
    assert Programme.objects.filter(name="自贡市对口帮扶平昌县").exists()
    out = io.StringIO()
    call_command("ledger_summary", "--as-of", "2030-12-31", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["exchanges"]["total"] == Exchange.objects.count()
    assert summary["projects"]["total"] == demo_projects + counts[Project]


def test_a_second_run_adds_a_ledger_beside_the_first():
    generate(seed=1)
    generate(seed=1)  # same names drawn: they are made unique, ids continue
    assert Programme.objects.count() == 2
    assert len(set(Programme.objects.values_list("name", flat=True))) == 2
    assert Outlet.objects.count() == len(set(Outlet.objects.values_list("name", flat=True)))
    # New records after the run get the next ids (the sequences were reset).
    unit = Unit.objects.first()
    body = Body.objects.filter(kind="working_group").first()
    assert (
        Pairing.objects.create(
            helper=Unit.objects.filter(side="helper").first(),
            helped=unit if unit.side == "helped" else Unit.objects.filter(side="helped").last(),
            responsible_body=body,
            signed_on="2024-01-01",
            status="ended",
            ended_on="2024-02-01",
        ).pk
        == Pairing.objects.order_by("pk").last().pk
    )


LISTS = {
    "members": Member,
    "pairings": Pairing,
    "exchanges": Exchange,
    "mentorships": Mentorship,
    "projects": Project,
    "funding": Funding,
    "disbursements": Disbursement,
    "indicators": Indicator,
    "leads": InvestmentLead,
    "sales": Sale,
}


def test_list_pages_show_the_generated_ledger(client, viewer):
    generate(size=SMALL)
    client.force_login(viewer)
    for name, model in LISTS.items():
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        page = response.context["page"]
        assert page.paginator.count == model.objects.count(), name
        assert len(page.object_list) == min(page.paginator.per_page, model.objects.count())
        first = str(response.context["table"][0][0]) if response.context["table"] else ""
        assert first, name


def test_a_synthetic_record_can_be_changed_in_the_admin(client):
    """It has no history row yet: the lost-update check must accept its first change."""
    generate()
    exchange = Exchange.objects.order_by("pk").first()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = f"/admin/pairings/exchange/{exchange.pk}/change/"
    response = client.get(url)
    assert response.status_code == 200
    data = form_as_loaded(response)
    data["title"] = "修改后的活动名称"
    assert data[VERSION_FIELD]
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    exchange.refresh_from_db()
    assert exchange.title == "修改后的活动名称"
    assert history_model(Exchange).objects.filter(id=exchange.pk).count() == 1


def form_as_loaded(response) -> dict:
    """What the browser posts back from an admin change page nobody edited."""
    data = {}

    def add(form) -> None:
        for bound in form:
            value = bound.value()
            if value is None or value is False:
                continue
            data[bound.html_name] = value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--programmes", "0", "--years", "1"], "--programmes 至少为 1。"),
        (["--programmes", "1", "--years", "0"], "--years 至少为 1。"),
        (["--programmes", "1", "--years", "81"], "--years 最多为 80：台账的年份止于 2100 年。"),
    ],
)
def test_bad_arguments_are_refused_in_the_users_language(arguments, message):
    with translation.override("zh-hans"), pytest.raises(CommandError) as error:
        call_command("generate_ledger", *arguments, stdout=io.StringIO())
    assert str(error.value) == message
    assert not Programme.objects.exists()


def test_the_command_prints_rows_per_table():
    out = io.StringIO()
    with translation.override("en"):
        call_command("generate_ledger", "--programmes", "1", "--years", "1", stdout=out)
    text = out.getvalue()
    assert f"Exchanges: {synthetic.EXCHANGES_PER_YEAR:,}" in text
    assert f"Projects: {synthetic.PROJECTS_PER_YEAR:,}" in text
    assert "rows in" in text
    for model in (Member, Indicator, Sale):
        assert model.objects.exists()
