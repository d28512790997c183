import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone

from unionportal.notifications import notice_enqueue
from unionportal.notifications.apps import TEST_KIND
from unionportal.notifications.kinds import register_kind
from unionportal.notifications.models import Notice
from unionportal.notifications.services import notice_cancel, notice_send
from unionportal.notifications.sms import LocmemBackend, SMSError, SMSRejected
from unionportal.notifications.tasks import send_due_notices, send_notice

PHONE = "13800001234"


def enqueue_sms(key="claim:1:accepted", **kwargs):
    kwargs.setdefault("context", {"number": "HZ2026-0001", "date": date(2026, 11, 22), "amount": Decimal("1500")})
    return notice_enqueue("test.accepted", key, sms_to=PHONE, **kwargs)


@pytest.mark.django_db
class TestEnqueue:
    def test_the_same_key_twice_makes_one_row(self):
        first = enqueue_sms()
        second = enqueue_sms()
        assert first.pk == second.pk
        assert Notice.objects.count() == 1

    def test_text_is_rendered_once_with_dates_and_money_written_the_chinese_way(self):
        notice = enqueue_sms(member_ref=("members.member", 42), organisation="00010002")
        assert notice.body == "Claim HZ2026-0001 accepted on 2026年11月22日; 1,500.00 yuan."
        assert notice.status == Notice.Status.QUEUED
        assert (notice.member_source, notice.member_reference) == ("members.member", "42")
        assert notice.organisation_path == "00010002"

    def test_a_registered_kind_is_written_in_chinese(self):
        notice = notice_enqueue(
            TEST_KIND, "test:1", sms_to=PHONE, context={"portal": "商洛市总工会", "time": timezone.now()}
        )
        assert notice.language == "zh-hans"
        assert notice.subject == "测试短信"
        assert notice.body.startswith("这是商洛市总工会的测试短信")
        assert timezone.localtime(notice.created_at).strftime("%Y年%-m月%-d日") in notice.body

    def test_english_when_asked(self):
        notice = notice_enqueue(
            TEST_KIND, "test:2", sms_to=PHONE, context={"portal": "P", "time": "now"}, language="en"
        )
        assert notice.subject == "Test message"

    def test_a_notice_needs_a_recipient(self):
        with pytest.raises(ValueError):
            notice_enqueue("test.reminder", "r:1", context={"number": "1"})

    def test_dispatch_waits_for_commit(self, django_capture_on_commit_callbacks, monkeypatch):
        sent = []
        monkeypatch.setattr(send_notice, "delay", sent.append)
        with django_capture_on_commit_callbacks(execute=True):
            notice = enqueue_sms()
            enqueue_sms()  # the same key again dispatches nothing more
            assert sent == []
        assert sent == [notice.pk]

    def test_a_broker_outage_does_not_undo_the_notice(self, django_capture_on_commit_callbacks, monkeypatch):
        def broker_down(notice_id):
            raise ConnectionError("broker down")

        monkeypatch.setattr(send_notice, "delay", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            notice = enqueue_sms()
        assert Notice.objects.get(pk=notice.pk).status == Notice.Status.QUEUED  # the sweep will send it


@pytest.mark.django_db
class TestSend:
    def test_running_the_task_twice_sends_once(self, sms_outbox):
        notice = enqueue_sms()
        send_notice(notice.pk)
        send_notice(notice.pk)
        assert len(sms_outbox) == 1
        assert sms_outbox[0] == {"phone": PHONE, "text": notice.body, "reference": "claim:1:accepted"}
        notice.refresh_from_db()
        assert notice.status == Notice.Status.SENT
        assert notice.sent_at is not None
        assert notice.provider_message_id == "locmem-1"
        assert notice.attempts == 1

    def test_a_gateway_error_is_retried_with_a_growing_pause_then_fails(self, sms_outbox, settings):
        settings.NOTICE_MAX_ATTEMPTS = 3
        LocmemBackend.fail_with = SMSError("gateway timeout")
        notice = enqueue_sms()

        before = timezone.now()
        notice_send(notice.pk)
        notice.refresh_from_db()
        assert (notice.status, notice.attempts, notice.last_error) == (Notice.Status.QUEUED, 1, "gateway timeout")
        first_pause = notice.next_attempt_at - before
        assert timedelta(seconds=59) < first_pause <= timedelta(minutes=1, seconds=5)

        assert notice_send(notice.pk) is None  # not due yet: nothing happens
        Notice.objects.filter(pk=notice.pk).update(next_attempt_at=timezone.now())
        before = timezone.now()
        notice_send(notice.pk)
        notice.refresh_from_db()
        assert (notice.status, notice.attempts) == (Notice.Status.QUEUED, 2)
        assert notice.next_attempt_at - before > timedelta(minutes=1, seconds=59)  # twice as long

        Notice.objects.filter(pk=notice.pk).update(next_attempt_at=timezone.now())
        notice_send(notice.pk)
        notice.refresh_from_db()
        assert (notice.status, notice.attempts) == (Notice.Status.FAILED, 3)
        assert sms_outbox == []

    def test_a_retry_that_succeeds_is_sent(self, sms_outbox):
        LocmemBackend.fail_with = SMSError("busy")
        notice = enqueue_sms()
        notice_send(notice.pk)
        LocmemBackend.fail_with = None
        Notice.objects.filter(pk=notice.pk).update(next_attempt_at=timezone.now())
        notice_send(notice.pk)
        notice.refresh_from_db()
        assert notice.status == Notice.Status.SENT and notice.last_error == ""
        assert len(sms_outbox) == 1

    def test_a_rejected_number_fails_at_once(self):
        LocmemBackend.fail_with = SMSRejected("invalid number")
        notice = enqueue_sms()
        notice_send(notice.pk)
        notice.refresh_from_db()
        assert (notice.status, notice.attempts, notice.last_error) == (Notice.Status.FAILED, 1, "invalid number")

    def test_a_cancelled_notice_is_never_sent(self, sms_outbox):
        notice = enqueue_sms()
        assert notice_cancel(notice_id=notice.pk)
        send_notice(notice.pk)
        assert sms_outbox == []

    def test_an_inbox_notice_is_delivered_without_the_gateway(self, sms_outbox, county_user):
        notice = notice_enqueue("test.reminder", "r:1", user=county_user, context={"number": "7"})
        assert notice.channel == Notice.Channel.INBOX
        send_notice(notice.pk)
        notice.refresh_from_db()
        assert notice.status == Notice.Status.SENT
        assert sms_outbox == []


@pytest.mark.django_db
class TestSweep:
    def test_sends_only_due_rows(self, sms_outbox):
        due = enqueue_sms("a")
        later = enqueue_sms("b")
        Notice.objects.filter(pk=later.pk).update(next_attempt_at=timezone.now() + timedelta(minutes=5))
        send_due_notices()
        assert [message["reference"] for message in sms_outbox] == ["a"]
        assert Notice.objects.get(pk=due.pk).status == Notice.Status.SENT
        assert Notice.objects.get(pk=later.pk).status == Notice.Status.QUEUED

    def test_puts_back_rows_of_a_crashed_worker_and_leaves_fresh_claims_alone(self, sms_outbox, settings):
        settings.NOTICE_MAX_ATTEMPTS = 3
        crashed = enqueue_sms("crashed")
        working = enqueue_sms("working")
        exhausted = enqueue_sms("exhausted")
        long_ago = timezone.now() - timedelta(minutes=30)
        Notice.objects.filter(pk=crashed.pk).update(status="sending", claimed_at=long_ago, attempts=1)
        Notice.objects.filter(pk=working.pk).update(status="sending", claimed_at=timezone.now(), attempts=1)
        Notice.objects.filter(pk=exhausted.pk).update(status="sending", claimed_at=long_ago, attempts=3)

        send_due_notices()

        assert [message["reference"] for message in sms_outbox] == ["crashed"]
        assert Notice.objects.get(pk=crashed.pk).status == Notice.Status.SENT
        assert Notice.objects.get(pk=working.pk).status == Notice.Status.SENDING
        assert Notice.objects.get(pk=exhausted.pk).status == Notice.Status.FAILED

    def test_the_sweep_is_safe_to_run_twice(self, sms_outbox):
        enqueue_sms("a")
        send_due_notices()
        send_due_notices()
        assert len(sms_outbox) == 1


@pytest.mark.django_db(transaction=True)
class TestOnPostgreSQL:
    def test_a_rolled_back_transaction_sends_nothing(self, sms_outbox, monkeypatch):
        dispatched = []
        monkeypatch.setattr(send_notice, "delay", dispatched.append)
        with pytest.raises(RuntimeError), transaction.atomic():
            enqueue_sms()
            raise RuntimeError("the caller's change failed")
        assert Notice.objects.count() == 0
        assert dispatched == []
        send_due_notices()
        assert sms_outbox == []

    def test_a_committed_notice_is_dispatched(self, monkeypatch):
        dispatched = []
        monkeypatch.setattr(send_notice, "delay", dispatched.append)
        with transaction.atomic():
            notice = enqueue_sms()
        assert dispatched == [notice.pk]

    def test_two_workers_at_once_send_once(self, sms_outbox, monkeypatch):
        monkeypatch.setattr(send_notice, "delay", lambda notice_id: None)
        with transaction.atomic():
            notice = enqueue_sms()
        barrier = threading.Barrier(2)
        calls = []
        errors = []

        class SlowBackend(LocmemBackend):
            def send(self, **kwargs):
                calls.append(kwargs)
                return super().send(**kwargs)

        monkeypatch.setattr("unionportal.notifications.services.get_backend", SlowBackend)

        def worker():
            try:
                barrier.wait()
                send_notice(notice.pk)
            except Exception as error:  # surfaced below: a thread's exception would vanish otherwise
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert len(calls) == 1
        assert Notice.objects.get(pk=notice.pk).status == Notice.Status.SENT

    def test_enqueueing_the_same_key_from_two_transactions_makes_one_row(self, monkeypatch):
        monkeypatch.setattr(send_notice, "delay", lambda notice_id: None)
        barrier = threading.Barrier(2)
        pks = []
        errors = []

        def caller():
            try:
                with transaction.atomic():
                    barrier.wait()
                    pks.append(enqueue_sms("same").pk)
            except Exception as error:
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=caller) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert len(set(pks)) == 1
        assert Notice.objects.count() == 1


@pytest.mark.django_db
def test_the_audit_trail_masks_the_phone():
    from auditlog.models import LogEntry

    notice = enqueue_sms()
    entry = LogEntry.objects.get_for_object(notice).get()
    assert entry.changes["recipient_phone"][1] == "138****1234"


register_kind("test.code", title="Code", text="Your code is %(code)s.", secret=True)


@pytest.mark.django_db
@pytest.mark.parametrize("outcome", ["sent", "rejected"])
def test_a_one_time_code_leaves_the_outbox_row_once_the_sms_has_gone_or_never_will(sms_outbox, outcome):
    notice = notice_enqueue("test.code", "code:1", sms_to="13912345678", context={"code": "48213907"})
    assert "48213907" in Notice.objects.get(pk=notice.pk).body  # waiting: the worker needs it
    if outcome == "rejected":
        LocmemBackend.fail_with = SMSRejected("blocked")
    notice_send(notice.pk)
    row = Notice.objects.get(pk=notice.pk)
    assert row.status == outcome.replace("rejected", "failed")
    assert "48213907" not in row.body and row.body
    assert [m["text"] for m in sms_outbox] == (["Your code is 48213907."] if outcome == "sent" else [])


@pytest.mark.django_db
def test_an_ordinary_notice_keeps_its_text_after_sending(sms_outbox):
    notice = notice_enqueue("test.reminder", "r:1", sms_to="13912345678", context={"number": "LP1"})
    notice_send(notice.pk)
    assert Notice.objects.get(pk=notice.pk).body == "Claim LP1 is due."
