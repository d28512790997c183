from django.db import models
from django.utils.translation import gettext_lazy as _

from .checks import check_label


class ReconciliationRun(models.Model):
    """One day's reconciliation: the workbench shows what the latest run found, so a fixed fault clears."""

    run_on = models.DateField(_("day"), unique=True)
    finished_at = models.DateTimeField(_("finished at"))
    found = models.PositiveIntegerField(_("discrepancies found"), default=0)

    class Meta:
        verbose_name = _("reconciliation run")
        verbose_name_plural = _("reconciliation runs")
        ordering = ["-run_on"]

    def __str__(self):
        return f"{self.run_on}: {self.found}"


class Discrepancy(models.Model):
    """Something the nightly reconciliation found wrong with money: one row per check, subject and day."""

    check_code = models.CharField(_("check"), max_length=50)
    subject = models.CharField(_("subject"), max_length=100)
    detail = models.CharField(_("detail"), max_length=500)
    org_path = models.CharField(_("organisation path"), max_length=255, blank=True)
    found_on = models.DateField(_("found on"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    scope_path = "org_path"

    class Meta:
        verbose_name = _("discrepancy")
        verbose_name_plural = _("discrepancies")
        ordering = ["-found_on", "check_code", "subject"]
        constraints = [
            # Running twice in a day finds the same things: the second run writes nothing new.
            models.UniqueConstraint(fields=["check_code", "subject", "found_on"], name="reconciliation_once_a_day")
        ]
        indexes = [models.Index(fields=["found_on", "org_path"], name="reconciliation_day_path")]

    def __str__(self):
        return f"{self.found_on} {self.check_code} {self.subject}"

    @property
    def check_label(self) -> str:
        return check_label(self.check_code)
