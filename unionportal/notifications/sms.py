"""SMS is a pluggable backend (``SMS_BACKEND``): console by default, a gateway's adapter in production.

The notification outbox (``services.py``) decides what to send, and never sends twice; this module is only
the last mile. A backend sends one message and returns the gateway's message id, or raises:

- ``SMSError``: the gateway could not take it now (timeout, throttling, outage); the outbox retries later;
- ``SMSRejected``: the gateway will never take it (bad number, blocked content); the outbox gives up at once.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SMSError(Exception):
    """Sending failed for now; the outbox tries again with a growing pause."""


class SMSRejected(SMSError):
    """Sending can never succeed; the outbox marks the notice failed without retrying."""


class BaseBackend:
    def send(self, *, phone: str, text: str, reference: str = "") -> str:
        """Send one message; return the gateway's message id. Raise ``SMSError`` so the outbox retries.

        ``reference`` is the outbox's own id for the message: pass it to gateways that accept a client
        reference (most Chinese gateways have an "out id"), so that they can drop a duplicate should a
        worker die between the gateway's answer and the outbox recording it.
        """
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    """Writes messages to the log instead of sending them: the embedded default and development."""

    def send(self, *, phone: str, text: str, reference: str = "") -> str:
        logger.info("SMS to %s: %s", phone[:3] + "****" + phone[-4:], text)
        return "console"


class LocmemBackend(BaseBackend):
    """Keeps messages in memory (``LocmemBackend.outbox``), like Django's locmem e-mail backend: for tests.

    Set ``LocmemBackend.fail_with`` to an exception to make every send raise it.
    """

    outbox: list[dict] = []
    fail_with: Exception | None = None

    def send(self, *, phone: str, text: str, reference: str = "") -> str:
        if self.fail_with is not None:
            raise self.fail_with
        self.outbox.append({"phone": phone, "text": text, "reference": reference})
        return f"locmem-{len(self.outbox)}"


def get_backend() -> BaseBackend:
    return import_string(settings.SMS_BACKEND)()
