"""The nightly reconciliation of money: checks registered by the shared floor and the apps, run by the beat.

A check is a plain function that returns ``Finding``s; the payments checks live here, each app adds its own
in its ``reconcile.py`` (discovered like ``pending.py``), so this floor imports no app. See ``checks``.
"""
