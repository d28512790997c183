"""SMS is a pluggable backend (``SMS_BACKEND``): console by default, a gateway's adapter in production.

The notification outbox (which decides what to send, and never sends twice) arrives with the
mutual-aid issue; this module is only the last mile.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class BaseBackend:
    def send(self, *, phone: str, text: str) -> str:
        """Send one message; return the gateway's message id. Raise on failure so the caller retries."""
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    """Writes messages to the log instead of sending them: the embedded default and development."""

    def send(self, *, phone: str, text: str) -> str:
        logger.info("SMS to %s: %s", phone[:3] + "****" + phone[-4:], text)
        return "console"


def get_backend() -> BaseBackend:
    return import_string(settings.SMS_BACKEND)()
