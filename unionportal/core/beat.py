"""Exactly one beat: the clocks run in the ``celery beat`` that holds the lease row, and in no other.

``LeaderScheduler`` is the ``PersistentScheduler`` with a lease (``BeatLease``) in front of it:

* on start it waits, sending nothing and not even opening its schedule file, until it can take the lease:
  free, expired, or its own;
* before sending anything it renews the lease with one conditional UPDATE (``holder = me``); if another
  beat has taken it meanwhile (this one stalled for longer than the lease), it exits rather than send;
* it renews at least every third of the lease, and gives the lease back when it stops cleanly.

A second beat started by mistake is therefore a standby: it takes over within ``BEAT_LEASE_SECONDS`` of the
first one dying, and from then on sends each clock once. The times compared are the database's (``Now()``),
so the nodes' clocks need not agree. A duplicate send would need the holder to stall for longer than the
lease between its renewal and its send, a few milliseconds apart; the tasks are safe to run twice anyway.
"""

import logging
import os
import socket
import time
import uuid
from datetime import timedelta

from celery.beat import PersistentScheduler
from django.conf import settings
from django.db import IntegrityError, close_old_connections, transaction
from django.db.models import DateTimeField, ExpressionWrapper, Q, Value
from django.db.models.functions import Now
from django.utils import timezone

logger = logging.getLogger(__name__)

LEASE = "celery-beat"


def _until(seconds: float):
    return ExpressionWrapper(Now() + Value(timedelta(seconds=seconds)), output_field=DateTimeField())


def lease_take(*, holder: str, seconds: float) -> bool:
    """Take the lease if it is free, expired or already ``holder``'s; True when ``holder`` now holds it."""
    from .models import BeatLease

    try:
        with transaction.atomic():
            BeatLease.objects.get_or_create(name=LEASE, defaults={"expires_at": timezone.now() - timedelta(days=1)})
    except IntegrityError:  # another beat created it at the same moment: fine, it exists
        pass
    # One conditional UPDATE: of two beats racing for an expired lease, the database lets exactly one match.
    taken = BeatLease.objects.filter(Q(holder=holder) | Q(expires_at__lt=Now()), name=LEASE)
    return taken.update(holder=holder, expires_at=_until(seconds)) == 1


def lease_renew(*, holder: str, seconds: float) -> bool:
    """Extend ``holder``'s lease; False when another beat holds it now."""
    from .models import BeatLease

    return BeatLease.objects.filter(name=LEASE, holder=holder).update(expires_at=_until(seconds)) == 1


def lease_release(*, holder: str) -> None:
    """Give the lease back at once (a clean stop), so that a standby need not wait for it to expire."""
    from .models import BeatLease

    BeatLease.objects.filter(name=LEASE, holder=holder).update(holder="", expires_at=Now())


class LeaderScheduler(PersistentScheduler):
    """The beat's scheduler (``CELERY_BEAT_SCHEDULER``): runs the schedule only while holding the lease."""

    def __init__(self, *args, **kwargs):
        self.lease_seconds = float(settings.BEAT_LEASE_SECONDS)
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        super().__init__(*args, **kwargs)
        self.max_interval = min(self.max_interval, self.lease_seconds / 3)

    def setup_schedule(self):
        self._wait_for_lease()
        super().setup_schedule()

    def _wait_for_lease(self):
        announced = False
        while True:
            close_old_connections()
            try:
                if lease_take(holder=self.holder, seconds=self.lease_seconds):
                    logger.info("beat: holding the lease as %s; the clocks run here", self.holder)
                    return
            except Exception:  # the database is away: keep waiting, never run without the lease
                logger.exception("beat: cannot reach the database to take the lease")
            if not announced:
                logger.warning("beat: another beat holds the lease; waiting as a standby, sending nothing")
                announced = True
            time.sleep(min(5.0, self.lease_seconds / 3))

    def tick(self, *args, **kwargs):
        close_old_connections()
        if not lease_renew(holder=self.holder, seconds=self.lease_seconds):
            # Another beat took over while this one stalled: sending now would send twice.
            logger.error("beat: the lease passed to another beat; stopping without sending")
            raise SystemExit(1)
        return super().tick(*args, **kwargs)

    def close(self):
        super().close()
        try:
            lease_release(holder=self.holder)
        except Exception:  # the lease expires by itself
            logger.warning("beat: could not give the lease back; it expires in %ss", self.lease_seconds)
