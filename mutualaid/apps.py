from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MutualaidConfig(AppConfig):
    name = "mutualaid"
    verbose_name = _("Mutual-aid medical protection")

    def ready(self):
        from unionportal.accounts import audit
        from unionportal.org import registry

        for name in ("EnrolmentBatch", "Policy", "Claim"):
            registry.register_path_copy(self.get_model(name), "org_path")

        # Money and medical data: every change is audited.
        for name in ("Plan", "PlanVersion", "PlanSegment", "EnrolmentBatch", "Policy", "ClaimInvoice", "ClaimDocument"):
            audit.register(self.get_model(name))
        audit.register(self.get_model("Claim"), exclude_fields=["org_path"], mask_fields=["bank_account"])
        from .claims import clock, notices, payouts

        payouts.register()
        notices.register()
        clock.register()
        from .enrolment import renewal

        renewal.register()
