"""The demo money ledger reproduces the report's figures, and loading it twice changes nothing."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from pairings.models import Pairing, Unit, UnitSide
from projects.models import Disbursement, Funding, InvestmentLead, Project, Sale
from tests.utils import totals

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(demo_ledger, django_db_blocker):
    """The shared demo ledger, loaded a second time for the module: that changes nothing."""
    with django_db_blocker.unblock():
        counts = {
            m: m.objects.count() for m in (Project, Funding, Disbursement, InvestmentLead, Sale)
        }
        call_command("load_demo", stdout=None)
        assert {m: m.objects.count() for m in counts} == counts
    return counts


def test_agriculture_shows_four_projects_with_their_sums(client_logged_in, demo):
    response = client_logged_in.get("/projects/", {"sector": "agriculture"})
    names = {obj.name for obj, _cells in response.context["table"]}
    assert len(names) == 4
    assert {"优质肉牛全产业链", "金宝山茶旅融合产业园", "有机蓝莓种植", "订单蔬菜种植"} == names
    figures = totals(response)
    assert figures["planned"] == Decimal("15000000.00")
    assert figures["disbursed"] == sum(
        (d.amount for d in Disbursement.objects.filter(project__sector="agriculture")),
        start=Decimal("0.00"),
    )
    assert figures["remaining"] == figures["planned"] - figures["disbursed"]


def test_report_figures(demo):
    def planned(**lookups) -> Decimal:
        return sum((f.amount for f in Funding.objects.filter(**lookups)), start=Decimal("0.00"))

    assert planned(project__name="优质肉牛全产业链") == Decimal("10000000.00")
    assert planned(project__name="教学设施改善提升工程") == Decimal("1800000.00")
    assert planned(source="financing") == Decimal("3000000.00")
    assert planned(source="enterprise") == Decimal("6000000.00")
    cattle = Project.objects.get(name="优质肉牛全产业链")
    indicator = cattle.indicators.get()
    assert (indicator.target, indicator.actual, indicator.unit) == (
        Decimal("109800"),
        Decimal("109800"),
        "头",
    )
    assert {"自贡-平昌结对共建产业园", "肉牛深加工"} <= set(
        Project.objects.filter(sector="industry").values_list("name", flat=True)
    )
    for disbursement in Disbursement.objects.all():
        assert "2023-07-01" <= disbursement.paid_on.isoformat() <= "2024-10-09"
        assert "示例数据" in disbursement.notes


def test_leads_show_the_funnel_and_registered_capital(client_logged_in, demo):
    figures = totals(client_logged_in.get("/projects/leads/"))
    assert [
        figures[key] for key in ("visited_on", "invited_on", "leader_visit_on", "intent_on")
    ] == [
        38,
        7,
        3,
        3,
    ]
    assert figures["registered_capital"] == Decimal("70600000.00")
    registered = client_logged_in.get("/projects/leads/", {"stage": "registered_on"})
    assert {obj.company for obj, _cells in registered.context["table"]} == {
        "自贡市胜峰茶叶有限公司",
        "大西洋",
    }


def test_sales_at_the_two_outlets(client_logged_in, demo):
    response = client_logged_in.get("/projects/sales/", {"per_page": 200})
    outlets = {obj.outlet.name for obj, _cells in response.context["table"]}
    assert outlets == {"自贡高投供销社南悦里店", "百佳超市汇东店"}
    assert totals(response)["amount"] == sum(
        (s.amount for s in Sale.objects.all()), start=Decimal("0.00")
    )


def test_projects_and_pairings_share_one_unit_per_township(demo):
    beef = Project.objects.select_related("township").get(name="优质肉牛全产业链")
    assert beef.township.name == "平昌县江口镇"
    assert Pairing.objects.filter(helped=beef.township).exists()
    helped = list(Unit.objects.filter(side=UnitSide.HELPED).values_list("name", flat=True))
    shadowed = [name for name in helped if any(o != name and o.endswith(name) for o in helped)]
    assert shadowed == []
