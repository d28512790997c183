"""A synthetic city for benchmarks: township and industry federations, ~5,000 grassroots unions, N members.

Used by ``manage.py seed_scale`` and by ``bench/members.py``. Everything is drawn from a seeded random
generator, so the same seed on the same database state gives the same city.

The people are synthetic, not personal data: no audit rows are written for them (the tree nodes and members
are inserted with ``bulk_create`` and PostgreSQL COPY, which bypass the audit signals on purpose). Their ID
numbers are structurally valid (GB 11643: region, birth date, sequence with the sex's parity, check
character) and unique; the region codes are Shangluo's (6110xx from 2002 on, 6125xx before).
"""

import io
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from stdnum.cn import ric, uscc

from members.models import Member, MembershipPeriod
from unionportal.core import numbers
from unionportal.org.models import Organisation, RetiredPath
from unionportal.org.paths import county_path

K = Organisation.Kind


def words(text: str) -> list[str]:
    return text.split()


# --- The tree ----------------------------------------------------------------------------------------

# County code → (short name, townships and streets). The demo tree already has 城关街道 under 商州区 and
# 山阳县, so those two are left out here.
COUNTIES = {
    "611002": ("商州区", "大赵峪街道 陈塬街道 刘湾街道 夜村镇 沙河子镇 杨峪河镇 金陵寺镇 黑山镇 杨斜镇 麻街镇 "
                        "牧护关镇 大荆镇 腰市镇 板桥镇 北宽坪镇 三岔河镇 闫村镇"),
    "611021": ("洛南县", "城关街道 四皓街道 景村镇 古城镇 三要镇 灵口镇 寺耳镇 巡检镇 石坡镇 石门镇 麻坪镇 "
                        "洛源镇 保安镇 永丰镇 卫东镇 柏峪寺镇"),
    "611022": ("丹凤县", "龙驹寨街道 庾岭镇 蔡川镇 峦庄镇 铁峪铺镇 武关镇 竹林关镇 土门镇 寺坪镇 商镇 棣花镇 "
                        "花瓶镇"),
    "611023": ("商南县", "城关街道 富水镇 湘河镇 赵川镇 金丝峡镇 过风楼镇 试马镇 清油河镇 十里坪镇 青山镇"),
    "611024": ("山阳县", "十里铺街道 高坝店镇 天竺山镇 中村镇 银花镇 西照川镇 漫川关镇 南宽坪镇 户垣镇 杨地镇 "
                        "小河口镇 色河铺镇 板岩镇 延坪镇 两岭镇 王闫镇 法官镇"),
    "611025": ("镇安县", "永乐街道 回龙镇 铁厂镇 大坪镇 米粮镇 茅坪回族镇 西口回族镇 高峰镇 青铜关镇 柴坪镇 "
                        "达仁镇 木王镇 云盖寺镇 庙沟镇 月河镇"),
    "611026": ("柞水县", "乾佑街道 营盘镇 下梁镇 红岩寺镇 曹坪镇 凤凰镇 杏坪镇 瓦房口镇 小岭镇"),
}  # fmt: skip
# The share of the city's unions in each county (商州区 is the city seat).
COUNTY_WEIGHTS = {"611002": 26, "611021": 15, "611022": 10, "611023": 10, "611024": 15, "611025": 13, "611026": 11}
TRANSPORT = "交通运输、仓储和邮政业"
HEALTH = "卫生和社会工作"
INDUSTRY_FEDERATIONS = [  # (kind, name, employer nature of its unions or None for any, their trades or None)
    (K.INDUSTRY, "建筑业工会联合会", "enterprise", [("建筑工程", "建筑业"), ("建材", "制造业")]),
    (K.INDUSTRY, "交通运输行业工会联合会", "enterprise", [("物流", TRANSPORT), ("汽车运输", TRANSPORT),
                                                          ("快递服务", TRANSPORT)]),
    (K.INDUSTRY, "教育工会", "institution", [("中心小学", "教育"), ("初级中学", "教育"), ("中学", "教育"),
                                             ("幼儿园", "教育")]),
    (K.INDUSTRY, "卫生健康系统工会联合会", "institution", [("中心卫生院", HEALTH), ("敬老院", HEALTH),
                                                            ("社区卫生服务中心", HEALTH)]),
    (K.INDUSTRY, "非公有制企业工会联合会", "enterprise", None),
    (K.PARK, "工业园区工会联合会", "enterprise", None),
]  # fmt: skip
# Region codes of resident ID numbers issued in Shangluo, by county, in COUNTIES order: 6125xx until the
# prefecture became a city in 2002, 6110xx since.
OLD_REGIONS = ["612501", "612522", "612523", "612524", "612525", "612526", "612527"]
NEW_REGIONS = list(COUNTIES)
NEW_REGIONS_FROM = date(2002, 1, 1)

NATURES = [  # (employer nature, weight)
    (Organisation.EmployerNature.ENTERPRISE, 62),
    (Organisation.EmployerNature.INSTITUTION, 14),
    (Organisation.EmployerNature.GOVERNMENT, 8),
    (Organisation.EmployerNature.VILLAGE, 12),
    (Organisation.EmployerNature.SOCIAL, 3),
    (Organisation.EmployerNature.OTHER, 1),
]
BRANDS = words(
    "秦岭 丹江 金丝 商山 鹤城 华泰 宏达 鑫源 恒信 天蓬 龙腾 瑞丰 盛世 永兴 博远 嘉禾 中联 兴业 新科 润泽 "
    "祥和 银河 星光 东方 富源 海川 锦绣 德润 万通 汇丰 荣昌 国泰 昌盛 明辉 康源 绿源 佳宇 振华 宏远 聚力"
)
BUSINESSES = [
    ("建筑工程", "建筑业"), ("物流", TRANSPORT), ("食品", "制造业"), ("矿业", "采矿业"),
    ("旅游开发", "租赁和商务服务业"), ("医药", "制造业"), ("电子科技", "制造业"), ("物业管理", "房地产业"),
    ("商贸", "批发和零售业"), ("农业开发", "农、林、牧、渔业"), ("新材料", "制造业"), ("酒店管理", "住宿和餐饮业"),
    ("汽车运输", TRANSPORT), ("茶业", "农、林、牧、渔业"), ("水电开发", "电力、热力、燃气及水生产和供应业"),
    ("信息技术", "信息传输、软件和信息技术服务业"), ("餐饮管理", "住宿和餐饮业"), ("快递服务", TRANSPORT),
]  # fmt: skip
COMPANY_FORMS = ["有限公司", "有限责任公司", "股份有限公司", "实业有限公司"]
INSTITUTIONS = [
    ("中心小学", "教育"), ("初级中学", "教育"), ("中心卫生院", HEALTH), ("敬老院", HEALTH),
    ("农业综合服务站", "公共管理、社会保障和社会组织"), ("中学", "教育"), ("幼儿园", "教育"),
]  # fmt: skip
BUREAUS = words(
    "交通运输局 住房和城乡建设局 自然资源局 农业农村局 水利局 民政局 财政局 税务局 市场监督管理局 文化和旅游局"
)
VILLAGES = words("东坪 西沟 南河 北坡 王庄 李湾 张村 刘坪 杨庄 河口 龙潭 白杨 松树 桃园 柳林 青龙 黄龙 石门 红岩 花园")
ROADS = words("北新街 南新街 工农路 商鞅大道 通江路 东大街 西大街 江滨路 迎宾大道 滨河路 朝阳路 建设路")

# --- People ------------------------------------------------------------------------------------------

# Common surnames with rough shares (percent) of the population.
SURNAMES = (
    "王7.1 李7.0 张6.7 刘5.4 陈4.5 杨3.1 黄2.5 赵2.3 吴2.1 周2.1 徐1.7 孙1.5 马1.5 朱1.3 胡1.3 郭1.2 何1.2 "
    "林1.1 高1.1 罗1.0 郑0.9 梁0.9 谢0.8 宋0.7 唐0.7 许0.7 韩0.7 邓0.6 冯0.6 曹0.6 彭0.6 曾0.6 肖0.5 田0.5 "
    "董0.5 潘0.5 袁0.5 蔡0.4 蒋0.4 余0.4 于0.4 杜0.4 叶0.4 程0.4 魏0.4 苏0.4 吕0.3 丁0.3 任0.3 卢0.3 姚0.3 "
    "沈0.3 钟0.3 姜0.3 崔0.3 谭0.3 陆0.3 范0.2 汪0.2 廖0.2 石0.2 金0.2 韦0.2 贾0.2 夏0.2 付0.2 方0.2 邹0.2 "
    "熊0.2 白0.2 孟0.2 秦0.2 邱0.2 侯0.2 江0.2 尹0.2 薛0.2 闫0.2 段0.2 雷0.2 龙0.2 黎0.1 史0.1 陶0.1 贺0.1 "
    "毛0.1 郝0.1 顾0.1 龚0.1 邵0.1 万0.1 武0.1 钱0.1 戴0.1 严0.1 欧阳0.04 司马0.02 诸葛0.01 上官0.01"
)
SURNAME_LIST = [s.rstrip("0123456789.") for s in SURNAMES.split()]
SURNAME_WEIGHTS = [float(s[len(n) :]) for s, n in zip(SURNAMES.split(), SURNAME_LIST, strict=True)]
# Given-name characters, most common first.
MALE_CHARS = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆旭宁龙林阳建国峰亮成东文博志海兵晨昊轩睿泽宏德永家振胜"
FEMALE_CHARS = "芳娜敏静丽艳娟霞燕玲丹萍红琳雪婷慧莉倩颖琴云洁梅兰英秀娇晶妍欣怡佳悦雨梦璐瑶蕾薇莹月彤诗涵萱"
SHARED_CHARS = "晓小子思嘉春秋文雅安欣一"
TWO_CHAR_SHARE = 0.3  # names of a surname and one character (张伟), as common in the older generations

ETHNICITIES = [("汉族", 990), ("回族", 5), ("满族", 2), ("蒙古族", 1), ("土家族", 1), ("苗族", 1)]
EDUCATION = [("primary", 5), ("junior", 25), ("senior", 30), ("college", 20), ("bachelor", 17), ("postgraduate", 3)]
SKILLS = [("", 70), ("grade5", 10), ("grade4", 10), ("grade3", 6), ("grade2", 3), ("grade1", 1)]
POLITICAL = [("masses", 75), ("league", 8), ("party", 16), ("democratic", 1)]
NEW_FORM_GROUPS = [
    ("truck_driver", 20), ("courier", 25), ("food_delivery", 25), ("ride_hailing", 15), ("domestic", 8),
    ("mall_info", 2), ("streamer", 2), ("security", 3),
]  # fmt: skip
POSITIONS = [
    ("职工", 50), ("技术员", 8), ("班组长", 6), ("车间主任", 2), ("会计", 3), ("出纳", 2), ("司机", 5), ("教师", 6),
    ("医生", 3), ("护士", 3), ("销售员", 4), ("文员", 3), ("保安", 2), ("厨师", 1), ("电工", 1), ("部门经理", 1),
]  # fmt: skip
STATUSES = [("active", 970), ("retired", 15), ("left", 10), ("transferred_out", 5)]
NEW_FORM_SHARE = 0.08
RURAL_SHARE = 0.5
MIGRANT_SHARE_OF_RURAL = 0.9  # about 45% of members are migrant workers (农民工)
HOME_COUNTY_SHARE = 0.7  # members whose ID number was issued in the county of their union
MOBILE_PREFIXES = words(
    "130 131 132 133 134 135 136 137 138 139 150 151 152 153 155 156 157 158 159 166 173 175 176 177 178 "
    "180 181 182 183 184 185 186 187 188 189 191 198 199"
)

# Columns written for each member, in this order (created_at and updated_at are added by the writer).
MEMBER_COLUMNS = (
    "member_number", "name", "sex", "ethnicity", "birth_date", "id_type", "id_number", "education", "skill_level",
    "political_status", "household", "is_migrant_worker", "employment", "new_form_group", "employer", "position",
    "is_model_worker", "phone", "joined_on", "organisation_id", "org_path", "status", "status_changed_on",
)  # fmt: skip


def random_name(rng: random.Random, sex: str) -> str:
    """A common Chinese name for ``sex`` ("M"/"F"); about 30% have a single given character."""
    surname = rng.choices(SURNAME_LIST, SURNAME_WEIGHTS)[0]
    chars = MALE_CHARS if sex == "M" else FEMALE_CHARS
    if rng.random() < TWO_CHAR_SHARE:
        return surname + rng.choice(chars)
    return surname + rng.choice(chars + SHARED_CHARS) + rng.choice(chars)


def random_mobile(rng: random.Random) -> str:
    return f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"


def id_number_for(region: str, born: date, sequence: int) -> str:
    """A valid resident ID number (GB 11643-1999); ``sequence`` (0-999) is odd for a man."""
    body = f"{region}{born:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")


def credit_code_for(kind: str, region: str, body8: str) -> str:
    """A valid unified social credit code: ``kind`` is "81" for a grassroots union, "91" for a company.

    The 9-character organisation code carries its own GB 11714 check character before the GB 32100 one.
    """
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    check = 11 - sum(int(c) * w for c, w in zip(body8, weights, strict=True)) % 11
    org_code = body8 + {10: "X", 11: "0"}.get(check, str(check))
    partial = f"{kind}{region}{org_code}"
    return partial + uscc.calc_check_digit(partial)


# --- Building the tree -------------------------------------------------------------------------------


def ensure_city() -> Organisation:
    """The demo city (商洛市总工会 and its seven counties), seeded by members.demo if it is missing."""
    from members import demo

    city_missing = not Organisation.objects.filter(code=demo.CITY[0]).exists()
    if city_missing or Organisation.objects.filter(code__in=COUNTIES).count() < len(COUNTIES):
        demo.seed()
    return Organisation.objects.get(code=demo.CITY[0])


def _children(parent: Organisation) -> list[Organisation]:
    return list(Organisation.objects.filter(path__startswith=parent.path, depth=parent.depth + 1).order_by("path"))


def _append_paths(parent: Organisation, existing: list[Organisation], new: list[Organisation]) -> None:
    """Give ``new`` children of ``parent`` the paths ``OrganisationManager.add_child`` would: appended after the
    existing children and after any retired step (in code order among themselves), so no path moves or returns."""
    new.sort(key=lambda node: node.code)
    width = len(parent.path) + Organisation.steplen
    retired = RetiredPath.objects.filter(path__startswith=parent.path, path__regex=rf"^.{{{width}}}$")
    taken = [node.path for node in existing] + list(retired.values_list("path", flat=True))
    step = max((Organisation._str2int(path[-Organisation.steplen :]) for path in taken), default=0)
    for offset, node in enumerate(new, start=1):
        node.path = Organisation._get_path(parent.path, parent.depth + 1, step + offset)
        node.depth = parent.depth + 1
        node.numchild = 0


def _next_suffix(parent: Organisation, children: list[Organisation], digits: int) -> int:
    """One more than the largest ``digits``-digit suffix among the children's codes (codes extend the parent's)."""
    suffixes = [
        int(child.code[len(parent.code) :])
        for child in children
        if len(child.code) == len(parent.code) + digits and child.code[len(parent.code) :].isdigit()
    ]
    return max(suffixes, default=0) + 1


@transaction.atomic
def ensure_federations() -> list[Organisation]:
    """Township, street, industry and park federations under each county (idempotent); returns all of them."""
    ensure_city()
    counties = {c.code: c for c in Organisation.objects.filter(code__in=COUNTIES)}
    created = []
    for code, (short, townships) in COUNTIES.items():
        county = counties[code]
        children = _children(county)
        have = {child.name for child in children}
        wanted = [(K.TOWNSHIP, f"{short}{town}总工会") for town in townships.split()]
        wanted += [(kind, f"{short}{name}") for kind, name, _, _ in INDUSTRY_FEDERATIONS]
        suffix = _next_suffix(county, children, 3)
        new = []
        for kind, name in wanted:
            if name not in have:
                new.append(Organisation(kind=kind, code=f"{code}{suffix:03d}", name=name, short_name=name[:50]))
                suffix += 1
        if suffix > 1000:
            raise ValueError(f"no three-digit codes left under {code}")
        _append_paths(county, children, new)
        created += new
        if new:
            Organisation.objects.filter(pk=county.pk).update(numchild=F("numchild") + len(new))
    Organisation.objects.bulk_create(created)
    names = {f"{short}{town}总工会" for short, towns in COUNTIES.values() for town in towns.split()}
    names |= {f"{short}{name}" for short, _ in COUNTIES.values() for _, name, _, _ in INDUSTRY_FEDERATIONS}
    return list(Organisation.objects.filter(name__in=names, depth=3).order_by("path"))


def _union_fields(rng: random.Random, parent: Organisation, today: date) -> dict:
    """The particulars of one grassroots union under ``parent``: its employer follows the federation's trade."""
    county_short, towns = COUNTIES[parent.code[:6]]
    place = parent.name.removeprefix(county_short).removesuffix("总工会")
    if parent.kind != K.TOWNSHIP:  # an industry or park federation: the union sits in one of the county's towns
        place = rng.choice(towns.split())
    nature, trades = next(
        ((n, t) for _, name, n, t in INDUSTRY_FEDERATIONS if parent.name.endswith(name)), (None, None)
    )
    nature = nature or rng.choices([n for n, _ in NATURES], [w for _, w in NATURES])[0]
    if nature == Organisation.EmployerNature.ENTERPRISE:
        business, industry = rng.choice(trades or BUSINESSES)
        brand = rng.choice(BRANDS)
        employer = f"{rng.choice(['商洛', '商洛市', county_short])}{brand}{business}{rng.choice(COMPANY_FORMS)}"
        short = f"{brand}{business}"
        employees = max(8, int(rng.lognormvariate(4.2, 1.1)))
    elif nature == Organisation.EmployerNature.INSTITUTION:
        suffix, industry = rng.choice(trades or INSTITUTIONS)
        employer = f"{county_short}{place.removesuffix('镇').removesuffix('街道')}{suffix}"
        short = employer
        employees = max(8, int(rng.lognormvariate(3.6, 0.8)))
    elif nature == Organisation.EmployerNature.GOVERNMENT:
        employer = f"{county_short}{rng.choice(BUREAUS)}"
        short, industry = employer, "公共管理、社会保障和社会组织"
        employees = max(10, int(rng.lognormvariate(3.8, 0.6)))
    elif nature == Organisation.EmployerNature.VILLAGE:
        village = rng.choice(VILLAGES) + rng.choice(["村", "社区"])
        employer = f"{county_short}{place}{village}"
        short, industry = village, "农、林、牧、渔业"
        employees = max(5, int(rng.lognormvariate(3.0, 0.6)))
    else:
        employer = f"{county_short}{rng.choice(BRANDS)}{rng.choice(['协会', '基金会', '合作社', '服务中心'])}"
        short, industry = employer, "居民服务、修理和其他服务业"
        employees = max(5, int(rng.lognormvariate(2.8, 0.7)))
    founded = today - timedelta(days=rng.randrange(365, 40 * 365))
    certified = rng.random() < 0.7
    return {
        "kind": K.GRASSROOTS,
        "name": f"{employer}工会",
        "short_name": f"{short}工会"[:50],
        "employer_name": employer,
        "employer_nature": nature,
        "industry": industry,
        "employee_count": employees,
        "founded_on": founded,
        "term_ends_on": today + timedelta(days=rng.randrange(-60, 5 * 365)),
        "chair_name": random_name(rng, rng.choice("MF")),
        "chair_full_time": employees >= 500,
        "chair_phone": random_mobile(rng),
        "address": f"商洛市{county_short}{place}{rng.choice(ROADS)}{rng.randrange(1, 300)}号",
        "has_women_committee": employees >= 25 and rng.random() < 0.7,
        "has_audit_committee": rng.random() < 0.6,
        "has_workers_congress": rng.random() < 0.5,
        "has_collective_contract": rng.random() < 0.5,
        "certificate_valid_until": today + timedelta(days=rng.randrange(-90, 5 * 365)) if certified else None,
    }


@transaction.atomic
def ensure_unions(count: int, *, seed: int) -> int:
    """Make sure the city has at least ``count`` grassroots unions; return how many were created.

    New unions hang under the federations made by ``ensure_federations``, spread over the counties by
    COUNTY_WEIGHTS. Their codes are the parent's code and four digits; credit codes start with 81.
    """
    federations = ensure_federations()
    existing = Organisation.objects.filter(kind=K.GRASSROOTS).count()
    missing = count - existing
    if missing <= 0:
        return 0
    rng = random.Random(f"{seed}:unions:{existing}")  # noqa: S311 - synthetic data, not secrets
    today = timezone.localdate()
    by_county: dict[str, list[Organisation]] = {}
    for node in federations:
        by_county.setdefault(node.code[:6], []).append(node)
    county_codes = list(COUNTY_WEIGHTS)
    picks = rng.choices(county_codes, [COUNTY_WEIGHTS[c] for c in county_codes], k=missing)
    new_by_parent: dict[int, list[Organisation]] = {}
    parents = {node.pk: node for node in federations}
    for county_code in picks:
        parent = rng.choice(by_county[county_code])
        new_by_parent.setdefault(parent.pk, []).append(Organisation())
    created = []
    for parent_pk, nodes in new_by_parent.items():
        parent = parents[parent_pk]
        children = _children(parent)
        suffix = _next_suffix(parent, children, 4)
        for node in nodes:
            for name, value in _union_fields(rng, parent, today).items():
                setattr(node, name, value)
            node.code = f"{parent.code}{suffix:04d}"
            # Organisation codes: 5 (union) or 6 (employer) and the seven digits below the county, so unique.
            node.credit_code = credit_code_for("81", parent.code[:6], "5" + node.code[6:])
            node.employer_credit_code = credit_code_for("91", parent.code[:6], "6" + node.code[6:])
            if node.certificate_valid_until:
                node.certificate_number = f"工法证字第{node.code}号"
            suffix += 1
        if suffix > 10000:
            raise ValueError(f"no four-digit codes left under {parent.code}")
        _append_paths(parent, children, nodes)
        Organisation.objects.filter(pk=parent.pk).update(numchild=F("numchild") + len(nodes))
        created += nodes
    Organisation.objects.bulk_create(created, batch_size=1000)
    return len(created)


# --- Members -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Union:
    pk: int
    path: str
    employer: str
    county: int  # index into NEW_REGIONS / OLD_REGIONS
    weight: int


def unions_for_members() -> list[Union]:
    """Active grassroots unions, weighted by their employees, with the county each lies in."""
    counties = dict(Organisation.objects.filter(code__in=COUNTIES).values_list("path", "code"))
    index = {code: i for i, code in enumerate(NEW_REGIONS)}
    unions = []
    rows = Organisation.objects.filter(kind=K.GRASSROOTS, is_active=True).order_by("path")
    for pk, path, employer, name, employees in rows.values_list(
        "pk", "path", "employer_name", "name", "employee_count"
    ):
        county = index.get(counties.get(county_path(path)), 0)
        unions.append(Union(pk, path, employer or name.removesuffix("工会"), county, employees or 50))
    return unions


class MemberGenerator:
    """Rows of synthetic members, in MEMBER_COLUMNS order, chunk by chunk.

    ID numbers are drawn at random and kept unique: against those drawn in this run, and against the
    database chunk by chunk (``taken`` answers which of a list already exist). Phones are unique within
    the run. The draw depends only on the seed and the first member number, so a rerun of the command
    continues with a different, equally reproducible draw.
    """

    def __init__(self, *, seed: int, first_number: int, unions: list[Union], taken: Callable[[list[str]], set]):
        self.rng = random.Random(f"{seed}:members:{first_number}")  # noqa: S311 - synthetic data, not secrets
        self.unions = unions
        self.taken = taken
        self.seen_ids: set[str] = set()
        self.seen_phones: set[str] = set()
        today = timezone.localdate()
        self.today = today
        oldest, youngest = _years_before(today, 60) + timedelta(days=1), _years_before(today, 18)
        self.birth_dates = [oldest + timedelta(days=d) for d in range((youngest - oldest).days + 1)]
        self.joined_start = _years_before(today, 10)
        cum, total = [], 0
        for union in unions:
            total += union.weight
            cum.append(total)
        self.union_cum = cum

    def chunk(self, numbers: list[str]) -> list[tuple]:
        """One row per member number in ``numbers``."""
        rng = self.rng
        n = len(numbers)
        people = [self._person(union) for union in rng.choices(self.unions, cum_weights=self.union_cum, k=n)]
        # Keep ID numbers unique: redraw the few that the database already has.
        while clash := self.taken([p[0] for p in people]):
            for i, person in enumerate(people):
                if person[0] in clash:
                    self.seen_ids.discard(person[0])
                    people[i] = self._person(person[4])
        ethnicity = _draw(rng, ETHNICITIES, n)
        education = _draw(rng, EDUCATION, n)
        skills = _draw(rng, SKILLS, n)
        political = _draw(rng, POLITICAL, n)
        positions = _draw(rng, POSITIONS, n)
        groups = _draw(rng, NEW_FORM_GROUPS, n)
        statuses = _draw(rng, STATUSES, n)
        rows = []
        for i, (id_number, sex, born, name, union) in enumerate(people):
            rural = rng.random() < RURAL_SHARE
            new_form = rng.random() < NEW_FORM_SHARE
            earliest = max(self.joined_start, _years_after(born, 18))
            joined = earliest + timedelta(days=rng.randrange((self.today - earliest).days + 1))
            status = statuses[i]
            if status == "retired" and (self.today - born).days < 50 * 365:
                status = "active"
            changed = None
            if status != "active":
                changed = joined + timedelta(days=rng.randrange((self.today - joined).days + 1))
            rows.append((
                numbers[i], name, sex, ethnicity[i], born, "resident", id_number, education[i], skills[i],
                political[i], "rural" if rural else "urban", rural and rng.random() < MIGRANT_SHARE_OF_RURAL,
                "new_form" if new_form else "standard", groups[i] if new_form else "", union.employer,
                positions[i], rng.random() < 0.003, self._phone(), joined, union.pk, union.path, status, changed,
            ))  # fmt: skip
        return rows

    def _person(self, union: Union) -> tuple:
        rng = self.rng
        while True:
            born = self.birth_dates[int(rng.triangular(0, len(self.birth_dates) - 1, len(self.birth_dates) * 0.55))]
            county = union.county if rng.random() < HOME_COUNTY_SHARE else rng.randrange(len(NEW_REGIONS))
            region = (NEW_REGIONS if born >= NEW_REGIONS_FROM else OLD_REGIONS)[county]
            sex = "M" if rng.random() < 0.55 else "F"
            sequence = rng.randrange(1, 500) * 2 - (sex == "M")  # 001-998; odd for a man
            id_number = id_number_for(region, born, sequence)
            if id_number not in self.seen_ids:
                self.seen_ids.add(id_number)
                return id_number, sex, born, random_name(rng, sex), union

    def _phone(self) -> str:
        while True:
            phone = random_mobile(self.rng)
            if phone not in self.seen_phones:
                self.seen_phones.add(phone)
                return phone


def _draw(rng: random.Random, weighted: list[tuple[str, int]], k: int) -> list[str]:
    return rng.choices([value for value, _ in weighted], [weight for _, weight in weighted], k=k)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _years_after(day: date, years: int) -> date:
    return _years_before(day, -years)


def _taken_id_numbers(candidates: list[str]) -> set[str]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT id_number FROM members_member WHERE id_number = ANY(%s)", [candidates])
            return {row[0] for row in cursor.fetchall()}
    taken = set()
    for start in range(0, len(candidates), 500):
        batch = candidates[start : start + 500]
        taken.update(Member.objects.filter(id_number__in=batch).values_list("id_number", flat=True))
    return taken


def _tsv(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value)


@transaction.atomic
def add_members(count: int, *, seed: int, chunk_size: int = 50_000, log: Callable[[str], None] = print) -> range:
    """Add ``count`` synthetic members (and their open membership periods); return their member number values.

    The whole addition is one transaction: it fails or succeeds as a whole, and keeps the member number
    sequence's row locked until it is done (registrations elsewhere wait; this is for benchmark databases).
    On PostgreSQL the rows go in with COPY, chunk by chunk; elsewhere (SQLite, the embedded default) with
    bulk_create, which is fine for the small counts used there.
    """
    unions = unions_for_members()
    if not unions:
        raise ValueError("no grassroots unions to add members to")
    block = numbers.allocate("member", count)  # the same sequence as services.member_numbers
    prefix = settings.MEMBER_NUMBER_PREFIX
    generator = MemberGenerator(seed=seed, first_number=block.start, unions=unions, taken=_taken_id_numbers)
    postgres = connection.vendor == "postgresql"
    started = time.monotonic()
    for start in range(block.start, block.stop, chunk_size):
        chunk_numbers = [f"{prefix}{n:08d}" for n in range(start, min(start + chunk_size, block.stop))]
        rows = generator.chunk(chunk_numbers)
        if postgres:
            _copy_members(rows)
        else:
            _create_members(rows)
        done = start + len(rows) - block.start
        log(f"  members: {done:,}/{count:,} ({done / (time.monotonic() - started):,.0f} rows/s)")
    first, last = f"{prefix}{block.start:08d}", f"{prefix}{block.stop - 1:08d}"
    if postgres:
        _insert_periods_sql(first, last)
    else:
        _create_periods(first, last)
    return block


def _copy_members(rows: list[tuple]) -> None:
    now = timezone.now().isoformat()
    buffer = io.StringIO()
    # The values are generated here and never contain a tab, a newline or a backslash: no escaping needed.
    buffer.writelines("\t".join([*map(_tsv, row), now, now]) + "\n" for row in rows)
    buffer.seek(0)
    columns = ", ".join([*MEMBER_COLUMNS, "created_at", "updated_at"])
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY members_member ({columns}) FROM STDIN", buffer)  # the psycopg2 cursor


def _create_members(rows: list[tuple]) -> None:
    Member.objects.bulk_create([Member(**dict(zip(MEMBER_COLUMNS, row, strict=True))) for row in rows], batch_size=500)


END_REASON_SQL = "CASE m.status WHEN 'left' THEN 'left' WHEN 'transferred_out' THEN 'transferred_out' ELSE '' END"


def _insert_periods_sql(first: str, last: str) -> None:
    """One open (or, for those who left, closed) period per new member, written by the database itself."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO members_membershipperiod
                (member_id, organisation_id, started_on, start_reason, ended_on, end_reason)
            SELECT m.id, m.organisation_id, m.joined_on, 'imported',
                   CASE WHEN m.status IN ('left', 'transferred_out') THEN m.status_changed_on END,
                   {END_REASON_SQL}
            FROM members_member m
            WHERE m.member_number BETWEEN %s AND %s
            """,  # noqa: S608 - no user input: a constant CASE expression
            [first, last],
        )


def _create_periods(first: str, last: str) -> None:
    closing = {Member.Status.LEFT, Member.Status.TRANSFERRED_OUT}
    members = Member.objects.filter(member_number__gte=first, member_number__lte=last)
    MembershipPeriod.objects.bulk_create(
        [
            MembershipPeriod(
                member_id=pk,
                organisation_id=org,
                started_on=joined,
                start_reason=MembershipPeriod.Reason.IMPORTED,
                ended_on=changed if status in closing else None,
                end_reason=status if status in closing else "",
            )
            for pk, org, joined, status, changed in members.values_list(
                "pk", "organisation_id", "joined_on", "status", "status_changed_on"
            ).iterator()
        ],
        batch_size=500,
    )


def analyze() -> None:
    """Fresh planner statistics after a large load (PostgreSQL); autovacuum would get there, later."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("members_organisation", "members_member", "members_membershipperiod"):
                cursor.execute(f"ANALYZE {table}")
