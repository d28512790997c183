"""Writes to the outbox: queue a notice, send it (once), sweep what is due, mark inbox notices read."""

import datetime
import json
import logging
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from unionportal.core.display import format_yuan

from .kinds import get_kind
from .models import Notice
from .sms import SMSError, SMSRejected, get_backend

logger = logging.getLogger(__name__)

Status = Notice.Status

REDACTED = _("[one-time code removed after sending]")
RETRY_BASE = datetime.timedelta(minutes=1)  # 1, 2, 4, 8 … minutes between attempts
RETRY_CAP = datetime.timedelta(hours=6)


def max_attempts() -> int:
    return settings.NOTICE_MAX_ATTEMPTS


def sending_timeout() -> datetime.timedelta:
    """How long a claimed row may stay 'sending' before the sweep takes it for a crashed worker."""
    return settings.NOTICE_SENDING_TIMEOUT


def _plain(value) -> str:
    """A context value as the recipient reads it, in the active language: dates, money, text."""
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, Decimal):
        return format_yuan(value)
    return str(value)


def _render(kind_code: str, context: dict, language: str) -> tuple[str, str]:
    with translation.override(language):
        return _render_active(kind_code, context)


def _render_active(kind_code: str, context: dict, plain=_plain) -> tuple[str, str]:
    """Subject and text in the active language."""
    kind = get_kind(kind_code)
    values = {name: plain(value) for name, value in context.items()}
    subject = plain(kind.title)
    # A missing placeholder value is the caller's bug, and a KeyError says so before anything is saved.
    body = render_to_string(kind.template, values).strip() if kind.template else plain(kind.text) % values
    return subject, body


def _member_pair(member_ref) -> tuple[str, str]:
    if member_ref is None:
        return "", ""
    if isinstance(member_ref, tuple | list):
        source, reference = member_ref
        return str(source), str(reference)
    return member_ref._meta.label_lower, str(member_ref.pk)  # a model instance


def _dispatch(notice_id: int) -> None:
    """Hand the notice to a worker. Best effort: if the broker is down the minute sweep sends it anyway."""
    from .tasks import send_notice

    try:
        send_notice.delay(notice_id)
    except Exception:  # the broker's errors vary by transport; the row is safe in the database
        logger.warning("Could not queue notice %s on the broker; the sweep will send it.", notice_id, exc_info=True)


def notice_enqueue(
    kind: str,
    dedupe_key: str,
    *,
    sms_to: str = "",
    user=None,
    context: dict | None = None,
    member_ref=None,
    organisation=None,
    language: str | None = None,
) -> Notice:
    """Queue one notice and return its row; queueing the same ``dedupe_key`` again returns the first row.

    The channel is SMS when ``sms_to`` is given (``user``, if also given, records whose phone it is), else
    the inbox of ``user``. ``context`` fills the kind's placeholders; dates, datetimes and Decimals are
    written the recipient's way. ``member_ref`` is who the notice is about: a model instance or a
    ``(source, reference)`` pair. ``organisation`` (a tree node, or its path) scopes the notice on the
    outbox page. ``language`` defaults to the portal's (Simplified Chinese).

    Call it inside the caller's transaction: the row commits or rolls back with the caller's change, and
    the send task is dispatched only on commit.
    """
    existing = Notice.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    if not sms_to and user is None:
        raise ValueError("A notice needs sms_to (SMS) or user (inbox).")
    language = language or settings.LANGUAGE_CODE
    subject, body = _render(kind, context or {}, language)
    source, reference = _member_pair(member_ref)
    path = getattr(organisation, "path", organisation) or ""
    # get_or_create inserts in a savepoint and, should a concurrent caller win the unique key, reads theirs.
    notice, created = Notice.objects.get_or_create(
        dedupe_key=dedupe_key,
        defaults={
            "channel": Notice.Channel.SMS if sms_to else Notice.Channel.INBOX,
            "kind": kind,
            "recipient_phone": sms_to,
            "recipient_user": user,
            "member_source": source,
            "member_reference": reference,
            "organisation_path": path,
            "language": language,
            "subject": subject,
            "body": body,
        },
    )
    if created:
        transaction.on_commit(partial(_dispatch, notice.pk))
    return notice


def notices_enqueue_many(items) -> int:
    """Queue many notices with one INSERT (a daily clock's reminders); return how many were new.

    ``items`` are dicts of ``notice_enqueue``'s arguments (``kind``, ``dedupe_key``, ``sms_to`` or ``user``,
    ``context``, ``member_ref``, ``organisation``). Items that share one ``context`` object (one claim, several
    recipients) are rendered once. A key already queued is skipped by the unique index (``ON CONFLICT DO
    NOTHING``), so a second run, or a second worker, queues nothing twice. The rows are sent by the sweep, started
    at once on commit: one task for the lot, not one per notice. Call it inside the caller's transaction.
    """
    language = settings.LANGUAGE_CODE
    rows: list[dict] = []
    rendered: dict[tuple[str, int], tuple[str, str]] = {}
    written: dict = {}

    def plain(value):  # a thousand reminders share a few dates, labels and texts: each written once
        if isinstance(value, Promise):  # a lazy translation (a kind's title and text, a status label)
            key = (Promise, id(value))  # the same object for every reminder, alive while this call runs
        elif isinstance(value, datetime.date | Decimal):
            key = (type(value), value)
        else:
            return _plain(value)
        if key not in written:
            written[key] = _plain(value)
        return written[key]

    with translation.override(language):
        for item in items:
            sms_to, user = item.get("sms_to", ""), item.get("user")
            if not sms_to and user is None:
                raise ValueError("A notice needs sms_to (SMS) or user (inbox).")
            context = item.get("context") or {}
            key = (item["kind"], id(context))
            if key not in rendered:
                rendered[key] = _render_active(item["kind"], context, plain)
            subject, body = rendered[key]
            source, reference = _member_pair(item.get("member_ref"))
            organisation = item.get("organisation")
            rows.append({
                "channel": Notice.Channel.SMS if sms_to else Notice.Channel.INBOX, "kind": item["kind"],
                "dedupe_key": item["dedupe_key"], "recipient_phone": sms_to,
                "recipient_user_id": getattr(user, "pk", None), "member_source": source,
                "member_reference": reference, "organisation_path": getattr(organisation, "path", organisation) or "",
                "subject": subject, "body": body,
            })  # fmt: skip
    if not rows:
        return 0
    table = Notice._meta.db_table
    names = ", ".join(_BULK_COLUMNS)
    record = ", ".join(f"{name} {kind}" for name, kind in _BULK_COLUMNS.items())
    # The rows travel as one JSON parameter: psycopg2 spells ten Python lists out as ARRAY[…] literals of
    # thousands of quoted elements, and adapting and parsing them cost more than the INSERT itself (~20 ms of
    # the ~60 for a thousand claims' reminders). The table and column names are this module's constants; every
    # value is a parameter.
    sql = (
        f"INSERT INTO {table} ({names}, language, status, attempts, next_attempt_at, last_error, "  # noqa: S608
        f"provider_message_id, created_at) SELECT r.*, %s, %s, 0, now(), '', '', now() "
        f"FROM json_to_recordset(%s::json) AS r({record}) ON CONFLICT (dedupe_key) DO NOTHING"
    )
    payload = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
    with connection.cursor() as cursor:
        cursor.execute(sql, [language, Status.QUEUED, payload])
        created = cursor.rowcount
    if created:
        transaction.on_commit(_sweep_now)
    return created


# The columns a bulk insert fills from the items, with their PostgreSQL array types; the rest are constants.
_BULK_COLUMNS = {
    "channel": "text", "kind": "text", "dedupe_key": "text", "recipient_phone": "text", "recipient_user_id": "bigint",
    "member_source": "text", "member_reference": "text", "organisation_path": "text", "subject": "text",
    "body": "text",
}  # fmt: skip


def _sweep_now() -> None:
    from .tasks import send_due_notices

    try:
        send_due_notices.delay()
    except Exception:  # the broker's errors vary by transport; the minute sweep sends them anyway
        logger.warning("Could not start the notice sweep on the broker; the next minute's sweep sends them.")


def _backoff(attempts: int) -> datetime.timedelta:
    return min(RETRY_BASE * 2 ** max(attempts - 1, 0), RETRY_CAP)


def notice_send(notice_id: int) -> Notice | None:
    """Send one due notice, at most once, however many workers call this for the same id.

    Returns the row after the attempt, or ``None`` when there was nothing to do (sent, failed, not yet
    due, or another worker holds it). Call it outside any transaction, so that the claim commits before
    the gateway is called.
    """
    now = timezone.now()
    # The claim. Two workers may reach this line for the same id (a task delivered twice, the sweep and the
    # on-commit task together); PostgreSQL lets exactly one UPDATE match 'queued', the other waits for it
    # and then matches nothing. Counting the attempt here means a message that crashes its worker every
    # time still runs out of attempts.
    claimed = Notice.objects.filter(pk=notice_id, status=Status.QUEUED, next_attempt_at__lte=now).update(
        status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    notice = Notice.objects.get(pk=notice_id)
    if notice.channel == Notice.Channel.INBOX:
        return _finish(notice, status=Status.SENT, sent_at=timezone.now())
    try:
        message_id = get_backend().send(phone=notice.recipient_phone, text=notice.body, reference=notice.dedupe_key)
    except SMSRejected as error:
        return _finish(notice, status=Status.FAILED, last_error=str(error) or repr(error))
    except Exception as error:  # SMSError is the expected one; a backend bug is retried all the same
        if not isinstance(error, SMSError):
            logger.exception("SMS backend crashed on notice %s", notice.pk)
        if notice.attempts >= max_attempts():
            return _finish(notice, status=Status.FAILED, last_error=str(error) or repr(error))
        return _finish(
            notice,
            status=Status.QUEUED,
            next_attempt_at=timezone.now() + _backoff(notice.attempts),
            last_error=str(error) or repr(error),
        )
    return _finish(
        notice, status=Status.SENT, sent_at=timezone.now(), provider_message_id=str(message_id or ""), last_error=""
    )


def _finish(notice: Notice, **fields) -> Notice:
    if notice.is_secret and fields.get("status") in (Status.SENT, Status.FAILED):
        # A one-time code has no use once the SMS has gone (or never will): the row keeps that it was sent,
        # not the code, so that no later reader of the table (a backup, a database administrator) has it.
        with translation.override(settings.LANGUAGE_CODE):
            fields["body"] = str(REDACTED)
    # Only the claimant writes the outcome. If the sweep took this row for a crashed worker meanwhile
    # (status back to 'queued'), recording 'sent' still wins over a second send: the row leaves the queue.
    Notice.objects.filter(pk=notice.pk, status__in=[Status.SENDING, Status.QUEUED]).update(claimed_at=None, **fields)
    notice.refresh_from_db()
    return notice


def notices_release_stale() -> int:
    """Put back rows left 'sending' by a worker that died; out of attempts, they fail instead.

    A worker may have died after the gateway took the message and before the row said so: re-sending then
    is the one way a member could get a message twice, which is why the backend receives the dedupe key
    as its client reference and why the timeout is generous.
    """
    stale = Q(status=Status.SENDING, claimed_at__lt=timezone.now() - sending_timeout())
    failed = Notice.objects.filter(stale, attempts__gte=max_attempts()).update(
        status=Status.FAILED, claimed_at=None, last_error="The worker stopped while sending."
    )
    requeued = Notice.objects.filter(stale).update(
        status=Status.QUEUED, claimed_at=None, next_attempt_at=timezone.now()
    )
    return failed + requeued


def notice_mark_read(*, user, notice_ids=None) -> int:
    """Mark the user's own unread inbox notices read (all of them when ``notice_ids`` is None)."""
    unread = Notice.objects.filter(channel=Notice.Channel.INBOX, recipient_user=user, read_at__isnull=True)
    if notice_ids is not None:
        unread = unread.filter(pk__in=notice_ids)
    return unread.update(read_at=timezone.now())


def notice_cancel(*, notice_id: int) -> bool:
    """Withdraw a notice that has not been claimed yet; ``False`` when it is already on its way or done."""
    return bool(Notice.objects.filter(pk=notice_id, status=Status.QUEUED).update(status=Status.CANCELLED))
