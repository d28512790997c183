"""The portal's roles, defined in code and kept in step with Django groups.

A role is a Django group named by its code; the permissions listed here are the whole truth about
what the role may do (``sync_roles`` removes anything added by hand). Which *part of the tree* a
user sees is not a role matter: that comes from the user's organisation node (``scope.py``).
"""

from dataclasses import dataclass, field

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Role:
    code: str
    label: str
    permissions: tuple[str, ...] = field(default_factory=tuple)
    staff: bool = True  # staff roles get the workbench; the member role gets the member pages


_ORG_READ = ("org.view_organisation",)
_ORG_WRITE = ("org.add_organisation", "org.change_organisation", *_ORG_READ)
_MEMBER_READ = ("members.view_member",)
_MEMBER_WRITE = (
    *_MEMBER_READ,
    "members.add_member",
    "members.change_member",
    "members.add_transfer",
    "members.change_transfer",
    "members.add_rosterimport",
)
_CERTIFICATES = ("members.view_certificatecase", "members.add_certificatecase")
_DRIVE = ("members.view_enterprise", "members.add_enterprise", "members.change_enterprise")
_PLANS = tuple(f"mutualaid.{verb}_{model}" for model in ("plan", "planversion", "plansegment")
               for verb in ("view", "add", "change"))  # fmt: skip
_ENROL = ("mutualaid.view_plan", "mutualaid.view_enrolmentbatch", "mutualaid.add_enrolmentbatch")
_CLAIM_READ = ("mutualaid.view_claim",)
_COUNTER = (*_ENROL, *_CLAIM_READ, "mutualaid.add_claim", "mutualaid.change_claim")
_FEDERATION_STAFF = (
    *_ORG_WRITE, *_MEMBER_WRITE, *_CERTIFICATES, *_DRIVE, *_COUNTER, "accounts.reveal_sensitive",
    "notifications.view_notice",
)  # fmt: skip

_REPORT_READ = ("reporting.view_monthlyreport", "reporting.view_indicator", "reporting.view_catalogue")
_REPORT_FILE = (*_REPORT_READ, "reporting.file_monthlyreport")
# Indicators are never deleted (filed lines point at them); turning one off is a change.
_CATALOGUE = tuple(
    f"reporting.{verb}_{model}"
    for model in ("indicator", "checkrule", "catalogue", "catalogueentry")
    for verb in ("view", "add", "change", "delete")
    if (model, verb) != ("indicator", "delete")
)
_REPORT_APPROVE = (*_REPORT_READ, "reporting.approve_monthlyreport", *_CATALOGUE)
# Targets and the year's ranking weights (a page and the admin); bulletins and dashboards of the figures.
_RANKING_CONFIG = tuple(
    f"reporting.{verb}_{model}" for model in ("target", "rankingrule") for verb in ("view", "add", "change", "delete")
)
_BULLETIN_READ = ("reporting.view_bulletin", "reporting.view_dashboard")
_BULLETIN_PUBLISH = (*_BULLETIN_READ, *_RANKING_CONFIG, "reporting.publish_bulletin")

ROLES: dict[str, Role] = {
    role.code: role
    for role in [
        Role(
            "city_admin",
            _("City system administrator"),
            (
                "accounts.view_user",
                "accounts.add_user",
                "accounts.change_user",
                *_ORG_WRITE,
                *_PLANS,
                *_CATALOGUE,
                *_RANKING_CONFIG,
            ),
        ),
        Role(
            "security_admin",
            _("Security administrator"),
            (
                "accounts.view_user",
                "accounts.change_user",  # reset passwords, assign roles
                "accounts.manage_security",
                "axes.view_accessattempt",
                "axes.delete_accessattempt",
                "otp_totp.view_totpdevice",
                "otp_totp.delete_totpdevice",
            ),
        ),
        Role(
            "auditor",
            _("Auditor"),
            ("accounts.view_audit_log", "auditlog.view_logentry", "reconciliation.view_discrepancy"),
        ),
        Role("city_staff", _("City federation staff"), (*_FEDERATION_STAFF, *_REPORT_APPROVE, *_BULLETIN_PUBLISH)),
        Role(
            "county_staff",
            _("County federation staff"),
            (*_FEDERATION_STAFF, *_REPORT_FILE, *_BULLETIN_READ, "reporting.view_target"),
        ),
        Role(
            "counter_clerk",
            _("Service counter clerk"),
            (
                *_ORG_READ,
                *_MEMBER_WRITE,
                *_CERTIFICATES,
                *_COUNTER,
                "accounts.reveal_sensitive",
                "mutualaid.confirm_premium",
            ),
        ),
        Role(
            "reviewer",
            _("Reviewer"),
            (*_ORG_READ, *_MEMBER_READ, *_CLAIM_READ, "mutualaid.assess_claim", "accounts.reveal_sensitive"),
        ),
        Role(
            "approver",
            _("Approver"),
            (
                *_ORG_READ,
                *_MEMBER_READ,
                *_CLAIM_READ,
                "mutualaid.approve_claim",
                "mutualaid.approve_claim_city",
                "accounts.reveal_sensitive",
            ),
        ),  # fmt: skip
        Role(
            "finance",
            _("Finance"),
            (
                *_ORG_READ,
                *_MEMBER_READ,
                *_CLAIM_READ,
                "accounts.reveal_sensitive",
                "payments.view_paymentbatch",
                "payments.add_paymentbatch",
                "payments.change_paymentbatch",
                "payments.view_paymentrequest",
                "payments.change_paymentrequest",
                "reconciliation.view_discrepancy",
                "mutualaid.view_enrolmentbatch",
                "mutualaid.confirm_premium",
            ),
        ),  # fmt: skip
        Role(
            "union_officer",
            _("Grassroots union officer"),
            (*_ORG_READ, *_MEMBER_WRITE, *_ENROL, *_CLAIM_READ, "mutualaid.add_claim"),
        ),  # fmt: skip
        Role("member", _("Member"), (), staff=False),
    ]
}


# Roles that a security administrator may only ask for: a second security administrator confirms the grant.
# The auditor watches the administrators and the security administrator grants roles; one person alone must
# not be able to create either.
SECOND_PERSON_ROLES = frozenset({"auditor", "security_admin"})


def grantable_roles() -> list[Role]:
    """The roles the portal's role page offers: every staff role (a member's role comes with activation)."""
    return [role for role in ROLES.values() if role.staff]


def permissions_of(codes) -> set[str]:
    """The permissions (``app_label.codename``) that the roles ``codes`` grant together."""
    return {perm for code in codes if code in ROLES for perm in ROLES[code].permissions}


def role_label(code: str) -> str:
    role = ROLES.get(code)
    return str(role.label) if role else code


@transaction.atomic
def sync_roles(*, using: str = "default") -> None:
    """Create or update one group per role with exactly the role's permissions. Idempotent."""
    from django.contrib.auth.models import Group, Permission

    # Permissions of apps migrated after this one may not exist yet when post_migrate reaches us.
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)

    by_key = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.using(using).values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    for role in ROLES.values():
        missing = [p for p in role.permissions if p not in by_key]
        if missing:
            raise ImproperlyConfigured(f"Role {role.code} names unknown permissions: {missing}")
        group, _created = Group.objects.using(using).get_or_create(name=role.code)
        group.permissions.set([by_key[p] for p in role.permissions])


def sync_roles_after_migrate(sender, using="default", **kwargs):
    # post_migrate is sent once per app that has a models module; act once, after the last of them.
    with_models = [c for c in global_apps.get_app_configs() if c.models_module is not None]
    if sender.name == with_models[-1].name:
        sync_roles(using=using)
