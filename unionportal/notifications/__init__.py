"""The notification outbox, shared by every app: one row per message, sent by a task, never sent twice.

Public API (see ``kinds.py`` and ``services.py``)::

    from unionportal.notifications import register_kind, notice_enqueue
"""

from .kinds import register_kind

__all__ = ["notice_enqueue", "notices_enqueue_many", "register_kind"]


def __getattr__(name):
    # services imports the models, which cannot load before the app registry: import it on first use.
    if name in ("notice_enqueue", "notices_enqueue_many"):
        from . import services

        return getattr(services, name)
    raise AttributeError(name)
