"""The two-county world the route sweep runs in: the demo city, plus the personas and the objects it lacks.

Everything the sweep reaches belongs to the owner's county, 商州区 (611002): the demo member 张芳 of
商洛市城投物业有限公司工会, her claim, that union's enrolment batch, 商州's monthly report, and so on. The other
county is 山阳县 (611024), which has unions and members of its own in the demo.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.signing import dumps

from tests.factories import UserFactory, id_number, make_organisation

# The personas, in the order every row of the table lists them.
PERSONAS = ("owner", "peer", "other", "member", "anon", "noperm")
PERSONA_HELP = {
    "owner": "staff of the owning county (商州) holding every staff role: county staff, clerk, reviewer, "
    "approver, finance, union officer",
    "peer": "union officer of another union in the same county (商州区快递行业 … 工会)",
    "other": "the owner's roles, at the other county (山阳)",
    "member": "the demo member 张芳's own online account",
    "anon": "nobody signed in",
    "noperm": "an account of the owning county whose only role is auditor (read-only audit log)",
}
STAFF_ROLES = ["county_staff", "counter_clerk", "reviewer", "approver", "finance", "union_officer"]


@dataclass
class World:
    users: dict = field(default_factory=dict)  # persona → user (None for anon)
    objects: dict = field(default_factory=dict)  # name → a row of the owner's county
    values: dict = field(default_factory=dict)  # URL keyword → value, for keywords that are not a pk
    sessions: dict = field(default_factory=dict)  # persona → session key, signed in once for the module


def build_world() -> World:
    from auditlog.models import LogEntry
    from axes.models import AccessAttempt

    from members.demo import DEMO_MEMBER_ID
    from members.models import Enterprise, Member, RosterImport, Transfer
    from members.views.members import CARD_SALT
    from mutualaid.claims.payouts import SOURCE
    from mutualaid.models import Claim, ClaimDocument, EnrolmentBatch
    from reporting.models import Bulletin, MonthlyReport
    from unionportal.org.models import Organisation
    from unionportal.payments import services as payments

    world = World()
    county = Organisation.objects.get(code="611002")
    other_county = Organisation.objects.get(code="611024")
    union = Organisation.objects.get(code="611002001001")
    peer_union = make_organisation(parent=Organisation.objects.get(code="611002900"), code="611002900001",
                                   name="商州区快递行业某公司工会")  # fmt: skip

    member = Member.objects.get(id_number=DEMO_MEMBER_ID)
    owner = UserFactory(username="sweep_owner", organisation=county, roles=STAFF_ROLES)
    world.users = {
        "owner": owner,
        "peer": UserFactory(username="sweep_peer", organisation=peer_union, roles=["union_officer"]),
        "other": UserFactory(username="sweep_other", organisation=other_county, roles=STAFF_ROLES),
        "member": member.account,
        "anon": None,
        "noperm": UserFactory(username="sweep_noperm", organisation=county, roles=["auditor"]),
    }

    claim = Claim.objects.filter(member=member).order_by("pk").first()
    document = ClaimDocument.objects.create(
        claim=claim, material="invoice", file=ContentFile(b"%PDF-1.4 sweep", name="sweep.pdf"),
        original_name="发票.pdf", content_type="application/pdf", size=14, uploaded_by=owner,
    )  # fmt: skip
    request = payments.payment_request_create(
        source=SOURCE, reference="SWEEP-0001", payee_name=member.name, payee_id_number=id_number("61250119880101001"),
        bank_name="中国邮政储蓄银行商洛分行", account_number="6221880000000099999", amount=Decimal("100.00"),
        org_path=union.path,
    )  # fmt: skip
    batch = payments.batch_create(actor=owner, requests=[request])
    report = MonthlyReport.objects.filter(county=county).order_by("-month").first()
    world.objects = {
        "member": member,
        "union": union,
        "claim": claim,
        "document": document,
        "enrolment": EnrolmentBatch.objects.filter(organisation=union).order_by("pk").first(),
        "transfer": Transfer.objects.filter(member__organisation__path__startswith=county.path).first()
        or Transfer.objects.order_by("pk").first(),
        "enterprise": Enterprise.objects.filter(county=county).order_by("pk").first(),
        "roster": RosterImport.objects.create(
            organisation=union,
            uploaded_by=owner,
            file=ContentFile(b"PK", name="sweep.xlsx"),
            original_name="花名册.xlsx",
        ),
        "report": report,
        "payment_batch": batch,
        "payment_request": request,
        "audit": LogEntry.objects.order_by("-pk").first(),
        "lockout": AccessAttempt.objects.create(
            username="sweep_locked",
            ip_address="10.9.9.9",
            user_agent="sweep",
            failures_since_start=5,
            get_data="",
            post_data="",
            http_accept="",
            path_info="/accounts/login/",
        ),  # fmt: skip
    }
    # An account of the owner's county whose roles or password the security administrator alone may change, and a
    # grant of the auditor role waiting for a second security administrator.
    from unionportal.accounts.models import RoleGrant

    staff_user = UserFactory(username="sweep_target", organisation=county, roles=["counter_clerk"])
    city = Organisation.objects.get(code="611000")
    security_admin = UserFactory(username="sweep_security", organisation=city, roles=["security_admin"])
    world.objects["staff_user"] = staff_user
    world.objects["role_grant"] = RoleGrant.objects.create(user=staff_user, role="auditor", requested_by=security_admin)
    bulletin = Bulletin.objects.order_by("-month").first()
    world.values = {
        "number": claim.number,
        "token": dumps({"m": member.pk, "n": member.member_number}, salt=CARD_SALT, compress=True),
        "code": county.code,
        "county_code": county.code,
        "month": f"{(bulletin.month if bulletin else report.month):%Y-%m}",
        "report_month": f"{report.month:%Y-%m}",
        "fmt": "xlsx",
        "chart": None,  # read from the owner's dashboard once the personas are signed in
        "content_type_id": ContentType.objects.get_for_model(Member).pk,
        "member_pk": member.pk,
        "document_pk": document.pk,
        "format": "json",
    }
    _build_app_worlds(world)
    return world


def _build_app_worlds(world: World) -> None:
    """Each app built on the floor adds its own objects of the owner's county (and URL values) from
    ``tests/security/world_<app>.py``: a ``build(world)`` function that fills ``world.objects``/``world.values``."""
    import importlib
    import pkgutil
    from pathlib import Path

    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda info: info.name):
        if info.name.startswith("world_"):
            importlib.import_module(f"tests.security.{info.name}").build(world)
