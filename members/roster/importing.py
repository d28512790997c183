"""The services of a roster import, one ``RosterImport`` row from upload to end, and the task that runs them.

    roster_upload ── VALIDATING ── roster_validate ──▶ READY ── roster_confirm ──▶ IMPORTING
                                        │                │                              │
                                        ▼                │ roster_cancel        roster_import_rows
                                     FAILED ─────────────┴─────▶ CANCELLED              ▼
                                  (the file cannot be read as a roster)                DONE

Small files are checked and imported inside the request; files over ``ROSTER_ASYNC_ROWS`` rows go to the
``roster_process`` task, which keeps the progress up to date for the page that polls it. Nothing is written
to the members' tables before the user confirms, and then the valid rows go in one transaction.
"""

import gc
import logging
import time
from collections.abc import Callable, Collection
from contextlib import contextmanager
from datetime import timedelta
from uuid import uuid4

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from unionportal.core.health import check_worker
from unionportal.org.models import Organisation
from unionportal.org.scope import require_in_scope

from ..models import Member, RosterImport
from ..services import member_numbers, transfer_request
from . import staging
from .checking import CheckedRow, Issue, RosterCheck, check_roster, existing_members, looked_up
from .reading import RosterRefused, inspect_workbook
from .results import preview, write_error_file
from .writing import members_create

logger = logging.getLogger(__name__)

WORKING = (RosterImport.Status.VALIDATING, RosterImport.Status.IMPORTING)
STALLED_AFTER = timedelta(minutes=2)  # no progress for this long, and no worker: the page says so


# --- Progress --------------------------------------------------------------------------------------------


def _progress_key(pk: int) -> str:
    return f"roster-import:{pk}:progress"


def _moved_key(pk: int) -> str:
    return f"roster-import:{pk}:moved"


def _moved(pk: int, percent: int | None = None) -> None:
    """Note that the work on roster ``pk`` moved now (to ``percent``), for the page and the stall hint."""
    timeout = 6 * 3600
    if percent is None:
        cache.delete(_progress_key(pk))
    else:
        cache.set(_progress_key(pk), percent, timeout=timeout)
    cache.set(_moved_key(pk), timezone.now().timestamp(), timeout=timeout)


def _reporter(roster: RosterImport, start: int, end: int, *, to_row: bool = True) -> Callable[[float], None]:
    """Report progress between ``start`` and ``end`` per cent.

    Written to the cache, and to the row unless ``to_row`` is false: an import reports only to the cache,
    which is all the page can see of it inside the import's transaction, and which it can write while a COPY
    holds the database connection.
    """
    last = [-1]

    def report(fraction: float) -> None:
        percent = int(start + (end - start) * min(max(fraction, 0.0), 1.0))
        if percent != last[0]:
            last[0] = percent
            _moved(roster.pk, percent)
            if to_row:
                RosterImport.objects.filter(pk=roster.pk).update(progress=percent)

    return report


def roster_progress(roster_import: RosterImport) -> int:
    """The per cent done of a roster being checked or imported (the cache is fresher during an import)."""
    if roster_import.status not in WORKING:
        return 100
    return max(roster_import.progress, cache.get(_progress_key(roster_import.pk)) or 0)


def roster_stalled(roster_import: RosterImport) -> bool:
    """Whether a roster handed to the worker has not moved for ``STALLED_AFTER`` while no worker beats.

    Either alone is no sign of trouble: a worker may be busy with other work for a while, and its heartbeat
    runs once a minute. The heartbeat is read only once the roster has been still for that long.
    """
    roster = roster_import
    if roster.status not in WORKING or roster.total_rows <= settings.ROSTER_ASYNC_ROWS:
        return False
    moved = cache.get(_moved_key(roster.pk))  # gone with the cache: then count from the upload
    since = timezone.now().timestamp() - (moved if moved is not None else roster.created_at.timestamp())
    if since <= STALLED_AFTER.total_seconds():
        return False
    alive, _detail = check_worker()
    return not alive


class _Steps:
    """The seconds each step of an import takes, for the log line, and its progress, for the page."""

    def __init__(self, report: Callable[[float], None] | None):
        self.report, self.seconds, self.mark = report, {}, time.perf_counter()

    def __call__(self, name: str, fraction: float | None = None) -> None:
        """``name`` has been at work since the previous call; the import is ``fraction`` done."""
        now = time.perf_counter()
        self.seconds[name] = round(self.seconds.get(name, 0.0) + now - self.mark, 3)
        self.mark = now
        if self.report and fraction is not None:
            self.report(fraction)


# --- Services ---------------------------------------------------------------------------------------------


@contextmanager
def _cycle_collector_paused():
    """Pause Python's cycle collector for the length of a check or an import.

    A 50,000-row roster is a million small dicts and lists that live until the work is done, and each time
    more are made the collector walks all of them again: that took a third of the time. Nothing here makes
    reference cycles that need collecting early; the collector resumes, and catches up, once the work is over.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _read_file(roster: RosterImport) -> bytes:
    with roster.file.open("rb") as handle:
        return handle.read()


def _fail(roster: RosterImport, message: str) -> RosterImport:
    roster.status, roster.message, roster.progress = RosterImport.Status.FAILED, message[:300], 100
    roster.finished_at = timezone.now()
    roster.save(update_fields=["status", "message", "progress", "finished_at"])
    return roster


def roster_upload(*, actor, organisation: Organisation, upload: File) -> RosterImport:
    """Keep an uploaded roster for ``organisation`` and check it: at once when small, in the task when large.

    The file is stored under a random name, never served directly. A file that cannot be read as a roster
    ends FAILED with the reason; in no case does anything reach the members' tables before confirmation.
    """
    require_in_scope(actor, organisation.path)
    if not organisation.is_union or not organisation.is_active:
        raise ValidationError(_("Members join an active grassroots union."))
    roster = RosterImport(organisation=organisation, uploaded_by=actor, original_name=(upload.name or "")[:200])
    # The file and the row that points at it commit together (the default storage writes in this transaction):
    # a node dying between the two leaves neither.
    with transaction.atomic():
        roster.file.save(f"{uuid4().hex}.xlsx", upload, save=False)
        roster.save()
    _moved(roster.pk)
    with translation.override(settings.LANGUAGE_CODE):
        try:
            rows = inspect_workbook(_read_file(roster))
        except RosterRefused as refused:
            return _fail(roster, refused.message)
    if rows <= settings.ROSTER_ASYNC_ROWS:
        with _unstick(roster):
            return roster_validate(roster_import=roster)
    roster.total_rows = rows  # an estimate until the check counts the non-empty rows
    roster.save(update_fields=["total_rows"])
    transaction.on_commit(lambda: _dispatch(roster.pk))
    return roster


def roster_validate(*, roster_import: RosterImport, report_progress: bool = False) -> RosterImport:
    """Check a VALIDATING roster; leave it READY with counts, preview and error file, or FAILED with the reason.

    Writes nothing but the roster's own row and files: the outcome of the check is kept next to the upload
    (``staging``) for the confirmation. Safe to run twice: only a roster still VALIDATING is changed.
    """
    roster = roster_import
    if roster.status != RosterImport.Status.VALIDATING:
        return roster
    with translation.override(settings.LANGUAGE_CODE), _cycle_collector_paused():
        progress = _reporter(roster, 0, 95) if report_progress else None
        data, today = _read_file(roster), timezone.localdate()
        try:
            check = check_roster(organisation=roster.organisation, data=data, today=today, on_progress=progress)
        except RosterRefused as refused:
            return _fail(roster, refused.message)
        valid = len(check.valid)
        roster.total_rows, roster.valid_rows = len(check.rows), valid
        roster.error_rows, roster.transfer_rows = len(check.rejected), len(check.offers)
        roster.errors, roster.status, roster.progress = preview(check), RosterImport.Status.READY, 100
        roster.message = (
            "" if valid or check.offers else _("No row can be imported: correct the errors and upload again.")
        )
    fields = ["total_rows", "valid_rows", "error_rows", "transfer_rows", "errors", "error_file", "status", "progress"]
    # The kept check, the error file and the row commit together (the default storage writes in this
    # transaction); a run that finds the roster no longer VALIDATING (a twin delivery) leaves no file behind.
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        staging.stage(roster, check, data=data, today=today)
        write_error_file(roster, check, [row for row in check.rows if not row.valid])
        updated = RosterImport.objects.filter(pk=roster.pk, status=RosterImport.Status.VALIDATING).update(
            **{name: getattr(roster, name) for name in fields}, message=roster.message
        )
        if not updated:
            transaction.set_rollback(True)
    return roster


def roster_confirm(
    *,
    actor,
    roster_import: RosterImport,
    transfer_rows: Collection[int] = (),
    transfer_all: bool = False,
    remote_addr: str | None = None,
) -> RosterImport:
    """The user confirms a READY roster: import it now when small, or hand it to the task when large.

    ``transfer_rows`` are the Excel rows offered as transfers that the user ticked (``transfer_all``: every
    offer). A double click, or two users at once, cannot import twice: the row is locked and moves from READY
    to IMPORTING exactly once; the other click finds it locked or no longer READY (importing, done, or
    cancelled) and changes nothing.
    """
    require_in_scope(actor, roster_import.organisation.path)
    try:
        with transaction.atomic():
            locked = RosterImport.objects.select_for_update(nowait=True).get(pk=roster_import.pk)
            if locked.status != RosterImport.Status.READY:
                return locked
            locked.status, locked.progress, locked.message = RosterImport.Status.IMPORTING, 0, ""
            locked.save(update_fields=["status", "progress", "message"])
            _moved(locked.pk)
            options = {"transfer_rows": sorted(transfer_rows), "transfer_all": transfer_all, "remote_addr": remote_addr}
            if locked.total_rows > settings.ROSTER_ASYNC_ROWS:
                transaction.on_commit(lambda: _dispatch(locked.pk, actor_id=actor.pk, **options))
                return locked
    except OperationalError:  # the row is locked: the first click is at work
        return RosterImport.objects.get(pk=roster_import.pk)
    with _unstick(locked):
        return roster_import_rows(roster_import=locked, actor=actor, **options)


def roster_cancel(*, actor, roster_import: RosterImport) -> RosterImport:
    """Cancel a roster waiting for confirmation (READY) or refused (FAILED): it can never be imported after.

    Safe to repeat (a double click): a roster already cancelled is left as it is. The row lock orders a
    cancel and a confirmation of the same roster: whichever comes second finds the other's state and refuses
    (a confirmation sees CANCELLED; a cancel sees IMPORTING or DONE and raises ValidationError).
    """
    require_in_scope(actor, roster_import.organisation.path)
    Status = RosterImport.Status
    with transaction.atomic():
        locked = RosterImport.objects.select_for_update().get(pk=roster_import.pk)
        if locked.status == Status.CANCELLED:
            return locked
        if locked.status not in (Status.READY, Status.FAILED):
            raise ValidationError(_("Only a roster waiting for confirmation, or one refused, can be cancelled."))
        with translation.override(settings.LANGUAGE_CODE):
            locked.message = _("Cancelled by %(user)s; nothing of this file will be imported.") % {
                "user": getattr(actor, "name", "") or actor.get_username()
            }
        locked.status, locked.progress, locked.finished_at = Status.CANCELLED, 100, timezone.now()
        locked.save(update_fields=["status", "message", "progress", "finished_at"])
        transaction.on_commit(lambda: staging.discard(locked))
    logger.info("Roster import %s cancelled by %s", locked.pk, actor.pk)
    return locked


def roster_import_rows(
    *,
    roster_import: RosterImport,
    actor,
    transfer_rows: Collection[int] = (),
    transfer_all: bool = False,
    remote_addr: str | None = None,
    report_progress: bool = False,
) -> RosterImport:
    """Import an IMPORTING roster: the rows still valid become members, in one transaction; ask for the ticked
    transfers; write the error file of every row not imported; leave the roster DONE.

    The preview may be hours old: the ID numbers of the file are looked up again, and if anyone in it joined,
    left or moved meanwhile, the whole file is checked again (``staging``). Safe to run twice: the work is done
    under the roster's row lock and only while it is IMPORTING. If someone registers one of the people during
    the import itself, the unique ID number stops the transaction; the roster goes back to READY to be
    confirmed again.
    """
    roster = RosterImport.objects.select_related("organisation").get(pk=roster_import.pk)
    if roster.status != RosterImport.Status.IMPORTING:
        return roster
    started = time.perf_counter()
    with translation.override(settings.LANGUAGE_CODE), _cycle_collector_paused():
        steps = _Steps(_reporter(roster, 0, 95, to_row=False) if report_progress else None)
        try:
            check = _check_again(roster, steps)
        except RosterRefused as refused:
            return _fail(roster, refused.message)
        valid = check.valid
        ticked = set(transfer_rows)
        offers = [row for row in check.offers if transfer_all or row.number in ticked]
        # Reserved outside the import's transaction so that counters registering members are not held up
        # for the length of a large import; a failed import leaves a gap in the numbers, never a reuse.
        numbers = member_numbers(len(valid)) if valid else []
        steps("member numbers", 0.42)
        try:
            with transaction.atomic():
                locked = RosterImport.objects.select_for_update().select_related("organisation").get(pk=roster.pk)
                if locked.status != RosterImport.Status.IMPORTING:
                    return locked
                if valid:
                    members_create(
                        organisation=locked.organisation, rows=[row.fields for row in valid], numbers=numbers,
                        actor=actor, remote_addr=remote_addr, roster_import_id=locked.pk,
                        on_step=lambda name, fraction: steps(name, 0.42 + 0.53 * fraction),
                    )  # fmt: skip
                requested = _request_transfers(roster=locked, actor=actor, rows=offers)
                _finish(locked, check, imported=len(valid), requested=requested)
                steps("transfers, error file")
            steps("commit", 1.0)
        except IntegrityError:
            if not existing_members([row.fields["id_number"] for row in valid]):
                raise
            logger.info("Roster import %s: people registered meanwhile; back to READY", roster.pk)
            RosterImport.objects.filter(pk=roster.pk, status=RosterImport.Status.IMPORTING).update(
                status=RosterImport.Status.READY,
                progress=100,
                message=_("Some of these people were registered elsewhere meanwhile; nothing was imported. "
                          "Confirm again to import the rows that are still valid."),
            )  # fmt: skip
            return RosterImport.objects.get(pk=roster.pk)
    logger.info(
        "Roster import %s: %s members imported in %.1f s (%s)",
        locked.pk, len(valid), time.perf_counter() - started,
        ", ".join(f"{name} {seconds:.2f} s" for name, seconds in steps.seconds.items()),
        extra={"steps": steps.seconds},
    )  # fmt: skip
    return locked


def _check_again(roster: RosterImport, steps: _Steps) -> RosterCheck:
    """The check of the roster's file as it would come out now: the one kept at the preview when the file,
    the union and the day are the same and the members' table says the same of its ID numbers; else anew."""
    data, today = _read_file(roster), timezone.localdate()
    kept = staging.load(roster, data=data, today=today)
    steps("check: rows kept at the preview", 0.05 if kept else None)
    if kept is not None:
        if existing_members(looked_up(kept.rows)) == kept.existing:
            steps("check: ID numbers looked up again", 0.1)
            return kept
        logger.info("Roster import %s: members changed since the preview; checking the file again", roster.pk)
    check = check_roster(
        organisation=roster.organisation, data=data, today=today,
        on_progress=lambda fraction: steps("check: the whole file again", 0.4 * fraction),
    )  # fmt: skip
    steps("check: the whole file again", 0.4)
    return check


def _request_transfers(*, roster: RosterImport, actor, rows: list[CheckedRow]) -> set[int]:
    """Ask for each ticked transfer; a refusal (e.g. one already pending) becomes that row's error."""
    requested = set()
    members = Member.objects.in_bulk([row.offer.member_id for row in rows])
    reason = _("Roster import %(file)s") % {"file": roster.original_name}
    for row in rows:
        try:
            transfer_request(
                actor=actor,
                member=members[row.offer.member_id],
                to_organisation=roster.organisation,
                reason=reason[:200],
            )
        except ValidationError as error:
            row.issues.append(Issue("身份证号", error.messages[0]))
        else:
            requested.add(row.number)
    return requested


def _finish(roster: RosterImport, check: RosterCheck, *, imported: int, requested: set[int]) -> None:
    not_imported = [row for row in check.rows if not row.valid and row.number not in requested]
    write_error_file(roster, check, not_imported)
    roster.status, roster.progress, roster.finished_at = RosterImport.Status.DONE, 100, timezone.now()
    roster.total_rows, roster.valid_rows, roster.imported_rows = len(check.rows), imported, imported
    roster.error_rows, roster.transfer_rows = len(check.rejected), len(check.offers)
    roster.errors = preview(check, requested=requested)
    roster.message = _(
        "%(imported)s members imported; %(requested)s transfers asked for; %(left)s rows not imported."
    ) % {
        "imported": imported,
        "requested": len(requested),
        "left": len(not_imported),
    }
    roster.save()
    transaction.on_commit(lambda: staging.discard(roster))


# --- The task ---------------------------------------------------------------------------------------------


# Named as when it lived in members/roster.py, so that a task queued before an upgrade is still found after it.
@shared_task(name="members.roster.roster_process")
def roster_process(
    roster_import_id: int,
    actor_id: int | None = None,
    transfer_rows: list[int] | None = None,
    transfer_all: bool = False,
    remote_addr: str | None = None,
) -> str:
    """Check a VALIDATING roster, or import an IMPORTING one (``actor_id`` is then who confirmed it).

    Any other state means the work is done (or was cancelled): running twice, or after a redelivery, changes
    nothing.
    """
    roster = RosterImport.objects.select_related("organisation").filter(pk=roster_import_id).first()
    if roster is None:
        return "missing"
    with _unstick(roster):
        if roster.status == RosterImport.Status.VALIDATING:
            roster = roster_validate(roster_import=roster, report_progress=True)
        elif roster.status == RosterImport.Status.IMPORTING:
            roster = roster_import_rows(
                roster_import=roster, actor=get_user_model().objects.get(pk=actor_id),
                transfer_rows=transfer_rows or (), transfer_all=transfer_all, remote_addr=remote_addr,
                report_progress=True,
            )  # fmt: skip
    return roster.status


def _dispatch(roster_import_id: int, **options) -> None:
    """Hand a large roster to the worker; if the broker cannot be reached, do the work here and now.

    A Redis outage then costs the user a slower page, never a roster stuck at "checking" for ever.
    """
    try:
        roster_process.delay(roster_import_id, **options)
    except Exception:  # noqa: BLE001 - each transport raises its own connection errors
        logger.warning("broker unavailable: roster %s is processed in the request", roster_import_id, exc_info=True)
        roster_process(roster_import_id, **options)


@contextmanager
def _unstick(roster: RosterImport):
    """On an unexpected error, leave no roster polling for ever: a check fails, an import can be confirmed again.

    Whatever the import wrote was rolled back with its transaction.
    """
    try:
        yield
    except Exception:
        with translation.override(settings.LANGUAGE_CODE):
            message = _("The work stopped on an unexpected error and nothing was imported. Try again later.")
        Status = RosterImport.Status
        RosterImport.objects.filter(pk=roster.pk, status=Status.VALIDATING).update(
            status=Status.FAILED, progress=100, message=message, finished_at=timezone.now()
        )
        RosterImport.objects.filter(pk=roster.pk, status=Status.IMPORTING).update(
            status=Status.READY, progress=100, message=message
        )
        raise
