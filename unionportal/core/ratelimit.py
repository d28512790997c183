"""Rate limits for public forms, counted in the database (see ``RateLimitHit``)."""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
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

    The attempt is recorded even when refused, so that hammering a locked key keeps it locked.
    """
    now = timezone.now()
    allowed = True
    for limit, key in limits:
        digest = key_hash(limit.scope, key)
        recent = RateLimitHit.objects.filter(scope=limit.scope, key_hash=digest, at__gte=now - limit.window).count()
        RateLimitHit.objects.create(scope=limit.scope, key_hash=digest, at=now)
        allowed = allowed and recent < limit.count
    return allowed


def purge(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Forget attempts older than any window (daily task)."""
    return RateLimitHit.objects.filter(at__lt=timezone.now() - older_than).delete()[0]
