from django.conf import settings
from django.db import models, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Length, Substr
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from treebeard.exceptions import InvalidMoveToDescendant
from treebeard.mp_tree import MP_Node, MP_NodeManager

from .validators import validate_union_uscc, validate_uscc

# A union holding a legal-person certificate reports a change of its registered particulars (name, address,
# legal representative …) within 30 days: the window is fixed by the registration rules for grassroots unions'
# legal-person status, not a federation's choice, so it is a constant here and not a setting or a row. (How early
# the workbench warns of a certificate's expiry is the federation's choice: ``CERTIFICATE_EXPIRY_WARNING_DAYS``.)
CHANGE_REPORT_DAYS = 30


class OrganisationManager(MP_NodeManager):
    def add_child(self, target, create_kwargs=None, *, instance=None):
        """treebeard's ``add_child``, except that a retired path is never handed out again (see ``RetiredPath``).

        treebeard gives a childless node's first child step 1 without asking ``_inc_path``; when that step
        was held before (its node moved away), the new child is given the first step after the retired ones.
        """
        with transaction.atomic():
            node = self.model.objects.select_for_update().get(pk=target.pk)
            first = self.model._get_path(node.path, node.depth + 1, 1)
            if not node.is_leaf() or not RetiredPath.objects.filter(path=first).exists():
                return super().add_child(target, create_kwargs, instance=instance)
            newobj = instance or self.model(**create_kwargs)
            newobj.depth = node.depth + 1
            newobj.path = self.model(path=first)._inc_path()  # skips every retired step
            self.model.objects.filter(pk=node.pk).update(numchild=F("numchild") + 1)
            self._update_target_after_add_child(target, node)
            newobj._cached_parent_obj = target
            newobj.save(using=self._db)
            return newobj

    def move(self, node, target, pos=None):
        """treebeard's ``move``, except that a retired path is never handed out again (see ``RetiredPath``).

        Moving under a childless node, treebeard gives the node step 1 there without asking ``_inc_path``; when
        that step was held before, the branch goes to the first step after the retired ones instead.
        """
        if pos in ("first-child", "last-child", "sorted-child") and target.is_leaf():
            first = self.model._get_path(target.path, target.depth + 1, 1)
            if RetiredPath.objects.filter(path=first).exists():
                with transaction.atomic():
                    self._refresh_tree_fields(node, target)
                    if target.path.startswith(node.path):
                        raise InvalidMoveToDescendant(_("Can't move node to a descendant."))
                    old_path, new_path = node.path, self.model(path=first)._inc_path()
                    self._set_newpath_in_branches(old_path, new_path)
                    self.update_parent_counts_after_move(old_path, new_path)
                    self._refresh_tree_fields(node, target)
                return
        return super().move(node, target, pos)


class Organisation(MP_Node):
    """A node of the organisation tree: city federation → county federations → … → union groups.

    The materialised ``path`` makes "everything under Shanyang county" one indexed prefix query; every
    record of the portal hangs off a node and is scoped through this path.
    """

    class Kind(models.TextChoices):
        CITY = "city", _("City federation of trade unions")
        COUNTY = "county", _("County or district federation")
        TOWNSHIP = "township", _("Township or street federation")
        INDUSTRY = "industry", _("Industry federation")
        PARK = "park", _("Industrial park or development zone federation")
        GRASSROOTS = "grassroots", _("Grassroots union")
        GROUP = "group", _("Union group")

    class EmployerNature(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprise")
        GOVERNMENT = "government", _("Government body")
        INSTITUTION = "institution", _("Public institution")
        SOCIAL = "social", _("Social organisation")
        VILLAGE = "village", _("Village or community")
        OTHER = "other", _("Other")

    class Alert(models.TextChoices):
        # The labels name no number (filters and forms show them); ``alert_text`` adds the window in force.
        NONE = "", _("None")
        EXPIRING = "expiring", _("Certificate expires soon")
        EXPIRED = "expired", _("Certificate has expired")
        CHANGE_UNREPORTED = "change_unreported", _("Change not reported in time")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    code = models.CharField(
        _("code"), max_length=32, unique=True, help_text=_("Administrative code or union code, unique city-wide.")
    )
    name = models.CharField(_("official name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    credit_code = models.CharField(
        _("union credit code"), max_length=18, unique=True, null=True, blank=True, validators=[validate_union_uscc],
        help_text=_("Unified social credit code of the union itself; starts with 81."),
    )  # fmt: skip
    employer_name = models.CharField(_("employer"), max_length=100, blank=True)
    employer_credit_code = models.CharField(
        _("employer credit code"), max_length=18, blank=True, db_index=True, validators=[validate_uscc]
    )
    employer_nature = models.CharField(_("employer nature"), max_length=16, choices=EmployerNature.choices, blank=True)
    industry = models.CharField(_("industry"), max_length=50, blank=True)
    employee_count = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    term_ends_on = models.DateField(_("term of office ends on"), null=True, blank=True)
    chair_name = models.CharField(_("chair"), max_length=50, blank=True)
    chair_full_time = models.BooleanField(_("full-time chair"), null=True, blank=True)
    chair_phone = models.CharField(_("chair's phone"), max_length=11, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    has_women_committee = models.BooleanField(_("women workers' committee"), default=False)
    has_audit_committee = models.BooleanField(_("funds audit committee"), default=False)
    has_workers_congress = models.BooleanField(_("workers' congress"), default=False)
    has_collective_contract = models.BooleanField(_("collective contract"), default=False)
    certificate_number = models.CharField(_("legal-person certificate number"), max_length=40, blank=True)
    certificate_valid_until = models.DateField(_("certificate valid until"), null=True, blank=True)
    # Set when registered particulars (name, chair, address, employer) change; cleared by a change case.
    particulars_changed_on = models.DateField(_("particulars changed on"), null=True, blank=True)
    # Kept by the daily certificate job; the county workbench lists the nodes where it is set.
    alert = models.CharField(_("attention"), max_length=20, choices=Alert.choices, blank=True, default="")
    is_active = models.BooleanField(_("active"), default=True)
    deregistered_on = models.DateField(_("deregistered on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # No node_order_by: a new child is always appended, so existing paths never shift. Sorted insertion would
    # renumber later siblings and their subtrees, and every copy of a path (Member.org_path) would go stale.
    # Pages order children by code themselves.
    scope_path = "path"
    REGISTERED_PARTICULARS = ("name", "chair_name", "address", "employer_name", "employer_credit_code")
    UNION_KINDS = (Kind.GRASSROOTS,)

    objects = OrganisationManager()

    class Meta:
        # The table kept its name when the model moved here from ``members`` (migration org 0001).
        db_table = "members_organisation"
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [
            # LIKE 'prefix%' needs a pattern index on PostgreSQL unless the database collation is "C".
            models.Index(fields=["path"], name="org_path_prefix_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["alert"], name="org_alert_idx", condition=~Q(alert="")),
        ]

    def __str__(self):
        return self.name

    @property
    def is_union(self) -> bool:
        return self.kind == self.Kind.GRASSROOTS

    @property
    def alert_text(self) -> str:
        """The alert as staff read it, with the window in force (the warning days as configured)."""
        if self.alert == self.Alert.EXPIRING:
            days = settings.CERTIFICATE_EXPIRY_WARNING_DAYS
            return gettext("Certificate expires within %(days)s days") % {"days": days}
        if self.alert == self.Alert.CHANGE_UNREPORTED:
            return gettext("Change not reported within %(days)s days") % {"days": CHANGE_REPORT_DAYS}
        return self.get_alert_display() if self.alert else ""

    def _inc_path(self):
        """The next sibling path that no node has ever held (treebeard's next step, retired steps skipped)."""
        path = super()._inc_path()
        while RetiredPath.objects.filter(path=path).exists():
            path = MP_Node._inc_path(Organisation(path=path))
        return path


def parent_id_subquery():
    """The parent's id as a subquery on the path, so a list of nodes needs no query per row."""
    return Subquery(
        Organisation.objects.filter(
            path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Organisation.steplen)
        ).values("pk")[:1]
    )


class OrganisationEvent(models.Model):
    """The history of a node: created, particulars changed, moved, merged, deregistered."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        CHANGED = "changed", _("Particulars changed")
        MOVED = "moved", _("Moved")
        MERGED = "merged", _("Merged into another union")
        ABSORBED = "absorbed", _("Took in a merged union")
        DEREGISTERED = "deregistered", _("Deregistered")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("event"), max_length=16, choices=Kind.choices)
    from_parent = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("from")
    )
    to_parent = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("to")
    )
    other = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("other organisation"),
    )  # fmt: skip
    note = models.CharField(_("note"), max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        db_table = "members_organisationevent"
        verbose_name = _("organisation event")
        verbose_name_plural = _("organisation events")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.organisation} {self.get_kind_display()}"


class RetiredPath(models.Model):
    """A tree path that a node held and left: it is never handed to another node.

    Records all over the portal copy a node's path (``registry.register_path_copy``) and scope reads them with
    ``LIKE 'path%'``. If treebeard handed a freed path to the next node created under the same parent, as it
    does by default (it takes the step after the *current* last child, or step 1 under a childless node),
    that node's officer would see whatever still carried the old path. The moves rewrite every registered copy,
    and this table closes the rest: ``organisation_move`` retires the old path of the moved node in the same
    transaction, and ``Organisation._inc_path`` / ``OrganisationManager.add_child`` skip retired steps. Nodes
    are never deleted (they are deregistered; foreign keys protect them; the admin cannot delete or move), so a
    move is the only way a path is freed. Retiring the top of a moved branch is enough: no path below it can
    be issued again, as nothing can be added under a node that no longer exists at that path.
    """

    path = models.CharField(max_length=255, unique=True)
    retired_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("retired organisation path")
        verbose_name_plural = _("retired organisation paths")

    def __str__(self):
        return self.path
