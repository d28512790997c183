"""Demo city: 商洛市总工会, its seven county federations, a few unions below them, and the demo accounts."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from unionportal.core.demo import DEMO_PASSWORD, seeder

from .models import Organisation

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
