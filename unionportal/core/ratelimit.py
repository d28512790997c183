"""Rate limits for public forms, counted in the database (see ``RateLimitHit``)."""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta
from functools import reduce
from operator import or_

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from .models import RateLimitHit


@dataclass(frozen=True)
class Limit:
    scope: str
    count: int
    window: timedelta


def key_hash(scope: str, key: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{scope}:{key}".encode(), hashlib.sha256).hexdigest()


def allow(limits: list[tuple[Limit, str]]) -> bool:
    """Record one attempt under every (limit, key) and say whether all of them are still within their limit.

    The attempt is recorded even when refused, so that hammering a locked key keeps it locked. Two statements
    whatever the number of limits: one count per limit in a single aggregate, one insert of all the hits.
    """
    now = timezone.now()
    keyed = [(limit, key_hash(limit.scope, key)) for limit, key in limits]
    windows = [Q(scope=limit.scope, key_hash=digest, at__gte=now - limit.window) for limit, digest in keyed]
    counts = RateLimitHit.objects.filter(reduce(or_, windows, Q(pk__in=[]))).aggregate(
        **{f"n{i}": Count("pk", filter=window) for i, window in enumerate(windows)}
    )
    RateLimitHit.objects.bulk_create(
        [RateLimitHit(scope=limit.scope, key_hash=digest, at=now) for limit, digest in keyed]
    )
    return all(counts[f"n{i}"] < limit.count for i, (limit, _digest) in enumerate(keyed))


def exceeded(limit: Limit, key: str) -> bool:
    """Whether ``key`` already has ``limit.count`` hits in the window; records nothing (see ``hit``).

    For limits on failures: check before the attempt, record only when it fails.
    """
    since = timezone.now() - limit.window
    found = RateLimitHit.objects.filter(scope=limit.scope, key_hash=key_hash(limit.scope, key), at__gte=since)
    return found[limit.count - 1 : limit.count].exists()


def hit(limit: Limit, key: str) -> None:
    RateLimitHit.objects.create(scope=limit.scope, key_hash=key_hash(limit.scope, key), at=timezone.now())


def purge(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Forget attempts older than any window (daily task)."""
    return RateLimitHit.objects.filter(at__lt=timezone.now() - older_than).delete()[0]
