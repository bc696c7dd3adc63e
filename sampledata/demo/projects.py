"""The demo money ledger, as the news report of 2024-10-09 tells it (../shared/seed/).

From the report: 4 agricultural projects (优质肉牛全产业链 with 10,000,000 yuan of assistance
funds, 金宝山茶旅融合产业园 …), breeding and stock cattle 109,800 head; the co-built industrial
park and beef deep processing; 1,800,000 yuan of teaching equipment for 6 schools; 3,000,000
yuan of financing for cooperatives (organic blueberries, contract vegetables); two tea firms'
6,000,000 yuan of bulk-tea lines; the investment funnel 38 visited / 7 invited / 3 leaders'
visits / 3 intents, 胜峰茶叶 and 大西洋 registered with 70,600,000 yuan of registered capital;
the "平昌产、平昌造" counters at 自贡高投供销社南悦里店 and 百佳超市汇东店.
Everything else (codes, splits, dates, payees, company names, sales figures) is sample data
that adds up to the report's totals, said so in each record's notes.

Loading is idempotent: records are found by their natural keys and updated in place.
"""

import datetime
from decimal import Decimal

from aidledger.models import Batch, Body, Member, Programme
from pairings.models import Unit, UnitKind, UnitSide
from projects.models import (
    Disbursement,
    Funding,
    FundingSource,
    Indicator,
    Industry,
    InvestmentLead,
    Outlet,
    Product,
    Project,
    ProjectStatus,
    Sale,
    Sector,
    Segment,
)
from projects.services import record_disbursement

D = datetime.date
Y = Decimal
SAMPLE = "示例数据：报道未载具体拆分、日期与文号。"
PROGRAMME = "自贡市对口帮扶平昌县"
GENERAL, INDUSTRY, SOCIAL = "综合协调组", "产业扶持组", "社会事业组"
# Short names here; the units are named as the pairings demo names Pingchang's townships
# ("平昌县江口镇"), so a project and a pairing in the same town point at the same unit.
TOWNSHIPS = ["板庙镇", "邱家镇", "江口镇", "金宝街道"]
COUNTY = "平昌县"

S = FundingSource
SECTOR = Sector
STATUS = ProjectStatus

# code, name, sector, body, township, status, start, end, implementing unit, description,
# beneficiaries, notes, [(source, year, amount, document, approved on, notes)]
PROJECTS = [
    (
        "NY-2023-01",
        "优质肉牛全产业链",
        SECTOR.AGRICULTURE,
        INDUSTRY,
        "江口镇",
        STATUS.IN_PROGRESS,
        D(2023, 8, 1),
        D(2025, 12, 31),
        "平昌县农业农村局",
        "海福特肉牛良种繁育、标准化养殖、饲草种植到屠宰加工的全产业链。",
        "养殖合作社、脱贫户",
        "据报道投入帮扶资金一千万元，海福特能繁母牛、存栏肉牛达到10.98万头；"
        "资金按来源、年度的拆分与拨付为示例数据。",
        [
            (S.MUNICIPAL, 2023, Y("6000000.00"), "自财农〔2023〕示例1号", D(2023, 8, 20), SAMPLE),
            (S.DISTRICT, 2024, Y("4000000.00"), "自财农〔2024〕示例2号", D(2024, 3, 15), SAMPLE),
        ],
    ),
    (
        "NY-2023-02",
        "金宝山茶旅融合产业园",
        SECTOR.AGRICULTURE,
        INDUSTRY,
        "金宝街道",
        STATUS.IN_PROGRESS,
        D(2023, 9, 1),
        D(2025, 6, 30),
        "平昌县茶业局",
        "茶园提质、茶旅融合步道与加工车间建设。",
        "茶农、茶企",
        "项目名称据报道；乡镇、金额与拨付为示例数据。",
        [(S.MUNICIPAL, 2023, Y("2000000.00"), "自财农〔2023〕示例3号", D(2023, 9, 10), SAMPLE)],
    ),
    (
        "NY-2023-03",
        "有机蓝莓种植",
        SECTOR.AGRICULTURE,
        INDUSTRY,
        "板庙镇",
        STATUS.IN_PROGRESS,
        D(2023, 10, 1),
        None,
        "板庙镇蓝莓种植专业合作社（示例）",
        "协助农业专业合作社融资，发展有机蓝莓种植。",
        "合作社社员",
        "据报道协助合作社融资300万余元发展有机蓝莓和订单蔬菜种植；"
        "两项目间1,800,000与1,200,000元的拆分为示例数据。",
        [(S.FINANCING, 2023, Y("1800000.00"), "", D(2023, 11, 8), SAMPLE)],
    ),
    (
        "NY-2023-04",
        "订单蔬菜种植",
        SECTOR.AGRICULTURE,
        INDUSTRY,
        "邱家镇",
        STATUS.IN_PROGRESS,
        D(2023, 10, 1),
        None,
        "邱家镇蔬菜种植专业合作社（示例）",
        "协助农业专业合作社融资，发展订单蔬菜种植。",
        "合作社社员",
        "据报道协助合作社融资300万余元发展有机蓝莓和订单蔬菜种植；"
        "两项目间1,800,000与1,200,000元的拆分、乡镇为示例数据。",
        [(S.FINANCING, 2023, Y("1200000.00"), "", D(2023, 11, 8), SAMPLE)],
    ),
    (
        "GY-2023-01",
        "自贡-平昌结对共建产业园",
        SECTOR.INDUSTRY,
        INDUSTRY,
        "江口镇",
        STATUS.IN_PROGRESS,
        D(2023, 9, 1),
        None,
        "平昌县经济开发区管理委员会（示例）",
        "两地结对共建产业园，承接自贡优势产业转移。",
        "入园企业",
        "项目据报道“有序推进”；金额与拨付为示例数据。",
        [(S.MUNICIPAL, 2024, Y("3000000.00"), "自财工〔2024〕示例1号", D(2024, 4, 1), SAMPLE)],
    ),
    (
        "GY-2024-02",
        "肉牛深加工",
        SECTOR.INDUSTRY,
        INDUSTRY,
        "江口镇",
        STATUS.PLANNED,
        D(2024, 6, 1),
        None,
        "",
        "肉牛屠宰与精深加工生产线。",
        "",
        "项目据报道“有序推进”；金额为示例数据，尚未拨付。",
        [(S.DEPARTMENT, 2024, Y("1500000.00"), "", None, SAMPLE)],
    ),
    (
        "GY-2024-03",
        "大宗茶加工生产线",
        SECTOR.INDUSTRY,
        INDUSTRY,
        "邱家镇",
        STATUS.COMPLETED,
        D(2024, 1, 1),
        D(2024, 8, 31),
        "两家落户茶企",
        "两家茶企落户平昌，新建大宗茶加工生产线，实现当地大宗茶加工“零”的突破。",
        "茶农",
        "据报道两家茶企投资600余万元；两家之间3,500,000与2,500,000元的拆分为示例数据。",
        [
            (S.ENTERPRISE, 2024, Y("3500000.00"), "", None, "示例数据：第一家茶企投资额。"),
            (S.ENTERPRISE, 2024, Y("2500000.00"), "", None, "示例数据：第二家茶企投资额。"),
        ],
    ),
    (
        "JY-2023-01",
        "教学设施改善提升工程",
        SECTOR.EDUCATION,
        SOCIAL,
        None,
        STATUS.COMPLETED,
        D(2023, 9, 1),
        D(2024, 6, 30),
        "平昌县教育科技局",
        "为6所中小学校购置一体机等教学设备。",
        "6所中小学校师生",
        "据报道投入资金180万元为6所中小学校购置教学设备；每校300,000元的拆分为示例数据。",
        [(S.MUNICIPAL, 2023, Y("1800000.00"), "自教〔2023〕示例1号", D(2023, 9, 5), SAMPLE)],
    ),
    (
        "YL-2023-01",
        "医联体医疗技术帮带",
        SECTOR.HEALTH,
        SOCIAL,
        None,
        STATUS.IN_PROGRESS,
        D(2023, 7, 1),
        None,
        "平昌县人民医院",
        "两地医疗机构结对建立“医联体”，师带徒、导师制、建团队。",
        "平昌县医务人员与患者",
        "据报道引进新技术新项目3项；无资金安排。",
        [],
    ),
]

# code, paid on, funding index, amount, payee, voucher (all sample data)
DISBURSEMENTS = [
    ("NY-2023-01", D(2023, 9, 15), 0, Y("3000000.00"), "平昌县肉牛养殖专业合作社联合社"),
    ("NY-2023-01", D(2024, 1, 20), 0, Y("2500000.00"), "平昌县肉牛养殖专业合作社联合社"),
    ("NY-2023-01", D(2024, 6, 18), 1, Y("2000000.00"), "平昌县畜牧良种繁育场"),
    ("NY-2023-02", D(2023, 12, 5), 0, Y("800000.00"), "平昌县金宝茶业有限公司"),
    ("NY-2023-02", D(2024, 5, 10), 0, Y("650000.00"), "平昌县金宝茶业有限公司"),
    ("NY-2023-03", D(2023, 12, 1), 0, Y("1800000.00"), "板庙镇蓝莓种植专业合作社"),
    ("NY-2023-04", D(2023, 12, 1), 0, Y("1200000.00"), "邱家镇蔬菜种植专业合作社"),
    ("GY-2023-01", D(2024, 7, 1), 0, Y("1000000.00"), "平昌县经济开发区管理委员会"),
    ("GY-2024-03", D(2024, 3, 1), 0, Y("3500000.00"), "茶叶加工设备供应商（示例）"),
    ("GY-2024-03", D(2024, 4, 1), 1, Y("2500000.00"), "茶叶加工设备供应商（示例）"),
    *(
        ("JY-2023-01", D(2023, 11, 20), 0, Y("300000.00"), f"平昌县第{n}所受助学校（示例）")
        for n in range(1, 7)
    ),
    ("GY-2023-01", D(2024, 10, 9), 0, Y("500000.00"), "平昌县经济开发区管理委员会"),
]

# project code, name, unit, baseline, target, actual, as of, notes
INDICATORS = [
    (
        "NY-2023-01",
        "能繁母牛和存栏肉牛",
        "头",
        None,
        Y("109800"),
        Y("109800"),
        D(2024, 10, 9),
        "据报道海福特能繁母牛、存栏肉牛达到10.98万头。",
    ),
    ("JY-2023-01", "受助中小学校", "所", None, Y("6"), Y("6"), D(2024, 6, 30), "据报道。"),
    ("JY-2023-01", "教学设备投入", "万元", None, Y("180"), Y("180"), D(2024, 6, 30), "据报道。"),
    ("YL-2023-01", "引进新技术新项目", "项", None, Y("3"), Y("3"), D(2024, 10, 9), "据报道。"),
    ("GY-2024-03", "新建大宗茶加工生产线", "条", Y("0"), Y("2"), Y("2"), D(2024, 8, 31), SAMPLE),
]

SEGMENTS = [
    (Industry.ENERGY_CHEMICAL, ["天然气综合利用", "精细化工", "氢能", "新能源装备"]),
    (Industry.ADVANCED_MATERIALS, ["焊接材料", "新型建材", "高分子材料", "锂电新材料"]),
    (Industry.FOOD_BEVERAGE, ["白酒酿造", "茶叶精深加工", "肉制品加工", "特色农产品加工"]),
]
CITIES = ["深圳", "成都", "重庆", "西安"]
LEAD_SAMPLE = (
    "示例数据：报道只载漏斗数（拜访38、邀请7、领导考察3、签约意向3），未载企业名称与日期。"
)


def _leads() -> list[dict]:
    """38 visited; 7 of them invited; 3 of those visited by leaders; the same 3 stated an
    intent; 2 of those (胜峰茶叶, 大西洋) signed and registered branches in Pingchang."""
    registered = [
        {
            "company": "自贡市胜峰茶叶有限公司",
            "industry": Industry.FOOD_BEVERAGE,
            "segment": "茶叶精深加工",
            "registered_capital": Y("50000000.00"),
            "notes": "据报道在平昌注册分公司，与大西洋注册资金合计7060万元；"
            "50,000,000元与20,600,000元的拆分、日期、全称为示例数据。",
        },
        {
            "company": "大西洋",
            "industry": Industry.ADVANCED_MATERIALS,
            "segment": "焊接材料",
            "registered_capital": Y("20600000.00"),
            "notes": "据报道在平昌注册分公司，与胜峰茶叶注册资金合计7060万元；"
            "50,000,000元与20,600,000元的拆分、日期为示例数据。",
        },
    ]
    leads = []
    for index, spec in enumerate(registered):
        leads.append(
            spec
            | {
                "city": "自贡",
                "visited_on": D(2023, 9, 10 + index),
                "invited_on": D(2023, 10, 12 + index),
                "leader_visit_on": D(2023, 11, 2 + index),
                "intent_on": D(2023, 12, 1 + index),
                "signed_on": D(2024, 1, 15 + index),
                "registered_on": D(2024, 3, 1 + index),
            }
        )
    segments = [name for _industry, names in SEGMENTS for name in names]
    industries = {name: industry for industry, names in SEGMENTS for name in names}
    for number in range(1, 37):
        segment = segments[number % len(segments)]
        city = CITIES[number % len(CITIES)]
        lead = {
            "company": f"{city}示例企业{number:02d}（{segment}）",
            "industry": industries[segment],
            "segment": segment,
            "city": city,
            "registered_capital": None,
            "notes": LEAD_SAMPLE,
            "visited_on": D(2023, 8, 1) + datetime.timedelta(days=7 * number),
        }
        if number <= 5:  # 5 more invited: 7 in all
            lead["invited_on"] = lead["visited_on"] + datetime.timedelta(days=30)
        if number == 1:  # the third leaders' visit and intent
            lead["leader_visit_on"] = lead["invited_on"] + datetime.timedelta(days=20)
            lead["intent_on"] = lead["leader_visit_on"] + datetime.timedelta(days=30)
        leads.append(lead)
    return leads


OUTLETS = [
    ("自贡高投供销社南悦里店", "自贡高投集团、自贡市供销社"),
    ("百佳超市汇东店", "百佳超市"),
]
# product, unit, unit price (yuan), base monthly quantity: sample figures
PRODUCTS = [
    (Product.XIAOJIAOLOU, "瓶", Y("128.00"), 60),
    (Product.JIANGKOUCHUN, "瓶", Y("98.00"), 80),
    (Product.TEA, "盒", Y("168.00"), 40),
    (Product.SAUSAGE, "斤", Y("45.00"), 150),
    (Product.CURED_MEAT, "斤", Y("52.00"), 120),
]
SALE_MONTHS = [D(2024, 7, 1), D(2024, 8, 1), D(2024, 9, 1)]
SALE_SAMPLE = "示例数据：报道未载销售量与销售额。"


def load() -> dict[str, int]:
    """Create or update the demo money ledger; return counts for the command to print."""
    programme = Programme.objects.get(name=PROGRAMME)
    batch = Batch.objects.get(programme=programme, number=2)
    bodies = {body.name: body for body in Body.objects.filter(batch=batch)}
    townships = {}
    for name in TOWNSHIPS:
        townships[name], _ = Unit.objects.update_or_create(
            programme=programme,
            side=UnitSide.HELPED,
            name=f"{COUNTY}{name}",
            defaults={"kind": UnitKind.TOWNSHIP, "area": COUNTY},
        )

    projects = {}
    fundings: dict[str, list[Funding]] = {}
    for (
        code,
        name,
        sector,
        body,
        township,
        status,
        start,
        end,
        implementing_unit,
        description,
        beneficiaries,
        notes,
        lines,
    ) in PROJECTS:
        project, _ = Project.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "sector": sector,
                "responsible_body": bodies[body],
                "township": townships.get(township),
                "status": status,
                "start_date": start,
                "end_date": end,
                "implementing_unit": implementing_unit,
                "description": description,
                "beneficiaries": beneficiaries,
                "notes": notes,
            },
        )
        projects[code] = project
        fundings[code] = []
        for source, year, amount, document, approved_on, line_notes in lines:
            # A project's lines are told apart by source, year and position: update in place.
            position = len([f for f in fundings[code] if (f.source, f.year) == (source, year)])
            existing = list(
                Funding.objects.filter(project=project, source=source, year=year).order_by("pk")
            )
            funding = existing[position] if position < len(existing) else Funding(project=project)
            funding.source, funding.year, funding.amount = source, year, amount
            funding.document_number, funding.approved_on = document, approved_on
            funding.notes = line_notes
            funding.save()
            fundings[code].append(funding)

    for number, (code, paid_on, line, amount, payee) in enumerate(DISBURSEMENTS, start=1):
        # Through the service like every other entry: the demo's splits must fit their plans.
        voucher = f"示例凭证-{number:03d}"
        disbursement = Disbursement.objects.filter(voucher_number=voucher).first()
        disbursement = disbursement or Disbursement(voucher_number=voucher)
        disbursement.project = projects[code]
        disbursement.funding = fundings[code][line]
        disbursement.paid_on, disbursement.amount, disbursement.payee = paid_on, amount, payee
        disbursement.notes = "示例数据：报道未载拨付明细；拆分合计不超过资金安排。"
        record_disbursement(disbursement)

    for code, name, unit, baseline, target, actual, as_of, notes in INDICATORS:
        Indicator.objects.update_or_create(
            project=projects[code],
            name=name,
            defaults={
                "unit": unit,
                "baseline": baseline,
                "target": target,
                "actual": actual,
                "as_of": as_of,
                "notes": notes,
            },
        )

    segments = {}
    position = 0
    for industry, names in SEGMENTS:
        for name in names:
            position += 1
            segments[name], _ = Segment.objects.update_or_create(
                name=name, defaults={"industry": industry, "position": position}
            )
    members = {member.name: member for member in Member.objects.filter(batch=batch)}
    for index, spec in enumerate(_leads()):
        spec = dict(spec)
        company = spec.pop("company")
        InvestmentLead.objects.update_or_create(
            company=company,
            defaults=spec
            | {
                "segment": segments[spec["segment"]],
                "follower_body": bodies[INDUSTRY],
                "follower": members.get("高翔" if index % 2 else "杨帆"),
            },
        )

    outlets = {}
    for name, operator in OUTLETS:
        outlets[name], _ = Outlet.objects.update_or_create(
            name=name,
            defaults={
                "operator": operator,
                "responsible_body": bodies[INDUSTRY],
                "notes": "门店据报道；经营者为示例数据。",
            },
        )
    for outlet_index, outlet in enumerate(outlets.values()):
        for month_index, month in enumerate(SALE_MONTHS):
            for product, unit, price, base in PRODUCTS:
                quantity = base + 10 * month_index - 15 * outlet_index
                Sale.objects.update_or_create(
                    outlet=outlet,
                    product=product,
                    period=month,
                    defaults={
                        "quantity": quantity,
                        "quantity_unit": unit,
                        "amount": price * quantity,
                        "notes": SALE_SAMPLE,
                    },
                )
    return {
        "projects": Project.objects.count(),
        "funding lines": Funding.objects.count(),
        "disbursements": Disbursement.objects.count(),
        "indicators": Indicator.objects.count(),
        "investment leads": InvestmentLead.objects.count(),
        "sales": Sale.objects.count(),
    }
