"""The prefilled figures against independent counts of data planted in the portal."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from members.models import Member
from mutualaid import services as mutualaid_services
from mutualaid.models import Claim, EnrolmentBatch
from reporting import services
from reporting.models import MonthlyReport
from tests.factories import UserFactory, make_member, make_organisation
from tests.mutualaid.conftest import inpatient_plan  # noqa: F401 - a fixture
from unionportal.org.paths import county_of

from .conftest import MONTH

TZ = ZoneInfo("Asia/Shanghai")
D = Decimal


def _claim(member, policy, clerk, n, *, accepted: datetime | None, paid_on=None, due_on=None, benefit="0"):
    return Claim.objects.create(
        number=f"LP2026{n:06d}", member=member, policy=policy, org_path=member.org_path, claim_type="inpatient",
        hospital="商洛市中心医院", admitted_on=date(2026, 8, 1), discharged_on=date(2026, 8, 5), diagnosis="肺炎",
        entered_by=clerk, accepted_at=accepted, due_on=due_on, paid_on=paid_on, benefit=D(benefit),
        status=Claim.Status.PAID if paid_on else Claim.Status.ACCEPTED,
        counted_in_county=county_of(member.org_path) if paid_on else None,
    )  # fmt: skip


def test_prefilled_figures_match_independent_counts(tree, catalogue, inpatient_plan):  # noqa: F811
    sz, sy = tree["union_sz"], tree["union_sy"]
    # Members: three joined in October in 商州 (one migrant, one new-form), one in September, one in 山阳.
    joined = [
        make_member(union=sz, joined_on=date(2026, 10, 1), is_migrant_worker=True),
        make_member(union=sz, joined_on=date(2026, 10, 31), employment=Member.Employment.NEW_FORM,
                    new_form_group=Member.NewFormGroup.COURIER),
        make_member(union=sz, joined_on=date(2026, 10, 15)),
        make_member(union=sz, joined_on=date(2026, 9, 30)),
        make_member(union=sy, joined_on=date(2026, 10, 20), is_migrant_worker=True),
    ]  # fmt: skip
    # Unions: one founded in October under 商州 (a township federation is no union and does not count).
    new_union = make_organisation(parent=tree["shangzhou"], code="611002002001", name="新建工会")
    new_union.founded_on = date(2026, 10, 9)
    new_union.save(update_fields=["founded_on"])
    make_organisation(parent=tree["shangzhou"], code="611002003", kind="township", name="某街道总工会")
    # Enrolment: 商州's batch of the three October joiners paid on 10 October (120 元 each).
    clerk = UserFactory(username="fig_clerk", organisation=tree["city"], roles=["counter_clerk"])
    members = [Member.objects.get(pk=m.pk) for m in joined[:3]]
    old = date(2026, 10, 10)
    for m in members:
        Member.objects.filter(pk=m.pk).update(joined_on=date(2026, 1, 1))  # the enrolment checks membership
    result = mutualaid_services.enrolment_batch_create(
        actor=clerk, organisation=sz, plan=inpatient_plan, members=members, shares=1,
        payer=EnrolmentBatch.Payer.UNIT, basic_insurance_confirmed=True, on=old,
    )  # fmt: skip
    mutualaid_services.enrolment_batch_pay(actor=clerk, batch=result.batch, reference="R1", paid_on=old)
    Member.objects.filter(pk__in=[m.pk for m in members[:1]]).update(joined_on=date(2026, 10, 1))
    Member.objects.filter(pk=members[1].pk).update(joined_on=date(2026, 10, 31))
    Member.objects.filter(pk=members[2].pk).update(joined_on=date(2026, 10, 15))
    policies = list(result.batch.policies.order_by("pk"))
    # Claims of 商州: paid in October on time (9 days) and late (21 days); paid in November; accepted in
    # October, not paid yet; accepted at 23:30 on 31 October Beijing time (October, though UTC says 15:30).
    accepted = datetime(2026, 10, 1, 9, tzinfo=TZ)
    _claim(members[0], policies[0], clerk, 1, accepted=accepted, paid_on=date(2026, 10, 10),
           due_on=date(2026, 10, 31), benefit="1000.50")  # fmt: skip
    _claim(members[1], policies[1], clerk, 2, accepted=datetime(2026, 9, 10, 9, tzinfo=TZ),
           paid_on=date(2026, 10, 1), due_on=date(2026, 9, 30), benefit="2000")  # fmt: skip
    _claim(members[2], policies[2], clerk, 3, accepted=accepted, paid_on=date(2026, 11, 2),
           due_on=date(2026, 10, 31), benefit="500")  # fmt: skip
    _claim(members[2], policies[2], clerk, 4, accepted=datetime(2026, 10, 31, 23, 30, tzinfo=TZ))

    services.reports_prefill(month=MONTH)

    def figures(county):
        report = MonthlyReport.objects.get(county=county, month=MONTH)
        return {line.code: line.value for line in report.current_revision.lines.all()}

    sz_fig, sy_fig = figures(tree["shangzhou"]), figures(tree["shanyang"])
    assert sz_fig["members_new"] == 3 and sz_fig["members_new_migrant"] == 1 and sz_fig["members_new_new_form"] == 1
    assert sy_fig["members_new"] == 1 and sy_fig["members_new_migrant"] == 1
    assert sz_fig["unions_new"] == 1 and sy_fig["unions_new"] == 0
    assert sz_fig["mutualaid_enrolments"] == 3 and sz_fig["mutualaid_premiums"] == D("360.00")
    assert sz_fig["mutualaid_claims_paid"] == 2 and sz_fig["mutualaid_amount_paid"] == D("3000.50")
    assert sz_fig["mutualaid_claims_accepted"] == 3  # claims 1, 3 and 4
    assert sz_fig["mutualaid_on_time_rate"] == D("50.0")
    assert sz_fig["mutualaid_avg_days_to_pay"] == D("15.0")  # (9 + 21) / 2
    assert sy_fig["mutualaid_claims_paid"] == 0 and sy_fig["mutualaid_avg_days_to_pay"] is None
    assert timezone.localdate(accepted) + timedelta(days=9) == date(2026, 10, 10)
