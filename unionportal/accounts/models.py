from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Aggregate, CharField, OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

MEMBER_ROLE = "member"  # roles.py; the role every member's own account holds, and only those


class _JoinedNames(Aggregate):
    """The names of a group of rows joined with commas (PostgreSQL ``string_agg``, SQLite ``group_concat``)."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ',')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


# Relations read in the same query as the user on every request. ``organisation`` gives the scope; apps
# above add their own with ``read_with_user`` (``members`` adds ``member``, the person behind a member's own
# account), so that this floor names no app.
_READ_WITH_USER = ["organisation"]


def read_with_user(relation: str) -> None:
    """Have every user loaded through ``User.objects`` come with ``relation`` (a ``select_related`` path)."""
    if relation not in _READ_WITH_USER:
        _READ_WITH_USER.append(relation)


class PortalUserManager(UserManager):
    def get_queryset(self):
        # Every request reads the signed-in user, their node (for the scope) or member (a member's own
        # account) and their roles (for the permissions and the menu): one query, not four.
        memberships = (
            User.groups.through.objects.filter(user_id=OuterRef("pk"))
            .values("user_id")
            .annotate(names=_JoinedNames("group__name"))
            .values("names")
        )
        return super().get_queryset().select_related(*_READ_WITH_USER).annotate(_role_names=Subquery(memberships))


class User(AbstractUser):
    """A staff member attached to one node of the tree, or a member signing in online.

    For staff the node decides what the user sees: its whole subtree and nothing else (see ``scope.py``).
    A member's account has no node (so every staff scope is empty for it) and holds the member role; its one
    ``members.Member`` points at it (``Member.account``, read back as ``user.member``): the member pages read
    through that link only, and see that person only.
    """

    name = models.CharField(_("full name"), max_length=50, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=11, blank=True)
    organisation = models.ForeignKey(
        "org.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        help_text=_("The user sees this organisation and everything under it."),
    )

    # Set when the security administrator resets the password: the next sign-in must choose a new one before
    # anything else (security.PasswordChangeRequiredMiddleware), so the one who reset it never keeps it.
    must_change_password = models.BooleanField(_("must change password at next sign-in"), default=False)

    objects = PortalUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [
            ("view_audit_log", _("Can browse the audit log")),
            ("reveal_sensitive", _("Can reveal full ID numbers and bank accounts")),
            ("manage_security", _("Can manage accounts, roles and two-factor devices")),
        ]

    def __str__(self):
        return self.name or self.username

    @property
    def display_name(self) -> str:
        return self.name or self.username

    @property
    def role_codes(self) -> set[str]:
        """The codes of the roles (groups) this user holds, cached per instance."""
        if not hasattr(self, "_role_codes"):
            if hasattr(self, "_role_names"):  # read with the user (PortalUserManager)
                self._role_codes = set(filter(None, (self._role_names or "").split(",")))
            else:
                self._role_codes = set(self.groups.values_list("name", flat=True))
        return self._role_codes

    def has_role(self, *codes: str) -> bool:
        return bool(self.role_codes.intersection(codes))

    @property
    def is_member_account(self) -> bool:
        """A member's own account: the member pages, never the staff workbench."""
        return self.organisation_id is None and self.has_role(MEMBER_ROLE)


class RoleGrant(models.Model):
    """A grant of a role that needs a second administrator (``roles.SECOND_PERSON_ROLES``): the auditor, the
    security administrator. One security administrator asks, another confirms; until then the account does
    not hold the role. The row is the record of both halves (and is audited).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a second administrator")  # asked; the role is not held yet
        CONFIRMED = "confirmed", _("Confirmed")  # a second security administrator confirmed; role added; final
        CANCELLED = "cancelled", _("Cancelled")  # withdrawn, or overtaken by a later change of roles; final

    user = models.ForeignKey(User, verbose_name=_("account"), on_delete=models.PROTECT, related_name="role_grants")
    role = models.CharField(_("role"), max_length=32)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        User, verbose_name=_("asked by"), on_delete=models.PROTECT, related_name="role_grants_requested"
    )
    requested_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        User,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_grants_decided",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role"], condition=models.Q(status="pending"), name="role_grant_one_pending"
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.role}"
