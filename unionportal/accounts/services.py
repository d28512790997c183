"""Writes on accounts. Each leaves its audit row through the registered models (see apps.py)."""

from axes.models import AccessAttempt
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice


@transaction.atomic
def two_factor_confirm(*, device: TOTPDevice) -> None:
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # One authenticator per account: drop any half-finished pairing left behind.
    TOTPDevice.objects.filter(user=device.user, confirmed=False).exclude(pk=device.pk).delete()


@transaction.atomic
def two_factor_remove(*, user) -> None:
    for device in TOTPDevice.objects.filter(user=user):
        device.delete()  # one by one, so each deletion is audited


def lockout_release(*, attempt: AccessAttempt) -> None:
    attempt.delete()
