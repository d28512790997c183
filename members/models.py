from django.db import models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Length, Substr
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node


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

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    code = models.CharField(
        _("code"), max_length=32, unique=True, help_text=_("Administrative code or union code, unique city-wide.")
    )
    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    node_order_by = ["code"]
    scope_path = "path"

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [
            # LIKE 'prefix%' needs a pattern index on PostgreSQL unless the database collation is "C".
            models.Index(fields=["path"], name="org_path_prefix_idx", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self):
        return self.name


def parent_id_subquery():
    """The parent's id as a subquery on the path, so a list of nodes needs no query per row."""
    return Subquery(
        Organisation.objects.filter(
            path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Organisation.steplen)
        ).values("pk")[:1]
    )
