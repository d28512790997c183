from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "unionportal.accounts"
    label = "accounts"
    verbose_name = _("Accounts and security")

    def ready(self):
        from unionportal.org.models import Organisation, OrganisationEvent

        from . import audit, roles, security

        # The tree's bookkeeping columns change on every insert nearby; they say nothing to an auditor. Moves and
        # merges are on record through their event rows (old and new parent, and a note naming both).
        audit.register(Organisation, exclude_fields=["path", "depth", "numchild", "created_at", "updated_at", "staff"])
        audit.register(OrganisationEvent)

        # Roles are data the code defines: keep the groups and their permissions in step after every
        # migrate, so a permission added by a later app reaches its roles without a hand-made migration.
        post_migrate.connect(roles.sync_roles_after_migrate, dispatch_uid="accounts-sync-roles")
        # Sign-ins and sign-outs are security events the auditor must see (等保 2.0).
        user_logged_in.connect(audit.log_sign_in, dispatch_uid="accounts-audit-sign-in")
        user_logged_out.connect(audit.log_sign_out, dispatch_uid="accounts-audit-sign-out")
        # Password spraying: failures are counted per address as well (security.sign_in_refused_here).
        user_login_failed.connect(security.count_sign_in_failure, dispatch_uid="accounts-count-failures")
        audit.register(
            self.get_model("User"),
            exclude_fields=["last_login"],
            secret_fields=["password"],
            mask_fields=["phone"],
            m2m_fields={"groups"},
        )
        # Security events: pairing or removing an authenticator, and every failed sign-in (axes keeps
        # one row per username and address and counts failures on it).
        from axes.models import AccessAttempt
        from django_otp.plugins.otp_totp.models import TOTPDevice

        audit.register(TOTPDevice, include_fields=["name", "confirmed"], secret_fields=["key"])
        audit.register(AccessAttempt, include_fields=["username", "ip_address", "failures_since_start"])
