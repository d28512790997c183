"""Demo plans modelled on DOMAIN.md §4 (one on the Jiangxi plan of seed 004), a paid group enrolment, claims."""

from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from members.models import Member
from unionportal.core.demo import seeder
from unionportal.org.models import Organisation

from . import services
from .models import Claim, EnrolmentBatch, Material, Plan, PlanSegment, PlanVersion

M = Material
BASE_MATERIALS = [M.APPLICATION, M.ID_CARD, M.DISCHARGE, M.INVOICE, M.SETTLEMENT, M.BANK_CARD]

PLANS = [
    # code, name, kind, version fields, segments [(lower, upper, rate)]
    (
        "ZY", "在职职工住院综合互助保障", Plan.Kind.INPATIENT,
        {"premium_per_share": "120", "max_shares": 3, "deductible_per_stay": "500",
         "per_period_cap_per_share": "200000", "required_materials": BASE_MATERIALS},
        [("0", "5000", "0.50"), ("5000", "20000", "0.60"), ("20000", None, "0.70")],
    ),
    (
        "ZJ", "重大疾病互助保障", Plan.Kind.FIXED_SUM,
        {"premium_per_share": "30", "max_shares": 5, "fixed_sum_per_share": "10000",
         "per_period_cap_per_share": "10000", "required_materials": [*BASE_MATERIALS, M.PATHOLOGY],
         "covered_diseases": "恶性肿瘤\n急性心肌梗塞\n脑中风后遗症\n重大器官移植术\n终末期肾病"},
        [],
    ),
    (
        "JT", "住院津贴互助保障", Plan.Kind.ALLOWANCE,
        {"premium_per_share": "25", "max_shares": 3, "daily_allowance_per_share": "50", "max_days_per_stay": 30,
         "max_days_per_period": 90, "required_materials": [M.APPLICATION, M.ID_CARD, M.DISCHARGE, M.BANK_CARD]},
        [],
    ),
    (
        "YW", "意外伤害互助保障", Plan.Kind.ACCIDENT,
        {"premium_per_share": "25", "max_shares": 3, "deductible_per_stay": "100", "per_period_cap_per_share": "20000",
         "required_materials": [*BASE_MATERIALS, M.ACCIDENT]},
        [("0", None, "0.80")],
    ),
]  # fmt: skip


@seeder("mutual-aid plans and claims")
def seed() -> int:
    if Plan.objects.exists():
        return 0
    start = date(timezone.localdate().year, 1, 1)
    for code, name, kind, fields, segments in PLANS:
        plan = Plan.objects.create(code=code, name=name, kind=kind)
        values = {k: Decimal(v) if isinstance(v, str) and k != "covered_diseases" else v for k, v in fields.items()}
        version = PlanVersion.objects.create(plan=plan, valid_from=start - timedelta(days=366), **values)
        for lower, upper, rate in segments:
            PlanSegment.objects.create(
                version=version, lower=Decimal(lower), upper=Decimal(upper) if upper else None, rate=Decimal(rate)
            )
    return len(PLANS) + _seed_enrolment_and_claims()


def _seed_enrolment_and_claims() -> int:
    """The demo unions enrolled in the inpatient plan 200 days ago; two claims for the demo member's union."""
    clerk = get_user_model().objects.get(username="counter_clerk")
    today = timezone.localdate()
    created = 0
    for code in ("611002001001", "611024001001"):
        union = Organisation.objects.get(code=code)
        members = list(Member.objects.filter(organisation=union, status=Member.Status.ACTIVE))
        result = services.enrolment_batch_create(
            actor=clerk, organisation=union, plan=Plan.objects.get(code="ZY"), members=members, shares=1,
            payer=EnrolmentBatch.Payer.UNIT, basic_insurance_confirmed=True, on=today - timedelta(days=200),
        )  # fmt: skip
        services.enrolment_batch_pay(
            actor=clerk, batch=result.batch, reference=f"转账{code}", paid_on=today - timedelta(days=200)
        )
        created += len(members)
    demo_member = Member.objects.get(id_number="612501198806150020")
    services.claim_receive(
        actor=clerk,
        member=demo_member,
        data=services.ClaimInput(
            claim_type=Claim.Type.INPATIENT, hospital="商洛市中心医院", admitted_on=today - timedelta(days=12),
            discharged_on=today - timedelta(days=5), diagnosis="急性阑尾炎", total_cost=Decimal("12000.00"),
            fund_paid=Decimal("6000.00"), serious_illness_paid=Decimal("0"), self_funded=Decimal("800.00"),
            invoices=[("SX2026-0001234", Decimal("12000.00"))], materials=list(BASE_MATERIALS),
            bank_name="中国邮政储蓄银行商洛分行", bank_account="6221880000000012345",
        ),
    )  # fmt: skip
    other = Member.objects.filter(organisation__code="611002001001").exclude(pk=demo_member.pk).order_by("pk").first()
    services.claim_receive(
        actor=clerk,
        member=other,
        data=services.ClaimInput(
            claim_type=Claim.Type.INPATIENT, hospital="商州区人民医院", admitted_on=today - timedelta(days=9),
            discharged_on=today - timedelta(days=3), diagnosis="腰椎间盘突出", total_cost=Decimal("8600.00"),
            fund_paid=Decimal("5200.00"), serious_illness_paid=Decimal("0"), self_funded=Decimal("300.00"),
            invoices=[("SX2026-0002001", Decimal("8600.00"))],
            bank_name="中国邮政储蓄银行商州支行", bank_account="6221880000000067890",
            materials=[M.APPLICATION, M.ID_CARD, M.DISCHARGE, M.INVOICE],  # settlement statement and bank card missing
        ),
    )  # fmt: skip
    return created + 2
