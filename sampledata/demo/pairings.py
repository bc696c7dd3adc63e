"""The demo pairings ledger, as the news report of 2024-10-09 tells it (../shared/seed/).

From the report, "as of today" (截至目前, 2024-10-09), for the second batch (from July 2023):
- 56 pairings: 21 municipal departments, 28 townships (subdistricts), 4 schools and 3
  hospitals of Zigong paired with Pingchang units; named in the report: 自贡市牛佛中学 ↔
  巴中市平昌中学实验学校, and 平昌县人民医院 (whose president is the team's 张陈);
- 31 exchanges (互动交流31场次), among them the 乡村治理工作结对帮带协议 signing ceremony,
  the survey of 邱家镇's tea base and of 板庙镇's blueberries, the 牛佛中学 seminar;
- hospitals: 22 mutual visits (互访22次) and 3 new techniques or projects (引进新技术新项目3项);
- 30 members mentoring 54 Pingchang cadres (一对一结对帮带).

How the hospital figures are read (and how the summary will count them): 22 of the 31
exchanges are of kind "visit" under a hospital pairing; the 3 new techniques are the
`new_techniques` counts (1 each) of three of those visits. The hospitals' lecture and free
clinic are exchanges too (so 24 exchanges are under hospital pairings), with no new technique.
So "exchanges of kind visit under at least one hospital pairing" = 22 and "Sum(new_techniques)
over exchanges under hospital pairings" = 3.

Mentorships: every one of the 30 members mentors; 24 mentor two cadres and 6 mentor one (54).

Everything else (which departments, towns and schools, dates, titles, places, numbers of
participants, mentees' names) is sample data, said so in each record's notes. Loading is
idempotent: records are found by natural key (unit: programme, side, name; pairing: its two
units; exchange: date and title; mentorship: mentor, unit, mentee) and updated in place.
"""

import datetime

from aidledger.models import Batch, Body, Programme
from pairings.models import (
    Exchange,
    ExchangeKind,
    Mentorship,
    Pairing,
    PairingStatus,
    Unit,
    UnitKind,
    UnitSide,
)
from pairings.services import record_exchange

D = datetime.date
K = UnitKind
X = ExchangeKind
PROGRAMME = "自贡市对口帮扶平昌县"
GENERAL, INDUSTRY, SOCIAL, COMMAND = "综合协调组", "产业扶持组", "社会事业组", "前线指挥部"

SAMPLE_UNIT = "示例数据：报道只载结对数量，未载具体单位。"
SAMPLE_PAIRING = "示例数据：报道只载“{count}”，未载具体单位、签订日期与协议名称。"
SAMPLE_EXCHANGE = "示例数据：报道只载互动交流31场次，未载此次活动的日期、地点与人数。"
SAMPLE_MENTORSHIP = "示例数据：报道只载“30名队员帮带培养平昌干部人才54人”，未载帮带对象。"

# helper unit (name, area) → helped unit (name, area), responsible working group
DEPARTMENTS = [
    ("自贡市发展和改革委员会", "平昌县发展和改革局", GENERAL),
    ("自贡市教育和体育局", "平昌县教育科技局", SOCIAL),
    ("自贡市卫生健康委员会", "平昌县卫生健康局", SOCIAL),
    ("自贡市农业农村局", "平昌县农业农村局", INDUSTRY),
    ("自贡市商务局", "平昌县商务局", INDUSTRY),
    ("自贡市经济和信息化局", "平昌县经济和信息化局", INDUSTRY),
    ("自贡市财政局", "平昌县财政局", GENERAL),
    ("自贡市人力资源和社会保障局", "平昌县人力资源和社会保障局", SOCIAL),
    ("自贡市民政局", "平昌县民政局", SOCIAL),
    ("自贡市文化广播电视和旅游局", "平昌县文化广播电视和旅游局", INDUSTRY),
    ("自贡市市场监督管理局", "平昌县市场监督管理局", INDUSTRY),
    ("自贡市住房和城乡建设局", "平昌县住房和城乡建设局", GENERAL),
    ("自贡市交通运输局", "平昌县交通运输局", GENERAL),
    ("自贡市水利局", "平昌县水利局", GENERAL),
    ("自贡市自然资源和规划局", "平昌县自然资源和规划局", GENERAL),
    ("自贡市生态环境局", "巴中市平昌生态环境局", GENERAL),
    ("自贡市应急管理局", "平昌县应急管理局", GENERAL),
    ("自贡市投资促进局", "平昌县投资促进中心", INDUSTRY),
    ("自贡市供销合作社联合社", "平昌县供销合作社联合社", INDUSTRY),
    ("自贡市乡村振兴局", "平昌县乡村振兴局", GENERAL),
    ("自贡市林业局", "平昌县林业局", INDUSTRY),
]

# (Zigong district or county, town) ↔ Pingchang town, responsible working group
TOWNSHIPS = [
    ("荣县", "双石镇", "邱家镇", INDUSTRY),
    ("荣县", "旭阳镇", "江口镇", GENERAL),
    ("荣县", "长山镇", "驷马镇", GENERAL),
    ("荣县", "度佳镇", "岳家镇", GENERAL),
    ("荣县", "乐德镇", "板庙镇", INDUSTRY),
    ("荣县", "正紫镇", "白衣镇", GENERAL),
    ("荣县", "来牟镇", "得胜镇", GENERAL),
    ("荣县", "古文镇", "响滩镇", GENERAL),
    ("富顺县", "富世镇", "佛楼镇", GENERAL),
    ("富顺县", "赵化镇", "土垭镇", GENERAL),
    ("富顺县", "琵琶镇", "笔山镇", GENERAL),
    ("富顺县", "代寺镇", "镇龙镇", GENERAL),
    ("富顺县", "童寺镇", "兰草镇", GENERAL),
    ("富顺县", "李桥镇", "云台镇", GENERAL),
    ("富顺县", "怀德镇", "坦溪镇", GENERAL),
    ("富顺县", "狮市镇", "元山镇", GENERAL),
    ("沿滩区", "仙市镇", "灵山镇", GENERAL),
    ("沿滩区", "黄市镇", "涵水镇", GENERAL),
    ("沿滩区", "永安镇", "龙岗镇", GENERAL),
    ("沿滩区", "联络镇", "西兴镇", GENERAL),
    ("大安区", "牛佛镇", "鹿鸣镇", GENERAL),
    ("大安区", "何市镇", "望京镇", GENERAL),
    ("大安区", "新店镇", "黑水镇", GENERAL),
    ("大安区", "庙坝镇", "澌岸镇", GENERAL),
    ("贡井区", "艾叶镇", "青凤镇", GENERAL),
    ("贡井区", "成佳镇", "泥龙镇", GENERAL),
    ("贡井区", "五宝镇", "粉壁镇", GENERAL),
    ("贡井区", "龙潭镇", "荔枝镇", GENERAL),
]
GOVERNANCE_AGREEMENT = "乡村治理工作结对帮带协议"
GOVERNANCE_SIGNED = D(2023, 11, 16)

# helper (name, area), helped name, signed, agreement, notes
SCHOOLS = [
    (
        ("自贡市牛佛中学", "大安区"),
        "巴中市平昌中学实验学校",
        D(2023, 9, 8),
        "校联体结对帮扶协议",
        "两校名称据2024-10-09报道；签订日期与协议名称为示例数据。",
    ),
    (("自贡市蜀光中学", "自流井区"), "四川省平昌中学", D(2023, 9, 8), "校联体结对帮扶协议", None),
    (("自贡市第一中学", "自流井区"), "平昌县第二中学", D(2023, 9, 8), "校联体结对帮扶协议", None),
    (
        ("自贡市职业技术学校", "自流井区"),
        "平昌县职业中学",
        D(2023, 9, 12),
        "职业教育结对帮扶协议",
        None,
    ),
]
HOSPITALS = [
    (
        ("自贡市第一人民医院", "自流井区"),
        "平昌县人民医院",
        D(2023, 8, 5),
        "医联体结对帮扶协议",
        "受帮扶方据2024-10-09报道（张陈挂职平昌县人民医院院长）；"
        "帮扶方医院、签订日期与协议名称为示例数据。",
    ),
    (
        ("自贡市第四人民医院", "自流井区"),
        "平昌县中医医院",
        D(2023, 8, 5),
        "医联体结对帮扶协议",
        None,
    ),
    (
        ("自贡市妇幼保健院", "自流井区"),
        "平昌县妇幼保健院",
        D(2023, 8, 5),
        "医联体结对帮扶协议",
        None,
    ),
]

# Helped-side units that have no pairing but employ mentees (the members' posting units).
OTHER_HELPED_UNITS = {
    "平昌县人民政府办公室": K.DEPARTMENT,
    "中共平昌县委组织部": K.DEPARTMENT,
    "中共平昌县委宣传部": K.DEPARTMENT,
    "平昌县茶业局": K.DEPARTMENT,
    "平昌县畜牧站": K.OTHER,
    "平昌县国有资产经营管理有限公司": K.ENTERPRISE,
    "平昌县实验小学": K.SCHOOL,
}
# A posting that is not one unit: its mentee works in the county government's office.
POSTING_UNIT = {"中共平昌县委、平昌县人民政府": "平昌县人民政府办公室"}

HOSPITAL_VISITS = {
    "平昌县人民医院": [
        (D(2023, 8, 18), "自贡市第一人民医院专家团队到平昌县人民医院考察交流", 12, 0),
        (D(2023, 9, 21), "平昌县人民医院管理团队赴自贡市第一人民医院跟岗互访", 8, 0),
        (D(2023, 11, 9), "自贡市第一人民医院甲状腺外科团队到平昌县人民医院互访帮带", 6, 1),
        (D(2023, 12, 14), "平昌县人民医院护理团队赴自贡市第一人民医院互访学习", 10, 0),
        (D(2024, 1, 18), "自贡市第一人民医院心血管内科专家到平昌县人民医院互访交流", 5, 1),
        (D(2024, 3, 14), "平昌县人民医院医务部赴自贡市第一人民医院考察“以评促建”工作", 7, 0),
        (D(2024, 4, 25), "自贡市第一人民医院创伤中心团队到平昌县人民医院互访指导", 6, 0),
        (D(2024, 6, 13), "平昌县人民医院乳腺外科医师赴自贡市第一人民医院互访进修", 4, 0),
        (D(2024, 7, 25), "自贡市第一人民医院管理团队到平昌县人民医院重点专科建设互访", 9, 0),
        (D(2024, 9, 12), "平昌县人民医院药学部赴自贡市第一人民医院考察互访", 5, 0),
    ],
    "平昌县中医医院": [
        (D(2023, 9, 7), "自贡市第四人民医院专家到平昌县中医医院考察交流", 8, 0),
        (D(2023, 10, 26), "平昌县中医医院管理团队赴自贡市第四人民医院互访", 7, 0),
        (D(2024, 1, 11), "自贡市第四人民医院康复医学科团队到平昌县中医医院互访帮带", 5, 1),
        (D(2024, 3, 28), "平昌县中医医院医技人员赴自贡市第四人民医院互访学习", 6, 0),
        (D(2024, 5, 23), "自贡市第四人民医院急诊团队到平昌县中医医院互访指导", 6, 0),
        (D(2024, 7, 11), "平昌县中医医院护理团队赴自贡市第四人民医院互访", 8, 0),
        (D(2024, 9, 5), "自贡市第四人民医院专家到平昌县中医医院疑难病例讨论互访", 5, 0),
    ],
    "平昌县妇幼保健院": [
        (D(2023, 10, 12), "自贡市妇幼保健院专家到平昌县妇幼保健院考察交流", 6, 0),
        (D(2023, 12, 7), "平昌县妇幼保健院管理团队赴自贡市妇幼保健院互访", 5, 0),
        (D(2024, 2, 29), "自贡市妇幼保健院儿科团队到平昌县妇幼保健院互访帮带", 4, 0),
        (D(2024, 5, 16), "平昌县妇幼保健院产科医师赴自贡市妇幼保健院互访学习", 4, 0),
        (D(2024, 8, 22), "自贡市妇幼保健院专家到平昌县妇幼保健院互访指导", 5, 0),
    ],
}
TECHNIQUE_OUTCOME = "引进新技术新项目1项（示例：具体项目名称报道未载）。"

# date, title, kind, place, participants, lead body, helped units of its pairings, outcome, notes
OTHER_EXCHANGES = [
    (
        D(2023, 9, 6),
        "帮扶队员到平昌县邱家镇秦巴茗兰公司生产基地调研茶叶产业",
        X.SURVEY,
        "平昌县邱家镇",
        9,
        INDUSTRY,
        ["平昌县邱家镇", "平昌县农业农村局"],
        "梳理茶叶加工技术与品牌建设短板，形成对接荣县茶产业资源的建议。",
        "活动据2024-10-09报道图片说明；日期与人数为示例数据。",
    ),
    (
        D(2023, 9, 14),
        "帮扶工作队领队到平昌县板庙镇调研蓝莓产业",
        X.SURVEY,
        "平昌县板庙镇",
        6,
        COMMAND,
        ["平昌县板庙镇"],
        "了解有机蓝莓种植与销售情况，研究协助合作社融资。",
        "活动据2024-10-09报道图片说明；日期与人数为示例数据。",
    ),
    (
        GOVERNANCE_SIGNED,
        "自贡市·平昌县乡村治理工作结对帮带协议签订仪式",
        X.SIGNING,
        "平昌县",
        80,
        GENERAL,
        [f"平昌县{town}" for _area, _zigong, town, _group in TOWNSHIPS],
        "28对乡镇（街道）签订乡村治理工作结对帮带协议。",
        "仪式据2024-10-09报道图片说明；日期、地点与人数为示例数据。",
    ),
    (
        D(2023, 12, 6),
        "平昌县职业中学教师赴自贡市职业技术学校跟岗培训",
        X.TRAINING,
        "自贡市职业技术学校",
        12,
        SOCIAL,
        ["平昌县职业中学"],
        "",
        None,
    ),
    (
        D(2024, 3, 20),
        "自贡市蜀光中学教师到四川省平昌中学示范带教",
        X.DEMONSTRATION,
        "四川省平昌中学",
        40,
        SOCIAL,
        ["四川省平昌中学"],
        "指导公开课3节，开展教研活动1次。",
        None,
    ),
    (
        D(2024, 4, 17),
        "自贡市第一人民医院专家在平昌县人民医院开办学术讲座",
        X.LECTURE,
        "平昌县人民医院",
        120,
        SOCIAL,
        ["平昌县人民医院"],
        "",
        None,
    ),
    (
        D(2024, 5, 22),
        "自贡市牛佛中学与巴中市平昌中学实验学校开展交流研讨活动",
        X.SEMINAR,
        "巴中市平昌中学实验学校",
        35,
        SOCIAL,
        ["巴中市平昌中学实验学校"],
        "两校围绕教育理念、课题研究开展研讨。",
        "活动据2024-10-09报道图片说明；日期、地点与人数为示例数据。",
    ),
    (
        D(2024, 6, 1),
        "医技人员下基层义诊进学校、入社区",
        X.FREE_CLINIC,
        "平昌县江口镇",
        300,
        SOCIAL,
        ["平昌县人民医院", "平昌县妇幼保健院"],
        "",
        None,
    ),
    (
        D(2024, 7, 18),
        "平昌县商务局、供销社赴自贡对接“平昌产、平昌造”特色产品专柜",
        X.VISIT,
        "自贡高投供销社南悦里店",
        10,
        INDUSTRY,
        ["平昌县商务局", "平昌县供销合作社联合社"],
        "平昌特色产品在自贡商超开设专柜。",
        None,
    ),
]

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯董程曹袁邓许傅沈"
    "曾彭吕苏卢蒋贾丁魏薛叶余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔"
)
GIVEN = [
    "晓东",
    "丽萍",
    "建军",
    "雪梅",
    "志强",
    "海燕",
    "文杰",
    "春兰",
    "国平",
    "小琴",
    "德明",
    "秀英",
    "永红",
    "俊杰",
    "玉洁",
]
POSTS = {
    K.DEPARTMENT: "业务股股长",
    K.TOWNSHIP: "党政综合办公室主任",
    K.SCHOOL: "教师",
    K.HOSPITAL: "主治医师",
    K.ENTERPRISE: "业务主管",
    K.OTHER: "技术员",
}
GOALS = {
    K.DEPARTMENT: "提升政策研究与项目谋划能力。",
    K.TOWNSHIP: "提升乡村治理与产业发展组织能力。",
    K.SCHOOL: "提升课堂教学与课题研究能力。",
    K.HOSPITAL: "提升专科诊疗技术与科室管理能力。",
    K.ENTERPRISE: "提升经营管理与市场开拓能力。",
    K.OTHER: "提升专业技术服务能力。",
}
MENTORSHIPS_START = D(2023, 9, 1)
TWO_MENTEES = 24  # the first 24 members (in the team's order) mentor two cadres, the rest one


def _unit(programme: Programme, side: str, kind: str, name: str, area: str, notes: str) -> Unit:
    unit, _ = Unit.objects.update_or_create(
        programme=programme,
        side=side,
        name=name,
        defaults={"kind": kind, "area": area, "notes": notes},
    )
    return unit


def _pairing(*, helper: Unit, helped: Unit, body: Body, signed_on, agreement: str, notes: str):
    pairing = Pairing.objects.filter(helper=helper, helped=helped).first() or Pairing(
        helper=helper, helped=helped
    )
    pairing.signed_on = signed_on
    pairing.agreement = agreement
    pairing.responsible_body = body
    pairing.status = PairingStatus.ACTIVE
    pairing.ended_on = None
    pairing.notes = notes
    pairing.full_clean()
    pairing.save()
    return pairing


def _pairings(programme: Programme, bodies: dict[str, Body]) -> dict[str, Pairing]:
    """The 56 pairings, keyed by the helped unit's name."""
    helper, helped = UnitSide.HELPER, UnitSide.HELPED
    pairings = {}

    def pair(kind, zigong, area, pingchang, group, signed_on, agreement, notes):
        pairings[pingchang] = _pairing(
            helper=_unit(programme, helper, kind, zigong, area, SAMPLE_UNIT),
            helped=_unit(programme, helped, kind, pingchang, "平昌县", SAMPLE_UNIT),
            body=bodies[group],
            signed_on=signed_on,
            agreement=agreement,
            notes=notes,
        )

    note = SAMPLE_PAIRING.format(count="21个市级部门")
    for index, (zigong, pingchang, group) in enumerate(DEPARTMENTS):
        signed_on = D(2023, 8, 10) + datetime.timedelta(days=index)
        pair(K.DEPARTMENT, zigong, "自贡市", pingchang, group, signed_on, "部门结对帮扶协议", note)
    note = SAMPLE_PAIRING.format(count="28个乡镇（街道）") + "协议名称据报道。"
    for area, zigong, pingchang, group in TOWNSHIPS:
        pair(
            K.TOWNSHIP,
            f"{area}{zigong}",
            area,
            f"平昌县{pingchang}",
            group,
            GOVERNANCE_SIGNED,
            GOVERNANCE_AGREEMENT,
            note,
        )
    for kind, count, rows in ((K.SCHOOL, "4所学校", SCHOOLS), (K.HOSPITAL, "3所医院", HOSPITALS)):
        for (zigong, area), pingchang, signed_on, agreement, notes in rows:
            notes = notes or SAMPLE_PAIRING.format(count=count)
            pair(kind, zigong, area, pingchang, SOCIAL, signed_on, agreement, notes)
    return pairings


def _exchange(*, date, title: str, pairings: list[Pairing], **fields) -> Exchange:
    existing = Exchange.objects.filter(date=date, title=title).first()
    return record_exchange(exchange=existing, pairings=pairings, date=date, title=title, **fields)


def _exchanges(pairings: dict[str, Pairing], bodies: dict[str, Body]) -> None:
    for hospital, visits in HOSPITAL_VISITS.items():
        for date, title, participants, techniques in visits:
            _exchange(
                date=date,
                title=title,
                pairings=[pairings[hospital]],
                kind=X.VISIT,
                place=hospital if title.startswith("自贡") else pairings[hospital].helper.name,
                participants=participants,
                lead_body=bodies[SOCIAL],
                new_techniques=techniques,
                outcome=TECHNIQUE_OUTCOME if techniques else "",
                notes=SAMPLE_EXCHANGE,
            )
    for date, title, kind, place, participants, body, helped, outcome, notes in OTHER_EXCHANGES:
        _exchange(
            date=date,
            title=title,
            pairings=[pairings[name] for name in helped],
            kind=kind,
            place=place,
            participants=participants,
            lead_body=bodies[body],
            new_techniques=0,
            outcome=outcome,
            notes=notes or SAMPLE_EXCHANGE,
        )


def _mentorships(programme: Programme, batch: Batch) -> None:
    helped = UnitSide.HELPED
    for name, kind in OTHER_HELPED_UNITS.items():
        _unit(programme, helped, kind, name, "平昌县", "示例数据：帮带对象所在单位，未结对。")
    units = {unit.name: unit for unit in Unit.objects.filter(programme=programme, side=helped)}
    towns = [units[f"平昌县{town}"] for _area, _zigong, town, _group in TOWNSHIPS]
    # The team's order, as the team demo lists it.
    members = sorted(batch.members.all(), key=lambda member: member.pk)
    number = 0
    for index, member in enumerate(members):
        posting = units[POSTING_UNIT.get(member.posting_unit, member.posting_unit)]
        mentee_units = [posting, towns[index]] if index < TWO_MENTEES else [posting]
        for unit in mentee_units:
            mentee = SURNAMES[number % len(SURNAMES)] + GIVEN[number % len(GIVEN)]
            number += 1
            mentorship = Mentorship.objects.filter(
                mentor=member, mentee_unit=unit
            ).first() or Mentorship(mentor=member, mentee_unit=unit)
            mentorship.mentee_name = mentee
            mentorship.mentee_post = POSTS[unit.kind]
            mentorship.start_date = MENTORSHIPS_START
            mentorship.end_date = None
            mentorship.goals = GOALS[unit.kind]
            mentorship.notes = SAMPLE_MENTORSHIP
            mentorship.full_clean()
            mentorship.save()


def load() -> dict[str, int]:
    """Create or update the demo pairings ledger; return counts for the command to print."""
    programme = Programme.objects.get(name=PROGRAMME)
    batch = Batch.objects.get(programme=programme, number=2)
    bodies = {body.name: body for body in batch.bodies.select_related("batch")}
    pairings = _pairings(programme, bodies)
    _exchanges(pairings, bodies)
    _mentorships(programme, batch)
    return {
        "units": Unit.objects.count(),
        "pairings": Pairing.objects.count(),
        "exchanges": Exchange.objects.count(),
        "mentorships": Mentorship.objects.count(),
        "mentors": Mentorship.objects.values("mentor").distinct().count(),
    }
