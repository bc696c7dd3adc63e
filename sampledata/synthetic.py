"""A province-sized synthetic ledger for measuring speed (`manage.py generate_ledger`).

`generate()` writes N programmes of Y years each with everything a real ledger has: the team
(batches, the "1+1+3" bodies, members and their roles), the pairings ledger (units on both
sides, pairings, exchanges with their pairing links, mentorships) and the money ledger
(projects, funding lines, disbursements, indicators, investment leads, outlets and sales).
Per programme-year: about 4,000 exchanges, 4,000 disbursements, 400 projects, 200 pairings.

How it is written, and why:
- Rows are plain lists of column values, made one programme at a time (so memory holds one
  programme, never the whole ledger) and written table by table: `COPY … FROM STDIN` on
  PostgreSQL, chunked `executemany` on SQLite. Ids are explicit, after each table's current
  largest id, so the ledger can sit beside existing data (the demo); PostgreSQL's sequences
  are reset afterwards.
- Synthetic rows get no change-history rows: nobody changed them, and history rows would
  double the load. A synthetic record is edited like one loaded before history existed.
- Reproducible: every random choice comes from `random.Random` seeded with the seed and the
  programme's position, never the global generator or the clock. Same seed and arguments on
  an empty database give the same rows, ids included.
- Money is written as whole fen (what `MoneyField` stores); amounts are drawn log-normally
  (many small payments, a few large) and a funding line's plan always covers what is paid
  from it.
"""

from __future__ import annotations

import bisect
import calendar
import datetime
import functools
import itertools
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max

from aidledger.models import Batch, Body, BodyKind, Member, MemberRole, Programme, RoleKind
from pairings.models import (
    Exchange,
    ExchangeKind,
    ExchangePairing,
    ExchangeRollup,
    Mentorship,
    Pairing,
    PairingStatus,
    Unit,
    UnitKind,
    UnitSide,
)
from projects.models import (
    Disbursement,
    DisbursementRollup,
    Funding,
    FundingRollup,
    FundingSource,
    Indicator,
    Industry,
    InvestmentLead,
    Outlet,
    Product,
    Project,
    ProjectRollup,
    ProjectStatus,
    Sale,
    Sector,
    Segment,
)

D = datetime.date
DAY = datetime.timedelta(days=1)
FEN = 100  # fen per yuan

# Per programme-year (the top setting, 50 programmes × 5 years, gives ~1M exchanges).
EXCHANGES_PER_YEAR = 4000
PROJECTS_PER_YEAR = 400
PAIRINGS_PER_YEAR = 200
UNITS_PER_SIDE_PER_YEAR = 60
LEADS_PER_YEAR = 80
FIRST_YEAR = 2021

# Tables in the order they are written: a pairing's trigger reads its units' sides, so units
# come first; other foreign keys are checked at commit (Django declares them deferrable).
MODELS: list[type[models.Model]] = [
    Programme,
    Batch,
    Body,
    Member,
    MemberRole,
    Unit,
    Pairing,
    Exchange,
    ExchangePairing,
    Mentorship,
    Project,
    Funding,
    Disbursement,
    Indicator,
    InvestmentLead,
    Outlet,
    Sale,
]
ROLLUP_MODELS = [FundingRollup, ProjectRollup, DisbursementRollup, ExchangeRollup]

# Name pools ----------------------------------------------------------------------------------

HELPER_CITIES = [
    "成都市", "自贡市", "攀枝花市", "泸州市", "德阳市", "绵阳市", "遂宁市", "内江市", "乐山市",
    "宜宾市", "眉山市", "南充市", "资阳市", "雅安市", "广安市", "达州市",
]  # fmt: skip
HELPED_COUNTIES = [
    "平昌县", "通江县", "南江县", "旺苍县", "苍溪县", "剑阁县", "万源市", "宣汉县", "昭觉县",
    "美姑县", "布拖县", "金阳县", "雷波县", "喜德县", "越西县", "甘洛县", "普格县", "盐源县",
    "木里藏族自治县", "石渠县", "色达县", "理塘县", "白玉县", "德格县", "壤塘县", "小金县",
    "黑水县", "马边彝族自治县", "屏山县", "古蔺县", "叙永县", "兴文县", "筠连县", "珙县",
    "沐川县", "峨边彝族自治县", "仪陇县", "营山县", "嘉陵区", "蓬安县", "北川羌族自治县",
    "平武县", "青川县", "朝天区", "宝兴县", "天全县", "汉源县", "石棉县", "九龙县", "乡城县",
]  # fmt: skip
DISTRICTS = ["市中区", "高新区", "经开区", "东区", "西区", "南区", "北区", "新区", "城区"]
TOWNS = [
    "双石", "旭阳", "长山", "度佳", "乐德", "正紫", "来牟", "古文", "富世", "赵化", "琵琶", "代寺",
    "童寺", "李桥", "怀德", "狮市", "仙市", "黄市", "永安", "联络", "牛佛", "何市", "新店", "庙坝",
    "艾叶", "成佳", "五宝", "龙潭", "邱家", "江口", "驷马", "岳家", "板庙", "白衣", "得胜", "响滩",
    "佛楼", "土垭", "笔山", "镇龙", "兰草", "云台", "坦溪", "元山", "灵山", "涵水", "龙岗", "西兴",
    "鹿鸣", "望京", "黑水", "澌岸", "青凤", "泥龙", "粉壁", "荔枝", "金宝", "青云", "石门", "白石",
    "太平", "和平", "新华", "红光", "三合", "清水", "大河", "高坪", "观音", "柏林", "桂花", "碧山",
]  # fmt: skip
DEPARTMENTS = [
    "发展和改革委员会", "教育和体育局", "卫生健康委员会", "农业农村局", "商务局", "经济和信息化局",
    "财政局", "人力资源和社会保障局", "民政局", "文化广播电视和旅游局", "市场监督管理局",
    "住房和城乡建设局", "交通运输局", "水利局", "自然资源和规划局", "生态环境局", "应急管理局",
    "投资促进局", "供销合作社联合社", "乡村振兴局", "林业局", "科学技术局", "司法局", "统计局",
    "医疗保障局", "退役军人事务局", "机关事务管理局", "审计局", "总工会", "团委", "妇联",
]  # fmt: skip
SCHOOL_KINDS = ["中学", "第一中学", "第二中学", "实验中学", "实验小学", "中心小学", "职业技术学校"]
HOSPITAL_KINDS = ["人民医院", "第一人民医院", "第二人民医院", "中医医院", "妇幼保健院"]
ENTERPRISE_NAMES = ["投资发展集团", "农业发展", "食品", "茶业", "文旅", "建设", "能源", "供销"]
ASSOCIATIONS = ["工商业联合会", "企业家协会", "慈善总会", "青年企业家商会", "农业产业协会"]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰飞鹏辉斌宇浩凯健俊帆晨瑞博文轩志海波"
    "红梅雪晓东建国立新峰亮翔林婷琳燕玲丹萍倩颖欣怡佳宁成龙云彬鑫淼森嘉豪琪蕾薇雯"
)
HOME_POSTS = ["副局长", "科长", "副科长", "一级主任科员", "二级调研员", "干部", "科员", "主任"]
POSTING_POSTS = ["副局长", "副县长", "副主任", "局长助理", "副镇长", "挂职干部", "副院长", "副校长"]
MENTEE_POSTS = ["科员", "副科长", "股长", "镇党委委员", "副镇长", "主治医师", "教师", "村支书"]

WORKING_GROUPS = ["综合协调组", "产业扶持组", "社会事业组"]
GENERAL, INDUSTRY_GROUP, SOCIAL = range(3)
BODIES = [
    ("前方指挥部", BodyKind.COMMAND_POST, "统筹帮扶工作，研究决定重大事项。"),
    ("临时党支部", BodyKind.PARTY_BRANCH, "加强队员教育管理，发挥党员先锋模范作用。"),
    (WORKING_GROUPS[GENERAL], BodyKind.WORKING_GROUP, "综合协调、信息宣传、台账管理、考核迎检。"),
    (WORKING_GROUPS[INDUSTRY_GROUP], BodyKind.WORKING_GROUP, "产业培育、项目推动、招商引资。"),
    (WORKING_GROUPS[SOCIAL], BodyKind.WORKING_GROUP, "教育、医疗等社会事业结对帮扶。"),
]
COMMAND_POST, PARTY_BRANCH = 0, 1  # positions in BODIES; working group g is at 2 + g

# helper unit kind → (share, helped unit kinds it pairs with, agreement, groups responsible)
UNIT_KINDS = {
    UnitKind.DEPARTMENT: (35, [UnitKind.DEPARTMENT], "部门结对帮扶协议", [0, 0, 1, 2]),
    UnitKind.TOWNSHIP: (40, [UnitKind.TOWNSHIP], "乡村治理工作结对帮带协议", [0, 0, 0, 1]),
    UnitKind.SCHOOL: (11, [UnitKind.SCHOOL], "校联体结对帮扶协议", [2]),
    UnitKind.HOSPITAL: (8, [UnitKind.HOSPITAL], "医联体结对帮扶协议", [2]),
    UnitKind.ENTERPRISE: (4, [UnitKind.TOWNSHIP, UnitKind.ENTERPRISE], "村企结对帮扶协议", [1]),
    UnitKind.ASSOCIATION: (2, [UnitKind.TOWNSHIP], "结对帮扶协议", [0, 1]),
}
HELPED_SHARES = {
    UnitKind.DEPARTMENT: 34,
    UnitKind.TOWNSHIP: 44,
    UnitKind.SCHOOL: 11,
    UnitKind.HOSPITAL: 8,
    UnitKind.ENTERPRISE: 3,
}

# Exchanges: kinds by the helper unit's kind, and how a title reads.
EXCHANGE_KINDS = {
    UnitKind.DEPARTMENT: [ExchangeKind.VISIT, ExchangeKind.SURVEY, ExchangeKind.SEMINAR,
                          ExchangeKind.TRAINING, ExchangeKind.SIGNING],
    UnitKind.TOWNSHIP: [ExchangeKind.VISIT, ExchangeKind.SURVEY, ExchangeKind.SEMINAR,
                        ExchangeKind.TRAINING, ExchangeKind.SIGNING],
    UnitKind.SCHOOL: [ExchangeKind.DEMONSTRATION, ExchangeKind.LECTURE, ExchangeKind.SEMINAR,
                      ExchangeKind.VISIT, ExchangeKind.TRAINING],
    UnitKind.HOSPITAL: [ExchangeKind.VISIT, ExchangeKind.VISIT, ExchangeKind.FREE_CLINIC,
                        ExchangeKind.LECTURE, ExchangeKind.TRAINING],
    UnitKind.ENTERPRISE: [ExchangeKind.VISIT, ExchangeKind.SURVEY, ExchangeKind.OTHER],
    UnitKind.ASSOCIATION: [ExchangeKind.VISIT, ExchangeKind.OTHER],
}  # fmt: skip
EXCHANGE_TITLES = {
    ExchangeKind.VISIT: "{helper}赴{helped}交流互访",
    ExchangeKind.TRAINING: "{helper}为{helped}开展业务培训",
    ExchangeKind.LECTURE: "{helper}专家到{helped}专题讲座",
    ExchangeKind.FREE_CLINIC: "{helper}在{helped}开展义诊活动",
    ExchangeKind.DEMONSTRATION: "{helper}教师到{helped}示范教学",
    ExchangeKind.SEMINAR: "{helper}与{helped}工作座谈会",
    ExchangeKind.SIGNING: "{helper}与{helped}签订结对帮扶协议",
    ExchangeKind.SURVEY: "{helper}到{helped}调研产业发展",
    ExchangeKind.OTHER: "{helper}与{helped}结对帮扶活动",
}
OUTCOMES = [
    "达成合作意向，明确下一步帮扶重点。",
    "梳理问题清单，形成帮扶工作台账。",
    "开展现场指导，解决实际困难。",
    "共享管理经验，提升业务能力。",
    "",
]
# Working months: few exchanges around the Spring Festival (Jan/Feb) and in August.
MONTH_WEIGHTS = [5, 3, 10, 11, 11, 10, 9, 4, 11, 9, 12, 10]

SECTOR_SHARES = {
    Sector.AGRICULTURE: 30,
    Sector.INDUSTRY: 14,
    Sector.EDUCATION: 15,
    Sector.HEALTH: 12,
    Sector.GOVERNANCE: 10,
    Sector.CONSUMER: 7,
    Sector.INFRASTRUCTURE: 10,
    Sector.OTHER: 2,
}
# sector → (code prefix, responsible working group, project names, implementing units)
SECTORS = {
    Sector.AGRICULTURE: ("NY", INDUSTRY_GROUP, ["肉牛养殖", "茶园提质", "蓝莓种植", "订单蔬菜",
                         "中药材种植", "生猪代养", "食用菌基地", "柑橘种植", "高标准农田"],
                         ["农业农村局", "专业合作社", "茶业局"]),
    Sector.INDUSTRY: ("GY", INDUSTRY_GROUP, ["共建产业园", "农产品加工线", "标准化厂房",
                      "冷链物流中心", "大宗茶加工"], ["经济和信息化局", "经济开发区管理委员会"]),
    Sector.EDUCATION: ("JY", SOCIAL, ["教学设施改善", "智慧课堂建设", "教师能力提升",
                       "学生资助", "职业技能培训"], ["教育科技局", "职业中学"]),
    Sector.HEALTH: ("YL", SOCIAL, ["医联体技术帮带", "乡镇卫生院设备", "远程诊疗平台",
                    "村卫生室标准化"], ["人民医院", "卫生健康局"]),
    Sector.GOVERNANCE: ("ZL", GENERAL, ["乡村治理示范村", "村级阵地建设", "人居环境整治",
                        "基层干部培训"], ["乡村振兴局", "镇人民政府"]),
    Sector.CONSUMER: ("XF", INDUSTRY_GROUP, ["消费帮扶专柜", "农产品展销", "电商服务站"],
                      ["商务局", "供销合作社联合社"]),
    Sector.INFRASTRUCTURE: ("JC", GENERAL, ["产业路建设", "饮水安全巩固", "便民桥",
                            "村组道路硬化"], ["交通运输局", "水利局", "镇人民政府"]),
    Sector.OTHER: ("QT", GENERAL, ["人才交流", "文化帮扶"], ["县委组织部"]),
}  # fmt: skip
# sector → [(indicator name, unit of measure, low, high target)]
INDICATORS = {
    Sector.AGRICULTURE: [("带动农户", "户", 50, 2000), ("种植面积", "亩", 100, 10000),
                         ("存栏数量", "头", 200, 20000), ("产值", "万元", 50, 5000)],
    Sector.INDUSTRY: [("入驻企业", "家", 2, 30), ("新增就业", "人", 20, 800),
                      ("产值", "万元", 100, 20000)],
    Sector.EDUCATION: [("受助学校", "所", 1, 20), ("培训教师", "人次", 20, 600),
                       ("受助学生", "人", 50, 3000)],
    Sector.HEALTH: [("引进新技术新项目", "项", 1, 10), ("培训医务人员", "人次", 20, 500),
                    ("诊疗人次", "人次", 200, 20000)],
    Sector.GOVERNANCE: [("示范村", "个", 1, 10), ("培训干部", "人次", 20, 500)],
    Sector.CONSUMER: [("销售额", "万元", 20, 3000), ("带动农户", "户", 50, 2000)],
    Sector.INFRASTRUCTURE: [("道路里程", "公里", 1, 60), ("受益人口", "人", 200, 20000)],
    Sector.OTHER: [("交流人才", "人", 5, 200)],
}  # fmt: skip
STATUS_SHARES = {  # in the programme's last year, more projects are planned or under way
    "early": {ProjectStatus.COMPLETED: 62, ProjectStatus.IN_PROGRESS: 28,
              ProjectStatus.PLANNED: 4, ProjectStatus.SUSPENDED: 6},
    "late": {ProjectStatus.COMPLETED: 10, ProjectStatus.IN_PROGRESS: 55,
             ProjectStatus.PLANNED: 30, ProjectStatus.SUSPENDED: 5},
}  # fmt: skip
SOURCE_SHARES = {
    FundingSource.MUNICIPAL: 40,
    FundingSource.DISTRICT: 20,
    FundingSource.DEPARTMENT: 14,
    FundingSource.DONATION: 8,
    FundingSource.ENTERPRISE: 11,
    FundingSource.FINANCING: 7,
}
PAYEE_KINDS = ["专业合作社", "农业发展有限公司", "建筑工程有限公司", "设备供应商", "镇人民政府",
               "村股份经济合作社", "科技有限公司", "劳务有限公司"]  # fmt: skip

SEGMENTS = [  # the demo's twelve segments (sampledata.demo.projects), created when missing
    (Industry.ENERGY_CHEMICAL, ["天然气综合利用", "精细化工", "氢能", "新能源装备"]),
    (Industry.ADVANCED_MATERIALS, ["焊接材料", "新型建材", "高分子材料", "锂电新材料"]),
    (Industry.FOOD_BEVERAGE, ["白酒酿造", "茶叶精深加工", "肉制品加工", "特色农产品加工"]),
]
LEAD_CITIES = ["深圳", "成都", "重庆", "西安", "杭州", "广州", "上海", "苏州", "东莞"]
COMPANY_WORDS = ["华", "瑞", "鑫", "泰", "宏", "恒", "盛", "源", "达", "丰", "信", "诚", "德"]
COMPANY_KINDS = {
    Industry.ENERGY_CHEMICAL: ["化工", "能源", "新能源"],
    Industry.ADVANCED_MATERIALS: ["材料", "焊材", "建材"],
    Industry.FOOD_BEVERAGE: ["食品", "酒业", "茶业"],
}
# Each stage: the share of the leads at the previous stage that reach it.
FUNNEL = [1.0, 0.3, 0.45, 0.75, 0.65, 0.8]
FUNNEL_FIELDS = [
    "visited_on",
    "invited_on",
    "leader_visit_on",
    "intent_on",
    "signed_on",
    "registered_on",
]

OUTLET_BRANDS = ["供销社", "百佳超市", "红旗连锁", "特产馆", "农产品展销中心", "消费帮扶馆"]
OUTLET_PLACES = ["汇东", "南湖", "春华", "东兴", "高新", "万达", "人民路", "滨江", "新城", "火车站"]
# product, unit, price in yuan, base monthly quantity
PRODUCTS = [
    (Product.XIAOJIAOLOU, "瓶", Decimal("128.00"), 60),
    (Product.JIANGKOUCHUN, "瓶", Decimal("98.00"), 80),
    (Product.TEA, "盒", Decimal("168.00"), 40),
    (Product.SAUSAGE, "斤", Decimal("45.00"), 150),
    (Product.CURED_MEAT, "斤", Decimal("52.00"), 120),
    (Product.OTHER, "件", Decimal("30.00"), 100),
]

SYNTHETIC_NOTE = "合成数据（generate_ledger）。"


# Writing -------------------------------------------------------------------------------------

REQUIRED = object()


class Table:
    """The rows of one model for one programme, as lists in the model's column order.

    `add(**values)` gives the row the next id and fills what is not given with the field's
    default, None (nullable) or "" (blank text); a required field left out is a bug here.
    """

    def __init__(self, model: type[models.Model], first_id: int) -> None:
        self.model = model
        fields = model._meta.concrete_fields
        self.columns = [f.column for f in fields]
        self.index = {f.attname: position for position, f in enumerate(fields)}
        self.template = [self._default(f) for f in fields]
        self.next_id = first_id
        self.rows: list[list] = []

    @staticmethod
    def _default(f: models.Field) -> Any:
        if f.primary_key:
            return REQUIRED
        if f.has_default():
            return f.get_default()
        if f.null:
            return None
        if f.blank and f.empty_strings_allowed:
            return ""
        return REQUIRED

    def add(self, **values: Any) -> int:
        pk = self.next_id
        self.next_id += 1
        row = self.template.copy()
        row[0] = pk
        index = self.index
        for name, value in values.items():
            row[index[name]] = value
        if REQUIRED in row:
            missing = [n for n, i in self.index.items() if row[i] is REQUIRED]
            raise ValueError(f"{self.model.__name__} row without {missing}")
        self.rows.append(row)
        return pk


def _write(table: Table) -> None:
    """Append the table's rows to the database: COPY on PostgreSQL, executemany elsewhere."""
    if not table.rows:
        return
    quote = connection.ops.quote_name
    name = quote(table.model._meta.db_table)
    columns = ", ".join(quote(c) for c in table.columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {name} ({columns}) FROM STDIN") as copy:
                for row in table.rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(table.columns))
            # Table and column names come from the models, never from input.
            sql = f"INSERT INTO {name} ({columns}) VALUES ({marks})"  # noqa: S608
            for start in range(0, len(table.rows), 5000):
                cursor.executemany(sql, table.rows[start : start + 5000])
    table.rows = []


# Random helpers ------------------------------------------------------------------------------


MONTHS = list(range(1, 13))
MONTH_CUMULATIVE = list(itertools.accumulate(MONTH_WEIGHTS))


@functools.cache
def _cumulative(shares: tuple) -> tuple[list, list]:
    return [key for key, _share in shares], list(itertools.accumulate(s for _k, s in shares))


class Dice(random.Random):
    """random.Random with the few draws the generator needs."""

    def weighted(self, shares: dict) -> Any:
        """A key of `shares` drawn in proportion to its value."""
        keys, cumulative = _cumulative(tuple(shares.items()))
        return self.choices(keys, cum_weights=cumulative)[0]

    def person(self) -> str:
        given = self.choice(GIVEN) + (self.choice(GIVEN) if self.random() < 0.7 else "")
        return self.choice(SURNAMES) + given

    def date_between(self, start: datetime.date, end: datetime.date) -> datetime.date:
        if end <= start:
            return start
        return start + DAY * self.randint(0, (end - start).days)

    def working_day(self, year: int, *, start: D | None = None, end: D | None = None) -> D:
        """A day of the year, in a working month and (mostly) a weekday, within [start, end]."""
        low = max(start or D(year, 1, 1), D(year, 1, 1))
        high = min(end or D(year, 12, 31), D(year, 12, 31))
        if high < low:
            return low
        day = low
        for _attempt in range(8):
            month = self.choices(MONTHS, cum_weights=MONTH_CUMULATIVE)[0]
            day = D(year, month, self.randint(1, calendar.monthrange(year, month)[1]))
            if not low <= day <= high:
                day = self.date_between(low, high)
            if day.weekday() < 5 or self.random() < 0.05:
                return day
        return day

    def fen(self, *, median_yuan: float, sigma: float, low_yuan: int = 100) -> int:
        """A log-normal amount in fen: mostly whole yuan, some whole hundreds, a few with fen."""
        yuan = max(low_yuan, min(self.lognormvariate(math.log(median_yuan), sigma), 5e7))
        roll = self.random()
        if roll < 0.3:
            return int(round(yuan, -2)) * FEN or 100 * FEN
        if roll < 0.9:
            return int(yuan) * FEN
        return int(yuan * FEN)


def _unique(make: Callable[[], str], used: set[str]) -> str:
    """A name from `make` not in `used` (numbered if the pool runs dry), added to `used`."""
    for _attempt in range(20):
        name = make()
        if name not in used:
            used.add(name)
            return name
    base, number = make(), 2
    while f"{base}{number}" in used:
        number += 1
    used.add(f"{base}{number}")
    return f"{base}{number}"


# The ledger of one programme -----------------------------------------------------------------


@dataclass
class Team:
    batch_ids: list[int] = field(default_factory=list)
    starts: list[D] = field(default_factory=list)  # each batch's start, for bisect
    ends: list[D | None] = field(default_factory=list)
    bodies: list[list[int]] = field(default_factory=list)  # per batch, in BODIES order
    members: list[list[int]] = field(default_factory=list)  # per batch
    group_members: list[list[list[int]]] = field(default_factory=list)  # batch → group → ids

    def batch_at(self, day: D) -> int:
        """Position of the batch serving on `day` (the first before it started)."""
        return max(0, bisect.bisect_right(self.starts, day) - 1)


@dataclass
class Units:
    ids: dict[str, list[int]] = field(default_factory=dict)  # kind → ids, per side
    names: dict[int, str] = field(default_factory=dict)


class ProgrammeLedger:
    """Builds every row of one programme into `tables` (one Table per model)."""

    def __init__(
        self, *, dice: Dice, tables: dict, programme: dict, years: int, used: dict, size: float
    ):
        self.dice = dice
        self.tables = tables
        self.years = years
        # Rows per year of the big tables; `size` shrinks them for tests.
        self.per_year = {
            name: max(1, round(count * size))
            for name, count in [
                ("exchanges", EXCHANGES_PER_YEAR),
                ("projects", PROJECTS_PER_YEAR),
                ("pairings", PAIRINGS_PER_YEAR),
                ("units", UNITS_PER_SIDE_PER_YEAR),
                ("leads", LEADS_PER_YEAR),
            ]
        }
        self.first_year = FIRST_YEAR
        self.last_day = D(FIRST_YEAR + years - 1, 12, 31)
        self.helper_place = programme["helper_place"]
        self.helped_place = programme["helped_place"]
        self.used = used
        self.programme_id = tables[Programme].add(
            name=programme["name"],
            helper_place=self.helper_place,
            helped_place=self.helped_place,
            plan_start=D(FIRST_YEAR, 1, 1),
            plan_end=self.last_day,
            plan_document=f"《{programme['name']}工作规划（{FIRST_YEAR}—{self.last_day.year}年）》",
            started_on=D(FIRST_YEAR, 1, 15),
            notes=SYNTHETIC_NOTE,
        )

    def build(self) -> None:
        self.team = self.build_team()
        self.helper_units = self.build_units(UnitSide.HELPER)
        self.helped_units = self.build_units(UnitSide.HELPED)
        self.build_pairings()
        self.build_exchanges()
        self.build_mentorships()
        self.build_projects()
        self.build_leads()
        self.build_outlets()

    # The team ----------------------------------------------------------------------------

    def build_team(self) -> Team:
        tables, team = self.tables, Team()
        starts = [D(FIRST_YEAR, 1, 15)]
        while True:  # the first team until July of the next year, then two-year terms
            following = D(starts[-1].year + (1 if starts[-1].month <= 6 else 2), 7, 1)
            if following > self.last_day:
                break
            starts.append(following)
        numbers = "一二三四五六七八九十"
        for position, start in enumerate(starts):
            end = starts[position + 1] - DAY if position + 1 < len(starts) else None
            number = position + 1
            # The leader is the batch's first member, added right after the batch.
            batch_id = tables[Batch].add(
                programme_id=self.programme_id,
                number=number,
                name=f"第{numbers[position]}批" if position < 10 else f"第{number}批",
                start_date=start,
                end_date=end,
                leader_id=tables[Member].next_id,
            )
            team.batch_ids.append(batch_id)
            team.starts.append(start)
            team.ends.append(end)
            bodies = [
                tables[Body].add(
                    batch_id=batch_id, kind=kind, name=name, duties=duties, position=order
                )
                for order, (name, kind, duties) in enumerate(BODIES, start=1)
            ]
            team.bodies.append(bodies)
            members, groups = self.build_members(batch_id, start, end, bodies)
            team.members.append(members)
            team.group_members.append(groups)
        return team

    def build_members(self, batch_id, start, end, bodies) -> tuple[list[int], list[list[int]]]:
        dice, tables = self.dice, self.tables
        names: set[str] = set()
        members: list[int] = []
        groups: list[list[int]] = [[], [], []]
        count = dice.randint(28, 42)
        role = RoleKind
        for position in range(count):
            department = dice.choice(DEPARTMENTS)
            member_id = tables[Member].add(
                batch_id=batch_id,
                name=_unique(dice.person, names),
                home_unit=f"{self.helper_place}{department}",
                home_post=dice.choice(HOME_POSTS),
                posting_unit=f"{self.helped_place}{department}",
                posting_post=dice.choice(POSTING_POSTS),
                phone=f"1{dice.choice('358')}{dice.randint(0, 999999999):09d}",
                active_from=start,
                active_until=end,
                notes=SYNTHETIC_NOTE,
            )
            members.append(member_id)
            # position 0 leads the team, 1 and 2 deputise, 3-5 head the three groups.
            roles: dict[int, str] = {}
            if position == 0:
                roles = {COMMAND_POST: role.LEADER, PARTY_BRANCH: role.SECRETARY, 2: role.HEAD}
                group = GENERAL
            elif position in (1, 2):
                roles = {
                    COMMAND_POST: role.DEPUTY_LEADER,
                    PARTY_BRANCH: role.DEPUTY_SECRETARY if position == 1 else role.COMMITTEE,
                    2 + position: role.MEMBER,
                }
                group = position
            elif position in (3, 4, 5):
                group = position - 3
                roles = {
                    COMMAND_POST: role.MEMBER,
                    PARTY_BRANCH: role.COMMITTEE,
                    2 + group: role.HEAD if group else role.DEPUTY_HEAD,
                }
            else:
                group = dice.choices(range(3), weights=[3, 4, 4])[0]
                roles = {2 + group: role.LIAISON if dice.random() < 0.05 else role.MEMBER}
                if dice.random() < 0.6:
                    roles[PARTY_BRANCH] = role.MEMBER
            groups[group].append(member_id)
            for body, kind in roles.items():
                tables[MemberRole].add(member_id=member_id, body_id=bodies[body], role=kind)
        return members, groups

    # Units and pairings ------------------------------------------------------------------

    def build_units(self, side: str) -> Units:
        dice, units, names = self.dice, Units(), set()
        helper = side == UnitSide.HELPER
        place = self.helper_place if helper else self.helped_place
        shares = {kind: spec[0] for kind, spec in UNIT_KINDS.items()} if helper else HELPED_SHARES
        departments = iter(dice.sample(DEPARTMENTS, len(DEPARTMENTS)))

        def town() -> str:
            return dice.choice(TOWNS)

        for _number in range(max(8, self.per_year["units"] * self.years)):
            kind = dice.weighted(shares)
            area = place
            if kind == UnitKind.DEPARTMENT:
                department = next(departments, None)
                if department is None:  # every department has its unit: a township instead
                    kind = UnitKind.TOWNSHIP
                else:
                    name = f"{place}{department}"
            if kind == UnitKind.TOWNSHIP:
                if helper:
                    area = dice.choice(DISTRICTS)
                name = _unique(lambda: f"{place}{dice.choice(TOWNS)}镇", names)
            elif kind == UnitKind.SCHOOL:
                name = _unique(lambda: f"{place}{town()}{dice.choice(SCHOOL_KINDS)}", names)
            elif kind == UnitKind.HOSPITAL:
                name = _unique(lambda: f"{place}{town()}{dice.choice(HOSPITAL_KINDS)}", names)
            elif kind == UnitKind.ENTERPRISE:
                name = _unique(
                    lambda: f"{place[:-1]}{town()}{dice.choice(ENTERPRISE_NAMES)}有限公司",
                    names,
                )
            elif kind == UnitKind.ASSOCIATION:
                name = _unique(lambda: f"{place}{dice.choice(ASSOCIATIONS)}", names)
            else:
                names.add(name)
            unit_id = self.tables[Unit].add(
                programme_id=self.programme_id,
                side=side,
                kind=kind,
                name=name,
                area=area,
                contact_person=dice.person(),
                phone=f"0{dice.randint(800, 839)}-{dice.randint(2000000, 8999999)}",
                notes=SYNTHETIC_NOTE,
            )
            units.ids.setdefault(kind, []).append(unit_id)
            units.names[unit_id] = name
        return units

    def build_pairings(self) -> None:
        dice, tables, team = self.dice, self.tables, self.team
        helper_shares = {
            kind: spec[0] for kind, spec in UNIT_KINDS.items() if kind in self.helper_units.ids
        }
        self.pairings: list[tuple[int, str, D, D | None, int, int, int]] = []
        self.pairings_by_year: dict[int, list[int]] = {}
        active: set[tuple[int, int]] = set()
        for year_index in range(self.years):
            year = self.first_year + year_index
            for number in range(self.per_year["pairings"]):
                kind = dice.weighted(helper_shares)
                _share, helped_kinds, agreement, groups = UNIT_KINDS[kind]
                helped_kinds = [k for k in helped_kinds if k in self.helped_units.ids] or list(
                    self.helped_units.ids
                )
                for _attempt in range(20):
                    helper = dice.choice(self.helper_units.ids[kind])
                    helped = dice.choice(self.helped_units.ids[dice.choice(helped_kinds)])
                    if (helper, helped) not in active:
                        break
                # Most pairings are signed early in the year; in the programme's first year,
                # most in its first quarter, as the teams arrive.
                spring = D(year, 3, 31) if year_index == 0 else D(year, 6, 30)
                signed = dice.working_day(year, end=spring if number % 4 else None)
                ended = None
                if dice.random() < 0.12:
                    ended = dice.date_between(signed + 90 * DAY, self.last_day)
                    if ended > self.last_day or ended <= signed:
                        ended = None
                if ended is None and (helper, helped) in active:
                    ended = signed + 30 * DAY  # a pair already active: this one was superseded
                if ended is None:
                    active.add((helper, helped))
                group = dice.choice(groups)
                batch = team.batch_at(signed)
                pairing_id = tables[Pairing].add(
                    programme_id=self.programme_id,
                    helper_id=helper,
                    helped_id=helped,
                    category=kind,
                    signed_on=signed,
                    agreement=agreement,
                    responsible_body_id=team.bodies[batch][2 + group],
                    status=PairingStatus.ENDED if ended else PairingStatus.ACTIVE,
                    ended_on=ended,
                    notes=SYNTHETIC_NOTE,
                )
                self.pairings.append((pairing_id, kind, signed, ended, helper, helped, group))
        for position, (_pk, _kind, signed, ended, *_rest) in enumerate(self.pairings):
            last = (ended or self.last_day).year
            for year in range(signed.year, last + 1):
                self.pairings_by_year.setdefault(year, []).append(position)

    def build_exchanges(self) -> None:
        dice, tables, team = self.dice, self.tables, self.team
        helper_names, helped_names = self.helper_units.names, self.helped_units.names
        for year_index in range(self.years):
            year = self.first_year + year_index
            candidates = self.pairings_by_year.get(year, [])
            if not candidates:
                continue
            for _number in range(self.per_year["exchanges"]):
                # The day first, so exchanges follow the working months; then a pairing that
                # was in force that day (its own dates win if a few draws find none).
                day = dice.working_day(year)
                for _attempt in range(6):
                    pairing = self.pairings[dice.choice(candidates)]
                    if pairing[2] <= day and (pairing[3] is None or day <= pairing[3]):
                        break
                else:
                    day = dice.working_day(year, start=pairing[2], end=pairing[3])
                pairing_id, kind, _signed, _ended, helper, helped, group = pairing
                exchange_kind = dice.choice(EXCHANGE_KINDS[kind])
                batch = team.batch_at(day)
                lead = 2 + group if dice.random() < 0.95 else COMMAND_POST
                exchange_id = tables[Exchange].add(
                    date=day,
                    title=EXCHANGE_TITLES[exchange_kind].format(
                        helper=helper_names[helper], helped=helped_names[helped]
                    )[:200],
                    kind=exchange_kind,
                    place=helped_names[helped] if dice.random() < 0.7 else helper_names[helper],
                    participants=None
                    if dice.random() < 0.1
                    else max(2, int(dice.lognormvariate(math.log(18), 0.7))),
                    lead_body_id=team.bodies[batch][lead],
                    outcome=dice.choice(OUTCOMES),
                    new_techniques=1
                    if kind == UnitKind.HOSPITAL
                    and exchange_kind == ExchangeKind.VISIT
                    and dice.random() < 0.15
                    else 0,
                    notes=SYNTHETIC_NOTE,
                )
                tables[ExchangePairing].add(exchange_id=exchange_id, pairing_id=pairing_id)
                # A quarter of the exchanges also serve other pairings active that day.
                extra = dice.choices([0, 1, 2], weights=[75, 18, 7])[0]
                linked = {pairing_id}
                for _other in range(extra * 3):
                    if len(linked) > extra:
                        break
                    other, _k, o_signed, o_ended, *_rest = self.pairings[dice.choice(candidates)]
                    serving = o_signed <= day and (o_ended is None or day <= o_ended)
                    if other not in linked and serving:
                        linked.add(other)
                        tables[ExchangePairing].add(exchange_id=exchange_id, pairing_id=other)

    def build_mentorships(self) -> None:
        dice, tables, team = self.dice, self.tables, self.team
        mentee_units = [
            unit
            for kind in (UnitKind.DEPARTMENT, UnitKind.TOWNSHIP, UnitKind.SCHOOL, UnitKind.HOSPITAL)
            for unit in self.helped_units.ids.get(kind, [])
        ]
        for batch, members in enumerate(team.members):
            start, end = team.starts[batch], team.ends[batch]
            for member in members:
                if dice.random() < 0.2:
                    continue
                mentees: set[tuple[int, str]] = set()
                for _mentee in range(dice.choice([1, 2, 2])):
                    unit, name = dice.choice(mentee_units), dice.person()
                    if (unit, name) in mentees:
                        continue
                    mentees.add((unit, name))
                    begun = dice.date_between(start + 14 * DAY, start + 120 * DAY)
                    tables[Mentorship].add(
                        mentor_id=member,
                        mentee_name=name,
                        mentee_unit_id=unit,
                        mentee_post=dice.choice(MENTEE_POSTS),
                        start_date=begun,
                        end_date=end if end and end >= begun else None,
                        goals="提升业务能力和基层治理水平。",
                        notes=SYNTHETIC_NOTE,
                    )

    # Money --------------------------------------------------------------------------------

    def build_projects(self) -> None:
        dice, tables, team = self.dice, self.tables, self.team
        townships = self.helped_units.ids.get(UnitKind.TOWNSHIP, [])
        town_names = self.helped_units.names
        for year_index in range(self.years):
            year = self.first_year + year_index
            late = year_index == self.years - 1 and self.years > 1
            shares = STATUS_SHARES["late" if late else "early"]
            for number in range(1, self.per_year["projects"] + 1):
                sector = dice.weighted(SECTOR_SHARES)
                prefix, group, names, implementers = SECTORS[sector]
                status = dice.weighted(shares)
                start = dice.working_day(year)
                end = None
                if status == ProjectStatus.COMPLETED:
                    end = min(start + DAY * dice.randint(90, 540), self.last_day)
                elif dice.random() < 0.6:
                    end = start + DAY * dice.randint(180, 900)
                township = (
                    dice.choice(townships)
                    if townships and sector in (Sector.AGRICULTURE, Sector.GOVERNANCE,
                                                Sector.INFRASTRUCTURE, Sector.CONSUMER)
                    and dice.random() < 0.8
                    else None
                )  # fmt: skip
                place = town_names[township].removeprefix(self.helped_place) if township else ""
                implementer = f"{self.helped_place}{dice.choice(implementers)}"
                batch = team.batch_at(start)
                project_id = tables[Project].add(
                    code=f"P{self.programme_id}-{prefix}-{year}-{number:04d}",
                    name=f"{place}{dice.choice(names)}项目",
                    sector=sector,
                    responsible_body_id=team.bodies[batch][2 + group],
                    township_id=township,
                    implementing_unit=implementer,
                    status=status,
                    start_date=None if status == "planned" and dice.random() < 0.3 else start,
                    end_date=end,
                    description=f"{self.helper_place}对口帮扶{self.helped_place}{sector.label}项目。",
                    notes=SYNTHETIC_NOTE,
                )
                self.build_money(project_id, status, start, end, year, implementer)
                self.build_indicators(project_id, sector, status, start, end)

    def build_money(self, project_id, status, start, end, year, implementer) -> None:
        dice, tables = self.dice, self.tables
        lines = dice.choices([1, 2, 3], weights=[55, 30, 15])[0]
        last_year = self.last_day.year
        paid_until = min(end or self.last_day, self.last_day)
        for line in range(lines):
            line_year = min(year + line, last_year)
            if status == ProjectStatus.PLANNED:
                payments: list[int] = []
            else:
                count = 1 + int(dice.expovariate(1 / (6.6 if status != "suspended" else 2.0)))
                payments = [dice.fen(median_yuan=40000, sigma=1.25) for _ in range(count)]
            paid = sum(payments)
            if paid:
                cover = 1 + (dice.random() * 0.05 if status == "completed" else dice.random() * 0.8)
            else:
                cover = 1
                paid = dice.fen(median_yuan=800000, sigma=1.0)
            # The plan is whole 万元 (10,000 yuan), never below what is paid from the line.
            step = 10000 * FEN
            amount = max(step, -(-int(paid * cover) // step) * step)
            approved = dice.working_day(line_year, end=D(line_year, 4, 30))
            funding_id = tables[Funding].add(
                project_id=project_id,
                source=dice.weighted(SOURCE_SHARES),
                year=line_year,
                amount=amount,
                document_number=f"{self.helper_place[:2]}财〔{line_year}〕{dice.randint(1, 300)}号"
                if dice.random() < 0.8
                else "",
                approved_on=approved if dice.random() < 0.85 else None,
                notes=SYNTHETIC_NOTE,
            )
            window_start = max(start, D(line_year, 1, 1))
            days = sorted(
                dice.date_between(window_start, max(window_start, paid_until)) for _ in payments
            )
            for day, payment in zip(days, payments, strict=True):
                tables[Disbursement].add(
                    project_id=project_id,
                    funding_id=funding_id,
                    paid_on=day,
                    amount=payment,
                    payee=implementer
                    if dice.random() < 0.4
                    else f"{self.helped_place}{dice.choice(TOWNS)}{dice.choice(PAYEE_KINDS)}",
                    voucher_number=f"{day.year}记{dice.randint(1, 99999):05d}",
                    notes=SYNTHETIC_NOTE,
                )

    def build_indicators(self, project_id, sector, status, start, end) -> None:
        dice = self.dice
        pool = INDICATORS[sector]
        for name, unit, low, high in dice.sample(pool, dice.randint(1, min(3, len(pool)))):
            target = Decimal(dice.randint(low, high))
            actual = as_of = None
            if status == ProjectStatus.COMPLETED:
                actual = (target * Decimal(dice.randint(90, 115)) / 100).quantize(Decimal(1))
                as_of = min(end or self.last_day, self.last_day)
            elif status == ProjectStatus.IN_PROGRESS and dice.random() < 0.7:
                actual = (target * Decimal(dice.randint(10, 90)) / 100).quantize(Decimal(1))
                as_of = dice.date_between(start, self.last_day)
            self.tables[Indicator].add(
                project_id=project_id,
                name=name,
                unit=unit,
                baseline=Decimal(0) if dice.random() < 0.3 else None,
                target=target,
                actual=actual,
                as_of=as_of,
                notes=SYNTHETIC_NOTE,
            )

    def build_leads(self) -> None:
        dice, tables, team = self.dice, self.tables, self.team
        segments = self.used["segments"]
        for year_index in range(self.years):
            year = self.first_year + year_index
            for _number in range(self.per_year["leads"]):
                industry = dice.choice(list(COMPANY_KINDS))
                city = dice.choice(LEAD_CITIES)
                company = (
                    f"{city}{dice.choice(COMPANY_WORDS)}{dice.choice(COMPANY_WORDS)}"
                    f"{dice.choice(COMPANY_KINDS[industry])}有限公司"
                )
                dates: dict[str, D] = {}
                day = dice.working_day(year)
                for stage, share in zip(FUNNEL_FIELDS, FUNNEL, strict=True):
                    if dice.random() >= share or day > self.last_day:
                        break
                    dates[stage] = day
                    day = day + DAY * dice.randint(14, 90)
                batch = team.batch_at(dates["visited_on"])
                followers = team.group_members[batch][INDUSTRY_GROUP]
                registered = "registered_on" in dates
                tables[InvestmentLead].add(
                    company=company,
                    city=city,
                    industry=industry,
                    segment_id=dice.choice(segments[industry]) if dice.random() < 0.9 else None,
                    follower_body_id=team.bodies[batch][2 + INDUSTRY_GROUP],
                    follower_id=dice.choice(followers) if followers else None,
                    registered_capital=dice.fen(median_yuan=2e7, sigma=0.8, low_yuan=1000000)
                    // (10000 * FEN)
                    * (10000 * FEN)
                    if registered
                    else None,
                    planned_investment=dice.fen(median_yuan=5e7, sigma=0.9, low_yuan=1000000)
                    // (10000 * FEN)
                    * (10000 * FEN)
                    if "intent_on" in dates
                    else None,
                    notes=SYNTHETIC_NOTE,
                    **dates,
                )

    def build_outlets(self) -> None:
        dice, tables, team = self.dice, self.tables, self.team
        used = self.used["outlets"]
        city = self.helper_place.removesuffix("市")
        for _number in range(3 + self.years):
            opened = dice.date_between(D(FIRST_YEAR, 3, 1), self.last_day - 60 * DAY)
            batch = team.batch_at(opened)
            outlet_id = tables[Outlet].add(
                name=_unique(
                    lambda: (
                        f"{city}{dice.choice(OUTLET_BRANDS)}{dice.choice(OUTLET_PLACES)}店"
                        f"（{self.helped_place}产品专柜）"
                    ),
                    used,
                ),
                operator=f"{self.helper_place}{dice.choice(OUTLET_BRANDS)}",
                address=f"{self.helper_place}{dice.choice(DISTRICTS)}{dice.choice(OUTLET_PLACES)}路"
                f"{dice.randint(1, 300)}号",
                responsible_body_id=team.bodies[batch][2 + INDUSTRY_GROUP],
                notes=SYNTHETIC_NOTE,
            )
            products = dice.sample(PRODUCTS, dice.randint(3, 5))
            month = D(opened.year, opened.month, 1)
            while month <= self.last_day:
                season = 1.8 if month.month in (1, 2) else 1.3 if month.month in (9, 12) else 1.0
                for product, unit, price, base in products:
                    quantity = max(1, int(base * season * dice.uniform(0.5, 1.5)))
                    tables[Sale].add(
                        outlet_id=outlet_id,
                        product=product,
                        period=month,
                        quantity=quantity,
                        quantity_unit=unit,
                        amount=int(price * quantity * FEN),
                        notes=SYNTHETIC_NOTE,
                    )
                month = D(month.year + month.month // 12, month.month % 12 + 1, 1)


# The whole run -------------------------------------------------------------------------------


def _next_ids() -> dict[type[models.Model], int]:
    return {model: (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1 for model in MODELS}


def _ensure_segments() -> dict[str, list[int]]:
    """The segments (a managed list shared by all programmes): the demo's twelve, created
    one by one (with their history) when missing."""
    position = Segment.objects.aggregate(top=Max("position"))["top"] or 0
    # Explicit ids, like every synthetic row: a sequence does not roll back with a failed run,
    # and the same seed must give the same ids.
    next_id = (Segment.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
    by_industry: dict[str, list[int]] = {}
    for industry, names in SEGMENTS:
        for name in names:
            segment = Segment.objects.filter(name=name).first()
            if segment is None:
                position += 1
                segment = Segment.objects.create(
                    pk=next_id, name=name, industry=industry, position=position
                )
                next_id += 1
            by_industry.setdefault(segment.industry, []).append(segment.pk)
    return by_industry


def _programme_names(programmes: int, seed: int) -> list[dict]:
    """Helper and helped places of each programme, named uniquely beside existing ones."""
    dice = Dice(f"aidledger-synthetic:{seed}:programmes")
    taken = set(Programme.objects.values_list("name", flat=True))
    specs = []
    for _number in range(programmes):
        helper, helped = dice.choice(HELPER_CITIES), dice.choice(HELPED_COUNTIES)
        base = f"{helper}对口帮扶{helped}"
        name, round_ = base, 2
        while name in taken:
            name = f"{base}（第{round_}轮）"
            round_ += 1
        taken.add(name)
        specs.append({"name": name, "helper_place": helper, "helped_place": helped})
    return specs


def generate(
    *,
    programmes: int,
    years: int,
    seed: int = 1,
    size: float = 1.0,
    progress: Callable[[int, int], None] | None = None,
) -> dict[type[models.Model], int]:
    """Write `programmes` new programmes of `years` years each; return rows written per model.

    `size` scales the rows per programme-year (1.0: about 4,000 exchanges); tests use less.

    One transaction: an error leaves the database as it was. No change-history rows.
    """
    counts = dict.fromkeys(MODELS, 0)
    with transaction.atomic():
        segments = _ensure_segments()
        next_ids = _next_ids()
        used = {"segments": segments, "outlets": set(Outlet.objects.values_list("name", flat=True))}
        for position, programme in enumerate(_programme_names(programmes, seed)):
            tables = {model: Table(model, next_ids[model]) for model in MODELS}
            ledger = ProgrammeLedger(
                dice=Dice(f"aidledger-synthetic:{seed}:{position}"),
                tables=tables,
                programme=programme,
                years=years,
                used=used,
                size=size,
            )
            ledger.build()
            for model in MODELS:
                counts[model] += len(tables[model].rows)
                next_ids[model] = tables[model].next_id
                _write(tables[model])
            if connection.vendor == "postgresql":
                # Check this programme's foreign keys now, not all at commit: PostgreSQL
                # queues deferred checks in memory, millions of them at the top setting.
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            if progress:
                progress(position + 1, programmes)
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), [*MODELS, Segment]):
                cursor.execute(statement)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The roll-ups too: their triggers filled them with the records.
            for model in [*MODELS, *ROLLUP_MODELS]:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return counts
