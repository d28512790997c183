"""Bank payments, built once below the apps: payment requests, batches, the bank file and its result.

Apps pay through this one: they register a *source* and create payment requests identified by
``(source, reference)``; the payments app knows payees and amounts, never claims or grants. See
``sources.register_source`` and ``services.payment_request_create``.
"""

from .sources import register_source

__all__ = ["register_source"]
