from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Organisations and members")

    def ready(self):
        from unionportal.accounts import audit

        # The tree's bookkeeping columns change on every insert nearby; they say nothing to an auditor.
        audit.register(
            self.get_model("Organisation"),
            exclude_fields=["path", "depth", "numchild", "created_at", "updated_at", "staff"],
        )
        # Personal data: every change is audited, identifiers masked in the log.
        audit.register(
            self.get_model("Member"),
            exclude_fields=["org_path", "created_at", "updated_at"],
            mask_fields=["id_number", "phone"],
        )
        audit.register(self.get_model("MemberCard"), mask_fields=["number"])
        audit.register(self.get_model("Transfer"))
        audit.register(self.get_model("CertificateCase"))
        audit.register(self.get_model("Enterprise"), exclude_fields=["created_at", "updated_at"])
        audit.register(self.get_model("EnterpriseNote"))
        # Who issued a member's one-time account code, and when it was used: a counter reset stays on record.
        audit.register(
            self.get_model("AccountCode"),
            include_fields=["member", "purpose", "issued_by", "used_at"],
            secret_fields=["code_hash"],
        )
        from unionportal.accounts.services import on_password_change

        from . import accounts  # registers the SMS kinds of the reset code and the password change

        on_password_change(accounts.password_sms)
