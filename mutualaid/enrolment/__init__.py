"""Enrolment and cover beyond the writes in ``mutualaid/services.py``: ``renewal`` (reminders before a cover
ends and the union's 续保提示单)."""
