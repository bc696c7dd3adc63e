"""The demo ledger's team, as the news report of 2024-10-09 tells it (../shared/seed/).

From the report: the programme and its plan, batch 1 from June 2021, batch 2 of 30 members
from July 2023 with its "1+1+3" bodies, 蔡小波 (leader, home and Pingchang posts), 张陈
(president of 平昌县人民医院), teachers 杨宗池 and 刘邦贵 in the social undertakings group.
Everything else (exact days, the other 26 names, units, the split into groups) is sample
data, said so in each record's notes.

Loading is idempotent: records are found by their natural keys and updated in place.
"""

import datetime

from aidledger.models import Batch, Body, BodyKind, Member, MemberRole, Programme, RoleKind

SAMPLE = "示例数据：报道未载此队员姓名与任职。"
D = datetime.date

PROGRAMME = {
    "name": "自贡市对口帮扶平昌县",
    "helper_place": "自贡市",
    "helped_place": "平昌县",
    "plan_start": D(2021, 1, 1),
    "plan_end": D(2025, 12, 31),
    "plan_document": "《自贡市对口帮扶平昌县工作规划（2021—2025年）》",
    "started_on": D(2021, 6, 1),
    "notes": "根据省委、省政府统一安排部署，自贡市于2021年6月正式启动对口帮扶巴中市平昌县工作。"
    "开始日期取当月1日（示例）。",
}

BATCHES = [
    {"number": 1, "name": "第一批", "start_date": D(2021, 6, 1), "end_date": D(2023, 6, 30)},
    {"number": 2, "name": "第二批", "start_date": D(2023, 7, 1), "end_date": None},
]

# Batch 2's "1+1+3": 前线指挥部, 临时党支部, three working groups.
BODIES = [
    ("前线指挥部", BodyKind.COMMAND_POST, "统筹帮扶工作，研究决定重大事项。"),
    ("临时党支部", BodyKind.PARTY_BRANCH, "加强队员教育管理，发挥党员先锋模范作用。"),
    ("综合协调组", BodyKind.WORKING_GROUP, "综合协调、信息宣传、台账管理、考核迎检。"),
    ("产业扶持组", BodyKind.WORKING_GROUP, "产业培育、项目推动、招商引资、消费帮扶。"),
    ("社会事业组", BodyKind.WORKING_GROUP, "教育、医疗等社会事业结对帮扶。"),
]
COMMAND, BRANCH, GENERAL, INDUSTRY, SOCIAL = (name for name, _kind, _duties in BODIES)
R = RoleKind

# name, home unit, home post, posting unit, posting post, roles {body: role}, notes
MEMBERS = [
    (
        "蔡小波",
        "自贡市社会保险事务中心",
        "副主任",
        "中共平昌县委、平昌县人民政府",
        "县委常委、副县长",
        {COMMAND: R.LEADER, BRANCH: R.SECRETARY, GENERAL: R.HEAD},
        "领队。派出单位、职务及挂职职务据2024-10-09报道。",
    ),
    (
        "张陈",
        "自贡市第一人民医院",
        "副院长",
        "平昌县人民医院",
        "院长",
        {SOCIAL: R.MEMBER, BRANCH: R.MEMBER},
        "医疗“组团式”帮扶队员，挂职平昌县人民医院院长（据报道）；派出单位与职务为示例数据。",
    ),
    (
        "杨宗池",
        "自贡市蜀光中学",
        "教师",
        "四川省平昌中学",
        "支教教师",
        {SOCIAL: R.MEMBER},
        "“组团式”帮扶支教教师（据报道）；派出与挂职单位为示例数据。",
    ),
    (
        "刘邦贵",
        "自贡市第一中学",
        "教师",
        "四川省平昌中学",
        "支教教师",
        {SOCIAL: R.MEMBER, BRANCH: R.MEMBER},
        "“组团式”帮扶支教教师（据报道）；派出与挂职单位为示例数据。",
    ),
    (
        "李明轩",
        "自贡市人民政府办公室",
        "二级调研员",
        "平昌县人民政府办公室",
        "副主任",
        {COMMAND: R.DEPUTY_LEADER, BRANCH: R.DEPUTY_SECRETARY, GENERAL: R.MEMBER},
        SAMPLE,
    ),
    (
        "王海涛",
        "自贡市农业农村局",
        "科长",
        "平昌县农业农村局",
        "副局长",
        {COMMAND: R.MEMBER, BRANCH: R.COMMITTEE, INDUSTRY: R.HEAD},
        SAMPLE,
    ),
    (
        "陈志刚",
        "自贡市教育和体育局",
        "科长",
        "平昌县教育科技局",
        "副局长",
        {COMMAND: R.MEMBER, BRANCH: R.COMMITTEE, SOCIAL: R.HEAD},
        SAMPLE,
    ),
    (
        "刘晓燕",
        "自贡市发展和改革委员会",
        "科长",
        "平昌县发展和改革局",
        "副局长",
        {BRANCH: R.COMMITTEE, GENERAL: R.DEPUTY_HEAD},
        SAMPLE,
    ),
    (
        "杨帆",
        "自贡市商务局",
        "副科长",
        "平昌县经济和信息化局",
        "副局长",
        {BRANCH: R.MEMBER, INDUSTRY: R.DEPUTY_HEAD},
        SAMPLE,
    ),
    (
        "赵文博",
        "自贡市卫生健康委员会",
        "科长",
        "平昌县卫生健康局",
        "副局长",
        {BRANCH: R.MEMBER, SOCIAL: R.DEPUTY_HEAD},
        SAMPLE,
    ),
    (
        "黄丽娟",
        "自贡市财政局",
        "副科长",
        "平昌县财政局",
        "副局长",
        {BRANCH: R.MEMBER, GENERAL: R.MEMBER},
        SAMPLE,
    ),
    (
        "周建华",
        "自贡市乡村振兴局",
        "科长",
        "平昌县乡村振兴局",
        "副局长",
        {BRANCH: R.MEMBER, GENERAL: R.LIAISON},
        SAMPLE,
    ),
    (
        "吴俊杰",
        "自贡市委组织部",
        "干部",
        "中共平昌县委组织部",
        "副部长",
        {BRANCH: R.MEMBER, GENERAL: R.MEMBER},
        SAMPLE,
    ),
    ("徐敏", "自贡市委宣传部", "干部", "中共平昌县委宣传部", "副部长", {GENERAL: R.MEMBER}, SAMPLE),
    (
        "孙立新",
        "自贡市人力资源和社会保障局",
        "科长",
        "平昌县人力资源和社会保障局",
        "副局长",
        {GENERAL: R.MEMBER},
        SAMPLE,
    ),
    (
        "胡晓东",
        "自贡市民政局",
        "副科长",
        "平昌县民政局",
        "副局长",
        {BRANCH: R.MEMBER, GENERAL: R.MEMBER},
        SAMPLE,
    ),
    (
        "朱红梅",
        "自贡市经济和信息化局",
        "科长",
        "平昌县经济和信息化局",
        "副局长",
        {BRANCH: R.MEMBER, INDUSTRY: R.MEMBER},
        SAMPLE,
    ),
    (
        "高翔",
        "自贡市投资促进局",
        "科长",
        "平昌县投资促进中心",
        "副主任",
        {BRANCH: R.MEMBER, INDUSTRY: R.MEMBER},
        SAMPLE,
    ),
    (
        "林静",
        "自贡市供销合作社联合社",
        "科长",
        "平昌县供销合作社联合社",
        "副主任",
        {INDUSTRY: R.MEMBER},
        SAMPLE,
    ),
    (
        "何军",
        "自贡高新投资发展集团有限公司",
        "部门经理",
        "平昌县国有资产经营管理有限公司",
        "副总经理",
        {BRANCH: R.MEMBER, INDUSTRY: R.MEMBER},
        SAMPLE,
    ),
    (
        "郭瑞",
        "自贡市荣县茶叶产业发展中心",
        "副主任",
        "平昌县茶业局",
        "副局长",
        {INDUSTRY: R.MEMBER},
        SAMPLE,
    ),
    (
        "马俊峰",
        "自贡市畜牧站",
        "高级畜牧师",
        "平昌县畜牧站",
        "副站长",
        {BRANCH: R.MEMBER, INDUSTRY: R.MEMBER},
        SAMPLE,
    ),
    (
        "罗文",
        "自贡市市场监督管理局",
        "副科长",
        "平昌县市场监督管理局",
        "副局长",
        {INDUSTRY: R.MEMBER},
        SAMPLE,
    ),
    (
        "梁雪",
        "自贡市文化广播电视和旅游局",
        "科员",
        "平昌县文化广播电视和旅游局",
        "局长助理",
        {BRANCH: R.MEMBER, INDUSTRY: R.MEMBER},
        SAMPLE,
    ),
    (
        "宋涛",
        "自贡市第四人民医院",
        "主治医师",
        "平昌县中医医院",
        "副院长",
        {BRANCH: R.MEMBER, SOCIAL: R.MEMBER},
        SAMPLE,
    ),
    (
        "郑凯",
        "自贡市妇幼保健院",
        "主治医师",
        "平昌县妇幼保健院",
        "副院长",
        {SOCIAL: R.MEMBER},
        SAMPLE,
    ),
    (
        "谢芳",
        "自贡市第一人民医院",
        "护士长",
        "平昌县人民医院",
        "护理部副主任",
        {BRANCH: R.MEMBER, SOCIAL: R.MEMBER},
        SAMPLE,
    ),
    (
        "韩磊",
        "自贡市牛佛中学",
        "教师",
        "巴中市平昌中学实验学校",
        "副校长",
        {SOCIAL: R.MEMBER},
        SAMPLE,
    ),
    (
        "唐勇",
        "自贡市职业技术学校",
        "教师",
        "平昌县职业中学",
        "副校长",
        {BRANCH: R.MEMBER, SOCIAL: R.MEMBER},
        SAMPLE,
    ),
    (
        "冯丽",
        "自贡市蜀光绿盛实验学校",
        "教师",
        "平昌县实验小学",
        "副校长",
        {SOCIAL: R.MEMBER},
        SAMPLE,
    ),
]


def load() -> dict[str, int]:
    """Create or update the demo team; return counts for the command to print."""
    programme, _ = Programme.objects.update_or_create(
        name=PROGRAMME["name"], defaults={k: v for k, v in PROGRAMME.items() if k != "name"}
    )
    batches = {}
    for spec in BATCHES:
        batches[spec["number"]], _ = Batch.objects.update_or_create(
            programme=programme,
            number=spec["number"],
            defaults={k: v for k, v in spec.items() if k != "number"},
        )
    second = batches[2]
    bodies = {}
    for position, (name, kind, duties) in enumerate(BODIES, start=1):
        bodies[name], _ = Body.objects.update_or_create(
            batch=second,
            name=name,
            defaults={"kind": kind, "duties": duties, "position": position},
        )
    leader = None
    for name, home_unit, home_post, posting_unit, posting_post, roles, notes in MEMBERS:
        member, _ = Member.objects.update_or_create(
            batch=second,
            name=name,
            defaults={
                "home_unit": home_unit,
                "home_post": home_post,
                "posting_unit": posting_unit,
                "posting_post": posting_post,
                "active_from": second.start_date,
                "active_until": None,
                "notes": notes,
            },
        )
        for body_name, role in roles.items():
            MemberRole.objects.update_or_create(
                member=member, body=bodies[body_name], defaults={"role": role}
            )
        if roles.get(COMMAND) == R.LEADER:
            leader = member
    second.leader = leader
    second.save(update_fields=["leader"])
    return {
        "programmes": Programme.objects.count(),
        "batches": Batch.objects.count(),
        "bodies": Body.objects.count(),
        "members": Member.objects.count(),
    }
