from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """The last time a background process proved it was alive; /healthz reads it."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    beat_at = models.DateTimeField(_("last beat"))

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self):
        return f"{self.name} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"


class NumberSequence(models.Model):
    """A named counter for numbers people read: member numbers, claim numbers, receipt numbers.

    Numbers are reserved in blocks under a row lock (``numbers.allocate``), so a 50,000-row roster takes one
    round trip and two counters never hand out the same number.
    """

    name = models.CharField(_("name"), max_length=50, unique=True)
    next_value = models.BigIntegerField(_("next value"), default=1)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")

    def __str__(self):
        return f"{self.name}: {self.next_value}"


class RateLimitHit(models.Model):
    """One attempt at a rate-limited public action (a status check, an activation), by a hashed key.

    Kept in the database, not the cache, so that a Redis outage neither lifts the limit nor breaks the page.
    Keys are keyed hashes: an ID number never lands here in clear.
    """

    scope = models.CharField(max_length=40)
    key_hash = models.CharField(max_length=64)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["scope", "key_hash", "at"], name="ratelimit_lookup_idx")]

    def __str__(self):
        return f"{self.scope} {self.key_hash[:8]} @ {self.at:%Y-%m-%d %H:%M:%S}"


class StoredFile(models.Model):
    """One uploaded or generated file (a claim scan, a roster, its error file), kept in the database.

    ``storage.DatabaseStorage`` reads and writes these rows: every web node and worker sees the same files,
    a file saved in a transaction that rolls back is gone with it, and the database backup holds them.
    """

    name = models.CharField(_("name"), max_length=255, unique=True)
    content = models.BinaryField(_("content"))
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")

    def __str__(self):
        return self.name


class BeatLease(models.Model):
    """Who may run the clocks: the one ``celery beat`` that holds this row until ``expires_at``.

    A second beat started by mistake waits, sending nothing, until the holder stops renewing (``beat``).
    A row, not a PostgreSQL advisory lock, so that it works through pgbouncer's transaction pooling and on
    the embedded SQLite alike.
    """

    name = models.CharField(_("name"), max_length=50, unique=True)
    holder = models.CharField(_("holder"), max_length=200, blank=True)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("beat lease")
        verbose_name_plural = _("beat leases")

    def __str__(self):
        return f"{self.name}: {self.holder or '-'} until {self.expires_at:%Y-%m-%d %H:%M:%S}"


class WorkdayCorrection(models.Model):
    """The city's correction to the working-day calendar for one date (``core.workdays``).

    The calendar comes from the chinese-calendar library, which knows the State Council's holiday schedule only up
    to the year it was released for. The city enters a row per date where the library is wrong or silent: each
    day of a holiday (not a working day) and each make-up working day (调休, a working Saturday or Sunday).
    """

    day = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    note = models.CharField(
        _("note"),
        max_length=100,
        blank=True,
        help_text=_("e.g. Spring Festival, or a make-up working day for National Day"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("working-day correction")
        verbose_name_plural = _("working-day corrections")

    def __str__(self):
        return f"{self.day:%Y-%m-%d} {'+' if self.is_workday else '-'} {self.note}"
