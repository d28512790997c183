from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

TEST_KIND = "notifications.test"


class NotificationsConfig(AppConfig):
    name = "unionportal.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from unionportal.accounts import audit
        from unionportal.org import registry

        from .kinds import register_kind

        registry.register_path_copy(self.get_model("Notice"), "organisation_path")

        # The outbox's own kind: a test message that proves the SMS gateway end to end (send_test_sms).
        register_kind(
            TEST_KIND,
            title=_("Test message"),
            text=_("Test message from %(portal)s, queued at %(time)s. No reply is needed."),
        )

        # The row's status changes are queryset updates (the claim), so the trail holds who was written to
        # and what (the kind and subject); the row itself is the delivery history. The text stays out of the
        # trail: a one-time code's text carries the code, and whoever reads the log could reset the account.
        audit.register(self.get_model("Notice"), mask_fields=["recipient_phone"], secret_fields=["body"])
