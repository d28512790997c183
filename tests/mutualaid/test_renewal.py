from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mutualaid import services
from mutualaid.enrolment import renewal
from mutualaid.models import EnrolmentBatch, Policy
from mutualaid.tasks import renewal_reminders
from tests.factories import UserFactory, make_member
from unionportal.notifications.models import Notice

D = Decimal


def enrol(actor, union, plan, members, *, paid_on, shares=1):
    result = services.enrolment_batch_create(
        actor=actor, organisation=union, plan=plan, members=members, shares=shares,
        payer=EnrolmentBatch.Payer.UNIT, basic_insurance_confirmed=True, on=paid_on,
    )  # fmt: skip
    services.enrolment_batch_pay(actor=actor, batch=result.batch, reference="R", paid_on=paid_on)
    return result.batch


@pytest.fixture
def frozen():
    """09:00 in Shangluo on a fixed day: the reminders are a daily clock, the tests pin the day."""
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False) as traveller:
        yield traveller


@pytest.fixture
def covers(frozen, tree, clerk, inpatient_plan):
    """Three members of 商州某公司工会 whose covers end on different days, and one of 山阳."""
    today = timezone.localdate()
    start = today - timedelta(days=300)
    due = make_member(union=tree["union_sz"], name="到期甲")
    later = make_member(union=tree["union_sz"], name="稍后乙")
    soon = make_member(union=tree["union_sz"], name="临近丙")
    enrol(clerk, tree["union_sz"], inpatient_plan, [due, later, soon], paid_on=start, shares=2)
    other = make_member(union=tree["union_sy"], name="山阳丁")
    sy_clerk = UserFactory(username="sy_clerk_r", organisation=tree["shanyang"], roles=["counter_clerk"])
    enrol(sy_clerk, tree["union_sy"], inpatient_plan, [other], paid_on=start)
    end = today + timedelta(days=30)

    def ends(member, day, reminded=False):
        remind_on = None if reminded else day - timedelta(days=30)
        Policy.objects.filter(member=member).update(ends_on=day, renewal_remind_on=remind_on)

    ends(due, end)
    ends(later, end + timedelta(days=1))
    ends(soon, today + timedelta(days=10), reminded=True)  # its reminder went twenty days ago
    ends(other, end)
    return {"due": due, "later": later, "soon": soon, "other": other, "end": end}


@pytest.mark.django_db
class TestRenewalReminders:
    def test_runs_twice_and_sends_once_only_for_covers_ending_in_thirty_days(self, tree, covers):
        officer = UserFactory(username="sz_off_r", organisation=tree["union_sz"], roles=["union_officer"])
        UserFactory(username="sz_county_r", organisation=tree["shangzhou"], roles=["county_staff"])
        assert covers["end"] == date(2026, 4, 1)
        renewal_reminders()
        renewal_reminders()  # run twice: nothing sent twice
        sms = Notice.objects.filter(kind="policy.renewal_due")
        assert sorted(sms.values_list("recipient_phone", flat=True)) == sorted(
            [covers["due"].phone, covers["other"].phone]
        )
        assert "住院综合" in sms.first().body and "2026年4月1日" in sms.first().body
        inbox = Notice.objects.filter(kind="policy.renewal_union")
        assert list(inbox.values_list("recipient_user", flat=True)) == [officer.pk]  # the officer only
        assert "商州某公司工会有1名会员" in inbox.get().body

    def test_next_day_reminds_the_next_cover(self, frozen, covers):
        renewal.renewal_reminders_send()
        frozen.shift(timedelta(days=1))
        result = renewal.renewal_reminders_send()
        assert result.members == 1
        assert Notice.objects.filter(kind="policy.renewal_due").latest("pk").recipient_phone == covers["later"].phone

    def test_a_renewed_cover_is_not_reminded(self, tree, clerk, inpatient_plan, covers):
        services.enrolment_batch_create(
            actor=clerk, organisation=tree["union_sz"], plan=inpatient_plan, members=[covers["due"]], shares=1,
            payer=EnrolmentBatch.Payer.UNIT, basic_insurance_confirmed=True,
        )  # fmt: skip
        renewal.renewal_reminders_send()
        assert list(Notice.objects.filter(kind="policy.renewal_due").values_list("recipient_phone", flat=True)) == [
            covers["other"].phone
        ]

    def test_reads_only_active_covers_whose_reminder_is_due(self, covers):
        with CaptureQueriesContext(connection) as queries:
            renewal.renewal_reminders_send()
        scans = [q["sql"] for q in queries if 'SELECT "mutualaid_policy"."id"' in q["sql"]]
        # One read of the covers, narrowed by the partial index's columns (status active, reminder due).
        assert len(scans) == 1
        assert '"mutualaid_policy"."renewal_remind_on" <= ' in scans[0]
        assert '"mutualaid_policy"."status" = ' in scans[0] and "SKIP LOCKED" in scans[0]

    def test_a_missed_day_still_reminds_once(self, frozen, covers):
        frozen.shift(timedelta(days=2))  # beat was down on the reminder day and the day after
        renewal_reminders()
        renewal_reminders()
        phones = sorted(Notice.objects.filter(kind="policy.renewal_due").values_list("recipient_phone", flat=True))
        assert phones == sorted([covers["due"].phone, covers["later"].phone, covers["other"].phone])
        assert Policy.objects.filter(renewal_remind_on__isnull=False, member=covers["due"]).count() == 0

    def test_paying_a_batch_sets_the_reminder_day(self, tree, clerk, inpatient_plan, frozen):
        member = make_member(union=tree["union_sz"], name="新保戊")
        enrol(clerk, tree["union_sz"], inpatient_plan, [member], paid_on=timezone.localdate())
        policy = Policy.objects.get(member=member)
        assert policy.renewal_remind_on == policy.ends_on - timedelta(days=30)

    def test_the_reminder_day_is_the_plan_versions(self, tree, clerk, inpatient_plan, frozen):
        # Given a plan version whose federation reminds 45 days before a cover ends
        inpatient_plan.versions.update(renewal_reminder_days=45)
        member = make_member(union=tree["union_sz"], name="新保己")
        # When a batch under it is paid
        enrol(clerk, tree["union_sz"], inpatient_plan, [member], paid_on=timezone.localdate())
        # Then the cover's reminder day is 45 days before it ends
        policy = Policy.objects.get(member=member)
        assert policy.renewal_remind_on == policy.ends_on - timedelta(days=45)


@pytest.mark.django_db
class TestRenewalSheet:
    def test_lists_the_unions_members_ending_within_the_period(self, client, tree, clerk, covers):
        client.force_login(clerk)
        response = client.get(reverse("mutualaid:renewal-sheet"), {"union": tree["union_sz"].pk})
        names = [line.policy.member.name for line in response.context["lines"]]
        assert names == ["临近丙", "到期甲"]  # by end date; 稍后乙 ends on day 31, 山阳丁 is another union
        assert {line.renewal_premium for line in response.context["lines"]} == {D("240.00")}
        html = response.content.decode()
        assert "240.00" in html and tree["union_sz"].name in html

    def test_days_parameter_widens_the_period(self, client, tree, clerk, covers):
        client.force_login(clerk)
        response = client.get(reverse("mutualaid:renewal-sheet"), {"union": tree["union_sz"].pk, "days": "31"})
        assert len(response.context["lines"]) == 3
        short = client.get(reverse("mutualaid:renewal-sheet"), {"union": tree["union_sz"].pk, "days": "10"})
        assert [line.policy.member.name for line in short.context["lines"]] == ["临近丙"]

    def test_the_sheet_and_the_list_show_the_configured_days(self, client, tree, clerk, covers, inpatient_plan):
        # Given the plan version in force reminds 31 days before a cover ends
        inpatient_plan.versions.update(renewal_reminder_days=31)
        client.force_login(clerk)
        # When the list page and the sheet are opened without a period
        listing = client.get(reverse("mutualaid:enrolment-list"))
        sheet = client.get(reverse("mutualaid:renewal-sheet"), {"union": tree["union_sz"].pk})
        # Then both take the configured number, and the sheet prints it
        assert listing.context["days"] == 31
        assert 'value="31"' in listing.content.decode()
        assert sheet.context["days"] == 31 and len(sheet.context["lines"]) == 3  # 稍后乙's day-31 end now included
        assert "31 天内" in sheet.content.decode()
