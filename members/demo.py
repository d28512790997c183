"""Demo city: 商洛市总工会, its seven county federations, a few unions below them, and the demo accounts."""

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from stdnum.cn import ric

from unionportal.core.demo import DEMO_PASSWORD, seeder
from unionportal.org import services as org_services
from unionportal.org.models import Organisation

from . import services
from .models import Member

K = Organisation.Kind

CITY = ("611000", "商洛市总工会")
COUNTIES = [
    ("611002", "商州区总工会"),
    ("611021", "洛南县总工会"),
    ("611022", "丹凤县总工会"),
    ("611023", "商南县总工会"),
    ("611024", "山阳县总工会"),
    ("611025", "镇安县总工会"),
    ("611026", "柞水县总工会"),
]
# (parent code, kind, code, name): a small slice below two counties; the members issue grows the rest.
BELOW_COUNTIES = [
    ("611002", K.TOWNSHIP, "611002001", "商州区城关街道总工会"),
    ("611002001", K.GRASSROOTS, "611002001001", "商洛市城投物业有限公司工会"),
    ("611002", K.INDUSTRY, "611002900", "商州区快递行业工会联合会"),
    ("611024", K.TOWNSHIP, "611024001", "山阳县城关街道总工会"),
    ("611024001", K.GRASSROOTS, "611024001001", "山阳县天蓬山寨旅游开发有限公司工会"),
]

# username → (organisation code, role, full name, admin site access)
ACCOUNTS = {
    "city_admin": ("611000", "city_admin", "王建国", True),
    "security_admin": ("611000", "security_admin", "赵安", True),
    "auditor": ("611000", "auditor", "钱审", False),
    "city_staff": ("611000", "city_staff", "孙丽", False),
    "counter_clerk": ("611000", "counter_clerk", "李娜", False),
    "reviewer": ("611000", "reviewer", "周敏", False),
    "approver": ("611000", "approver", "吴刚", False),
    "finance": ("611000", "finance", "郑财", False),
    "county_shangzhou": ("611002", "county_staff", "冯商", False),
    "county_shanyang": ("611024", "county_staff", "陈山", False),
    "union_officer": ("611002001001", "union_officer", "褚红", False),
}


def _node(parent, kind, code, name) -> tuple[Organisation, bool]:
    existing = Organisation.objects.filter(code=code).first()
    if existing:
        return existing, False
    fields = {"kind": kind, "code": code, "name": name}
    if parent is None:
        return Organisation.objects.add_root(fields), True
    return Organisation.objects.add_child(parent, fields), True


@seeder("organisations and accounts")
def seed() -> int:
    created = 0
    city, new = _node(None, K.CITY, *CITY)
    created += new
    for code, name in COUNTIES:
        created += _node(Organisation.objects.get(pk=city.pk), K.COUNTY, code, name)[1]
    for parent_code, kind, code, name in BELOW_COUNTIES:
        created += _node(Organisation.objects.get(code=parent_code), kind, code, name)[1]

    User = get_user_model()
    for username, (org_code, role, full_name, admin_site) in ACCOUNTS.items():
        if User.objects.filter(username=username).exists():
            continue
        user = User(
            username=username,
            name=full_name,
            organisation=Organisation.objects.get(code=org_code),
            is_staff=admin_site,
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.add(Group.objects.get(name=role))
        created += 1
    return created


SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "华",
    "平",
]
# (union code, how many members); the first member of 611002001001 is the demo member of the README.
DEMO_MEMBERS = [("611002001001", 24), ("611024001001", 16)]
DEMO_MEMBER_ID = "612501198806150020"  # 张芳, 商洛市城投物业有限公司工会


def _demo_id(n: int) -> str:
    born = date(1970, 1, 1) + timedelta(days=397 * n)
    body = f"612501{born:%Y%m%d}{(n * 7) % 1000:03d}0"
    return body[:17] + ric.calc_check_digit(body)


@seeder("members")
def seed_members() -> int:
    """Forty members in two unions, a legal-person certificate about to expire, and a pending transfer."""
    if Member.objects.exists():
        return 0
    User = get_user_model()
    clerk = User.objects.get(username="counter_clerk")
    created = 0
    n = 0
    for code, count in DEMO_MEMBERS:
        union = Organisation.objects.get(code=code)
        for i in range(count):
            n += 1
            first = code == "611002001001" and i == 0
            services.member_register(
                actor=clerk,
                organisation=union,
                data={
                    "name": "张芳" if first else SURNAMES[n % len(SURNAMES)] + GIVEN[(n * 3) % len(GIVEN)],
                    "id_number": DEMO_MEMBER_ID if first else _demo_id(n),
                    "phone": f"139{n:08d}",
                    "employer": union.name.removesuffix("工会"),
                    "is_migrant_worker": n % 3 == 0,
                    "employment": "new_form" if n % 9 == 0 else "standard",
                    "new_form_group": "courier" if n % 9 == 0 else "",
                    "joined_on": timezone.localdate() - timedelta(days=30 * (n % 30)),
                },
            )
            created += 1
    union = Organisation.objects.get(code="611002001001")
    org_services.organisation_update(
        actor=clerk, organisation=union,
        data={"credit_code": "81611002MC00000152", "employer_credit_code": "91611002MA7000001T",
              "employee_count": 60, "chair_name": "褚红", "founded_on": date(2015, 5, 1)},
    )  # fmt: skip
    services.certificate_case_file(
        actor=clerk, organisation=union, kind="new", certificate_number="工法证字第6110020010号",
        valid_from=date(2021, 1, 1), valid_until=timezone.localdate() + timedelta(days=45),
    )  # fmt: skip
    mover = Member.objects.filter(organisation__code="611024001001").order_by("pk").first()
    services.transfer_send(actor=clerk, member=mover, to_organisation=union, reason="调入城投物业工作")
    return created + _seed_drive_ledger()


@seeder("member accounts")
def seed_member_accounts() -> int:
    """The demo member (张芳) signs in online with the demo password; the other demo members can activate."""
    from . import accounts

    member = Member.objects.filter(id_number=DEMO_MEMBER_ID).first()
    if member is None or get_user_model().objects.filter(member=member).exists():
        return 0
    accounts.account_activate(
        id_number=member.id_number, phone=member.phone, member_number=member.member_number, password=DEMO_PASSWORD
    )
    return 1


# (name, credit code without its check character, county code, employees, status)
DRIVE_ENTERPRISES = [
    ("商洛市城投物业有限公司", "91611002MA7000001", "611002", 60, "not_contacted"),
    ("陕西商洛秦岭茶业有限公司", "91611002MA7000002", "611002", 86, "not_contacted"),
    ("商洛市顺达快递服务有限公司", "91611002MA7000003", "611002", 42, "contacted"),
    ("商州区美佳家政服务有限公司", "91611002MA7000004", "611002", 18, "not_contacted"),
    ("山阳县天蓬山寨旅游开发有限公司", "91611024MA7000005", "611024", 130, "not_contacted"),
    ("山阳县金川化工有限公司", "91611024MA7000006", "611024", 210, "preparing"),
    ("山阳县鑫源建材有限公司", "91611024MA7000007", "611024", 35, "not_contacted"),
]


def _seed_drive_ledger() -> int:
    """A few enterprises on the organising-drive ledger; the two with unions are matched by credit code."""
    from stdnum.cn import uscc

    from . import drive
    from .models import Enterprise

    def code(body):
        return body + uscc.calc_check_digit(body)

    for name, body, county, employees, status in DRIVE_ENTERPRISES:
        Enterprise.objects.create(
            name=name, credit_code=code(body), county=Organisation.objects.get(code=county),
            employee_count=employees, source="market", status=status,
        )  # fmt: skip
    officer = get_user_model().objects.get(username="county_shanyang")
    org_services.organisation_update(
        actor=officer,
        organisation=Organisation.objects.get(code="611024001001"),
        data={"employer_credit_code": code("91611024MA7000005"), "employee_count": 130},
    )
    drive.drive_match()
    return len(DRIVE_ENTERPRISES)
