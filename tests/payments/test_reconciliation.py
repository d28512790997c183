"""The nightly reconciliation on data planted wrong: batches, paid lines and their sources, the registry."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from unionportal.core.pending import pending_items
from unionportal.notifications.models import Notice
from unionportal.payments import services, sources
from unionportal.payments.models import PaymentBatch, PaymentLine
from unionportal.reconciliation.checks import Finding, register_check, unregister_check
from unionportal.reconciliation.models import Discrepancy, ReconciliationRun
from unionportal.reconciliation.services import reconcile
from unionportal.reconciliation.tasks import reconcile_money

from .conftest import SOURCE, make_request, paid_row, result_file, sent_batch

pytestmark = pytest.mark.django_db

NIGHT = date(2026, 12, 4)


@pytest.fixture
def ledger(thing):
    """The fake owning app answers "which of these are paid?" from the callbacks it received."""
    marked = set()

    def on_paid(reference, paid_on, line, *, actor=None):
        marked.add(reference)

    sources.register_source(SOURCE, on_paid=on_paid, on_failed=thing.on_failed, label="测试事项",
                            paid_among=lambda references: marked & set(references))  # fmt: skip
    return marked


@pytest.fixture
def watchers(tree, finance):
    auditor = UserFactory(username="auditor_r", organisation=tree["city"], roles=["auditor"])
    clerk = UserFactory(username="clerk_r", organisation=tree["city"], roles=["counter_clerk"])
    return {"finance": finance, "auditor": auditor, "clerk": clerk}


def paid_batch(finance, node, count=2):
    batch = sent_batch(finance, [make_request(node, n) for n in range(1, count + 1)])
    lines = list(batch.lines.select_related("request").order_by("number"))
    services.batch_import_result(actor=finance, batch=batch, file=result_file([paid_row(line) for line in lines]))
    batch.refresh_from_db()
    return batch


def test_a_clean_night_finds_nothing_and_tells_no_one(tree, ledger, watchers):
    paid_batch(watchers["finance"], tree["union_sz"])

    run = reconcile(today=NIGHT)

    assert run.found == 0 and not Discrepancy.objects.exists()
    assert not Notice.objects.exists()
    assert not [i for i in pending_items(watchers["finance"]) if "reconciliation" in i.url]


def test_a_batch_whose_lines_do_not_add_up_is_found(tree, ledger, watchers):
    batch = paid_batch(watchers["finance"], tree["union_sz"])
    PaymentBatch.objects.filter(pk=batch.pk).update(total_amount=Decimal("2500.00"))  # the lines hold 2,000.00

    reconcile(today=NIGHT)

    found = Discrepancy.objects.get()
    assert found.check_code == "payments.batch_totals" and batch.number in found.subject
    assert "2,500.00" in found.detail and found.org_path == batch.org_path


def test_a_reconciled_batch_with_a_line_still_pending_is_found(tree, ledger, watchers):
    batch = paid_batch(watchers["finance"], tree["union_sz"])
    line = batch.lines.order_by("number").first()
    PaymentLine.objects.filter(pk=line.pk).update(result=PaymentLine.Result.PENDING)

    reconcile(today=NIGHT)

    assert Discrepancy.objects.filter(check_code="payments.batch_totals", subject__contains=batch.number).exists()


def test_a_paid_line_whose_source_is_not_marked_paid_is_found(tree, ledger, watchers):
    batch = paid_batch(watchers["finance"], tree["union_sz"])
    ledger.discard("T000002")  # the owning app lost its "paid" mark

    reconcile(today=NIGHT)

    found = Discrepancy.objects.get()
    assert found.check_code == "payments.source_marked_paid" and "T000002" in found.subject
    assert batch.number in found.detail


def test_running_twice_in_a_day_writes_and_notifies_once(tree, ledger, watchers):
    batch = paid_batch(watchers["finance"], tree["union_sz"])
    PaymentBatch.objects.filter(pk=batch.pk).update(paid_amount=Decimal("1.00"))

    reconcile(today=NIGHT)
    reconcile(today=NIGHT)

    assert Discrepancy.objects.count() == 1 and ReconciliationRun.objects.count() == 1
    told = Notice.objects.filter(kind="reconciliation.discrepancy")
    assert sorted(told.values_list("recipient_user__username", flat=True)) == ["auditor_r", "finance1"]

    reconcile(today=date(2026, 12, 5))  # still wrong the next night: found and told again
    assert Discrepancy.objects.count() == 2 and told.count() == 4


def test_discrepancies_show_on_the_workbench_of_finance_and_the_auditor_only(client, tree, ledger, watchers):
    batch = paid_batch(watchers["finance"], tree["union_sz"])
    PaymentBatch.objects.filter(pk=batch.pk).update(failed_amount=Decimal("1.00"))
    reconcile(today=NIGHT)

    for name in ("finance", "auditor"):
        items = [i for i in pending_items(watchers[name]) if i.url == reverse("reconciliation:discrepancy-list")]
        assert [i.count for i in items] == [1], name
        client.force_login(watchers[name])
        page = client.get(reverse("reconciliation:discrepancy-list"))
        assert page.status_code == 200 and batch.number in page.content.decode()
    assert not [i for i in pending_items(watchers["clerk"]) if "reconciliation" in i.url]
    client.force_login(watchers["clerk"])
    assert client.get(reverse("reconciliation:discrepancy-list")).status_code == 403
    client.logout()
    assert client.get(reverse("reconciliation:discrepancy-list")).status_code == 302

    # Fixed before the next night: the workbench clears, the page keeps the history.
    PaymentBatch.objects.filter(pk=batch.pk).update(failed_amount=Decimal("0.00"))
    reconcile(today=date(2026, 12, 5))
    assert not [i for i in pending_items(watchers["finance"]) if "reconciliation" in i.url]


def test_a_county_finance_sees_only_its_own_county(tree, ledger, watchers, other_county_finance):
    batch = paid_batch(watchers["finance"], tree["union_sz"])
    PaymentBatch.objects.filter(pk=batch.pk).update(total_amount=Decimal("1.00"))

    reconcile(today=NIGHT)

    assert not [i for i in pending_items(other_county_finance) if "reconciliation" in i.url]
    assert not Notice.objects.filter(recipient_user=other_county_finance).exists()


def test_an_app_adds_its_own_check_through_the_registry(tree, watchers):
    """As hardship will: a grant above its programme's budget, found by a check the app registers."""

    @register_check("tests.grant_budget", label="救助金超出项目预算")
    def grants_within_budget(today):
        yield Finding(subject="programme P1", detail="granted 12,000.00 of a 10,000.00 budget",
                      org_path=tree["shangzhou"].path)  # fmt: skip

    try:
        reconcile(today=NIGHT)
    finally:
        unregister_check("tests.grant_budget")

    assert Discrepancy.objects.filter(check_code="tests.grant_budget", subject="programme P1").exists()


def test_a_check_that_breaks_is_itself_a_discrepancy_and_the_others_still_run(tree, ledger, watchers):
    batch = paid_batch(watchers["finance"], tree["union_sz"])
    PaymentBatch.objects.filter(pk=batch.pk).update(total_amount=Decimal("1.00"))

    @register_check("tests.broken", label="坏的检查")
    def broken(today):
        raise RuntimeError("boom")

    try:
        reconcile(today=NIGHT)
    finally:
        unregister_check("tests.broken")

    assert set(Discrepancy.objects.values_list("check_code", flat=True)) == {"tests.broken", "payments.batch_totals"}


def test_the_nightly_task_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["reconciliation-nightly"]
    assert entry["task"] == reconcile_money.name


def test_the_findings_page_is_paged_by_key_in_a_fixed_number_of_queries(
    client, tree, watchers, django_assert_max_num_queries
):
    from unionportal.reconciliation import views

    ReconciliationRun.objects.create(run_on=NIGHT, found=120, finished_at=timezone.now())
    Discrepancy.objects.bulk_create(
        Discrepancy(check_code="batch_totals", subject=f"PB-{n:04d}", detail="x", org_path=tree["union_sz"].path,
                    found_on=NIGHT)
        for n in range(views.PAGE_SIZE * 2 + 20)
    )  # fmt: skip
    client.force_login(watchers["finance"])
    seen, url = [], reverse("reconciliation:discrepancy-list")
    while url:
        with django_assert_max_num_queries(10):
            page = client.get(url)
        rows = page.context["page"]
        seen += [row.subject for row in rows]
        url = (
            f"{reverse('reconciliation:discrepancy-list')}?before={page.context['next_before']}"
            if page.context["next_before"]
            else None
        )
    assert seen == [f"PB-{n:04d}" for n in reversed(range(views.PAGE_SIZE * 2 + 20))]
