from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unionportal.notifications.apps import TEST_KIND
from unionportal.notifications.services import notice_enqueue


class Command(BaseCommand):
    help = "Queue a test SMS through the outbox, to check the gateway (SMS_BACKEND) end to end."

    def add_arguments(self, parser):
        parser.add_argument("phone", help="the mobile number to write to")

    def handle(self, *args, phone, **options):
        if not (phone.isdigit() and len(phone) == 11):
            raise CommandError("Give an 11-digit mobile number.")
        now = timezone.now()
        with transaction.atomic():
            notice = notice_enqueue(
                TEST_KIND,
                f"test:{phone}:{now.isoformat()}",
                sms_to=phone,
                context={"portal": settings.PORTAL_TITLE or _("Shangluo Federation of Trade Unions"), "time": now},
            )
        self.stdout.write(f"Queued notice {notice.pk}: {notice.body}")
