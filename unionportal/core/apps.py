from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "unionportal.core"
    label = "core"
    verbose_name = _("Portal core")

    def ready(self):
        # Each app may contribute pending items to the workbench from its own pending.py.
        autodiscover_modules("pending")
