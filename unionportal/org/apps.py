from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    """The organisation tree, its paths and scope: the ground floor every other app stands on."""

    name = "unionportal.org"
    label = "org"
    verbose_name = _("Organisation tree")
