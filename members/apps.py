from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Organisations and members")

    def ready(self):
        from unionportal.accounts import audit
        from unionportal.accounts.models import read_with_user
        from unionportal.org import registry

        from . import services

        # A member's copy of the union's path follows moves; in a merge the members' hook moves the active
        # members (with their membership periods) and the others stay where they were.
        registry.register_path_copy(self.get_model("Member"), "org_path", follows_merge=False)
        registry.register_merge_hook(services.merge_members)
        registry.register_deregister_check(services.active_members_refusal)
        # A member's own account reads its member in the same query as the user (own_member, sign-in checks).
        read_with_user("member")
        # Personal data: every change is audited, identifiers masked in the log.
        audit.register(
            self.get_model("Member"),
            # ``account`` is set once, by activation, whose user row is audited on its own.
            exclude_fields=["org_path", "account", "created_at", "updated_at"],
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
